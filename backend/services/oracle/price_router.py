"""Which price moves each market, and the market's oracle status: a primary source
(Pyth) with a fallback (CoinGecko), each price validated per market.

The router is pure decision: it takes quotes and the time and answers the trading
commands to execute (a `SetPriceStatus` when a market's status changes, a `SetPrices`
for each price that serves) and the updates to record. The primary serves while it gives
valid prices; after ``failover_after_s`` without one the fallback serves, if it has a
fresh valid price; the primary's first valid price takes over again. With neither, the
market is `stale` (the last primary price stands, nobody is liquidated on it) and then
`halted`. A market the primary has not priced yet is judged only once the primary has had
``failover_after_s`` to do so, so that a start does not flap through `halted`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from backend.domain.markets import MarketCatalog
from backend.services.oracle.quotes import Quote
from backend.services.oracle.validation import (
    FeedStatus,
    FeedSupervisor,
    PriceValidator,
    ValidationPolicy,
)
from backend.services.trading.commands import Command, SetPrices, SetPriceStatus

log = logging.getLogger("quantdesk.oracle")


@dataclass(slots=True)
class Routing:
    """What a router decided: commands to execute in order, and updates to record."""

    commands: list[Command] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class _Route:
    primary: PriceValidator
    fallback: PriceValidator
    supervisor: FeedSupervisor
    status: FeedStatus
    primary_seen: bool = False
    fallback_quote: Quote | None = None
    refusal: str = ""
    """The newest refusal of a primary price, for the status reason."""


class PriceRouter:
    """Routes the quotes of ``primary`` and ``fallback`` (source names) for a catalog."""

    def __init__(
        self,
        catalog: MarketCatalog,
        primary: str,
        fallback: str | None,
        now: float,
        failover_after_s: float = 3.0,
        fallback_max_age_s: float = 120.0,
        statuses: Mapping[str, FeedStatus] | None = None,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.failover_after_s = failover_after_s
        self.judged_from = now + failover_after_s
        self.refused = 0
        """Prices refused by validation, both sources."""
        statuses = statuses or {}
        self.routes = {
            spec.symbol: _Route(
                PriceValidator(ValidationPolicy(max_age_s=spec.max_oracle_age_s)),
                PriceValidator(ValidationPolicy(max_age_s=fallback_max_age_s)),
                FeedSupervisor(
                    spec.max_oracle_age_s, failover_after_s, fallback_max_age_s, started=now
                ),
                statuses.get(spec.symbol, FeedStatus.LIVE),
            )
            for spec in catalog
        }

    def status(self, market: str) -> FeedStatus:
        """The status last decided for ``market``."""
        return self.routes[market].status

    def on_primary(self, quotes: Iterable[Quote], now: float) -> Routing:
        """Prices from the primary source."""
        routing = Routing()
        for quote in quotes:
            route = self.routes.get(quote.market)
            if route is None:
                continue
            refusal = self._validate(route.primary, quote, now, self.primary)
            if refusal is not None:
                if refusal:
                    route.refusal = f"{self.primary} price refused: {refusal}"
                continue
            route.primary_seen = True
            route.supervisor.primary(quote.price, quote.publish_time, now)
            self._judge(quote.market, route, now, routing)
            if route.status is FeedStatus.LIVE:
                self._serve(quote, self.primary, routing)
        return routing

    def on_fallback(self, quotes: Iterable[Quote], now: float) -> Routing:
        """Prices from the fallback source (kept ready; they serve only in failover)."""
        routing = Routing()
        for quote in quotes:
            route = self.routes.get(quote.market)
            if route is None:
                continue
            if self._validate(route.fallback, quote, now, self.fallback or "fallback") is not None:
                continue
            route.supervisor.fallback(quote.price, quote.publish_time)
            route.fallback_quote = quote
            if not self._judge(quote.market, route, now, routing) and (
                route.status is FeedStatus.FALLBACK
            ):
                self._serve(quote, self.fallback or "fallback", routing)
        return routing

    def on_clock(self, now: float) -> Routing:
        """Status changes that time alone brings (a source gone quiet, a price too old)."""
        routing = Routing()
        for market, route in self.routes.items():
            if route.primary_seen or now >= self.judged_from:
                self._judge(market, route, now, routing)
        return routing

    def _judge(self, market: str, route: _Route, now: float, routing: Routing) -> bool:
        """Record a change of status; True when it served the fallback's price."""
        status, _ = route.supervisor.status(now)
        if status is route.status:
            return False
        was, route.status = route.status, status
        source = {
            FeedStatus.LIVE: self.primary,
            FeedStatus.STALE: self.primary,
            FeedStatus.FALLBACK: self.fallback,
            FeedStatus.HALTED: None,
        }[status]
        reason = self._reason(status, route)
        log.warning("%s oracle %s -> %s: %s", market, was.value, status.value, reason)
        routing.commands.append(SetPriceStatus(market, status.value, source, reason))
        if status is FeedStatus.FALLBACK and route.fallback_quote is not None:
            self._serve(route.fallback_quote, self.fallback or "fallback", routing)
            return True
        return False

    def _reason(self, status: FeedStatus, route: _Route) -> str:
        quiet = f"no valid {self.primary} price for {self.failover_after_s:g} s"
        if route.refusal:
            quiet += f" (last: {route.refusal})"
        if status is FeedStatus.LIVE:
            return f"{self.primary} prices are valid"
        if status is FeedStatus.FALLBACK:
            return quiet
        if status is FeedStatus.STALE:
            backup = f"no fresh {self.fallback} price" if self.fallback else "no fallback"
            return f"{quiet}; {backup}: the last price stands, liquidations wait"
        sources = f"{self.primary} or {self.fallback}" if self.fallback else self.primary
        return f"no valid price from {sources}: only cancels and reduce-only orders"

    @staticmethod
    def _serve(quote: Quote, source: str, routing: Routing) -> None:
        routing.commands.append(
            SetPrices(
                quote.market,
                oracle=quote.price,
                derive_mark=True,
                source=source,
                confidence=quote.confidence,
                publish_time_ms=quote.publish_time * 1000,
                ema_price=quote.ema_price,
            )
        )
        if quote.entry:
            routing.entries.append(quote.entry)

    def _validate(
        self, validator: PriceValidator, quote: Quote, now: float, source: str
    ) -> str | None:
        """None when ``quote`` is a new valid price; "" for a repeat of the last one
        (skipped quietly); otherwise why it was refused (counted and logged)."""
        if validator.is_repeat(quote.publish_time, quote.sequence):
            return ""
        verdict = validator.check(
            quote.price, quote.confidence, quote.publish_time, now, quote.sequence
        )
        if verdict.accepted:
            return None
        self.refused += 1
        log.warning("%s price of %s refused: %s", source, quote.market, verdict.reason)
        return verdict.reason or "refused"
