"""Keyboard trading in the window: key presses in any of the workstation's windows
(floating ones on other monitors included) read by an application event filter against
the key map, the arm switch in the status bar, and what each key does to the market of
the focused panel's link group."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from backend.domain.fixed_point import BASE_PRECISION, format_fixed
from quantdesk_desktop import theme
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.hotkeys.actions import BY_NAME
from quantdesk_desktop.hotkeys.board import HotkeyBoard
from quantdesk_desktop.hotkeys.key_events import key_text, typing_into
from quantdesk_desktop.hotkeys.plans import HotkeyRefused, plan
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.ticket.guards import Guards
from quantdesk_desktop.panels.ticket.panel import TicketPanel
from quantdesk_desktop.qt import QtCore, QtGui, QtWidgets

if TYPE_CHECKING:
    from quantdesk_desktop.ui.main_window import MainWindow

log = logging.getLogger("quantdesk.hotkeys")

ARMED_STYLE = f"QToolButton {{ {theme.ARMED} }}"


class ArmSwitch(QtWidgets.QToolButton):
    """The status bar's arm/disarm switch; it also shows the hotkey size in the market
    the keys act on."""

    def __init__(self, board: HotkeyBoard) -> None:
        super().__init__()
        self.board = board
        self.setCheckable(True)
        self.setAutoRaise(False)
        self.setObjectName("hotkeyArmSwitch")
        self.clicked.connect(lambda checked: board.set_armed(bool(checked)))
        self._shown: tuple | None = None

    def show_state(self, market: str | None, size: int | None, key: str) -> None:
        """Show whether the keys are armed (and for which market and size)."""
        shown = (self.board.armed, market, size, key)
        if shown == self._shown:
            return
        self._shown = shown
        armed = self.board.armed
        self.setChecked(armed)
        where = "" if market is None else f" · {format_fixed(size or 0, BASE_PRECISION)} {market}"
        self.setText(("KEYS ARMED" if armed else "Keys disarmed") + where)
        self.setStyleSheet(ARMED_STYLE if armed else "")
        toggle = f" ({key})" if key else ""
        if armed:
            self.setToolTip(f"Trading keys send orders: click to disarm{toggle}")
        else:
            self.setToolTip(f"Trading keys do nothing: click to arm{toggle}")


class HotkeyController(QtCore.QObject):
    """The window's hotkeys."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.board = window.store.hotkeys
        self.keys: dict[str, str] = {}
        """Action names by bound key (portable key text)."""
        self.arm_switch = ArmSwitch(self.board)
        self.on_bindings_changed: Callable[[HotkeyBoard], None] | None = None
        """Called after the key map or a size changed (the application saves them)."""
        self._bound = -1
        self._told = -1
        self._last_panel: Panel | None = None
        self._book_followed: str | None = None
        self.enabled = False
        """Whether the keys act (while the window is shown)."""

    # -- the frame ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Once a frame: rebind changed keys, follow the active market's book while armed,
        and show the switch and the last outcome."""
        board = self.board
        if board.bindings_version != self._bound:
            first = self._bound == -1
            self._bound = board.bindings_version
            self._bind()
            if not first and self.on_bindings_changed is not None:
                self.on_bindings_changed(board)
        panel = self.active_panel()
        market = panel.market if panel is not None else None
        self._follow_book(market if board.armed else None)
        spec = self.window.store.board.specs.get(market) if market else None
        size = board.sizes.size(market, spec) if market else None
        self.arm_switch.show_state(market, size, board.keymap.key_of("toggle_armed"))
        if board.version != self._told:
            self._told = board.version
            if board.last_outcome:
                self._show(board.last_outcome, board.last_was_refused)

    def set_enabled(self, enabled: bool) -> None:
        """Let the keys act (the window is shown) or not (it is hidden or closed)."""
        if enabled == self.enabled:
            return
        self.enabled = enabled
        app = QtWidgets.QApplication.instance()
        if app is None:
            return
        if enabled:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)

    def _bind(self) -> None:
        self.keys = {key: name for name, key in self.board.keymap.bindings.items() if key}

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        """A key pressed in any of this workstation's windows (floating ones too) that is
        bound does its action, and goes no further."""
        # every event of the application passes here: the cheap tests first
        if not isinstance(event, QtGui.QKeyEvent) or not isinstance(watched, QtWidgets.QWidget):
            return False
        if event.type() != QtCore.QEvent.Type.KeyPress:
            return False
        focus = QtWidgets.QApplication.focusWidget()
        if watched is not (focus or watched.window()):
            return False  # the same press on its way up to the parents
        if watched.window() not in self.window.top_level_windows():
            return False  # a dialog, another window: not ours
        name = self.keys.get(key_text(event) or "")
        if name is None or typing_into(focus, event):
            return False
        if not (event.isAutoRepeat() and BY_NAME[name].trading):  # held: one order
            self.trigger(name)
        return True

    def _follow_book(self, market: str | None) -> None:
        if market == self._book_followed:
            return
        store = self.window.store
        if self._book_followed is not None:
            store.unfollow("book", self._book_followed)
        if market is not None:
            store.follow("book", market)
        self._book_followed = market

    # -- where keys act -------------------------------------------------------------------

    def active_panel(self) -> Panel | None:
        """The panel keys act on: the one holding the keyboard focus, else the focused
        dock, else the last one that had the focus."""
        panels = [panel for panel, _ in self.window.panels.values()]
        widget = QtWidgets.QApplication.focusWidget()
        while widget is not None:
            if isinstance(widget, Panel) and widget in panels:
                self._last_panel = widget
                return widget
            widget = widget.parentWidget()
        dock = self.window.manager.focusedDockWidget()
        if dock is not None and isinstance(dock.widget(), Panel) and dock.widget() in panels:
            self._last_panel = dock.widget()
            return self._last_panel
        if self._last_panel in panels:
            return self._last_panel
        return panels[0] if panels else None

    def _guards(self, panel: Panel) -> Guards:
        """The guards of the order ticket in the panel's link group (the defaults when the
        group has no ticket)."""
        for candidate, _ in self.window.panels.values():
            if isinstance(candidate, TicketPanel) and (
                candidate is panel or (panel.link is not None and candidate.link == panel.link)
            ):
                return candidate.guards
        return Guards()

    # -- actions --------------------------------------------------------------------------

    def trigger(self, name: str) -> None:
        """Do what the key bound to action ``name`` does."""
        action = BY_NAME[name]
        board = self.board
        if name == "toggle_armed":
            board.set_armed(not board.armed)
            return
        panel = self.active_panel()
        if panel is None:
            board.tell(f"{action.label}: open a panel first", refused=True)
            return
        market = panel.market
        spec = self.window.store.board.specs.get(market)
        if action.trading:
            if not board.armed:
                key = board.keymap.key_of("toggle_armed")
                arm = f"; arm with {key}" if key else ""
                board.tell(f"disarmed: {action.label} not sent{arm}", refused=True)
                return
            self._trade(name, panel, board.sizes.size(market, spec))
        elif name in ("size_up", "size_down"):
            size = board.sizes.step(market, spec, up=name == "size_up")
            board.changed_bindings()
            board.tell(f"hotkey size {format_fixed(size, BASE_PRECISION)} {market}", False)
        elif name in ("next_market", "previous_market"):
            self._step_market(panel, forward=name == "next_market")
        elif name == "focus_ticket":
            self._focus_ticket(panel)

    def _trade(self, name: str, panel: Panel, size: int) -> None:
        store = self.window.store
        try:
            chosen = plan(name, panel.market, size, store, self._guards(panel))
        except HotkeyRefused as refusal:
            self.board.tell(str(refusal), refused=True)
            return
        if self.window.intents is None:
            self.board.tell(f"{chosen.what}: not sent, not connected to a backend", True)
            return
        self.board.tell(f"{chosen.what}: sent", refused=False)  # outcomes replace it
        if chosen.cancel:
            self.window.cancel_all_orders(chosen.cancel_market)
        for order in chosen.orders:
            self.window.submit(order, self._outcome(chosen.what))

    def _outcome(self, what: str) -> Callable[[object], None]:
        def told(outcome: object) -> None:
            if isinstance(outcome, OrderRefusal):
                self.board.tell(f"{what}: {outcome.message}", refused=True)
            elif isinstance(outcome, dict):
                self.board.tell(f"{what}: {outcome.get('status', 'accepted')}", refused=False)

        return told

    def _step_market(self, panel: Panel, forward: bool) -> None:
        symbols = self.window.store.board.symbols
        if not symbols:
            self.board.tell("no markets yet", refused=True)
            return
        index = symbols.index(panel.market) if panel.market in symbols else -1
        symbol = symbols[(index + (1 if forward else -1)) % len(symbols)]
        self.window.choose_market(panel, symbol)
        self.board.tell(f"market {symbol}", refused=False)

    def _focus_ticket(self, panel: Panel) -> None:
        for candidate, dock in self.window.panels.values():
            if isinstance(candidate, TicketPanel) and (
                candidate.link == panel.link or candidate is panel
            ):
                dock.toggleView(True)
                dock.raise_()
                candidate.window().activateWindow()
                candidate.focus_size()
                return
        self.board.tell("no order ticket in this link group", refused=True)

    def _show(self, text: str, refused: bool) -> None:
        """Tell the user: in the status bar and, when a floating window has the focus, on
        that window too (the status bar may be on another monitor)."""
        self.window.status.show_notice(text)
        if refused:
            log.info("hotkey: %s", text)
        active = QtWidgets.QApplication.activeWindow()
        if active is not None and active is not self.window:
            corner = active.mapToGlobal(QtCore.QPoint(12, active.height() - 40))
            QtWidgets.QToolTip.showText(corner, text, active)
