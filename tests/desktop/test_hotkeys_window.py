"""Hotkeys in the main window, pressed as Qt key events: disarmed keys do nothing but say
so, the arm switch shows its state, keys act on the focused panel's market (and move its
whole link group), the size steps are saved, the ticket takes the focus, a key rebound in
the Hotkeys panel works at once, and offline an order key is told it was not sent."""

from __future__ import annotations

from pathlib import Path

from quantdesk_desktop.hotkeys.board import HotkeyBoard
from quantdesk_desktop.panels.hotkeys_panel import HotkeysPanel
from quantdesk_desktop.qt import QApplication, Qt
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore

SPECS = [
    {"symbol": "SOL-PERP", "tick_size": "0.001", "lot_size": "0.01", "min_size": "0.1"},
    {"symbol": "BTC-PERP", "tick_size": "0.1", "lot_size": "0.0001", "min_size": "0.001"},
    {"symbol": "ETH-PERP", "tick_size": "0.01", "lot_size": "0.001", "min_size": "0.01"},
]


def _window(qtbot, tmp_path: Path) -> MainWindow:
    store = MarketStore()
    store.board.load_specs(SPECS)
    window = MainWindow(store, WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    window.default_layout("SOL-PERP")
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.frame()
    return window


def _panel(window: MainWindow, kind: str):
    return next(p for p, _ in window.panels.values() if p.kind == kind)


def _press(qtbot, window: MainWindow, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A key event to the focused widget (through Qt's shortcut map), then a frame."""
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifiers)
    window.frame()


def test_disarmed_keys_say_so_and_armed_keys_offline_are_told(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    board = window.store.hotkeys
    depth = _panel(window, "depth")
    depth.setFocus()
    _press(qtbot, window, Qt.Key.Key_F1)
    assert board.last_was_refused
    assert board.last_outcome == "disarmed: Buy at market not sent; arm with Ctrl+Shift+A"
    assert window.status.notice.text() == board.last_outcome
    assert window.hotkeys.arm_switch.text() == "Keys disarmed · 0.1 SOL-PERP"

    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    _press(qtbot, window, Qt.Key.Key_A, shift_ctrl)
    assert board.armed and window.hotkeys.arm_switch.isChecked()
    assert window.hotkeys.arm_switch.text() == "KEYS ARMED · 0.1 SOL-PERP"
    assert ("book", "SOL-PERP", None) in window.store.wanted  # the join keys need it

    _press(qtbot, window, Qt.Key.Key_F1)  # no backend: the order is refused, not queued
    assert board.last_was_refused and "not connected to a backend" in board.last_outcome
    _press(qtbot, window, Qt.Key.Key_F3)  # the book is empty
    assert board.last_outcome == "no bid in the SOL-PERP book to buy at"
    window.hotkeys.arm_switch.click()  # the switch disarms too
    assert not board.armed


def test_keys_act_on_the_focused_panels_link_group(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    saved: list[dict] = []
    window.hotkeys.on_bindings_changed = lambda b: saved.append(b.sizes.as_settings())
    depth = _panel(window, "depth")
    depth.setFocus()
    alt = Qt.KeyboardModifier.AltModifier
    _press(qtbot, window, Qt.Key.Key_Right, alt)
    assert {p.market for p, _ in window.panels.values()} == {"BTC-PERP"}  # one link group
    _press(qtbot, window, Qt.Key.Key_Left, alt)
    _press(qtbot, window, Qt.Key.Key_Left, alt)
    assert depth.market == "ETH-PERP"  # wraps around

    _press(qtbot, window, Qt.Key.Key_Up, alt)
    _press(qtbot, window, Qt.Key.Key_Up, alt)
    window.frame()
    assert saved[-1] == {"ETH-PERP": "0.05"}  # 0.01 → 0.02 → 0.05, saved at once
    assert window.hotkeys.arm_switch.text() == "Keys disarmed · 0.05 ETH-PERP"

    _press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    ticket = _panel(window, "ticket")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ticket.form.size_edit)
    # typing in the ticket's size field is typing: a plain key does not trade
    qtbot.keyClicks(ticket.form.size_edit, "3")
    assert ticket.form.size_edit.text() == "3"


def test_a_key_rebound_in_the_hotkeys_panel_works_at_once(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    board: HotkeyBoard = window.store.hotkeys
    sheet = window.add_panel("hotkeys", "SOL-PERP", "green")
    assert isinstance(sheet, HotkeysPanel)
    window.frame()
    keys = {sheet.model.index(r, 0).data(): sheet.model.index(r, 1).data() for r in range(17)}
    assert keys["Buy at market"] == "F1" and keys["Flatten all positions"] == "Shift+F8"

    assert not sheet.rebind("sell_market", "F1")  # a clash: refused, nothing changes
    assert sheet.problem.text() == "F1 is already bound to Buy at market"
    assert board.keymap.key_of("sell_market") == "F2"
    assert sheet.rebind("buy_market", "F11")
    window.frame()
    assert sheet.problem.text() == "" and sheet.model.index(0, 1).data() == "F11"
    sheet.setFocus()
    _press(qtbot, window, Qt.Key.Key_F1)
    assert board.last_outcome == ""  # F1 is free now: nothing happened
    _press(qtbot, window, Qt.Key.Key_F11)
    assert board.last_outcome == "disarmed: Buy at market not sent; arm with Ctrl+Shift+A"
    sheet.arm_button.click()
    window.frame()
    assert board.armed and sheet.arm_button.text() == "Trading keys ARMED"
    sheet.reset_keys()
    window.frame()
    assert board.keymap.key_of("buy_market") == "F1"


def test_plain_keys_stay_with_text_fields_and_a_closed_window_keeps_none(
    qtbot, tmp_path: Path
) -> None:
    closed = _window(qtbot, tmp_path / "first")
    closed.close()  # hidden, still alive: its keys must not act any more
    window = _window(qtbot, tmp_path / "second")
    board = window.store.hotkeys
    board.keymap.rebind("buy_market", "7")
    board.changed_bindings()
    window.frame()
    ticket = _panel(window, "ticket")
    ticket.focus_size()
    qtbot.keyClicks(ticket.form.size_edit, "7")  # typing: stays in the field
    assert board.last_outcome == "" and ticket.form.size_edit.text() == "7"
    _press(qtbot, window, Qt.Key.Key_F2)  # function keys act from a text field too
    assert board.last_outcome == "disarmed: Sell at market not sent; arm with Ctrl+Shift+A"
    _panel(window, "depth").setFocus()
    _press(qtbot, window, Qt.Key.Key_7)
    assert board.last_outcome == "disarmed: Buy at market not sent; arm with Ctrl+Shift+A"
    assert closed.store.hotkeys.last_outcome == ""  # the closed window heard nothing
