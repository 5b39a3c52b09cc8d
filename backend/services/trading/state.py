"""The whole trading state of a deployment: one matching engine per market, the ledger,
and the latest prices. Deterministic: the same commands at the same times give the same
state, which is what makes replaying the command log an exact restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.account import Account
from backend.domain.auction import AuctionQuote
from backend.domain.engine_events import EngineResult
from backend.domain.errors import MarketRejected, OrderRejected, RejectCode
from backend.domain.fills import Fill, fee_for
from backend.domain.fixed_point import (
    RATIO_PRECISION,
    mul_div_ceil,
    mul_div_floor,
    quote_value_ceil,
)
from backend.domain.ledger import FillSettlement, Ledger
from backend.domain.liquidation import LiquidationResult
from backend.domain.margin import MarketPrices, margin_refusal, open_order_requirement
from backend.domain.markets import MarketCatalog, MarketSpecError, adjust_market
from backend.domain.matching_engine import MatchingEngine
from backend.domain.orders import OrderRequest, OrderType, Side
from backend.domain.triggers import ReferencePrices
from backend.services.oracle.validation import FeedStatus
from backend.services.trading.commands import (
    Cancel,
    CancelAll,
    Command,
    Deposit,
    Modify,
    QuoteAuction,
    SetMarketParameters,
    SetMarketStatus,
    SetPrices,
    SetPriceStatus,
    Submit,
    Tick,
    Withdraw,
)
from backend.services.trading.risk_keeper import (
    FundingSchedule,
    FundingSettlement,
    MarketMoment,
    liquidate_unhealthy,
    settle_due_funding,
)


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    """A maker's accepted quote for an open auction."""

    market: str
    auction_id: int
    quote: AuctionQuote


@dataclass(frozen=True, slots=True)
class OracleRecord:
    """An oracle price as a feed delivered it, for the price history."""

    market: str
    source: str
    price: int
    confidence: int
    publish_time_ms: int | None = None
    """When the source published it (None: when it arrived)."""
    ema_price: int | None = None


@dataclass(frozen=True, slots=True)
class MarketChange:
    """A halt, a resume or a parameter change, for the record."""

    market: str
    kind: str
    """``halt``, ``resume``, ``parameters`` or ``oracle`` (a price status change)."""
    message: str


@dataclass(slots=True)
class Outcome:
    """What one command changed: engine results (orders, fills, deltas) and accounts."""

    now_ms: int = 0
    """When the command was carried out (the changed orders' update time)."""
    results: list[EngineResult] = field(default_factory=list)
    accounts: set[str] = field(default_factory=set)
    """Accounts whose balances or positions changed."""
    funding: list[FundingSettlement] = field(default_factory=list)
    liquidations: list[LiquidationResult] = field(default_factory=list)
    liquidation_markets: list[MarketMoment] = field(default_factory=list)
    """For each liquidation, the markets as they stood when it ran."""
    quotes: list[QuoteRecord] = field(default_factory=list)
    oracle_prices: list[OracleRecord] = field(default_factory=list)
    market_changes: list[MarketChange] = field(default_factory=list)
    settlements: list[tuple[Fill, FillSettlement]] = field(default_factory=list)
    transfers: list[tuple[str, str, int]] = field(default_factory=list)
    """Collateral moved: (account, asset, token units; negative out)."""
    """Each fill with the PnL it realised for its two accounts."""

    @property
    def fills(self) -> list[Fill]:
        """Every fill, in order."""
        return [fill for result in self.results for fill in result.fills]

    @property
    def primary(self) -> EngineResult | None:
        """The result of the command's own order, for the answer to the caller."""
        return self.results[0] if self.results else None


