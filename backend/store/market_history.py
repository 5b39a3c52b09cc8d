"""Market history from the tables: candles and summaries of trades, funding rates, oracle
prices and auctions. Sums are exact integers on both databases."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from backend.domain.candles import Candle
from backend.store.models import (
    Auction,
    AuctionQuote,
    AuctionSettlement,
    FundingRate,
    OraclePrice,
    Trade,
)
from backend.store.paging import newest_first


def candles(
    session: Session, market: str, interval_ms: int, start_ms: int, end_ms: int, limit: int
) -> list[Candle]:
    """The last ``limit`` candles with trades in [start_ms, end_ms), oldest first.

    One grouped scan of the (market, timestamp) index; open and close are the prices of
    each bucket's first and last trade id (ids rise with time within a market).
    """
    bucket = (col(Trade.timestamp_ms) // interval_ms).label("bucket")
    rows = session.exec(
        select(
            bucket,
            func.min(Trade.price),
            func.max(Trade.price),
            func.sum(Trade.size),
            func.sum(Trade.notional),
            func.count(),
            func.min(Trade.id),
            func.max(Trade.id),
        )
        .where(Trade.market == market, Trade.timestamp_ms >= start_ms, Trade.timestamp_ms < end_ms)
        .group_by(bucket)
        .order_by(bucket.desc())
        .limit(limit)
    ).all()
    prices = _prices_of(session, {i for row in rows for i in (row[6], row[7])})
    return [
        Candle(
            start_ms=int(row[0]) * interval_ms,
            open=prices[row[6]],
            high=int(row[2]),
            low=int(row[1]),
            close=prices[row[7]],
            volume=int(row[3]),
            notional=int(row[4]),
            trades=int(row[5]),
        )
        for row in reversed(rows)
    ]


def trade_summary(session: Session, market: str, start_ms: int, end_ms: int) -> Candle | None:
    """All of a market's trades in [start_ms, end_ms) as one candle (None: no trades)."""
    row = session.exec(
        select(
            func.min(Trade.price),
            func.max(Trade.price),
            func.sum(Trade.size),
            func.sum(Trade.notional),
            func.count(),
            func.min(Trade.id),
            func.max(Trade.id),
        ).where(Trade.market == market, Trade.timestamp_ms >= start_ms, Trade.timestamp_ms < end_ms)
    ).one()
    if not row[4]:
        return None
    prices = _prices_of(session, {row[5], row[6]})
    return Candle(
        start_ms,
        prices[row[5]],
        int(row[1]),
        int(row[0]),
        prices[row[6]],
        int(row[2]),
        int(row[3]),
        int(row[4]),
    )


def _prices_of(session: Session, trade_ids: set[Any]) -> dict[Any, int]:
    if not trade_ids:
        return {}
    rows = session.exec(select(Trade.id, Trade.price).where(col(Trade.id).in_(trade_ids)))
    return {row[0]: row[1] for row in rows}


def funding_rates(
    session: Session, market: str, before_id: int | None, limit: int
) -> list[FundingRate]:
    """A market's settled funding rates, newest first, with id below ``before_id``."""
    query = select(FundingRate).where(FundingRate.market == market)
    return newest_first(session, query, FundingRate.id, before_id, limit)


def oracle_prices(
    session: Session, market: str, before_id: int | None, limit: int
) -> list[OraclePrice]:
    """A market's recorded oracle prices, newest first, with id below ``before_id``."""
    query = select(OraclePrice).where(OraclePrice.market == market)
    return newest_first(session, query, OraclePrice.id, before_id, limit)


def public_trades(session: Session, market: str, before_id: int | None, limit: int) -> list[Trade]:
    """A market's trades, newest first, with id below ``before_id``."""
    query = select(Trade).where(Trade.market == market)
    return newest_first(session, query, Trade.id, before_id, limit)


def recent_auctions(session: Session, market: str, limit: int) -> list[Auction]:
    """A market's latest auctions, newest first."""
    query = select(Auction).where(Auction.market == market)
    return list(session.exec(query.order_by(col(Auction.start_ms).desc()).limit(limit)))


def auction_record(
    session: Session, auction_id: int
) -> tuple[Auction, list[AuctionQuote], list[AuctionSettlement]] | None:
    """One auction with its quotes and settlement fills, or None."""
    auction = session.get(Auction, auction_id)
    if auction is None:
        return None
    quotes = session.exec(
        select(AuctionQuote).where(AuctionQuote.auction_id == auction_id).order_by(AuctionQuote.id)
    )
    fills = session.exec(
        select(AuctionSettlement)
        .where(AuctionSettlement.auction_id == auction_id)
        .order_by(AuctionSettlement.id)
    )
    return auction, list(quotes), list(fills)
