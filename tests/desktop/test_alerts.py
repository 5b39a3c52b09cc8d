"""Account alerts: health falling through the thresholds (with hysteresis), the server's
margin calls and liquidations, their settings, and the window announcing each one with
no Risk panel open: a banner, the status bar, the chime, and a desktop notification that
really arrives over D-Bus at a notification server."""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.client.wallet import load_wallet
from quantdesk_desktop.qt import QtCore, QtWidgets
from quantdesk_desktop.settings import AlertSettings, WorkstationSettings
from quantdesk_desktop.state.alerts import AlertsState, Level, percent_text
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui import alert_sound
from quantdesk_desktop.ui.alerts import AlertAnnouncer, AlertSound
from quantdesk_desktop.ui.desktop_notifier import DesktopNotifier
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore

REPO = Path(__file__).resolve().parents[2]
NOW = 1_790_000_000_000
# the examples of docs/ws-protocol.md
MARGIN_CALL = {
    "channel": "alerts",
    "type": "margin_call",
    "seq": 1,
    "market": "SOL-PERP",
    "health": "0.128233",
    "equity": "7.925",
    "maintenance_requirement": "6.9",
}
LIQUIDATION = {
    "channel": "alerts",
    "type": "liquidation",
    "seq": 2,
    "closed": [{"market": "SOL-PERP", "size": "1", "price": "120", "fee": "1.2"}],
    "healthy_after": True,
}


def _observe(state: AlertsState, *healths: str) -> list[str]:
    """Feed health figures; the titles of the alerts they raised."""
    raised = [state.observe_health(h, NOW) for h in healths]
    return [alert.title for alert in raised if alert is not None]


# -- the state --------------------------------------------------------------------------


def test_health_falling_through_each_threshold_alerts_once_with_hysteresis() -> None:
    state = AlertsState()  # warning below 30 %, danger below 15 %, 5 points to leave
    assert _observe(state, "1", "0.5", "0.300001") == []
    assert state.level is Level.OK
    assert _observe(state, "0.299999") == ["Account health 29.9 %"]
    assert state.level is Level.WARNING and state.latest.level is Level.WARNING
    assert "warning threshold of 30.0 %" in state.latest.body
    # wavering around the threshold, even back above it, raises nothing more
    assert _observe(state, "0.31", "0.29", "0.349999", "0.28") == []
    assert state.level is Level.WARNING
    assert _observe(state, "0.149") == ["Account health 14.9 %"]
    assert state.level is Level.DANGER and "danger threshold of 15.0 %" in state.latest.body
    assert _observe(state, "0.16", "0.14", "0.199999", "0.1") == []
    # back to 20 %: warning again, silently; falling below 15 % again alerts again
    assert _observe(state, "0.2") == [] and state.level is Level.WARNING
    assert _observe(state, "0.12") == ["Account health 12.0 %"]
    # above 35 %: fine; the next fall through 30 % is a new alert
    assert _observe(state, "0.35") == [] and state.level is Level.OK
    assert _observe(state, "0.25") == ["Account health 25.0 %"]
    assert [a.serial for a in state.alerts] == [1, 2, 3, 4]
    assert [a.serial for a in state.after(2)] == [3, 4]
    # straight from fine to below the danger threshold: one alert, the worse one
    fresh = AlertsState()
    assert _observe(fresh, "0.9", "0") == ["Account health 0.0 %"]
    assert fresh.level is Level.DANGER
    assert _observe(fresh, None, "not a number") == [] and fresh.health == 0


def test_thresholds_are_configurable_and_checked() -> None:
    state = AlertsState()
    version = state.version
    state.configure(500_000, 250_000, rearm=100_000)
    assert (state.warning, state.danger, state.rearm) == (500_000, 250_000, 100_000)
    assert state.version > version
    assert _observe(state, "0.45") == ["Account health 45.0 %"]
    assert _observe(state, "0.55", "0.49") == []  # 60 % is needed to leave the warning
    for warning, danger, rearm in ((300_000, 300_000, 0), (0, 0, 0), (990_000, 100_000, 50_000)):
        with pytest.raises(ValueError):
            state.configure(warning, danger, rearm)
    assert (state.warning, state.danger) == (500_000, 250_000)  # a refusal changes nothing


