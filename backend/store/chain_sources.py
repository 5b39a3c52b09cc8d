"""What the chain has yet to settle, read from the store: fills after a trade id, funding
periods after a funding id, and the holders' funding payments after a payment id."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from backend.store.models.funding import FundingPayment, FundingRate
from backend.store.models.liquidation import LiquidationEvent
from backend.store.models.position import Position
from backend.store.models.trade import Trade
from backend.store.models.user import User


@dataclass(frozen=True, slots=True)
class FillToSettle:
    """One committed fill, with its two wallets."""

    trade_id: int
    market: str
    taker: str
    maker: str
    taker_side: str
    price: int
    size: int


@dataclass(frozen=True, slots=True)
class FundingPeriodToSettle:
    """One closed funding period of a market."""

    funding_id: int
    market: str
    mark_twap: int
    oracle_twap: int
    settled_at_ms: int
    last_trade_id: int | None
    """The market's last trade id when the period closed (None on rows older than that
    column: then fills count as before it up to the period's time)."""


@dataclass(frozen=True, slots=True)
class FundingPaymentToSettle:
    """One holder's payment in a closed funding period."""

    payment_id: int
    funding_id: int
    market: str
    holder: str


def fills_after(
    session: Session,
    market: str,
    cursor: int,
    limit: int,
    before: FundingPeriodToSettle | None = None,
    through: int | None = None,
) -> list[FillToSettle]:
    """``market``'s fills with a trade id above ``cursor``, oldest first (trade ids grow
    within a market); with ``before``, only those that came before that funding period."""
    taker, maker = aliased(User), aliased(User)
    rows = session.exec(
        select(Trade, taker.pubkey, maker.pubkey)
        .join(taker, col(Trade.taker_user_id) == taker.id)
        .join(maker, col(Trade.maker_user_id) == maker.id)
        .where(Trade.market == market)
        .where(col(Trade.id) > cursor)
        .where(True if before is None else _before(before))
        .where(True if through is None else col(Trade.id) <= through)
        .order_by(col(Trade.id))
        .limit(limit)
    ).all()
    return [
        FillToSettle(t.id, t.market, taker_key, maker_key, t.taker_side, t.price, t.size)
        for t, taker_key, maker_key in rows
    ]


def funding_periods_after(
    session: Session, market: str, cursor: int, limit: int
) -> list[FundingPeriodToSettle]:
    """``market``'s funding periods with an id above ``cursor``, oldest first."""
    periods = session.exec(
        select(FundingRate)
        .where(FundingRate.market == market)
        .where(col(FundingRate.id) > cursor)
        .order_by(col(FundingRate.id))
        .limit(limit)
    ).all()
    return [
        FundingPeriodToSettle(
            p.id or 0, p.market, p.mark_twap, p.oracle_twap, p.settled_at_ms, p.last_trade_id
        )
        for p in periods
    ]


def funding_payments_after(
    session: Session, market: str, cursor: int, through_period: int, limit: int
) -> list[FundingPaymentToSettle]:
    """``market``'s payments with an id above ``cursor`` of periods up to
    ``through_period``, oldest first."""
    rows = session.exec(
        select(FundingPayment, User.pubkey)
        .join(User, col(FundingPayment.user_id) == User.id)
        .where(FundingPayment.market == market)
        .where(col(FundingPayment.id) > cursor)
        .where(col(FundingPayment.funding_rate_id) <= through_period)
        .order_by(col(FundingPayment.id))
        .limit(limit)
    ).all()
    return [
        FundingPaymentToSettle(p.id or 0, p.funding_rate_id, p.market, pubkey) for p, pubkey in rows
    ]


def unsettled_fill_before(session: Session, cursor: int, period: FundingPeriodToSettle) -> bool:
    """Whether a fill of the period's market above ``cursor`` came before ``period``."""
    found = session.exec(
        select(Trade.id)
        .where(Trade.market == period.market)
        .where(col(Trade.id) > cursor)
        .where(_before(period))
        .limit(1)
    ).first()
    return found is not None


def _before(period: FundingPeriodToSettle) -> ColumnElement[bool]:
    """The condition on a fill of the period's market that it came before the period."""
    if period.last_trade_id is not None:
        return col(Trade.id) <= period.last_trade_id
    return col(Trade.timestamp_ms) <= period.settled_at_ms


def last_payment_before(session: Session, market: str, funding_id: int) -> int:
    """The highest funding payment id of ``market``'s periods before ``funding_id`` (0: none)."""
    found = session.exec(
        select(func.max(FundingPayment.id))
        .where(FundingPayment.market == market)
        .where(col(FundingPayment.funding_rate_id) < funding_id)
    ).first()
    return found or 0


@dataclass(frozen=True, slots=True)
class LiquidationToSettle:
    """One liquidation, with every market as it stood then."""

    event_id: int
    account: str
    liquidator: str
    markets: dict[str, tuple[int, int, int]]
    """(mark, oracle, last trade id) by symbol."""
    created_at_ms: int


def liquidations_after(session: Session, cursor: int, limit: int) -> list[LiquidationToSettle]:
    """Liquidations with an id above ``cursor``, oldest first."""
    account, liquidator = aliased(User), aliased(User)
    rows = session.exec(
        select(LiquidationEvent, account.pubkey, liquidator.pubkey)
        .join(account, col(LiquidationEvent.user_id) == account.id)
        .join(liquidator, col(LiquidationEvent.liquidator_id) == liquidator.id)
        .where(col(LiquidationEvent.id) > cursor)
        .order_by(col(LiquidationEvent.id))
        .limit(limit)
    ).all()
    return [
        LiquidationToSettle(
            event.id or 0,
            account_key,
            liquidator_key,
            {m: (v[0], v[1], v[2]) for m, v in json.loads(event.markets).items()},
            event.created_at_ms,
        )
        for event, account_key, liquidator_key in rows
    ]


def holders_in(session: Session, markets: list[str]) -> list[str]:
    """Every account that has held a position in one of ``markets``, by key."""
    return list(
        session.exec(
            select(User.pubkey)
            .join(Position, col(Position.user_id) == User.id)
            .where(col(Position.market).in_(markets))
            .distinct()
            .order_by(col(User.pubkey))
        ).all()
    )
