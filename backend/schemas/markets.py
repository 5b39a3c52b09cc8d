"""Market specifications as the wire shows them: decimal strings, never floats."""

from __future__ import annotations

from pydantic import BaseModel

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
)
from backend.domain.markets import MarketSpec


class MarketSpecOut(BaseModel):
    """One perpetual market."""

    symbol: str
    base_asset: str
    tick_size: str
    lot_size: str
    min_size: str
    max_leverage: int
    initial_margin_ratio: str
    maintenance_margin_ratio: str
    maker_fee: str
    taker_fee: str
    liquidation_fee: str
    funding_period_s: int
    max_funding_rate: str
    pyth_feed_id: str
    auction_threshold: str
    auction_duration_ms: int

    @classmethod
    def of(cls, spec: MarketSpec) -> MarketSpecOut:
        """The wire form of a domain spec."""

        def ratio(value: int) -> str:
            return format_fixed(value, RATIO_PRECISION)

        return cls(
            symbol=spec.symbol,
            base_asset=spec.base_asset,
            tick_size=format_fixed(spec.tick_size, PRICE_PRECISION),
            lot_size=format_fixed(spec.lot_size, BASE_PRECISION),
            min_size=format_fixed(spec.min_size, BASE_PRECISION),
            max_leverage=spec.max_leverage,
            initial_margin_ratio=ratio(spec.initial_margin_ratio),
            maintenance_margin_ratio=ratio(spec.maintenance_margin_ratio),
            maker_fee=ratio(spec.maker_fee),
            taker_fee=ratio(spec.taker_fee),
            liquidation_fee=ratio(spec.liquidation_fee),
            funding_period_s=spec.funding_period_s,
            max_funding_rate=ratio(spec.max_funding_rate),
            pyth_feed_id=spec.pyth_feed_id,
            auction_threshold=format_fixed(spec.auction_threshold, BASE_PRECISION),
            auction_duration_ms=spec.auction_duration_ms,
        )


class BookOut(BaseModel):
    """An L2 snapshot: [price, size] levels, best first, as of the book sequence ``seq``."""

    market: str
    seq: int
    bids: list[list[str]]
    asks: list[list[str]]
