"""Orders: insert once per client order id, look up by it, and change status and fills
with single conditional UPDATEs so two writers can never overwrite each other."""

from __future__ import annotations

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.domain.errors import IllegalTransition
from backend.domain.orders import ALLOWED_TRANSITIONS, OrderStatus, check_transition
from backend.store.errors import DuplicateClientOrderId, FillRefused, OrderNotFound
from backend.store.models import Order

FILLABLE = (OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)
"""Statuses from which a fill may move an order on."""


def insert_order(session: Session, order: Order) -> Order:
    """Add a new order, or raise `DuplicateClientOrderId` naming the order already there.

    The insert runs in a savepoint, so a duplicate leaves the caller's transaction usable
    (PostgreSQL would otherwise refuse every later statement in it).
    """
    try:
        with session.begin_nested():
            session.add(order)
    except IntegrityError:
        existing = order_by_client_id(session, order.user_id, order.client_order_id)
        if existing is None:
            raise
        raise DuplicateClientOrderId(order.user_id, order.client_order_id, existing.id) from None
    return order


def order_by_client_id(session: Session, user_id: int, client_order_id: str) -> Order | None:
    """The user's order with this client order id, if any."""
    statement = select(Order).where(
        Order.user_id == user_id, Order.client_order_id == client_order_id
    )
    return session.exec(statement).one_or_none()


def get_order(session: Session, order_id: int) -> Order:
    """The order with this engine id, or `OrderNotFound`."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    return order


def apply_fill(
    session: Session, order_id: int, *, size: int, quote: int, fee: int, now_ms: int
) -> Order:
    """Add one fill of ``size`` base units for ``quote`` and ``fee`` to an order.

    One UPDATE adds to ``filled`` on the row's current value and sets the status to
    partially filled or filled; it matches nothing if the order is done or the fill would
    take it past its size, and then `FillRefused` says why.
    """
    if size <= 0:
        raise FillRefused(f"a fill of order {order_id} must have a positive size, not {size}")
    new_filled = Order.filled + size
    statement = (
        update(Order)
        .where(
            Order.id == order_id,
            Order.status.in_([s.value for s in FILLABLE]),
            new_filled <= Order.size,
        )
        .values(
            filled=new_filled,
            filled_quote=Order.filled_quote + quote,
            fees_paid=Order.fees_paid + fee,
            status=case(
                (new_filled == Order.size, OrderStatus.FILLED.value),
                else_=OrderStatus.PARTIALLY_FILLED.value,
            ),
            updated_at_ms=now_ms,
        )
        .returning(Order)
        .execution_options(populate_existing=True)
    )
    updated = session.exec(statement).scalar_one_or_none()
    if updated is not None:
        return updated
    current = get_order(session, order_id)
    if current.status not in FILLABLE:
        raise FillRefused(f"order {order_id} is {current.status} and takes no more fills")
    raise FillRefused(
        f"a fill of {size} would take order {order_id} to {current.filled + size} of {current.size}"
    )


def set_order_status(
    session: Session,
    order_id: int,
    status: OrderStatus,
    *,
    now_ms: int,
    reject_reason: str | None = None,
) -> Order:
    """Move an order to ``status`` if its lifecycle allows it from the stored status.

    The UPDATE only matches rows in a status that may go to ``status`` (the domain's
    transition table), so a concurrent change is never overwritten; otherwise the
    domain's `IllegalTransition` is raised with the stored status.
    """
    sources = [old.value for old, targets in ALLOWED_TRANSITIONS.items() if status in targets]
    values: dict[str, object] = {"status": status.value, "updated_at_ms": now_ms}
    if reject_reason is not None:
        values["reject_reason"] = reject_reason
    statement = (
        update(Order)
        .where(Order.id == order_id, Order.status.in_(sources))
        .values(**values)
        .returning(Order)
        .execution_options(populate_existing=True)
    )
    updated = session.exec(statement).scalar_one_or_none()
    if updated is not None:
        return updated
    current = get_order(session, order_id)
    check_transition(OrderStatus(current.status), status)
    raise IllegalTransition(f"order {order_id} changed while moving it to {status.value}")
