"""The console scripts start and report what they loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from backend.__main__ import main as backend_main
from quantdesk_desktop.__main__ import describe_markets


def test_workstation_lists_every_market() -> None:
    table = describe_markets()
    for symbol in ("BTC-PERP", "ETH-PERP", "SOL-PERP", "ADA-PERP", "DOT-PERP", "LINK-PERP"):
        assert symbol in table


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
