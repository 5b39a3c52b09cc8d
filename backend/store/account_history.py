"""A user's history from the tables: finished orders and funding payments, newest first."""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from backend.domain.orders import OrderStatus
from backend.store.models import FundingPayment, Order
from backend.store.paging import newest_first

FINISHED = tuple(status.value for status in OrderStatus if status.is_terminal)
"""Order statuses that end an order's life."""


def order_history(
    session: Session,
    user_id: int,
    market: str | None,
    before: tuple[int, int] | None,
    limit: int,
) -> list[Order]:
    """The user's finished orders, newest first; ``before`` is the (created_at_ms, id) of
    the last order of the previous page."""
    query = select(Order).where(Order.user_id == user_id, col(Order.status).in_(FINISHED))
    if market is not None:
        query = query.where(Order.market == market)
    if before is not None:
        created, order_id = before
        query = query.where(
            or_(
                col(Order.created_at_ms) < created,
                and_(col(Order.created_at_ms) == created, col(Order.id) < order_id),
            )
        )
    order = (col(Order.created_at_ms).desc(), col(Order.id).desc())
    return list(session.exec(query.order_by(*order).limit(limit)))


def funding_payments(
    session: Session, user_id: int, market: str | None, before_id: int | None, limit: int
) -> list[FundingPayment]:
    """The user's funding payments, newest first, with id below ``before_id``."""
    query = select(FundingPayment).where(FundingPayment.user_id == user_id)
    if market is not None:
        query = query.where(FundingPayment.market == market)
    return newest_first(session, query, FundingPayment.id, before_id, limit)
