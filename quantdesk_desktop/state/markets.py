"""The markets' specs, prices, oracle status and 24 h figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.fixed_point import parse_price

ORACLE_STATUSES = ("live", "stale", "fallback", "halted")


@dataclass(slots=True)
class MarketPrices:
    """A market's mark and oracle price (price units) and where the oracle comes from."""

    mark: int | None = None
    oracle: int | None = None
    source: str | None = None
    status: str = "live"
    """The oracle status: live, stale, fallback or halted."""
    reason: str = ""
    """Why the status is what it is (from the last status change)."""


@dataclass(slots=True)
class MarketBoard:
    """Everything the workstation knows about the markets (not the books)."""

    specs: dict[str, dict] = field(default_factory=dict)
    """Each market's specification as `GET /api/markets` gives it."""
    prices: dict[str, MarketPrices] = field(default_factory=dict)
    tickers: dict[str, dict] = field(default_factory=dict)
    """Each market's `GET /api/markets/{symbol}/ticker` answer."""
    version: int = 0

    @property
    def symbols(self) -> list[str]:
        """The markets, in the order the server lists them."""
        return list(self.specs)

    def load_specs(self, specs: list[dict]) -> None:
        """Take the market list."""
        self.specs = {spec["symbol"]: spec for spec in specs}
        for symbol in self.specs:
            self.prices.setdefault(symbol, MarketPrices())
        self.version += 1

    def apply_prices(self, message: dict) -> None:
        """Take a `prices` channel message (snapshot, price or status)."""
        prices = self.prices.setdefault(message["market"], MarketPrices())
        kind = message.get("type")
        if kind in ("snapshot", "price"):
            if message.get("mark") is not None:
                prices.mark = parse_price(message["mark"])
            if message.get("oracle") is not None:
                prices.oracle = parse_price(message["oracle"])
            if message.get("source") is not None:
                prices.source = message["source"]
        if kind in ("snapshot", "status"):
            prices.status = message.get("status") or "live"
            prices.reason = message.get("reason") or ""
            if kind == "status":
                prices.source = message.get("source")
        self.version += 1

    def apply_ticker(self, ticker: dict) -> None:
        """Take one market's ticker."""
        self.tickers[ticker["market"]] = ticker
        self.version += 1
