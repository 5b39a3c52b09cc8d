"""Market specifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.domain.errors import DomainError, RejectCode
from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION, format_fixed
from backend.gateway.deps import PUBLIC_LIMIT, ContextDep, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.schemas.markets import BookOut, MarketSpecOut

router = APIRouter(
    prefix="/api/markets", tags=["markets"], responses=ERROR_RESPONSES, dependencies=PUBLIC_LIMIT
)


@router.get("")
def markets(context: ContextDep) -> list[MarketSpecOut]:
    """Every market's specification."""
    return [MarketSpecOut.of(spec) for spec in context.catalog]


@router.get("/{symbol}")
def market(context: ContextDep, symbol: str) -> MarketSpecOut:
    """One market's specification."""
    spec = context.catalog.markets.get(symbol)
    if spec is None:
        known = ", ".join(context.catalog.markets)
        raise DomainError(
            RejectCode.UNKNOWN_MARKET, f"unknown market {symbol}; markets are {known}", "symbol"
        )
    return MarketSpecOut.of(spec)


@router.get("/{symbol}/book")
def book(
    context: ContextDep,
    trading: TradingDep,
    symbol: str,
    depth: Annotated[int, Query(ge=1, le=500)] = 50,
) -> BookOut:
    """The aggregated order book (L2) of a market, best prices first, with its sequence."""
    spec = context.catalog.markets.get(symbol)
    if spec is None:
        raise DomainError(RejectCode.UNKNOWN_MARKET, f"unknown market {symbol}", "symbol")
    snapshot = trading.state.engines[symbol].book.snapshot(depth)
    return BookOut(
        market=symbol,
        seq=snapshot.seq,
        bids=[
            [format_fixed(p, PRICE_PRECISION), format_fixed(s, BASE_PRECISION)]
            for p, s in snapshot.bids
        ],
        asks=[
            [format_fixed(p, PRICE_PRECISION), format_fixed(s, BASE_PRECISION)]
            for p, s in snapshot.asks
        ],
    )