def test_margin_calls_and_liquidations_from_the_server_become_alerts() -> None:
    state = AlertsState()
    call = state.apply(MARGIN_CALL, NOW)
    assert call is not None and call.kind == "margin_call" and call.level is Level.DANGER
    assert call.title == "Margin call"
    assert call.body == (
        "SOL-PERP: health 12.8 % (equity 7.925 USDC, maintenance requirement 6.9 USDC)"
    )
    liquidation = state.apply(LIQUIDATION, NOW + 1)
    assert liquidation is not None and liquidation.title == "Liquidation"
    assert liquidation.body == "Closed SOL-PERP 1 @ 120 (fee 1.2 USDC)"
    still_below = state.apply(LIQUIDATION | {"healthy_after": False}, NOW + 2)
    assert still_below is not None and "still below maintenance margin" in still_below.body
    assert state.apply({"channel": "alerts", "type": "something_new"}, NOW) is None
    assert len(state.alerts) == 3 and state.latest is still_below


def test_health_is_shown_rounded_down() -> None:
    assert percent_text(128_239) == "12.8 %"  # never better than it is
    assert percent_text(1_000_000) == "100.0 %" and percent_text(None) == "—"
    assert percent_text(299_999, 0) == "29 %"


def test_the_session_routes_the_alerts_channel_to_the_state_and_keeps_the_notice(
    tmp_path: Path,
) -> None:
    store = MarketStore()
    session = WorkstationClient(store, "http://127.0.0.1:9", load_wallet("test", tmp_path))
    session._on_message(MARGIN_CALL, 0.0)
    assert store.alerts.latest is not None and store.alerts.latest.kind == "margin_call"
    assert session.notices == ["Margin call on SOL-PERP: health 0.128233"]


# -- settings ---------------------------------------------------------------------------


def test_alert_settings_are_saved_and_bad_values_fall_back_to_the_defaults(
    tmp_path: Path, caplog
) -> None:
    path = tmp_path / "settings.json"
    settings = WorkstationSettings()
    assert settings.alerts.thresholds() == (300_000, 150_000) and settings.alerts.sound
    settings.alerts = AlertSettings("40", "12.5", False)
    settings.save(path)
    loaded = WorkstationSettings.load(path)
    assert loaded.alerts.thresholds() == (400_000, 125_000) and loaded.alerts.sound is False

    def with_alerts(alerts: object) -> AlertSettings:
        path.write_text(json.dumps({"theme": "light", "alerts": alerts}), encoding="utf-8")
        return WorkstationSettings.load(path).alerts

    assert with_alerts({"health_warning": 25, "health_danger": 10}).thresholds() == (
        250_000,
        100_000,
    )
    caplog.set_level(logging.WARNING, "quantdesk.settings")
    for bad in (
        {"health_warning": "10", "health_danger": "20"},  # danger above warning
        {"health_warning": "abc", "health_danger": "10"},
        {"health_warning": "99", "health_danger": "10"},  # no room to leave the warning
        {"health_warning": True, "health_danger": "10"},
        {"health_warning": "30"},  # half a pair
        {"health_warning": "30.00001", "health_danger": "10"},  # finer than ppm
    ):
        assert with_alerts(bad).thresholds() == (300_000, 150_000), bad
    assert len(caplog.records) == 6
    assert with_alerts({"sound": "no"}).sound is True  # not a boolean: the default
    assert with_alerts("loud").thresholds() == (300_000, 150_000)
    assert WorkstationSettings.load(path).theme == "light"  # the rest still loads


# -- announcing -------------------------------------------------------------------------


