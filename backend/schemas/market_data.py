"""Market data on the wire: candles, the 24 h ticker, funding and oracle history."""

from __future__ import annotations

from pydantic import BaseModel

from backend.schemas.orders import DecimalText


class CandleOut(BaseModel):
    """One interval's trades."""

    start_ms: int
    open: DecimalText
    high: DecimalText
    low: DecimalText
    close: DecimalText
    volume: DecimalText
    """Base units traded."""
    notional: DecimalText
    """Quote (USDC) value traded."""
    trades: int


class TickerOut(BaseModel):
    """A market's figures now: prices, the last 24 h, open interest and funding."""

    market: str
    halted: bool
    mark: DecimalText | None
    oracle: DecimalText | None
    last_price: DecimalText | None
    open_24h: DecimalText | None
    high_24h: DecimalText | None
    low_24h: DecimalText | None
    change_24h: DecimalText | None
    """Relative change of the last price over the 24 h open (0.01 = +1%)."""
    volume_24h: DecimalText
    notional_24h: DecimalText
    trades_24h: int
    open_interest: DecimalText
    funding_rate_estimate: DecimalText | None
    """The running period's funding rate so far (per period)."""
    next_funding_ms: int | None
    time_ms: int


class PublicTradeOut(BaseModel):
    """One trade of a market, without its accounts; ``side`` is the taker's."""

    id: int
    price: DecimalText
    size: DecimalText
    side: str
    time_ms: int


class FundingRateOut(BaseModel):
    """One settled funding period of a market."""

    id: int
    rate: DecimalText
    mark_twap: DecimalText
    oracle_twap: DecimalText
    settled_at_ms: int


class OraclePriceOut(BaseModel):
    """One recorded oracle price."""

    id: int
    source: str
    price: DecimalText
    confidence: DecimalText
    ema_price: DecimalText | None = None
    """The source's moving average (Pyth's EMA price), when it gives one."""
    publish_time_ms: int
