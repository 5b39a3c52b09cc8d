"""The Portfolio panel: the account's collateral (balances at the oracle, deposit and
withdraw), its PnL by market and in total, its funding payments and its equity curve.

It reads the `MarketStore` (balances and risk figures from `account`, positions, prices,
and the `portfolio` state the client layer reloads) and sends transfers as the
`transfer` intent. The withdrawal pre-check is the ledger's own rule
(`margin.max_withdrawal`) on the account as the workstation knows it; it is shown, not
enforced: the server's figures may be a moment ahead (a fill, a price, an order's
reserved margin), and its answer, refusal included, comes back at the amount field.
"""

from __future__ import annotations

from backend.domain.fixed_point import PRICE_PRECISION, FixedPointError, parse_fixed, parse_quote
from backend.domain.margin import MissingPrice, asset_value, market_prices, risk_view
from backend.domain.markets import MarketCatalog
from quantdesk_desktop import theme
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.portfolio.equity_curve import EquityCurve
from quantdesk_desktop.panels.portfolio.live_pnl import pnl_rows
from quantdesk_desktop.panels.portfolio.style import portfolio_style
from quantdesk_desktop.panels.portfolio.tables import (
    BALANCE_COLUMNS,
    BalanceRow,
    FundingTable,
    PnlTable,
    TextTable,
    fit_rows,
    table_view,
)
from quantdesk_desktop.panels.portfolio.transfer_check import TransferCheck, check_transfer
from quantdesk_desktop.panels.portfolio.transfer_form import KINDS, TransferForm
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.panels.ticket.catalog import catalog_from_wire
from quantdesk_desktop.panels.ticket.store_view import account_now, domain_prices
from quantdesk_desktop.qt import QLabel, Qt, QtWidgets, QWidget
from quantdesk_desktop.state.store import MarketStore

TABS = ("pnl", "funding")
"""The lower tabs' names in settings, in order."""
DONE = {"deposit": "Deposited", "withdraw": "Withdrew"}
BALANCE_ROWS = 4
"""The balances table is this many rows tall (every collateral asset, without scrolling)."""
LEFT_WIDTH = 380


