"""Market specifications, books, candles, tickers and funding history."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from backend.domain.candles import INTERVALS
from backend.domain.errors import DomainError, RejectCode
from backend.domain.fixed_point import (
    BASE_PRECISION,
    FUNDING_RATE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
)
from backend.gateway.deps import PUBLIC_LIMIT, ContextDep, HistoryDep, TickersDep, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import require_market
from backend.gateway.ws.wire import candle_out
from backend.schemas.market_data import CandleOut, FundingRateOut, PublicTradeOut, TickerOut
from backend.schemas.markets import BookOut, MarketSpecOut

Interval = Literal[tuple(INTERVALS)]  # type: ignore[valid-type]
"""The candle interval names, as the query parameter accepts them."""

router = APIRouter(
    prefix="/api/markets", tags=["markets"], responses=ERROR_RESPONSES, dependencies=PUBLIC_LIMIT
)


@router.get("")
async def markets(context: ContextDep) -> list[MarketSpecOut]:
    """Every market's specification."""
    return [MarketSpecOut.of(spec) for spec in context.catalog]


@router.get("/tickers")
async def all_tickers(context: ContextDep, tickers: TickersDep) -> list[TickerOut]:
    """Every market's ticker, in the order of the market list (a watchlist in one call)."""
    return [_ticker_out(tickers, spec.symbol) for spec in context.catalog]


@router.get("/{symbol}")
async def market(context: ContextDep, symbol: str) -> MarketSpecOut:
    """One market's specification."""
    return MarketSpecOut.of(require_market(context.catalog, symbol))


@router.get("/{symbol}/book")
async def book(
    context: ContextDep,
    trading: TradingDep,
    symbol: str,
    depth: Annotated[int, Query(ge=1, le=500)] = 50,
) -> BookOut:
    """The aggregated order book (L2) of a market, best prices first, with its sequence."""
    require_market(context.catalog, symbol)
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


@router.get("/{symbol}/candles")
async def candles(
    context: ContextDep,
    history: HistoryDep,
    symbol: str,
    interval: Annotated[Interval, Query(description="candle length")] = "1m",
    start_ms: Annotated[int | None, Query(ge=0, lt=2**62)] = None,
    end_ms: Annotated[int | None, Query(ge=0, lt=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 500,
) -> list[CandleOut]:
    """OHLCV candles from the market's trades, oldest first: the last ``limit`` intervals
    with trades in [start_ms, end_ms) (default: up to now). Intervals without trades are
    left out."""
    require_market(context.catalog, symbol)
    end = context.clock.now_ms() + 1 if end_ms is None else end_ms
    start = 0 if start_ms is None else start_ms
    if start >= end:
        raise DomainError(RejectCode.INVALID_RANGE, "start_ms must be before end_ms", "start_ms")
    found = history.candles(symbol, INTERVALS[interval], start, end, limit)
    return [CandleOut.model_validate(candle_out(c)) for c in found]


@router.get("/{symbol}/ticker")
async def ticker(context: ContextDep, tickers: TickersDep, symbol: str) -> TickerOut:
    """Prices now, the last 24 hours of trades, open interest and the running funding."""
    require_market(context.catalog, symbol)
    return _ticker_out(tickers, symbol)


def _ticker_out(tickers, symbol: str) -> TickerOut:
    t = tickers.ticker(symbol)

    def price(value: int | None) -> str | None:
        return None if value is None else format_fixed(value, PRICE_PRECISION)

    return TickerOut(
        market=symbol,
        halted=t.halted,
        mark=price(t.mark),
        oracle=price(t.oracle),
        last_price=price(t.last_price),
        open_24h=price(t.open_24h),
        high_24h=price(t.high_24h),
        low_24h=price(t.low_24h),
        change_24h=None if t.change_24h is None else format_fixed(t.change_24h, RATIO_PRECISION),
        volume_24h=format_fixed(t.volume_24h, BASE_PRECISION),
        notional_24h=format_fixed(t.notional_24h, QUOTE_PRECISION),
        trades_24h=t.trades_24h,
        open_interest=format_fixed(t.open_interest, BASE_PRECISION),
        funding_rate_estimate=None
        if t.funding_rate_estimate is None
        else format_fixed(t.funding_rate_estimate, FUNDING_RATE_PRECISION),
        next_funding_ms=t.next_funding_ms,
        time_ms=t.time_ms,
    )


@router.get("/{symbol}/trades")
async def public_trades(
    context: ContextDep,
    history: HistoryDep,
    symbol: str,
    before_id: Annotated[int | None, Query(ge=1, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 200,
) -> list[PublicTradeOut]:
    """The market's trades, newest first, without accounts (time and sales); page with
    ``before_id``. The same shape as a `trades` stream message's rows."""
    require_market(context.catalog, symbol)
    return [
        PublicTradeOut(
            id=row.id,
            price=format_fixed(row.price, PRICE_PRECISION),
            size=format_fixed(row.size, BASE_PRECISION),
            side=row.taker_side,
            time_ms=row.timestamp_ms,
        )
        for row in history.public_trades(symbol, before_id, limit)
    ]


@router.get("/{symbol}/funding")
async def funding_history(
    context: ContextDep,
    history: HistoryDep,
    symbol: str,
    before_id: Annotated[int | None, Query(ge=1, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> list[FundingRateOut]:
    """Settled funding rates, newest first; page with ``before_id`` (the last id seen)."""
    require_market(context.catalog, symbol)
    return [
        FundingRateOut(
            id=row.id,
            rate=format_fixed(row.rate, FUNDING_RATE_PRECISION),
            mark_twap=format_fixed(row.mark_twap, PRICE_PRECISION),
            oracle_twap=format_fixed(row.oracle_twap, PRICE_PRECISION),
            settled_at_ms=row.settled_at_ms,
        )
        for row in history.funding_rates(symbol, before_id, limit)
    ]
