"""The user's own fills, paged by trade id for incremental sync."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    format_fixed,
)
from backend.gateway.deps import PRIVATE_LIMIT, CurrentUser, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.schemas.orders import TradeOut, TradePage

router = APIRouter(
    prefix="/api/trades", tags=["trades"], responses=ERROR_RESPONSES, dependencies=PRIVATE_LIMIT
)


@router.get("")
async def trades(
    user: CurrentUser,
    trading: TradingDep,
    cursor: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 500,
) -> TradePage:
    """Fills with a trade id above ``cursor``, oldest first; pass ``next_cursor`` back."""
    user_id, rows = trading.trades_after(user, cursor, limit)
    out = []
    for row in rows:
        taker = row.taker_user_id == user_id
        side = row.taker_side if taker else ("sell" if row.taker_side == "buy" else "buy")
        out.append(
            TradeOut(
                trade_id=row.id,
                market=row.market,
                side=side,
                role="taker" if taker else "maker",
                price=format_fixed(row.price, PRICE_PRECISION),
                size=format_fixed(row.size, BASE_PRECISION),
                fee=format_fixed(row.taker_fee if taker else row.maker_fee, QUOTE_PRECISION),
                realised_pnl=format_fixed(
                    row.taker_realised_pnl if taker else row.maker_realised_pnl, QUOTE_PRECISION
                ),
                order_id=row.taker_order_id if taker else row.maker_order_id,
                time_ms=row.timestamp_ms,
            )
        )
    return TradePage(trades=out, next_cursor=rows[-1].id if rows else cursor)
