"""Oracle and mark prices."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from backend.gateway.deps import PUBLIC_LIMIT, ContextDep, HistoryDep, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import require_market
from backend.schemas.market_data import OraclePriceOut
from backend.schemas.oracle import PriceOut

router = APIRouter(
    prefix="/api/oracle", tags=["oracle"], responses=ERROR_RESPONSES, dependencies=PUBLIC_LIMIT
)


@router.get("/prices")
async def prices(trading: TradingDep) -> list[PriceOut]:
    """The latest mark and oracle price of every market that has one, with its status."""
    state = trading.state
    return [
        PriceOut(
            market=market,
            mark=format_fixed(p.mark, PRICE_PRECISION),
            oracle=format_fixed(p.oracle, PRICE_PRECISION),
            status=state.price_status[market].value if market in state.price_status else "live",
            source=state.price_sources.get(market),
            published_ms=state.oracle_published_ms.get(market),
        )
        for market, p in state.prices.items()
    ]


@router.get("/history")
async def history_of(
    context: ContextDep,
    history: HistoryDep,
    market: Annotated[str, Query(max_length=32)],
    before_id: Annotated[int | None, Query(ge=1, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 500,
) -> list[OraclePriceOut]:
    """A market's recorded oracle prices, newest first; page with ``before_id``."""
    require_market(context.catalog, market, "market")
    return [
        OraclePriceOut(
            id=row.id,
            source=row.source,
            price=format_fixed(row.price, PRICE_PRECISION),
            confidence=format_fixed(row.confidence, PRICE_PRECISION),
            ema_price=None
            if row.ema_price is None
            else format_fixed(row.ema_price, PRICE_PRECISION),
            publish_time_ms=row.publish_time_ms,
        )
        for row in history.oracle_prices(market, before_id, limit)
    ]
