"""Recording the simulator's prices with one flag, then driving a server from that file
(`--replay-prices`), through the real `quantdesk-backend` process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from backend.domain.fixed_point import parse_price
from backend.services.oracle.replay import read_recording
from tests.server_process import ServerProcess

SOL_FEED = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d"
DEADLINE_S = 20.0


def _wait_for(ready, what: str):
    deadline = time.monotonic() + DEADLINE_S
    while True:
        answer = ready()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"not seen: {what}"
        time.sleep(0.1)


def test_record_then_replay_drives_the_oracle(tmp_path: Path) -> None:
    recording = tmp_path / "prices.jsonl"
    recorder = ServerProcess(
        f"sqlite:///{tmp_path / 'first.db'}", extra_args=["--record-prices", str(recording)]
    )
    try:
        recorder.wait_until("/health")
        _wait_for(
            lambda: recording.exists() and len(list(read_recording(recording))) >= 3,
            "three recorded rounds",
        )
    finally:
        recorder.stop()
    lines = list(read_recording(recording))  # all of it, as the replay will read it
    recorded_sol = [p.price for _, prices in lines for p in prices if p.feed_id == SOL_FEED]
    assert recorded_sol

    player = ServerProcess(
        f"sqlite:///{tmp_path / 'second.db'}",
        {"QUANTDESK_ORACLE_REPLAY_SPEED": "50"},
        extra_args=["--replay-prices", str(recording)],
    )
    try:
        url = player.url
        player.wait_until("/health")
        history = _wait_for(
            lambda: [
                o
                for o in httpx.get(f"{url}/api/oracle/history?market=SOL-PERP&limit=50").json()
                if o["source"] == "replay"
            ],
            "replayed prices",
        )
        sim = httpx.get(f"{url}/api/oracle/history?market=SOL-PERP&limit=50").json()
        assert all(o["source"] == "replay" for o in sim)  # the simulator is not running
        assert {parse_price(o["price"]) for o in history} <= set(recorded_sol)
    finally:
        player.stop()


def test_replay_without_a_file_refuses_to_start(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backend", "--replay-prices", str(tmp_path / "missing.jsonl")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "no recorded price file" in done.stderr
