"""Operator routes (admin keys only): halt and resume markets, change their parameters,
read the system events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.gateway.deps import PRIVATE_LIMIT, AdminUser, ContextDep, HistoryDep, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import require_market
from backend.schemas.admin import HaltBody, MarketParametersBody, SystemEventOut, parameter_changes
from backend.schemas.markets import MarketSpecOut
from backend.services.trading.commands import SetMarketParameters, SetMarketStatus

router = APIRouter(
    prefix="/api/admin", tags=["admin"], responses=ERROR_RESPONSES, dependencies=PRIVATE_LIMIT
)


@router.post("/markets/{symbol}/halt")
async def halt(
    symbol: str, body: HaltBody, admin: AdminUser, context: ContextDep, trading: TradingDep
) -> MarketSpecOut:
    """Halt a market: only cancels are accepted; prices are still recorded."""
    require_market(context.catalog, symbol)
    reason = f"{body.reason} (by {admin})" if body.reason else f"by {admin}"
    await trading.execute_durably(SetMarketStatus(symbol, halted=True, reason=reason))
    return MarketSpecOut.of(context.catalog.market(symbol))


@router.post("/markets/{symbol}/resume")
async def resume(
    symbol: str, admin: AdminUser, context: ContextDep, trading: TradingDep
) -> MarketSpecOut:
    """Resume a halted market; triggers and funding pick up from the next price."""
    require_market(context.catalog, symbol)
    await trading.execute_durably(SetMarketStatus(symbol, halted=False, reason=f"by {admin}"))
    return MarketSpecOut.of(context.catalog.market(symbol))


@router.patch("/markets/{symbol}")
async def change_parameters(
    symbol: str,
    body: MarketParametersBody,
    admin: AdminUser,
    context: ContextDep,
    trading: TradingDep,
) -> MarketSpecOut:
    """Change a running market's parameters (checked like the markets file: an
    inconsistent set is refused whole)."""
    require_market(context.catalog, symbol)
    await trading.execute_durably(SetMarketParameters(symbol, parameter_changes(body)))
    return MarketSpecOut.of(context.catalog.market(symbol))


@router.get("/events")
async def events(
    admin: AdminUser,
    history: HistoryDep,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> list[SystemEventOut]:
    """The newest system events first (halts, resumes, parameter changes)."""
    return [
        SystemEventOut(
            id=e.id, kind=e.kind, market=e.market, message=e.message, created_at_ms=e.created_at_ms
        )
        for e in history.system_events(limit)
    ]