class TradingState:
    """Engines, ledger and prices, changed only through `apply`."""

    def __init__(self, catalog: MarketCatalog) -> None:
        # a copy: parameter changes replace this state's specs, never the caller's catalog
        self.catalog = catalog = MarketCatalog(
            dict(catalog.markets), catalog.collateral, catalog.quote_asset
        )
        self.halted: set[str] = set()
        """Markets where only cancels work."""
        self.paper_keeper = True
        """Whether the liquidation keeper is topped up with paper money when it runs dry
        (False when trades settle on chain, where its collateral is real)."""
        self.price_status: dict[str, FeedStatus] = {}
        """Markets whose oracle is not live (see `SetPriceStatus`); absent means live."""
        self.price_sources: dict[str, str] = {}
        """The source of each market's newest oracle price."""
        self.oracle_published_ms: dict[str, int] = {}
        """When each market's newest oracle price was published (epoch ms)."""
        self.ledger = Ledger(catalog)
        self.prices: dict[str, MarketPrices] = {}
        self.price_times: dict[str, int] = {}
        """When each market's price last changed (epoch ms)."""
        self.funding = {
            spec.symbol: FundingSchedule(spec.funding_period_s * 1000) for spec in catalog
        }
        # Order and trade ids are unique across markets: each engine gets its own range.
        self.engines = {
            spec.symbol: MatchingEngine(
                spec,
                first_order_id=(i + 1) * 10**12 + 1,
                first_trade_id=(i + 1) * 10**12 + 1,
                first_auction_id=(i + 1) * 10**12 + 1,
            )
            for i, spec in enumerate(catalog)
        }

    def engine(self, market: str) -> MatchingEngine:
        """The engine of ``market``, or an `unknown_market` refusal."""
        engine = self.engines.get(market)
        if engine is None:
            raise OrderRejected(RejectCode.UNKNOWN_MARKET, f"unknown market {market}", "market")
        return engine

    def apply(self, command: Command, now_ms: int) -> Outcome:
        """Carry out ``command`` at ``now_ms``; a refusal raises and changes nothing."""
        outcome = Outcome(now_ms=now_ms)
        if isinstance(command, Submit):
            self._check_trading(command.request.market)
            self._check_price(command.request.market, command.request.reduce_only)
            self._check_margin(command.request)
            self._record(
                outcome, self.engine(command.request.market).submit(command.request, now_ms)
            )
        elif isinstance(command, Cancel):
            self._record(
                outcome,
                self.engine(command.market).cancel(command.account, command.order_id, now_ms),
            )
        elif isinstance(command, CancelAll):
            markets = [command.market] if command.market else list(self.engines)
            for market in markets:
                self._record(outcome, self.engine(market).cancel_all(command.account, now_ms))
        elif isinstance(command, Modify):
            self._check_trading(command.market)
            order = self.engine(command.market).order(command.order_id)
            self._check_price(command.market, order is not None and order.request.reduce_only)
            self._record(
                outcome,
                self.engine(command.market).modify(
                    command.account, command.order_id, command.price, command.size, now_ms
                ),
            )
        elif isinstance(command, SetPrices):
            self._set_prices(command, now_ms, outcome)
        elif isinstance(command, Tick):
            markets = [self.engine(command.market).spec.symbol] if command.market else None
            for market, engine in self.engines.items():
                if self.trades(market) and (markets is None or market in markets):
                    self._record(outcome, engine.on_time(now_ms))
            for settlement in settle_due_funding(self, now_ms, markets):
                outcome.funding.append(settlement)
                outcome.accounts.update(settlement.payments)
        elif isinstance(command, QuoteAuction):
            self._quote_auction(command, now_ms, outcome)
        elif isinstance(command, SetMarketStatus):
            self._set_status(command, now_ms, outcome)
        elif isinstance(command, SetPriceStatus):
            self._set_price_status(command, outcome)
        elif isinstance(command, SetMarketParameters):
            self._set_parameters(command, outcome)
        elif isinstance(command, Deposit):
            self.ledger.deposit(command.account, command.asset, command.amount)
            outcome.accounts.add(command.account)
            outcome.transfers.append((command.account, command.asset, command.amount))
        elif isinstance(command, Withdraw):
            self.ledger.withdraw(
                command.account,
                command.asset,
                command.amount,
                self.prices,
                self.reserved_margin(command.account),
            )
            outcome.accounts.add(command.account)
            outcome.transfers.append((command.account, command.asset, -command.amount))
        return outcome

    def _record(self, outcome: Outcome, result: EngineResult) -> None:
        """Settle a result's fills in the ledger and keep it."""
        for fill in result.fills:
            outcome.settlements.append((fill, self.ledger.apply_fill(fill)))
            outcome.accounts.update((fill.taker_account, fill.maker_account))
        outcome.results.append(result)

    def trades(self, market: str) -> bool:
        """Whether ``market`` runs: not halted by an operator nor for want of a price
        (time-driven work, triggers and funding wait while it does not)."""
        return market not in self.halted and (
            self.price_status.get(market) is not FeedStatus.HALTED
        )

    def liquidates(self, market: str) -> bool:
        """Whether ``market``'s price may be used to liquidate: it runs and its price is
        neither stale nor missing."""
        return self.trades(market) and self.price_status.get(market) is not FeedStatus.STALE

    def _check_price(self, market: str, reduce_only: bool) -> None:
        """Refuse an order that may add risk while the market has no valid price."""
        if reduce_only or self.price_status.get(market) is not FeedStatus.HALTED:
            return
        raise OrderRejected(
            RejectCode.NO_VALID_PRICE,
            f"{market} has no valid oracle price: only cancels and reduce-only orders "
            "are accepted until it returns",
            "market",
        )

    def _check_trading(self, market: str) -> None:
        """Refuse order entry in a halted market (cancels still work)."""
        if market in self.halted:
            raise OrderRejected(
                RejectCode.MARKET_HALTED, f"{market} is halted: only cancels are accepted", "market"
            )

    def _set_prices(self, command: SetPrices, now_ms: int, outcome: Outcome) -> None:
        """New prices; in a halted market they are only recorded (no triggers, funding
        samples or liquidations until it resumes)."""
        engine = self.engine(command.market)
        mark = command.mark
        if command.derive_mark and command.oracle is not None:
            mark = mark_from_book(engine, command.oracle)
        prices = ReferencePrices(mark, command.oracle, command.last)
        halted = not self.trades(command.market)
        if halted:
            engine.take_prices(prices)
        else:
            self._record(outcome, engine.on_price(prices, now_ms))
        merged = engine.prices
        if merged.mark is not None and merged.oracle is not None:
            self.prices[command.market] = MarketPrices(merged.mark, merged.oracle)
            self.price_times[command.market] = now_ms
            if not halted:
                self.funding[command.market].sample(merged.mark, merged.oracle, now_ms)
        if command.source is not None and command.oracle is not None:
            self.price_sources[command.market] = command.source
            self.oracle_published_ms[command.market] = command.publish_time_ms or now_ms
            outcome.oracle_prices.append(
                OracleRecord(
                    command.market,
                    command.source,
                    command.oracle,
                    command.confidence,
                    command.publish_time_ms,
                    command.ema_price,
                )
            )
        if command.market in self.prices and self.liquidates(command.market):
            outcome.liquidations.extend(liquidate_unhealthy(self, command.market, now_ms, outcome))

    def _quote_auction(self, command: QuoteAuction, now_ms: int, outcome: Outcome) -> None:
        """Record a maker's quote if the auction is open and the maker's margin covers it."""
        self._check_trading(command.market)
        engine = self.engine(command.market)
        auction = engine.auction(command.auction_id)
        if auction is None:
            raise OrderRejected(
                RejectCode.AUCTION_CLOSED, f"auction {command.auction_id} is not open", "auction_id"
            )
        quote = AuctionQuote(command.account, command.price, command.size, now_ms)
        auction.check_quote(quote)
        self._check_exposure(
            command.account,
            command.market,
            auction.side.opposite,
            command.size,
            command.price,
            engine.spec.maker_fee,
        )
        engine.quote_auction(command.auction_id, quote)
        outcome.quotes.append(QuoteRecord(command.market, command.auction_id, quote))

    def _set_status(self, command: SetMarketStatus, now_ms: int, outcome: Outcome) -> None:
        """Halt or resume a market; resuming starts a fresh funding period."""
        market = self.engine(command.market).spec.symbol
        if command.halted == (market in self.halted):
            state = "halted" if command.halted else "running"
            raise MarketRejected(RejectCode.MARKET_STATUS_UNCHANGED, f"{market} is already {state}")
        if command.halted:
            self.halted.add(market)
        else:
            self.halted.discard(market)
            period = self.funding[market].period_ms
            self.funding[market] = FundingSchedule(period)
        kind = "halt" if command.halted else "resume"
        message = f"{market} {'halted' if command.halted else 'resumed'}"
        if command.reason:
            message += f": {command.reason}"
        outcome.market_changes.append(MarketChange(market, kind, message))

    def _set_price_status(self, command: SetPriceStatus, outcome: Outcome) -> None:
        """Record a market's new oracle status; leaving `halted` starts a fresh funding
        period (no average spans the time without a price)."""
        market = self.engine(command.market).spec.symbol
        status = FeedStatus(command.status)
        was = self.price_status.pop(market, FeedStatus.LIVE)
        if status is not FeedStatus.LIVE:
            self.price_status[market] = status
        if was is FeedStatus.HALTED and status is not FeedStatus.HALTED:
            self.funding[market] = FundingSchedule(self.funding[market].period_ms)
        message = f"{market} oracle {status.value}"
        if command.source:
            message += f" from {command.source}"
        if command.reason:
            message += f": {command.reason}"
        outcome.market_changes.append(MarketChange(market, "oracle", message))

    def _set_parameters(self, command: SetMarketParameters, outcome: Outcome) -> None:
        """Replace a market's adjustable parameters (checked like a loaded market)."""
        engine = self.engine(command.market)
        try:
            spec = adjust_market(engine.spec, command.changes)
        except MarketSpecError as error:
            raise MarketRejected(RejectCode.INVALID_PARAMETER, str(error), "changes") from None
        engine.spec = spec
        self.catalog.markets[spec.symbol] = spec  # type: ignore[index]
        changed = ", ".join(f"{name}={value}" for name, value in sorted(command.changes.items()))
        outcome.market_changes.append(MarketChange(spec.symbol, "parameters", changed))

    def reserved_margin(self, account: str) -> int:
        """Initial margin held for the account's resting and pending orders, all markets."""
        held = self.ledger.accounts.get(account)
        total = 0
        for market, engine in self.engines.items():
            prices = self.prices.get(market)
            if prices is None:
                continue
            buys, sells = engine.open_sizes(account)
            if not buys and not sells:
                continue
            position = held.positions.get(market) if held else None
            base = position.base if position else 0
            total += open_order_requirement(
                base, buys, sells, prices.mark, engine.spec.initial_margin_ratio
            )
        return total

    def _check_margin(self, request: OrderRequest) -> None:
        """Refuse an order that would breach initial margin if it filled in full at its
        worst price (its limit, else the market's protection band)."""
        if request.reduce_only:
            return
        engine = self.engine(request.market)
        prices = self.prices.get(request.market)
        if prices is None:
            raise OrderRejected(
                RejectCode.MARKET_HALTED, f"{request.market} has no price yet; try again shortly"
            )
        price = _worst_price(engine, request)
        self._check_exposure(
            request.account,
            request.market,
            request.side,
            request.size,
            price,
            engine.spec.taker_fee,
        )

    def _check_exposure(
        self, account_id: str, market: str, side: Side, size: int, price: int, fee_ratio: int
    ) -> None:
        """Refuse a fill of ``size`` at ``price`` that would breach initial margin."""
        fee = fee_for(quote_value_ceil(price, size), fee_ratio)
        # a refused order must not even open an empty account: look, don't create
        account = self.ledger.accounts.get(account_id) or Account(account_id)
        refusal = margin_refusal(
            account,
            self.catalog,
            self.prices,
            market,
            side,
            size,
            price,
            fee,
            self.reserved_margin(account_id),
        )
        if refusal is not None:
            raise OrderRejected(RejectCode.INSUFFICIENT_MARGIN, refusal, "size")


