"""JIT liquidity: the auctions of large market orders and makers' quotes for them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from backend.domain.auction import Auction
from backend.domain.errors import DomainError, RejectCode
from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION, format_fixed
from backend.gateway.deps import (
    PUBLIC_LIMIT,
    ContextDep,
    CurrentUser,
    HistoryDep,
    TradingDep,
    private_limit,
)
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import require_market
from backend.schemas.liquidity import (
    AuctionFillOut,
    AuctionOut,
    QuoteBody,
    QuoteOut,
    quote_values,
)
from backend.services.trading.commands import QuoteAuction

router = APIRouter(prefix="/api/liquidity", tags=["liquidity"], responses=ERROR_RESPONSES)


def _price(value: int) -> str:
    return format_fixed(value, PRICE_PRECISION)


def _size(value: int) -> str:
    return format_fixed(value, BASE_PRECISION)


def _auction_out(row: Any, live: Auction | None, now_ms: int) -> AuctionOut:
    """An auction row from the store on the wire; a live one carries its curve's price
    now."""
    return AuctionOut(
        auction_id=row.id,
        market=row.market,
        side=row.side,
        size=_size(row.size),
        start_price=_price(row.start_price),
        end_price=_price(row.end_price),
        start_ms=row.start_ms,
        end_ms=row.start_ms + row.duration_ms,
        status=row.status,
        price_now=None if live is None else _price(live.price_at(now_ms)),
    )


@router.get("/auctions", dependencies=PUBLIC_LIMIT)
async def auctions(
    context: ContextDep,
    trading: TradingDep,
    history: HistoryDep,
    market: Annotated[str, Query(max_length=32)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[AuctionOut]:
    """A market's latest auctions, newest first; open ones carry the curve's price now."""
    require_market(context.catalog, market, "market")
    engine = trading.state.engines[market]
    now = context.clock.now_ms()
    out = []
    for row in history.recent_auctions(market, limit):
        out.append(_auction_out(row, engine.auction(row.id), now))
    return out


@router.get("/auctions/{auction_id}", dependencies=PUBLIC_LIMIT)
async def auction(
    context: ContextDep, trading: TradingDep, history: HistoryDep, auction_id: int
) -> AuctionOut:
    """One auction with every quote made and, once settled, the fills."""
    record = history.auction(auction_id) if 0 < auction_id < 2**63 else None
    if record is None:
        raise DomainError(RejectCode.AUCTION_NOT_FOUND, f"no auction {auction_id}", "auction_id")
    row, quotes, fills = record
    live = trading.state.engines[row.market].auction(row.id)
    return _auction_out(row, live, context.clock.now_ms()).model_copy(
        update={
            "quotes": [
                QuoteOut(price=_price(q.price), size=_size(q.size), time_ms=q.quoted_at_ms)
                for q in quotes
            ],
            "fills": [
                AuctionFillOut(trade_id=f.trade_id, price=_price(f.price), size=_size(f.size))
                for f in fills
            ],
        }
    )


@router.post("/quotes", status_code=201, dependencies=[Depends(private_limit)])
async def quote(
    body: QuoteBody, user: CurrentUser, context: ContextDep, trading: TradingDep
) -> QuoteOut:
    """Quote an open auction as a maker: filled at settlement, best price first, if at
    least as good for the taker as the curve was when it arrived."""
    price, size = quote_values(body, context.catalog)
    await trading.execute_durably(QuoteAuction(user, body.market, body.auction_id, price, size))
    return QuoteOut(price=_price(price), size=_size(size), time_ms=context.clock.now_ms())
