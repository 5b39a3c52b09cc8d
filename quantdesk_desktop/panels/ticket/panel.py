"""The Order ticket panel: market and side, the form, a live pre-trade preview, fat-finger
guards and a Send that keeps its client order id until the order is accepted (a retry
after a failed send cannot place it twice)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from backend.domain.fixed_point import PRICE_TIMES_BASE_TO_QUOTE
from backend.domain.markets import MarketCatalog, MarketSpec
from backend.domain.orders import OrderType, Side
from quantdesk_desktop import theme
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.panels.ticket.catalog import catalog_from_wire
from quantdesk_desktop.panels.ticket.draft import TicketDraft, order_body
from quantdesk_desktop.panels.ticket.form import TicketForm
from quantdesk_desktop.panels.ticket.guards import Guards, breaches
from quantdesk_desktop.panels.ticket.guards_dialog import GuardsDialog
from quantdesk_desktop.panels.ticket.header import TicketHeader
from quantdesk_desktop.panels.ticket.order_types import ORDER_TYPES, TRIGGERED
from quantdesk_desktop.panels.ticket.preview import Preview, preview_order
from quantdesk_desktop.panels.ticket.preview_view import PreviewView
from quantdesk_desktop.panels.ticket.sizing import SIZE_UNITS, base_size, in_unit
from quantdesk_desktop.panels.ticket.store_view import (
    account_now,
    domain_prices,
    free_collateral,
    market_now,
)
from quantdesk_desktop.panels.ticket.style import ticket_style
from quantdesk_desktop.panels.ticket.verdict import Verdict, judge
from quantdesk_desktop.qt import QLabel, Qt, QtGui, QtWidgets, QWidget
from quantdesk_desktop.state.store import MarketStore


def new_client_order_id() -> str:
    """A fresh client order id (printable, no ':', well under 64 characters)."""
    return f"tk-{uuid.uuid4().hex[:20]}"


class TicketPanel(Panel):
    """Enter any order on the panel's market, see what it would do, and send it."""

    kind = "ticket"
    title = "Order ticket"

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.confirm: Callable[[str], bool] = self._ask
        """Asked (with the guard breaches) before an order beyond a guard is sent in
        ``confirm`` mode; True sends. Tests replace it."""
        self.clock: Callable[[], int] = lambda: int(time.time() * 1000)
        """Epoch milliseconds now (GTD expiries are checked against it)."""
        self.new_client_order_id: Callable[[], str] = new_client_order_id
        self.guards = Guards()
        self.preview: Preview | None = None
        """The last preview computed."""
        self.breaches: list[str] = []
        """The guards the current order is beyond."""
        self.verdict = Verdict("Waiting for the market", "", "muted")
        self.client_order_id: str | None = None
        """Kept from the first send until the order is accepted."""
        self.sending = False
        self._refusal: OrderRefusal | None = None
        self._draft: TicketDraft | None = None
        self._inputs_version = 0
        self._computed_key: tuple | None = None
        self._followed: str | None = None
        self._closed = False
        self._specs_seen: dict | None = None
        self._catalog = MarketCatalog({}, {})
        self._spec: MarketSpec | None = None
        self._leverage_wanted: int | None = None
        self._build()
        self._follow(market)

    # -- Panel -------------------------------------------------------------------------

    def show_market(self, market: str) -> None:
        """Trade ``market`` from now on: its prices and base sizes start blank."""
        self._follow(market)

    def refresh(self) -> None:
        """Recompute the preview when the inputs, book, prices or account moved (only
        while the panel is shown)."""
        self._sync_specs()
        if not self.isVisible():
            return
        book = self.store.books.get(self.market)
        key = (
            self.market,
            id(book),
            book.version if book is not None else -1,
            self.store.board.version,
            self.store.account.version,
            self.store.positions.version,
            self._inputs_version,
            self.sending,
        )
        if key != self._computed_key:
            self._computed_key = key
            self.recompute()

    def focus_size(self) -> None:
        """Put the keyboard in the size field, its text selected (the hotkey that
        focuses the ticket)."""
        self.form.size_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.form.size_edit.selectAll()

    def settings(self) -> dict:
        """Default type, size unit, leverage and guards."""
        return {
            "type": self.form.order_type().value,
            "size_unit": self.form.size_unit(),
            "leverage": self.form.leverage_box.value(),
            "guards": self.guards.settings(),
        }

    def restore(self, settings: dict) -> None:
        """Take back saved settings; unknown or bad values are ignored."""
        kind = settings.get("type")
        if kind in {t.value for t in ORDER_TYPES}:
            self.form.set_type(OrderType(kind))
        unit = settings.get("size_unit")
        if unit in SIZE_UNITS:
            self.form.set_size_unit(unit)
        leverage = settings.get("leverage")
        if type(leverage) is int and leverage >= 1:
            self._leverage_wanted = leverage
            self._apply_leverage()
        if "guards" in settings:
            self.guards = Guards.from_settings(settings["guards"], self.guards)
        self._touch()

    def close_panel(self) -> None:
        """Stop following the book; a late answer to a send is ignored."""
        self._closed = True
        if self._followed is not None:
            self.store.unfollow("book", self._followed)
            self._followed = None

    # -- public helpers ----------------------------------------------------------------

    def side(self) -> Side:
        """The chosen side."""
        return self.header.side()

    def set_side(self, side: Side) -> None:
        """Choose the side."""
        self.header.set_side(side)

    def size_units(self) -> int:
        """The order size in base units from what is typed and its unit (0: none)."""
        value = self.form.size_edit.value()
        if not value or self._spec is None:
            return 0
        size = base_size(
            value,
            self.form.size_unit(),
            self._spec.lot_size,
            self._sizing_price(),
            free_collateral(self.store),
            self.form.leverage_box.value(),
        )
        return size or 0

    def status_text(self) -> str:
        """The general status line (sent, placed, refused)."""
        return self.status.text()

    def recompute(self) -> None:
        """Rebuild the draft and its preview now, and show them."""
        spec = self._spec
        prices = self.store.board.prices.get(self.market)
        self.header.show_prices(prices, spec.tick_size if spec else 1)
        self._show_size_hint()
        self.breaches = []
        if spec is None:
            self.preview, self._draft = None, None
            waiting = f"No specification for {self.market} yet"
            self.verdict = Verdict(waiting, waiting, "muted")
        else:
            self._draft = draft = self.form.draft(self.market, self.side(), self.size_units())
            self.preview = preview = preview_order(
                order_body(draft, self.client_order_id or "preview"),
                self._catalog,
                market_now(self.store, spec),
                account_now(self.store, self._catalog),
                domain_prices(self.store.board),
                self.clock(),
            )
            if preview.rejection is None:
                self.breaches = self._guard_breaches(draft, preview)
            self.verdict = judge(self._missing(draft), preview, self.breaches, self.guards.mode)
        self.preview_view.show_preview(self.preview, spec)
        self.preview_view.set_verdict(self.verdict.text, self.verdict.tone)
        self._show_errors()
        self._show_send()

    def send(self) -> bool:
        """Send the order if nothing would refuse it and the guards allow (asking in
        ``confirm`` mode); True when it went out."""
        if self.sending or self._closed:
            return False
        self.recompute()
        if self.verdict.blocked is not None or self._draft is None:
            self._set_status(f"Not sent: {self.verdict.blocked}", "bad")
            return False
        if self.breaches:
            listed = "\n".join(f"• {text}" for text in self.breaches)
            question = f"This order is beyond your guards:\n\n{listed}\n\nSend it anyway?"
            if not self.confirm(question):
                self._set_status("Not sent", "muted")
                return False
        if self.client_order_id is None:
            self.client_order_id = self.new_client_order_id()
        body = order_body(self._draft, self.client_order_id)
        self.sending = True
        self._refusal = None
        self._set_status("Sending…", "muted")
        self._show_errors()
        self._show_send()
        self.submit_order.emit(body, self._on_result)
        return True

    def edit_guards(self) -> None:
        """Open the guards dialog; OK takes its values."""
        lot = self._spec.lot_size if self._spec else 1
        dialog = GuardsDialog(self.guards, self.market, lot, self)
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
            self.guards = dialog.guards()
            self._touch()

    # -- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.setStyleSheet(ticket_style(theme.current()))
        self.header = TicketHeader()
        self.header.market_picked.connect(self._on_market_picked)
        self.header.side_changed.connect(self._touch)
        self.header.guards_clicked.connect(self.edit_guards)
        self.market_box = self.header.market_box
        self.form = TicketForm()
        self.form.changed.connect(self._on_input)
        self.form.size_unit_changed.connect(self._convert_size)
        for edit in (self.form.size_edit, self.form.price_edit, self.form.trigger_edit):
            edit.snapped.connect(self._touch)
        self.preview_view = PreviewView()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        self.send_button = QtWidgets.QPushButton("Send")
        self.send_button.setObjectName("ticketSend")
        self.send_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.send_button.clicked.connect(self.send)
        shortcut = QtGui.QShortcut(QtGui.QKeySequence("Ctrl+Return"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.send)

        content = QWidget()
        column = QtWidgets.QVBoxLayout(content)
        column.setContentsMargins(8, 6, 8, 8)
        column.setSpacing(6)
        for widget in (self.header, self.form, self.preview_view, self.status, self.send_button):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setWidget(content)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    # -- market ------------------------------------------------------------------------

    def _follow(self, market: str) -> None:
        if self._followed != market:
            if self._followed is not None:
                self.store.unfollow("book", self._followed)
            self.store.follow("book", market)
            self._followed = market
        self._spec = None
        self._specs_seen = None
        self._sync_specs()
        self.form.clear_market_amounts()
        self._refusal = None
        self._set_status("", "")
        self._touch()

    def _sync_specs(self) -> None:
        """Take new market specs: the catalog, the market list and this market's spec."""
        specs = self.store.board.specs
        if specs is self._specs_seen:
            return
        self._specs_seen = specs
        self._catalog = catalog_from_wire(specs)
        symbols = list(specs) or [self.market]
        if self.market not in symbols:
            symbols.append(self.market)
        self.header.set_markets(symbols, self.market)
        self._spec = self._catalog.markets.get(self.market)
        self.form.set_spec(self._spec)
        self._apply_leverage()
        self._touch()

    def _on_market_picked(self, symbol: str) -> None:
        if symbol != self.market:
            self.set_market(symbol)
            self.market_chosen.emit(symbol)

    def _apply_leverage(self) -> None:
        if self._leverage_wanted is not None:
            box = self.form.leverage_box
            box.setValue(min(self._leverage_wanted, box.maximum()))

    # -- inputs ------------------------------------------------------------------------

    def _touch(self) -> None:
        self._inputs_version += 1

    def _on_input(self) -> None:
        if self._refusal is not None:  # the trader is fixing it: the old answer goes
            self._refusal = None
            self._show_errors()
        self._touch()

    def _sizing_price(self) -> int | None:
        """The price a USDC or % size is converted at: the order's own price, else the
        mark, the mid or the oracle."""
        own = self.form.own_price()
        if own:
            return own
        prices = self.store.board.prices.get(self.market)
        book = self.store.books.get(self.market)
        mid = None
        if book is not None and book.bids and book.asks:
            mid = (book.best_bid() + book.best_ask()) // 2
        return (prices.mark if prices else None) or mid or (prices.oracle if prices else None)

    def _convert_size(self, before: str, after: str, value: int | None) -> None:
        """Keep the typed size when its unit changes (as near as the new unit allows)."""
        edit = self.form.size_edit
        if not value or self._spec is None:
            edit.set_value(None)
            return
        price, free = self._sizing_price(), free_collateral(self.store)
        leverage = self.form.leverage_box.value()
        size = base_size(value, before, self._spec.lot_size, price, free, leverage)
        converted = None if size is None else in_unit(size, after, price, free, leverage)
        edit.set_value(None if converted is None else converted // edit.grid * edit.grid)

    def _missing(self, draft: TicketDraft) -> list[str]:
        missing = self.form.missing()
        if draft.size == 0 and "size" not in missing:
            missing.insert(0, "size_below_lot")
        return missing

    def _guard_breaches(self, draft: TicketDraft, preview: Preview) -> list[str]:
        """The guards this order is beyond. The price band checks the limit price (the
        expected fill without one); triggered orders sit away from the price on purpose."""
        prices = self.store.board.prices.get(self.market)
        estimate = preview.estimate
        banded = None
        if draft.type not in TRIGGERED:
            banded = draft.price if draft.price is not None else estimate.price
        return breaches(
            self.guards,
            self.market,
            preview.size,
            estimate.notional if estimate.price is not None else None,
            banded,
            prices.oracle if prices else None,
        )

    # -- showing -----------------------------------------------------------------------

    def _show_errors(self) -> None:
        """Under each field, the server's refusal about it, else the local one."""
        self.form.clear_errors()
        refusal = self._refusal
        if refusal is not None:
            if refusal.field:
                self.form.set_error(refusal.field, refusal.message)
            return
        rejection = self.preview.rejection if self.preview is not None else None
        if rejection is not None and rejection.field and not self.form.missing():
            self.form.set_error(rejection.field, rejection.message)

    def _show_send(self) -> None:
        button, side, spec = self.send_button, self.side(), self._spec
        if self.sending:
            button.setText("Sending…")
        elif spec is not None and self.preview is not None and self.preview.size:
            size = amounts.size(self.preview.size, spec.lot_size)
            label = ORDER_TYPES[self.form.order_type()].label
            button.setText(f"{side.value.capitalize()} {size} {spec.base_asset} · {label}")
        else:
            button.setText(side.value.capitalize())
        blocked = self.verdict.blocked
        button.setEnabled(not self.sending and blocked is None)
        button.setToolTip(blocked or "Send (Ctrl+Enter)")
        if button.property("side") != side.value:
            button.setProperty("side", side.value)
            button.style().unpolish(button)
            button.style().polish(button)

    def _show_size_hint(self) -> None:
        spec, row = self._spec, self.form.rows["size"]
        if spec is None or not self.form.size_edit.value():
            row.set_hint("")
            return
        size = self.size_units()
        if self.form.size_unit() != "base":
            row.set_hint(f"= {amounts.size(size, spec.lot_size)} {spec.base_asset}")
            return
        price = self._sizing_price()
        notional = None if not price else size * price // PRICE_TIMES_BASE_TO_QUOTE
        row.set_hint("" if notional is None else f"≈ {amounts.usdc(notional)} USDC")

    def _set_status(self, text: str, tone: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        PreviewView.set_tone(self.status, tone)

    # -- outcomes ----------------------------------------------------------------------

    def _on_result(self, outcome: object) -> None:
        """The backend's answer to a send (or the client layer's refusal)."""
        if self._closed:
            return
        try:
            self.sending = False
            if isinstance(outcome, OrderRefusal):
                self._refusal = outcome
                self._show_errors()
                at_field = bool(outcome.field) and bool(self.form.error_text(outcome.field))
                text = "Not placed" if at_field else f"Not placed: {outcome.message}"
                self._set_status(text, "bad")
            elif isinstance(outcome, dict):
                self.client_order_id = None
                state = outcome.get("status")
                suffix = f" · {state}" if state else ""
                self._set_status(f"Placed #{outcome.get('order_id')}{suffix}", "ok")
            self._computed_key = None
            self._show_send()
        except RuntimeError:  # the widgets went away with the window
            return

    def _ask(self, text: str) -> bool:
        buttons = QtWidgets.QMessageBox.StandardButton
        answer = QtWidgets.QMessageBox.question(
            self, "Confirm order", text, buttons.Yes | buttons.No, buttons.No
        )
        return answer == buttons.Yes
