"""A user's PnL by market and equity curve from the tables.

PnL is summed in SQL, one grouped query per way money reaches the account: fills as taker
and as maker (each an index range scan of its role's (user, id) index, so a self-trade
counts for both sides, as the ledger credits both), liquidations suffered and taken over,
and funding payments. Equity points are the snapshots the equity recorder writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.store.models import EquitySnapshot, FundingPayment, Liquidation, Trade, User


@dataclass(frozen=True, slots=True)
class MarketTotals:
    """A user's lifetime figures in one market (quote units)."""

    market: str
    realised_pnl: int = 0
    """PnL realised by fills and liquidations that reduced or closed positions, before
    fees and funding."""
    fees_paid: int = 0
    """Trading and liquidation fees paid (negative: rebates and liquidator fees received
    exceeded them)."""
    funding: int = 0
    """Funding received (negative: paid)."""


@dataclass(frozen=True, slots=True)
class EquityFigures:
    """What one equity snapshot records (quote units)."""

    equity: int
    collateral_value: int
    unrealised_pnl: int


def pnl_by_market(session: Session, user_id: int) -> dict[str, MarketTotals]:
    """The user's realised PnL, fees and funding per market (markets with none of them
    are absent)."""
    sums: dict[str, list[int]] = {}  # realised, fees, funding

    def add(rows: Any, *slots: int) -> None:
        for market, *values in rows:
            totals = sums.setdefault(market, [0, 0, 0])
            for slot, value in zip(slots, values, strict=True):
                totals[slot] += int(value or 0)  # PostgreSQL sums BIGINT as NUMERIC

    for user_column, realised, fee in (
        (Trade.taker_user_id, Trade.taker_realised_pnl, Trade.taker_fee),
        (Trade.maker_user_id, Trade.maker_realised_pnl, Trade.maker_fee),
    ):
        add(
            session.exec(
                select(Trade.market, func.sum(realised), func.sum(fee))
                .where(user_column == user_id)
                .group_by(Trade.market)
            ),
            0,
            1,
        )
    add(
        session.exec(
            select(
                Liquidation.market,
                func.sum(Liquidation.realised_pnl),
                func.sum(Liquidation.fee),
            )
            .where(Liquidation.user_id == user_id)
            .group_by(Liquidation.market)
        ),
        0,
        1,
    )
    add(
        session.exec(
            select(
                Liquidation.market,
                func.sum(Liquidation.liquidator_realised_pnl),
                -func.sum(Liquidation.liquidator_fee),  # received: a negative fee
            )
            .where(Liquidation.liquidator_id == user_id)
            .group_by(Liquidation.market)
        ),
        0,
        1,
    )
    add(
        session.exec(
            select(FundingPayment.market, func.sum(FundingPayment.amount))
            .where(FundingPayment.user_id == user_id)
            .group_by(FundingPayment.market)
        ),
        2,
    )
    return {
        market: MarketTotals(market, realised, fees, funding)
        for market, (realised, fees, funding) in sorted(sums.items())
    }


def equity_points(
    session: Session, user_id: int, start_ms: int, end_ms: int, limit: int
) -> list[EquitySnapshot]:
    """The user's last ``limit`` equity snapshots taken in [start_ms, end_ms), oldest
    first."""
    query = (
        select(EquitySnapshot)
        .where(
            EquitySnapshot.user_id == user_id,
            col(EquitySnapshot.time_ms) >= start_ms,
            col(EquitySnapshot.time_ms) < end_ms,
        )
        .order_by(col(EquitySnapshot.time_ms).desc(), col(EquitySnapshot.id).desc())
        .limit(limit)
    )
    return list(reversed(session.exec(query).all()))


def add_equity_snapshots(
    session: Session, figures: Mapping[str, EquityFigures], time_ms: int
) -> set[str]:
    """Add a snapshot at ``time_ms`` for each wallet in ``figures`` (by public key) that
    has a user row; the wallets written (one without a row has not been committed yet)."""
    if not figures:
        return set()
    rows = session.exec(select(User.id, User.pubkey).where(col(User.pubkey).in_(list(figures))))
    written = set()
    for user_id, pubkey in rows:
        point = figures[pubkey]
        session.add(
            EquitySnapshot(
                user_id=user_id,
                time_ms=time_ms,
                equity=point.equity,
                collateral_value=point.collateral_value,
                unrealised_pnl=point.unrealised_pnl,
            )
        )
        written.add(pubkey)
    return written