MARK_BAND = 10_000
"""The mark follows the book's mid but stays within 1% of the oracle."""


def mark_from_book(engine: MatchingEngine, oracle: int) -> int:
    """The book's mid price clamped to the oracle band (the oracle when a side is empty),
    on the tick grid."""
    bid, ask = engine.book.best_bid(), engine.book.best_ask()
    if bid is None or ask is None:
        return oracle
    low = mul_div_ceil(oracle, RATIO_PRECISION - MARK_BAND, RATIO_PRECISION)
    high = mul_div_floor(oracle, RATIO_PRECISION + MARK_BAND, RATIO_PRECISION)
    mid = max(low, min(high, (bid + ask) // 2))
    return engine.spec.snap_price(mid)


def _worst_price(engine: MatchingEngine, request: OrderRequest) -> int:
    candidates = (request.price, request.trigger_price, request.take_profit_price)
    known = [p for p in candidates if p is not None]
    if request.type in (OrderType.MARKET, OrderType.TWAP, OrderType.TRAILING_STOP) or not known:
        band = engine.protected_price(request.side)
        if band is not None:
            known.append(band)
    if not known:
        raise OrderRejected(RejectCode.MARKET_HALTED, "no reference price for this market yet")
    return max(known) if request.side.sign > 0 else min(known)
