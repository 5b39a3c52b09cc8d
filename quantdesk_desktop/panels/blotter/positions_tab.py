"""The blotter's Positions tab: each open position with its entry, mark, unrealised PnL and
liquidation price, and the orders that get out of it (close, close at a limit, reverse,
flatten all), all sent as `submit_order` intents."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from backend.domain.fixed_point import FixedPointError, parse_price
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.panels.blotter.cells import (
    optional_key,
    price_text,
    quote_text,
    side_colour,
    signed_colour,
    size_text,
)
from quantdesk_desktop.panels.blotter.rows_model import RowsModel
from quantdesk_desktop.panels.blotter.table_tab import TableTab
from quantdesk_desktop.panels.table_columns import LEFT, Column
from quantdesk_desktop.qt import QtGui, QtWidgets, Signal
from quantdesk_desktop.state.positions import PositionView
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.trading.order_bodies import (
    close_at_limit_order,
    close_order,
    closing_side,
    on_tick,
    reverse_order,
)

COLUMNS = (
    Column("Market", lambda p: p.market, LEFT),
    Column("Side", lambda p: p.direction, LEFT, colour=lambda p: side_colour(p.direction)),
    Column("Size", lambda p: size_text(abs(p.size)), sort_key=lambda p: abs(p.size)),
    Column(
        "Entry", lambda p: price_text(p.entry_price), sort_key=lambda p: optional_key(p.entry_price)
    ),
    Column(
        "Mark", lambda p: price_text(p.mark_price), sort_key=lambda p: optional_key(p.mark_price)
    ),
    Column(
        "Unrealised PnL",
        lambda p: quote_text(p.unrealised_pnl),
        colour=lambda p: signed_colour(p.unrealised_pnl),
        sort_key=lambda p: p.unrealised_pnl,
    ),
    Column(
        "Liq. price",
        lambda p: price_text(p.liquidation_price),
        sort_key=lambda p: optional_key(p.liquidation_price),
    ),
)


class PositionsTab(TableTab):
    """Open positions and the orders that close or reverse them."""

    name = "Positions"
    submit_order = Signal(object, object)

    def __init__(self, store: MarketStore, market: str) -> None:
        super().__init__(RowsModel(COLUMNS))
        self.store = store
        self.market = market
        self.confirm_actions = True
        """Ask before reversing or flattening (tests and power users turn it off)."""
        self._seen = -1
        self.close_button = QtWidgets.QPushButton("Close")
        self.close_button.setToolTip("Market order, reduce-only, for the whole position")
        self.close_button.clicked.connect(self.close_selected)
        self.limit_box = QtWidgets.QLineEdit()
        self.limit_box.setPlaceholderText("at mark")
        self.limit_box.setMaximumWidth(100)
        self.limit_box.setToolTip("The limit price (empty: the mark, on a tick)")
        self.close_limit_button = QtWidgets.QPushButton("Close at limit")
        self.close_limit_button.setToolTip("Limit order, reduce-only, for the whole position")
        self.close_limit_button.clicked.connect(self.close_selected_at_limit)
        self.limit_box.returnPressed.connect(self.close_selected_at_limit)
        self.reverse_button = QtWidgets.QPushButton("Reverse")
        self.reverse_button.setToolTip("Market order for twice the position, the other way")
        self.reverse_button.clicked.connect(self.reverse_selected)
        self.flatten_button = QtWidgets.QPushButton("Flatten all")
        self.flatten_button.setToolTip("Close every position at market")
        self.flatten_button.clicked.connect(self.flatten_all)
        for widget in (
            self.close_button,
            self.limit_box,
            self.close_limit_button,
            self.reverse_button,
            self.flatten_button,
        ):
            self.add_tool(widget)
        for text, act in (
            ("Close", self.close_selected),
            ("Close at limit", self.close_selected_at_limit),
            ("Reverse", self.reverse_selected),
            ("Flatten all", self.flatten_all),
        ):
            action = QtGui.QAction(text, self.view)
            action.triggered.connect(act)
            self.add_context_action(action)

    def show_market(self, market: str) -> None:
        """With nothing selected, the actions apply to ``market``'s position."""
        self.market = market

    def refresh(self) -> None:
        """Follow the positions."""
        positions = self.store.positions
        if positions.version == self._seen:
            return
        self._seen = positions.version
        rows = sorted(positions.positions.values(), key=lambda p: p.market)
        self.model.sync(rows, key=lambda p: p.market)
        self.fit_columns()

    # -- actions ------------------------------------------------------------------------

    def chosen(self) -> list[PositionView]:
        """The selected positions, or the panel market's when none is selected."""
        selected = self.selected_objects()
        if selected:
            return selected
        own = self.store.positions.positions.get(self.market)
        return [own] if own is not None else []

    def close_selected(self) -> None:
        """Close the chosen positions at market."""
        self._send_each(close_order, "close")

    def reverse_selected(self) -> None:
        """Reverse the chosen positions at market."""
        chosen = self.chosen()
        if chosen and not self.confirm(
            "Reverse " + ", ".join(f"{p.market} {p.direction}" for p in chosen) + " at market?"
        ):
            return
        self._send_each(reverse_order, "reverse", chosen)

    def close_selected_at_limit(self) -> None:
        """Close the chosen positions with a limit at the typed price (or the mark)."""
        text = self.limit_box.text().strip()
        typed = None
        if text:
            try:
                typed = parse_price(text)
            except FixedPointError as error:
                self.notice.emit(f"close at limit: {error}", True)
                return
            if typed <= 0:
                self.notice.emit("close at limit: the price must be above zero", True)
                return

        def order(position: PositionView) -> dict | None:
            price = typed if typed is not None else self._mark_on_tick(position)
            if price is None:
                self.notice.emit(f"close {position.market} at limit: no mark price yet", True)
                return None
            return close_at_limit_order(position, price)

        self._send_each(order, "close at limit")

    def flatten_all(self) -> None:
        """Close every position at market."""
        positions = sorted(self.store.positions.positions.values(), key=lambda p: p.market)
        if not positions:
            self.notice.emit("no open positions", False)
            return
        if not self.confirm(f"Close all {len(positions)} positions at market?"):
            return
        self._send_each(close_order, "flatten", positions)

    def confirm(self, question: str) -> bool:
        """Whether the user agrees (always, with `confirm_actions` off)."""
        if not self.confirm_actions:
            return True
        answer = QtWidgets.QMessageBox.question(self, "Blotter", question)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def _mark_on_tick(self, position: PositionView) -> int | None:
        mark = position.mark_price
        prices = self.store.board.prices.get(position.market)
        if prices is not None and prices.mark is not None:
            mark = prices.mark
        if mark is None:
            return None
        spec = self.store.board.specs.get(position.market) or {}
        tick = parse_price(spec["tick_size"]) if spec.get("tick_size") else 0
        # a sell rests at or above the mark, a buy at or below it
        return on_tick(mark, tick, up=closing_side(position) == "sell")

    def _send_each(
        self,
        make: Callable[[PositionView], dict | None],
        what: str,
        positions: list[PositionView] | None = None,
    ) -> None:
        positions = self.chosen() if positions is None else positions
        if not positions:
            self.notice.emit(f"{what}: select a position first", True)
            return
        for position in positions:
            body = make(position)
            if body is not None:
                self.submit_order.emit(body, self._told(f"{what} {position.market}"))

    def _told(self, what: str) -> Callable[[object], None]:
        def told(outcome: object) -> None:
            with contextlib.suppress(RuntimeError):  # the panel may have closed meanwhile
                if isinstance(outcome, OrderRefusal):
                    self.notice.emit(f"{what}: {outcome.message}", True)
                else:
                    self.notice.emit(f"{what}: sent", False)

        return told
