"""Catch-up feeds for a client's local cache: the signed-in user's orders, funding
payments and liquidations after a cursor, oldest first (fills have theirs in
`/api/trades`). A client that saves each page's rows with the returned cursor resumes
exactly where it stopped, with nothing missed and nothing twice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    format_fixed,
)
from backend.gateway.deps import PRIVATE_LIMIT, ContextDep, CurrentUser, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import funding_payment_out, order_record_out
from backend.schemas.sync import (
    FundingPage,
    LiquidationOut,
    LiquidationPage,
    OrderChangesPage,
    TransferOut,
    TransferPage,
)
from backend.services.market_data.sync_feeds import SyncFeeds

router = APIRouter(
    prefix="/api/sync", tags=["sync"], responses=ERROR_RESPONSES, dependencies=PRIVATE_LIMIT
)

CURSOR = r"^\d{1,19}-\d{1,19}$"


async def _feeds(trading: TradingDep) -> SyncFeeds:
    return SyncFeeds(trading.database)


FeedsDep = Annotated[SyncFeeds, Depends(_feeds)]
Limit = Annotated[int, Query(ge=1, le=1_000)]


@router.get("/orders")
async def order_changes(
    user: CurrentUser,
    feeds: FeedsDep,
    cursor: Annotated[str | None, Query(max_length=40, pattern=CURSOR)] = None,
    limit: Limit = 500,
) -> OrderChangesPage:
    """Orders placed or changed after ``cursor`` (``<updated_at_ms>-<order_id>`` from the
    previous page; none for the first), in the order they changed."""
    after = None
    if cursor is not None:
        updated, order_id = cursor.split("-")
        after = (int(updated), int(order_id))
    rows = feeds.orders(user, after, limit)
    next_cursor = f"{rows[-1].updated_at_ms}-{rows[-1].id}" if rows else cursor
    return OrderChangesPage(orders=[order_record_out(r) for r in rows], next_cursor=next_cursor)


@router.get("/funding")
async def funding_payments(
    user: CurrentUser,
    feeds: FeedsDep,
    cursor: Annotated[int, Query(ge=0, lt=2**63)] = 0,
    limit: Limit = 500,
) -> FundingPage:
    """Funding payments with an id above ``cursor``, oldest first."""
    rows = feeds.funding(user, cursor, limit)
    return FundingPage(
        payments=[funding_payment_out(row) for row in rows],
        next_cursor=rows[-1].id if rows else cursor,
    )


@router.get("/liquidations")
async def liquidations(
    user: CurrentUser,
    feeds: FeedsDep,
    cursor: Annotated[int, Query(ge=0, lt=2**63)] = 0,
    limit: Limit = 500,
) -> LiquidationPage:
    """Slices of the user's positions liquidated, id above ``cursor``, oldest first."""
    rows = feeds.liquidations(user, cursor, limit)
    return LiquidationPage(
        liquidations=[
            LiquidationOut(
                id=row.id,
                market=row.market,
                size=format_fixed(row.base, BASE_PRECISION),
                price=format_fixed(row.price, PRICE_PRECISION),
                fee=format_fixed(row.fee, QUOTE_PRECISION),
                realised_pnl=format_fixed(row.realised_pnl, QUOTE_PRECISION),
                time_ms=row.created_at_ms,
            )
            for row in rows
        ],
        next_cursor=rows[-1].id if rows else cursor,
    )


@router.get("/transfers")
async def transfers(
    user: CurrentUser,
    feeds: FeedsDep,
    context: ContextDep,
    cursor: Annotated[int, Query(ge=0, lt=2**63)] = 0,
    limit: Limit = 500,
) -> TransferPage:
    """The user's deposits and withdrawals, id above ``cursor``, oldest first."""
    rows = feeds.transfers(user, cursor, limit)
    out = []
    for row in rows:
        asset = context.catalog.asset(row.asset)
        out.append(
            TransferOut(
                id=row.id,
                asset=row.asset,
                amount=format_fixed(row.amount, asset.precision),
                kind="deposit" if row.amount >= 0 else "withdraw",
                decimals=asset.decimals,
                time_ms=row.created_at_ms,
            )
        )
    return TransferPage(transfers=out, next_cursor=rows[-1].id if rows else cursor)