class PortfolioPanel(Panel):
    """Balances, deposit and withdraw, PnL by market, funding payments, equity curve."""

    kind = "portfolio"
    title = "Portfolio"

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.palette = theme.current()
        self.sending = False
        self.check = TransferCheck("", "muted")
        """The last pre-check of the form."""
        self.refusal: OrderRefusal | None = None
        """The server's last refusal (until the form is edited)."""
        self._pending: tuple[str, str, str] | None = None
        self._closed = False
        self._seen: dict[str, object] = {}
        self._specs_seen: object = None
        self._catalog: MarketCatalog = catalog_from_wire({})
        self._build()
        self._sync_specs()

    # -- Panel -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw what moved: balances and the pre-check with the account or prices, PnL
        with its answer, positions or prices, the curve and funding with theirs."""
        self._sync_specs()
        if not self.isVisible():
            return
        if theme.current() is not self.palette:
            self._use_palette(theme.current())
        store, portfolio = self.store, self.store.portfolio
        live = (store.account.version, store.board.version, store.positions.version)
        if self._moved("account", live):
            self._show_account()
            self.recheck()
        if self._moved("pnl", (portfolio.pnl_version, *live)):
            self._show_pnl()
        if self._moved("equity", portfolio.equity_version):
            self.curve.show_points(portfolio.equity)
        if self._moved("funding", portfolio.funding_version):
            self._show_funding()

    def settings(self) -> dict:
        """The lower tab shown, the transfer kind and asset chosen."""
        return {
            "tab": TABS[self.tabs.currentIndex()],
            "transfer": self.form.kind(),
            "asset": self.form.asset(),
        }

    def restore(self, settings: dict) -> None:
        """Take back the tab, the transfer kind and the asset (unknown values ignored)."""
        if settings.get("tab") in TABS:
            self.tabs.setCurrentIndex(TABS.index(settings["tab"]))
        if settings.get("transfer") in KINDS:
            self.form.set_kind(settings["transfer"])
        if settings.get("asset") in self._catalog.collateral:
            self.form.set_assets(self._catalog, settings["asset"])

    def close_panel(self) -> None:
        """A late answer to a transfer is ignored."""
        self._closed = True

    # -- transfers ---------------------------------------------------------------------

    def send(self) -> bool:
        """Send the transfer typed (the pre-check is shown, the server decides); True when
        it went out."""
        if self.sending or self._closed:
            return False
        kind, asset, text = self.form.kind(), self.form.asset(), self.form.amount_text()
        if not self.form.amount():  # stands until the amount is edited, like a refusal
            self.refusal = OrderRefusal("no_amount", "Enter an amount above zero", "amount")
            self.form.show_refusal("amount", self.refusal.message)
            return False
        self.sending, self.refusal = True, None
        self._pending = (kind, asset, text)
        self.form.set_sending(True)
        self.form.set_status(f"{kind.capitalize()}ing {text} {asset}…", "muted")
        self.transfer.emit(kind, asset, text, self._on_transfer_result)
        return True

    def recheck(self) -> None:
        """Judge what the form holds now, and show it (unless a refusal stands)."""
        store = self.store
        self.check = check_transfer(
            self.form.kind(),
            self.form.asset(),
            self.form.amount(),
            self._catalog,
            account_now(store, self._catalog),
            domain_prices(store.board),
        )
        if self.refusal is None:
            self.form.show_check(self.check)

    def _on_form_changed(self) -> None:
        if self.refusal is not None:  # the trader is fixing it: the old answer goes
            self.refusal = None
            self.form.set_status("", "")
        self.recheck()

    def _on_transfer_result(self, outcome: object) -> None:
        """The server's answer to a transfer (or the client layer's refusal)."""
        if self._closed:
            return
        try:
            self.sending = False
            kind, asset, text = self._pending or ("", "", "")
            if isinstance(outcome, OrderRefusal):
                self.refusal = outcome
                if outcome.field:
                    self.form.show_refusal(outcome.field, outcome.message)
                    self.form.set_status("Not done", "bad")
                else:
                    self.form.set_status(f"Not done: {outcome.message}", "bad")
            else:
                self.form.amount_edit.clear()
                self.form.set_status(f"{DONE.get(kind, 'Done')} {text} {asset}", "ok")
                self.recheck()
            self.form.set_sending(False)  # labelled by what the form holds now
        except RuntimeError:  # the widgets went away with the window
            return

    # -- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.summary = QLabel()
        self.summary.setObjectName("portfolioSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.balances = TextTable(BALANCE_COLUMNS)
        self.balances_view = table_view(self.balances, fill=True)
        self.form = TransferForm()
        self.form.send_clicked.connect(self.send)
        self.form.changed.connect(self._on_form_changed)
        fit_rows(self.balances_view, BALANCE_ROWS)
        left = QWidget()
        left.setMinimumWidth(LEFT_WIDTH)
        column = QtWidgets.QVBoxLayout(left)
        column.setContentsMargins(6, 4, 6, 6)
        column.setSpacing(4)
        column.addWidget(_heading("Collateral"))
        column.addWidget(self.balances_view)
        column.addSpacing(4)
        column.addWidget(_heading("Deposit or withdraw"))
        column.addWidget(self.form)
        column.addStretch(1)
        self.curve = EquityCurve(self.palette)
        top = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(left)
        top.addWidget(self.curve)
        top.setStretchFactor(0, 2)
        top.setStretchFactor(1, 3)

        self.pnl = PnlTable()
        self.pnl_view = table_view(self.pnl)
        self.pnl_state = QLabel()
        self.pnl_state.setObjectName("portfolioState")
        pnl_tab = _tab(self.pnl_view, self.pnl_state)
        self.funding = FundingTable(self.store.portfolio)
        self.funding_view = table_view(self.funding)
        self.funding_view.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.funding_state = QLabel()
        self.funding_state.setObjectName("portfolioState")
        funding_tab = _tab(self.funding_view, self.funding_state)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(pnl_tab, "PnL by market")
        self.tabs.addTab(funding_tab, "Funding payments")

        split = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self._use_palette(self.palette)

    def _use_palette(self, palette: theme.Palette) -> None:
        self.palette = palette
        self.setStyleSheet(portfolio_style(palette))
        self.curve.use_palette(palette)
        self._seen.clear()  # colours are drawn from the palette: everything again

    def _sync_specs(self) -> None:
        """Take new market specs: the catalog (for the collateral assets and margins)."""
        specs = self.store.board.specs
        if specs is self._specs_seen:
            return
        self._specs_seen = specs
        self._catalog = catalog_from_wire(specs)
        self.form.set_assets(self._catalog)
        self._seen.pop("account", None)

    def _moved(self, name: str, key: object) -> bool:
        if self._seen.get(name) == key:
            return False
        self._seen[name] = key
        return True

    # -- showing -----------------------------------------------------------------------

    def balance_rows(self) -> list[BalanceRow]:
        """Each collateral balance with its oracle price and full value."""
        prices = domain_prices(self.store.board)
        rows = []
        for entry in self.store.account.balances:
            asset = self._catalog.collateral.get(str(entry.get("asset")))
            if asset is None:
                continue
            try:
                amount = parse_fixed(str(entry.get("amount")), asset.precision)
            except FixedPointError:
                continue
            price: int | None = PRICE_PRECISION
            value: int | None
            try:
                if asset.price_market is not None:
                    price = market_prices(prices, asset.price_market).oracle
                value = asset_value(asset, amount, prices, None)
            except MissingPrice:
                price = value = None
            rows.append(BalanceRow(asset.symbol, amount, asset.precision, price, value))
        return rows

    def summary_figures(self) -> tuple[int | None, int | None, int | None]:
        """Equity, unrealised PnL and free collateral (less what resting orders hold): at
        the live prices with the domain's margin code, as the balances and PnL tables show
        them; the server's last figures while a price is missing."""
        store = self.store
        now = account_now(store, self._catalog)
        if now is not None:
            try:
                view = risk_view(now.account, self._catalog, domain_prices(store.board))
            except MissingPrice:
                pass
            else:
                return view.equity, view.unrealised_pnl, view.free_collateral - now.reserved
        risk = store.account.risk
        names = ("equity", "unrealised_pnl", "free_collateral")
        equity, unrealised, free = (_quote(risk.get(name)) for name in names)
        return equity, unrealised, free

    def _show_account(self) -> None:
        self.balances.show(self.balance_rows())
        labels = ("Equity", "Unrealised", "Free collateral")
        parts = [
            f"{label} <b>{amounts.usdc(value)}</b>"
            for label, value in zip(labels, self.summary_figures(), strict=True)
            if value is not None
        ]
        self.summary.setText(" · ".join(parts) + " USDC" if parts else "Waiting for the account")

    def _show_pnl(self) -> None:
        store, portfolio = self.store, self.store.portfolio
        rows = pnl_rows(portfolio, store.positions.positions, domain_prices(store.board))
        self.pnl.show(rows)
        if portfolio.error:
            self.pnl_state.setText(f"Not updated: {portfolio.error}")
        elif portfolio.total is None:
            self.pnl_state.setText("Loading…")
        else:
            self.pnl_state.setText(
                "Realised PnL, fees and funding over the account's life; unrealised at the mark"
            )

    def _show_funding(self) -> None:
        portfolio = self.store.portfolio
        self.funding.take(portfolio.funding)
        count = len(portfolio.funding)
        parts = [f"{count:,} payment{'s' if count != 1 else ''}"]
        if portfolio.funding_loading or portfolio.funding_more_wanted:
            parts.append("loading older ones…")
        elif portfolio.funding_error:
            parts.append(f"not loaded: {portfolio.funding_error}")
        elif portfolio.funding_complete:
            parts.append("all loaded")
        else:
            parts.append("scroll down for older ones")
        self.funding_state.setText(" · ".join(parts))

    def _scrolled(self, value: int) -> None:
        if value >= self.funding_view.verticalScrollBar().maximum():  # the bottom reached
            self.store.portfolio.ask_more_funding()


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("portfolioHeading")
    return label


def _tab(view: QtWidgets.QTableView, state: QLabel) -> QWidget:
    tab = QWidget()
    column = QtWidgets.QVBoxLayout(tab)
    column.setContentsMargins(2, 2, 2, 2)
    column.setSpacing(2)
    column.addWidget(view, 1)
    column.addWidget(state)
    return tab


def _quote(text: object) -> int | None:
    try:
        return parse_quote(text) if isinstance(text, str) else None
    except FixedPointError:
        return None
