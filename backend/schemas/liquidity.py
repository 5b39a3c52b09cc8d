"""JIT auctions on the wire: a maker's quote, and an auction with its quotes and fills."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, ConfigDict, Field

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.schemas.orders import DecimalText, fixed_value


class QuoteBody(BaseModel):
    """A maker's offer to fill part of an open auction at ``price``."""

    model_config = ConfigDict(extra="forbid")

    market: str = Field(max_length=32, examples=["SOL-PERP"])
    auction_id: int = Field(ge=1, lt=2**63)
    price: DecimalText = Field(max_length=40, examples=["150.04"])
    size: DecimalText = Field(max_length=40, examples=["250"])


def quote_values(body: QuoteBody, catalog: MarketCatalog) -> tuple[int, int]:
    """The fixed-point price and size of a quote, or `OrderRejected` naming the field."""
    if body.market not in catalog.markets:
        raise OrderRejected(RejectCode.UNKNOWN_MARKET, f"unknown market {body.market}", "market")
    price = fixed_value(body.price, parse_price, "price", RejectCode.INVALID_QUOTE)
    size = fixed_value(body.size, parse_base, "size", RejectCode.INVALID_QUOTE)
    return cast(int, price), cast(int, size)  # both fields are required text


class QuoteOut(BaseModel):
    """A quote made during an auction (the maker is not shown)."""

    price: DecimalText
    size: DecimalText
    time_ms: int


class AuctionFillOut(BaseModel):
    """One quote's share of a settled auction."""

    trade_id: int
    price: DecimalText
    size: DecimalText


class AuctionOut(BaseModel):
    """An auction's curve, status and, once recorded, its quotes and fills."""

    auction_id: int
    market: str
    side: str
    size: DecimalText
    start_price: DecimalText
    end_price: DecimalText
    start_ms: int
    end_ms: int
    status: str
    """``open``, ``settled`` or ``cancelled``."""
    price_now: DecimalText | None = None
    """The curve's price now (open auctions)."""
    quotes: list[QuoteOut] = []
    fills: list[AuctionFillOut] = []
