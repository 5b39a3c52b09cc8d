"""The console scripts start and report what they loaded."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from backend.__main__ import main as backend_main
from quantdesk_desktop.__main__ import describe_markets


def test_workstation_lists_every_market() -> None:
    table = describe_markets()
    for symbol in ("BTC-PERP", "ETH-PERP", "SOL-PERP", "ADA-PERP", "DOT-PERP", "LINK-PERP"):
        assert symbol in table


def test_backend_serves_health_and_markets_until_stopped(tmp_path: Path) -> None:
    port = _free_port()
    database = f"sqlite:///{tmp_path / 'server.db'}"
    server = subprocess.Popen(
        [sys.executable, "-m", "backend", "--port", str(port), "--database-url", database],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/health", server)
        assert health.json() == {"status": "ok"}
        markets = httpx.get(f"http://127.0.0.1:{port}/api/markets").json()
        assert len(markets) == 6
        assert (tmp_path / "server.db").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)
    # uvicorn shuts down cleanly, then re-raises SIGTERM so supervisors see why it ended
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output


def test_backend_refuses_a_database_it_cannot_open(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    assert backend_main(["--database-url", f"sqlite:///{missing}", "--port", "0"]) == 2
    assert "cannot open the database" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, deadline_s: float = 30.0) -> httpx.Response:
    """Poll ``url`` until the server answers (or has died, or the deadline passes)."""
    deadline = time.monotonic() + deadline_s
    while True:
        assert server.poll() is None, server.stdout.read()
        try:
            return httpx.get(url, timeout=1.0)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_backend_refuses_a_broken_markets_file(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "markets.json"
    broken.write_text('{"markets": []}')
    assert backend_main(["--markets", str(broken)]) == 2
    assert "missing field 'collateral'" in capsys.readouterr().err


def test_console_script_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "quantdesk_desktop"], capture_output=True, text=True, check=True
    )
    assert "SOL-PERP" in done.stdout
