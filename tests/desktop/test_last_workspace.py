"""The last workspace reopens at start: closing the workstation saves the arrangement
and the settings; the next start opens that workspace (a damaged settings file falls
back to the defaults)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from quantdesk_desktop import theme
from quantdesk_desktop.app import LaunchOptions, Workstation


@pytest.fixture
def folders(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    monkeypatch.setenv("QUANTDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("QUANTDESK_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path / "config"
    theme.use("dark")  # the theme is process-wide: leave it as the other tests expect


async def test_closing_saves_the_workspace_and_the_next_start_reopens_it(qtbot, folders) -> None:
    first = Workstation(LaunchOptions(theme="light"))
    qtbot.addWidget(first.window)
    first._open_workspace()
    first.window.add_panel("chart", "ETH-PERP", link="blue")
    first.window.workspace_name = "Morning"
    await first.stop()
    settings = json.loads((folders / "settings.json").read_text())
    assert settings["last_workspace"] == "Morning" and settings["theme"] == "light"

    second = Workstation(LaunchOptions())
    qtbot.addWidget(second.window)
    second._open_workspace()
    assert second.window.workspace_name == "Morning"
    charts = sorted(p.market for p, _ in second.window.panels.values() if p.kind == "chart")
    assert charts == ["ETH-PERP", "SOL-PERP"]
    second.window.clear_panels()


async def test_a_damaged_settings_file_gives_the_defaults(qtbot, folders) -> None:
    folders.mkdir(parents=True)
    (folders / "settings.json").write_text("{not json")
    workstation = Workstation(LaunchOptions())
    qtbot.addWidget(workstation.window)
    workstation._open_workspace()
    assert workstation.settings.theme == "dark"
    assert {p.kind for p, _ in workstation.window.panels.values()} == {
        "chart", "depth", "tape", "watchlist", "blotter", "ticket"
    }  # fmt: skip
    workstation.window.clear_panels()
