"""What every dockable panel is: a widget that shows one market (switched by its link
group), repaints from the store at most once a frame, and saves its settings into the
workspace. Panels never touch the network: they read the `MarketStore` and emit intents
(signals) that the window hands to the client layer."""

from __future__ import annotations

from typing import ClassVar

from quantdesk_desktop.qt import QWidget, Signal
from quantdesk_desktop.state.store import MarketStore


class Panel(QWidget):
    """Base of the panels. Subclasses set ``kind`` and ``title`` and implement
    `show_market`, `refresh` and, if they have settings, `settings`/`restore`."""

    kind: ClassVar[str] = ""
    """A stable name saved in workspaces (``chart``, ``depth``, ``tape``, ...)."""
    title: ClassVar[str] = ""

    market_chosen = Signal(str)
    """The user picked a market in this panel (its link group follows)."""
    place_limit = Signal(str, str, object, object)
    """Intent: a limit order (market, side, price units, size units)."""
    cancel_order = Signal(object)
    """Intent: cancel an own order by id. (Ids, prices and sizes travel as Python ints:
    they overflow Qt's 32-bit int.)"""
    modify_order = Signal(object, object)
    """Intent: move an own order to a new price (order id, price units)."""
    amend_order = Signal(object, object, object)
    """Intent: change an own order's price and/or size (order id, price units or None,
    size units or None)."""
    submit_order = Signal(object, object)
    """Intent: any order (the body of `POST /api/orders`; without a ``client_order_id`` the
    client layer assigns one, and a retry that keeps its own cannot place it twice), and a
    callable told the outcome (or None): the accepted order as the server states it, or
    an `OrderRefusal`."""
    cancel_all = Signal(object)
    """Intent: cancel every working order in a market (its symbol) or everywhere (None)."""
    transfer = Signal(str, str, str, object)
    """Intent: move collateral (``deposit`` or ``withdraw``, the asset, the amount as
    decimal text), and a callable told the outcome (or None): the balances after as the
    server states them, or an `OrderRefusal` naming the field it concerns."""

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.market = market
        self.link: str | None = None
        """The link group's colour name (None: not linked)."""

    def set_market(self, market: str) -> None:
        """Show ``market`` from now on."""
        if market == self.market:
            return
        self.market = market
        self.show_market(market)

    def show_market(self, market: str) -> None:
        """Follow ``market``'s data (and stop following the last one)."""

    def refresh(self) -> None:
        """Called once a frame: repaint if the state read has moved."""

    def settings(self) -> dict:
        """What a workspace saves of this panel besides its market and link."""
        return {}

    def restore(self, settings: dict) -> None:
        """Take back `settings` (unknown or bad values are ignored)."""

    def close_panel(self) -> None:
        """The panel is closing: stop following what it followed."""
