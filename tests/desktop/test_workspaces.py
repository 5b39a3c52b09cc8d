"""Workspaces: save and restore the arrangement, panels' markets and settings, link
groups; two monitors side by side (Qt's offscreen platform with a screen file): a panel
detached onto the second screen comes back there, and onto the first when only one
screen is attached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import Workspace, WorkspaceError, WorkspaceStore

TWO_SCREENS = {
    "screens": [
        {"name": "left", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96},
        {"name": "right", "x": 1920, "y": 0, "width": 2560, "height": 1440, "logicalDpi": 144},
    ]
}
ONE_SCREEN = {"screens": TWO_SCREENS["screens"][:1]}


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    window = MainWindow(MarketStore(), WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    window.frame_timer.stop()  # the tests drive the frames
    window.default_layout("SOL-PERP")
    return window


def _kinds(window: MainWindow) -> dict[str, tuple[str, str, str | None]]:
    return {pid: (p.kind, p.market, p.link) for pid, (p, _) in window.panels.items()}


def test_a_workspace_round_trips_panels_markets_links_and_settings(window, tmp_path) -> None:
    tape = next(p for p, _ in window.panels.values() if p.kind == "tape")
    tape.restore({"min_size": "2.5"})
    window.add_panel("chart", "BTC-PERP", link="blue")
    window.save_workspace("Desk")
    saved = _kinds(window)
    assert (tmp_path / "workspaces" / "Desk.json").exists()

    window.default_layout("ETH-PERP")
    assert window.load_workspace("Desk")
    assert _kinds(window) == saved
    tape = next(p for p, _ in window.panels.values() if p.kind == "tape")
    assert tape.settings() == {"min_size": "2.5"}


def test_choosing_a_market_switches_its_link_group_only(window) -> None:
    lone = window.add_panel("chart", "BTC-PERP", link="blue")
    watchlist = next(p for p, _ in window.panels.values() if p.kind == "watchlist")
    watchlist.market_chosen.emit("ETH-PERP")
    markets = {(p.kind, p.market) for p, _ in window.panels.values() if p is not lone}
    kinds = {"watchlist", "chart", "depth", "tape", "blotter", "ticket"}
    assert markets == {(kind, "ETH-PERP") for kind in kinds}
    assert lone.market == "BTC-PERP"
    assert ("book", "ETH-PERP", None) in window.store.wanted
    assert ("book", "SOL-PERP", None) not in window.store.wanted


def test_a_broken_workspace_is_refused_with_the_reason_and_changes_nothing(window, tmp_path):
    folder = tmp_path / "workspaces"
    folder.mkdir(exist_ok=True)
    (folder / "Broken.json").write_text('{"panels": [{"kind": "chart"}]}')
    (folder / "Garbage.json").write_text("not json at all")
    before = _kinds(window)
    assert not window.load_workspace("Broken")
    assert "needs an id" in window.status.notice.text()
    assert not window.load_workspace("Garbage")
    assert "unreadable" in window.status.notice.text()
    assert not window.load_workspace("Missing")
    assert _kinds(window) == before
    with pytest.raises(WorkspaceError):
        WorkspaceStore(folder).path("../escape")
    with pytest.raises(WorkspaceError):
        Workspace.from_json({"panels": [], "dock_state": "%%%"})


def _scenario(action: str, screens: dict, folder: Path, tmp_path: Path) -> dict:
    config = tmp_path / f"screens-{len(screens['screens'])}.json"
    config.write_text(json.dumps(screens))
    env = os.environ | {"QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.desktop.screens_scenario", action, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_detached_panel_returns_to_its_screen_or_onto_a_visible_one(tmp_path) -> None:
    folder = tmp_path / "workspaces"
    saved = _scenario("save", TWO_SCREENS, folder, tmp_path)
    assert saved["screens"] == ["left", "right"]
    floating = [w for w in saved["windows"] if w["docks"]]
    assert [w["screen"] for w in floating] == ["right"]

    again = _scenario("restore", TWO_SCREENS, folder, tmp_path)
    floating = [w for w in again["windows"] if w["docks"]]
    assert [w["screen"] for w in floating] == ["right"]
    assert any("tape" in dock for dock in floating[0]["docks"])

    alone = _scenario("restore", ONE_SCREEN, folder, tmp_path)
    assert alone["screens"] == ["left"]
    assert {w["screen"] for w in alone["windows"]} == {"left"}  # every window visible


def test_a_panel_joins_and_leaves_a_link_group(window) -> None:
    chart = next(p for p, _ in window.panels.values() if p.kind == "chart")
    dock = next(d for p, d in window.panels.values() if p is chart)
    window.set_link(chart, None)
    assert dock.icon().isNull()
    watchlist = next(p for p, _ in window.panels.values() if p.kind == "watchlist")
    watchlist.market_chosen.emit("BTC-PERP")
    assert chart.market == "SOL-PERP"  # no longer linked
    window.set_link(chart, "green")
    assert not dock.icon().isNull()
    watchlist.market_chosen.emit("ADA-PERP")
    assert chart.market == "ADA-PERP"
