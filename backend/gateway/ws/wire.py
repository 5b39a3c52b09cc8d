"""How numbers and records look on the stream: decimal strings for prices and sizes."""

from __future__ import annotations

from backend.domain.auction import Auction
from backend.domain.candles import Candle
from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    format_fixed,
)


def price_text(value: int) -> str:
    """A price as the wire shows it."""
    return format_fixed(value, PRICE_PRECISION)


def size_text(value: int) -> str:
    """A size as the wire shows it."""
    return format_fixed(value, BASE_PRECISION)


def quote_text(value: int) -> str:
    """A quote amount (USDC) as the wire shows it."""
    return format_fixed(value, QUOTE_PRECISION)


def candle_out(candle: Candle) -> dict:
    """A candle's wire form."""
    return {
        "start_ms": candle.start_ms,
        "open": price_text(candle.open),
        "high": price_text(candle.high),
        "low": price_text(candle.low),
        "close": price_text(candle.close),
        "volume": size_text(candle.volume),
        "notional": quote_text(candle.notional),
        "trades": candle.trades,
    }


def auction_out(auction: Auction) -> dict:
    """An auction's curve in wire form."""
    return {
        "auction_id": auction.auction_id,
        "side": auction.side.value,
        "size": size_text(auction.size),
        "start_price": price_text(auction.start_price),
        "end_price": price_text(auction.end_price),
        "start_ms": auction.start_ms,
        "end_ms": auction.end_ms,
    }
