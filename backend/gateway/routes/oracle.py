"""Oracle and mark prices."""

from __future__ import annotations

from fastapi import APIRouter

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from backend.gateway.deps import PUBLIC_LIMIT, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.schemas.oracle import PriceOut

router = APIRouter(
    prefix="/api/oracle", tags=["oracle"], responses=ERROR_RESPONSES, dependencies=PUBLIC_LIMIT
)


@router.get("/prices")
async def prices(trading: TradingDep) -> list[PriceOut]:
    """The latest mark and oracle price of every market that has one."""
    return [
        PriceOut(
            market=market,
            mark=format_fixed(p.mark, PRICE_PRECISION),
            oracle=format_fixed(p.oracle, PRICE_PRECISION),
        )
        for market, p in trading.state.prices.items()
    ]
