"""A user's history in the order it happened, after a cursor: what a client's local cache
asks for to catch up (orders by when they last changed; funding payments, liquidations and
transfers by id). Each page starts just after the last row of the previous one."""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from backend.store.models import FundingPayment, Liquidation, Order, Transfer


def orders_changed_after(
    session: Session, user_id: int, after: tuple[int, int] | None, limit: int
) -> list[Order]:
    """The user's orders changed after ``after`` (updated time, order id), oldest change
    first: new orders and every later change of status, fill or price."""
    query = select(Order).where(Order.user_id == user_id)
    if after is not None:
        updated, order_id = after
        query = query.where(
            or_(
                col(Order.updated_at_ms) > updated,
                and_(col(Order.updated_at_ms) == updated, col(Order.id) > order_id),
            )
        )
    order = (col(Order.updated_at_ms), col(Order.id))
    return list(session.exec(query.order_by(*order).limit(limit)))


def funding_after(
    session: Session, user_id: int, after_id: int, limit: int
) -> list[FundingPayment]:
    """The user's funding payments with an id above ``after_id``, oldest first."""
    query = select(FundingPayment).where(
        FundingPayment.user_id == user_id, col(FundingPayment.id) > after_id
    )
    return list(session.exec(query.order_by(col(FundingPayment.id)).limit(limit)))


def liquidations_after(
    session: Session, user_id: int, after_id: int, limit: int
) -> list[Liquidation]:
    """Slices of the user's positions liquidated, id above ``after_id``, oldest first."""
    query = select(Liquidation).where(
        Liquidation.user_id == user_id, col(Liquidation.id) > after_id
    )
    return list(session.exec(query.order_by(col(Liquidation.id)).limit(limit)))


def transfers_after(session: Session, user_id: int, after_id: int, limit: int) -> list[Transfer]:
    """The user's deposits and withdrawals with an id above ``after_id``, oldest first."""
    query = select(Transfer).where(Transfer.user_id == user_id, col(Transfer.id) > after_id)
    return list(session.exec(query.order_by(col(Transfer.id)).limit(limit)))
