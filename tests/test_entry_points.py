"""The console scripts start and report what they loaded."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from backend.__main__ import main as backend_main
from backend.__main__ import parse_settings
from tests.server_process import ServerProcess


def test_backend_serves_health_and_markets_until_stopped(tmp_path: Path) -> None:
    server = ServerProcess(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        assert server.wait_until("/health").json() == {"status": "ok"}
        assert len(httpx.get(f"{server.url}/api/markets").json()) == 6
        assert (tmp_path / "server.db").exists()
    finally:
        output = server.stop()
    # uvicorn shuts down cleanly, then re-raises SIGTERM so supervisors see why it ended
    assert server.process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output


def test_backend_refuses_a_database_it_cannot_open(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    assert backend_main(["--database-url", f"sqlite:///{missing}", "--port", "0"]) == 2
    assert "cannot open the database" in capsys.readouterr().err


def test_backend_refuses_a_broken_markets_file(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "markets.json"
    broken.write_text('{"markets": []}')
    assert backend_main(["--markets", str(broken)]) == 2
    assert "missing field 'collateral'" in capsys.readouterr().err


def test_workstation_describes_its_options() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "quantdesk_desktop", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--screenshot" in done.stdout and "--backend-url" in done.stdout


def test_settings_come_from_a_file_under_the_command_line(tmp_path: Path, capsys) -> None:
    settings_file = tmp_path / "backend.env"
    settings_file.write_text("QUANTDESK_DEMO_USDC=5\nQUANTDESK_ORACLE_SOURCE=coingecko\n")
    settings, _ = parse_settings(["--settings-file", str(settings_file), "--oracle", "pyth"])
    assert settings.demo_usdc == 5 and settings.oracle_source == "pyth"  # the flag wins
    with pytest.raises(SystemExit):
        parse_settings(["--settings-file", str(tmp_path / "missing.env")])
    assert "no settings file" in capsys.readouterr().err