@pytest.fixture
def no_desktop(monkeypatch, tmp_path: Path) -> Path:
    """No session bus and no sound player: what a bare test machine (or an SSH session)
    has. Returns the (empty) directory that PATH holds."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    bare = tmp_path / "bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))
    return bare


def _window(qtbot, tmp_path: Path) -> MainWindow:
    window = MainWindow(MarketStore(), WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    window.resize(1000, 600)
    return window


def test_the_window_announces_each_new_alert_once_with_no_risk_panel_open(
    qtbot, tmp_path: Path, no_desktop: Path, caplog
) -> None:
    window = _window(qtbot, tmp_path)
    assert not window.panels and window.alerts.banner.isHidden()
    alerts = window.store.alerts
    routes: list[tuple] = []
    window.alerts.notifier.delivered.connect(lambda *args: routes.append(args))
    caplog.set_level(logging.WARNING, "quantdesk.notify")

    alerts.observe_health("0.25", NOW)
    window.frame()
    banner = window.alerts.banner
    assert not banner.isHidden()
    assert banner.title.text() == "Account health 25.0 %"
    assert banner.text.text() == (
        "Below the warning threshold of 30.0 %: add collateral or reduce positions."
    )
    assert banner.colour() == "#ffb74d"  # the dark theme's warning colour
    assert window.status.notice.text() == (
        "Account health 25.0 %: Below the warning threshold of 30.0…"
    )
    assert window.alerts.sounded == ["beep"]  # no sound player on this PATH
    # with no bus, the tray (on a desktop that has one) or a line in the log
    tray = QtWidgets.QSystemTrayIcon.isSystemTrayAvailable()
    fallback = ("tray", None) if tray else ("none", "no D-Bus session bus")
    assert routes == [(fallback[0], "Account health 25.0 %", fallback[1])]

    window.frame()
    alerts.observe_health("0.26", NOW)  # no new alert: nothing more is announced
    window.frame()
    assert len(window.alerts.announced) == 1 and window.alerts.sounded == ["beep"]

    alerts.apply(MARGIN_CALL, NOW)
    alerts.apply(LIQUIDATION, NOW)
    window.frame()
    assert [a.title for a in window.alerts.announced] == [
        "Account health 25.0 %",
        "Margin call",
        "Liquidation",
    ]
    assert banner.title.text() == "Liquidation  (+1 more)"
    assert banner.text.text() == "Closed SOL-PERP 1 @ 120 (fee 1.2 USDC)"
    assert banner.colour() == "#ff5252"
    assert window.alerts.sounded == ["beep", "beep"]  # one chime a frame, not one an alert
    assert [route for route, *_ in routes] == [fallback[0]] * 3
    said = [r.getMessage() for r in caplog.records if r.name == "quantdesk.notify"]
    assert said == [  # once, not once an alert
        "desktop notifications through the tray (no D-Bus session bus)"
        if tray
        else "no desktop notifier (no D-Bus session bus, and no system tray)"
    ]

    banner.close_button.click()
    assert banner.isHidden()


def test_alerts_raised_before_the_window_are_not_announced_again(
    qtbot, tmp_path: Path, no_desktop: Path
) -> None:
    store = MarketStore()
    store.alerts.apply(MARGIN_CALL, NOW)
    window = MainWindow(store, WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    window.frame()
    assert window.alerts.announced == [] and window.alerts.banner.isHidden()


def test_a_muted_alert_is_seen_but_not_heard(qtbot, tmp_path: Path, no_desktop: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.store.alerts.set_sound(False)
    window.store.alerts.apply(LIQUIDATION, NOW)
    window.frame()
    assert window.alerts.sounded == [] and not window.alerts.banner.isHidden()


def test_the_chime_plays_through_the_desktops_sound_player(
    qtbot, no_desktop: Path, tmp_path: Path
) -> None:
    played = tmp_path / "played.txt"
    player = no_desktop / "paplay"
    player.write_text(f'#!/bin/sh\necho "$@" > {played}\n', encoding="utf-8")
    player.chmod(player.stat().st_mode | stat.S_IXUSR)
    sound = AlertSound()
    assert sound.play() == str(player)
    qtbot.waitUntil(lambda: played.exists() and bool(played.read_text().strip()), timeout=10_000)
    assert played.read_text().strip() == str(alert_sound.sound_file())
    player.unlink()
    assert AlertSound().play() == "beep"


def test_the_shipped_chime_is_what_the_generator_makes() -> None:
    shipped = alert_sound.sound_file().read_bytes()
    assert shipped == alert_sound.alert_wav()  # else: python -m quantdesk_desktop.ui.alert_sound
    with wave.open(str(alert_sound.sound_file())) as chime:
        assert (chime.getnchannels(), chime.getsampwidth()) == (1, 2)
        seconds = chime.getnframes() / chime.getframerate()
    assert 0.2 < seconds < 0.5 and len(shipped) < 16_000


# -- a real notification server on a private D-Bus bus --------------------------------


@pytest.fixture
def bus_address() -> Iterator[str]:
    """A private D-Bus bus (`dbus-daemon --session`), stopped after the test."""
    binary = shutil.which("dbus-daemon") or "/usr/bin/dbus-daemon"
    if not os.access(binary, os.X_OK):
        pytest.fail("dbus-daemon is missing: run scripts/system_deps.sh")
    daemon = subprocess.Popen(
        [binary, "--session", "--print-address", "--nofork", "--nopidfile"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), address
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)
        daemon.stdout.close()


class NotificationServer:
    """`tests/desktop/notification_service.py` run on the bus; what it printed."""

    def __init__(self, qtbot, address: str) -> None:
        self.output = b""
        self.process = QtCore.QProcess()
        self.process.setWorkingDirectory(str(REPO))
        self.process.setProcessChannelMode(QtCore.QProcess.ProcessChannelMode.ForwardedErrorChannel)
        self.process.start(sys.executable, ["-m", "tests.desktop.notification_service", address])
        qtbot.waitUntil(lambda: b"READY\n" in self.read(), timeout=30_000)

    def read(self) -> bytes:
        self.output += bytes(self.process.readAllStandardOutput().data())
        assert b"FAILED" not in self.output, self.output
        return self.output

    def received(self) -> list[dict]:
        lines = self.read().decode().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def stop(self) -> None:
        self.process.terminate()
        self.process.waitForFinished(10_000)


def test_the_desktop_notification_arrives_over_dbus(
    qtbot, tmp_path: Path, bus_address: str, no_desktop: Path
) -> None:
    server = NotificationServer(qtbot, bus_address)
    store = MarketStore()
    window = MainWindow(store, WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    notifier = DesktopNotifier(bus_address)
    announcer = AlertAnnouncer(window, store, window.status.show_notice, notifier=notifier)
    routes: list[tuple] = []
    notifier.delivered.connect(lambda *args: routes.append(args))
    try:
        store.alerts.apply(MARGIN_CALL, NOW)
        announcer.frame()
        qtbot.waitUntil(lambda: bool(server.received() and routes), timeout=30_000)
        (shown,) = server.received()
        assert shown == {
            "id": 41,
            "app": "QuantDesk",
            "replaces_id": 0,
            "icon": "dialog-error",
            "summary": "Margin call",
            "body": "SOL-PERP: health 12.8 % (equity 7.925 USDC, maintenance requirement 6.9 USDC)",
            "actions": [],
            "timeout": -1,
        }
        assert routes == [("dbus", "Margin call", 41)]

        store.alerts.observe_health("0.2", NOW)  # a second one reuses the interface
        announcer.frame()
        qtbot.waitUntil(lambda: len(routes) == 2, timeout=30_000)
        assert routes[1] == ("dbus", "Account health 20.0 %", 42)
        assert server.received()[1]["icon"] == "dialog-warning"
    finally:
        announcer.close()
        server.stop()


def test_a_bus_without_a_notification_server_falls_back(
    qtbot, bus_address: str, no_desktop: Path
) -> None:
    notifier = DesktopNotifier(bus_address)
    routes: list[tuple] = []
    notifier.delivered.connect(lambda *args: routes.append(args))
    try:
        assert notifier.notify("Liquidation", "Closed SOL-PERP", urgent=True) == "dbus"
        qtbot.waitUntil(lambda: bool(routes), timeout=10_000)
        ((route, summary, why),) = routes
        tray = QtWidgets.QSystemTrayIcon.isSystemTrayAvailable()
        assert (route, summary) == ("tray" if tray else "none", "Liquidation")
        if not tray:  # the bus said no one owns the name
            assert "org.freedesktop.Notifications" in why
    finally:
        notifier.close()
