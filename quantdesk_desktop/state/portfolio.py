"""The account's portfolio for the Portfolio panel: PnL by market and in total
(`GET /api/account/pnl`), the equity curve (`GET /api/account/equity`, oldest first) and
the funding payments (`GET /api/account/funding`, newest first, older pages as the panel
asks for them). Balances are the `AccountSummary`'s, from the `account` channel.

The client layer reloads the PnL and the newest points and payments at a modest pace, and
soon after the `account` or `fills` channel moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.fixed_point import FixedPointError, parse_base, parse_quote

FUNDING_PAGE = 200
"""Funding payments asked for per page."""
EQUITY_KEPT = 20_000
"""Equity points kept (the oldest go first)."""


def _quote(row: dict, name: str) -> int:
    """A USDC figure of a wire row in quote units (0 when missing or unreadable)."""
    text = row.get(name)
    try:
        return parse_quote(text) if isinstance(text, str) else 0
    except FixedPointError:
        return 0


@dataclass(frozen=True, slots=True)
class PnlRow:
    """PnL in one market (or, with no market, over all of them), in quote units."""

    market: str | None
    realised: int
    unrealised: int
    fees: int
    """Paid (negative: rebates exceeded fees)."""
    funding: int
    """Received (negative: paid)."""
    net: int

    @classmethod
    def of(cls, row: dict, market: str | None = None) -> PnlRow:
        """From the wire shape (`MarketPnlOut` or `PnlTotalsOut`)."""
        return cls(
            market=market if market is not None else row.get("market"),
            realised=_quote(row, "realised_pnl"),
            unrealised=_quote(row, "unrealised_pnl"),
            fees=_quote(row, "fees_paid"),
            funding=_quote(row, "funding"),
            net=_quote(row, "net"),
        )


@dataclass(frozen=True, slots=True)
class EquityPoint:
    """The account's equity at one moment (quote units)."""

    time_ms: int
    equity: int
    collateral_value: int
    unrealised: int

    @classmethod
    def of(cls, row: dict) -> EquityPoint:
        """From the wire shape (`EquityPointOut`)."""
        return cls(
            time_ms=int(row["time_ms"]),
            equity=_quote(row, "equity"),
            collateral_value=_quote(row, "collateral_value"),
            unrealised=_quote(row, "unrealised_pnl"),
        )


@dataclass(frozen=True, slots=True)
class FundingPaymentRow:
    """One funding settlement of one position: received (positive) or paid."""

    payment_id: int
    market: str
    position: int
    """The position's size then (base units, negative short)."""
    amount: int
    settled_at_ms: int

    @classmethod
    def of(cls, row: dict) -> FundingPaymentRow:
        """From the wire shape (`FundingPaymentOut`)."""
        try:
            position = parse_base(str(row.get("position")))
        except FixedPointError:
            position = 0
        return cls(
            payment_id=int(row["id"]),
            market=str(row.get("market")),
            position=position,
            amount=_quote(row, "amount"),
            settled_at_ms=int(row.get("settled_at_ms") or 0),
        )


@dataclass(slots=True)
class PortfolioState:
    """PnL rows, the equity curve and the funding payments, each with its own version so
    that a view redraws only what moved."""

    markets: list[PnlRow] = field(default_factory=list)
    """PnL per market, by symbol."""
    total: PnlRow | None = None
    """The totals (None until the first answer)."""
    equity: list[EquityPoint] = field(default_factory=list)
    """Oldest first."""
    funding: list[FundingPaymentRow] = field(default_factory=list)
    """Newest first: the newest page on top, older pages below."""
    funding_complete: bool = False
    """Every payment is loaded (a page came back short)."""
    funding_loading: bool = False
    funding_more_wanted: bool = False
    """A view asked for the next page; the client layer loads it and clears this."""
    funding_error: str = ""
    error: str = ""
    """Why the last reload failed ("" when it did not)."""
    pnl_version: int = 0
    equity_version: int = 0
    funding_version: int = 0
    _funding_ids: set[int] = field(default_factory=set)

    # -- PnL and equity ------------------------------------------------------------------

    def load_pnl(self, answer: dict) -> None:
        """Take a `GET /api/account/pnl` answer."""
        self.markets = [PnlRow.of(row) for row in answer.get("markets", [])]
        self.total = PnlRow.of(answer.get("total") or {}, market=None)
        self.error = ""
        self.pnl_version += 1

    def load_equity(self, points: list[dict], replace: bool = False) -> None:
        """Take equity points (oldest first): all of them (``replace``), else the ones
        after the newest held."""
        new = [EquityPoint.of(row) for row in points]
        if replace:
            self.equity = new
        else:
            newest = self.equity[-1].time_ms if self.equity else None
            self.equity.extend(p for p in new if newest is None or p.time_ms > newest)
        del self.equity[:-EQUITY_KEPT]
        self.equity_version += 1

    @property
    def newest_equity_ms(self) -> int | None:
        """When the newest point held was taken (None: none yet)."""
        return self.equity[-1].time_ms if self.equity else None

    def load_failed(self, reason: str) -> None:
        """A reload failed: say why (the next one retries)."""
        self.error = reason
        self.pnl_version += 1

    # -- funding payments ---------------------------------------------------------------

    def take_newest_funding(self, rows: list[dict], asked: int = FUNDING_PAGE) -> None:
        """Take the newest page (newest first, ``asked`` of them asked for): payments not
        held yet go on top. The first page also says whether there are more."""
        first = not self._funding_ids and not self.funding_complete
        new = [FundingPaymentRow.of(row) for row in rows]
        new = [p for p in new if p.payment_id not in self._funding_ids]
        self._funding_ids.update(p.payment_id for p in new)
        self.funding[:0] = new
        if first:
            self.funding_complete = len(rows) < asked
        if new or first:
            self.funding_version += 1

    def ask_more_funding(self) -> None:
        """Ask the client layer for the next older page (nothing when all are loaded)."""
        if not self.funding_complete and not self.funding_more_wanted and not self.funding_loading:
            self.funding_more_wanted = True
            self.funding_version += 1

    def start_funding_load(self) -> bool:
        """An older page's load begins; False if one is under way or all are loaded."""
        if self.funding_loading or self.funding_complete:
            self.funding_more_wanted = False
            return False
        self.funding_loading, self.funding_more_wanted = True, False
        self.funding_version += 1
        return True

    @property
    def oldest_funding_id(self) -> int | None:
        """The id the next older page starts below (None: from the newest)."""
        return self.funding[-1].payment_id if self.funding else None

    def load_funding_page(self, rows: list[dict], asked: int = FUNDING_PAGE) -> None:
        """Take an older page (newest first, ``asked`` of them asked for) at the bottom; a
        short page is the last."""
        new = [FundingPaymentRow.of(row) for row in rows]
        new = [p for p in new if p.payment_id not in self._funding_ids]
        self._funding_ids.update(p.payment_id for p in new)
        self.funding.extend(new)
        self.funding_complete = len(rows) < asked
        self.funding_loading, self.funding_error = False, ""
        self.funding_version += 1

    def funding_failed(self, reason: str) -> None:
        """An older page did not load: say why (asking again retries)."""
        self.funding_loading, self.funding_error = False, reason
        self.funding_version += 1
