"""Market specifications."""

from __future__ import annotations

from fastapi import APIRouter

from backend.domain.errors import DomainError, RejectCode
from backend.gateway.deps import PUBLIC_LIMIT, ContextDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.schemas.markets import MarketSpecOut

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
