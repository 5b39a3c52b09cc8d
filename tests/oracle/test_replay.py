"""Recording any source's prices as Hermes JSON lines and playing them back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.domain.fixed_point import parse_price
from backend.services.oracle.feed_errors import FeedFormatError
from backend.services.oracle.pyth_wire import parse_updates
from backend.services.oracle.replay import (
    PriceRecorder,
    hermes_entry,
    pyth_entry,
    read_recording,
    replay,
)
from tests.oracle.hermes_server import recorded_latest

SOL = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d"


def test_pyth_and_other_sources_record_to_one_format(tmp_path: Path) -> None:
    recorder = PriceRecorder(tmp_path / "day.jsonl")
    pyth = parse_updates(recorded_latest())
    recorder.record([pyth_entry(p) for p in pyth], received_at=100.0)
    recorder.record([hermes_entry(SOL, parse_price("187.25"), 0, 1711356302)], received_at=101.5)
    recorder.close()
    (first_at, first), (second_at, [sol]) = list(read_recording(tmp_path / "day.jsonl"))
    assert (first_at, second_at) == (100.0, 101.5)
    assert [(p.feed_id, p.price, p.conf, p.publish_time) for p in first] == [
        (p.feed_id, p.price, p.conf, p.publish_time) for p in pyth
    ]
    assert first[0].ema_price == pyth[0].ema_price
    assert sol.price == parse_price("187.25") and sol.expo == -6


async def test_replay_keeps_the_recorded_pace_scaled(tmp_path: Path) -> None:
    recorder = PriceRecorder(tmp_path / "day.jsonl")
    for second in (0.0, 2.0, 3.0):
        entry = hermes_entry(SOL, parse_price("150"), 0, 1000 + int(second))
        recorder.record([entry], received_at=50.0 + second)
    recorder.close()
    now = [0.0]
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    played = [
        prices[0].publish_time
        async for prices in replay(tmp_path / "day.jsonl", 2.0, fake_sleep, lambda: now[0])
    ]
    assert played == [1000, 1002, 1003]
    assert waits == [1.0, 0.5]  # twice as fast as recorded


def test_a_bad_line_names_its_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = {"received_at": 1.0, "parsed": [hermes_entry(SOL, 1, 0, 1)]}
    path.write_text(json.dumps(good) + "\n" + '{"received_at": 2.0, "parsed": [{"id": 1}]}\n')
    with pytest.raises(FeedFormatError, match=r"bad.jsonl:2: "):
        list(read_recording(path))
    path.write_text('{"parsed": []}\n')
    with pytest.raises(FeedFormatError, match=r"bad.jsonl:1: .*received_at"):
        list(read_recording(path))
