"""Orders: place, list, look up, modify, cancel. An answer means the change is committed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.domain.errors import DomainError, OrderRejected, RejectCode
from backend.domain.orders import Order
from backend.gateway.deps import PRIVATE_LIMIT, ContextDep, CurrentUser, HistoryDep, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import find_by_client_id, find_order, open_orders, order_record_out
from backend.schemas.orders import (
    ModifyBody,
    OrderBody,
    OrderOut,
    OrderPage,
    modify_values,
    to_request,
)
from backend.services.trading.commands import Cancel, CancelAll, Modify, Submit
from backend.services.trading.service import TradingService

router = APIRouter(
    prefix="/api/orders", tags=["orders"], responses=ERROR_RESPONSES, dependencies=PRIVATE_LIMIT
)


@router.post("", status_code=201)
async def place(
    body: OrderBody,
    user: CurrentUser,
    context: ContextDep,
    trading: TradingDep,
    response: Response,
) -> OrderOut:
    """Place an order. A repeated client order id answers the original order (200)."""
    with context.metrics.order_latency.time():
        try:
            request = to_request(body, user, context.catalog)
            result = (await trading.execute_durably(Submit(request))).primary
        except DomainError:
            context.metrics.orders.labels(result="rejected").inc()
            raise
    context.metrics.orders.labels(result="accepted").inc()
    if result.duplicate:
        response.status_code = 200
    return OrderOut.of(result.order)


@router.get("")
async def list_open(user: CurrentUser, trading: TradingDep) -> list[OrderOut]:
    """The user's working orders."""
    return [OrderOut.of(order) for order in open_orders(trading.state, user)]


@router.delete("/{order_id}")
async def cancel(order_id: int, user: CurrentUser, trading: TradingDep) -> OrderOut:
    """Cancel one of the user's working orders."""
    order = _owned(trading, user, order_id)
    await trading.execute_durably(Cancel(user, order.request.market, order_id))
    return OrderOut.of(order)


@router.get("/by-client-id/{client_order_id}")
async def by_client_id(client_order_id: str, user: CurrentUser, trading: TradingDep) -> OrderOut:
    """One of the user's orders, working or finished, by its client order id."""
    order = find_by_client_id(trading.state, user, client_order_id)
    if order is None:
        raise OrderRejected(
            RejectCode.ORDER_NOT_FOUND,
            f"no order with client id {client_order_id!r}",
            "client_order_id",
        )
    return OrderOut.of(order)


@router.patch("/{order_id}")
async def modify(
    order_id: int, body: ModifyBody, user: CurrentUser, trading: TradingDep
) -> OrderOut:
    """Change a resting order's price and/or size; shrinking keeps its queue priority."""
    price, size = modify_values(body)
    order = _owned(trading, user, order_id)
    await trading.execute_durably(Modify(user, order.request.market, order_id, price, size))
    return OrderOut.of(order)


@router.delete("")
async def cancel_all(
    user: CurrentUser,
    context: ContextDep,
    trading: TradingDep,
    market: Annotated[str | None, Query(max_length=32)] = None,
) -> list[OrderOut]:
    """Cancel every working order of the user, in one market or everywhere."""
    if market is not None and market not in context.catalog.markets:
        raise OrderRejected(RejectCode.UNKNOWN_MARKET, f"unknown market {market}", "market")
    outcome = await trading.execute_durably(CancelAll(user, market))
    return [OrderOut.of(o) for result in outcome.results for o in result.changed]


def _owned(trading: TradingService, user: str, order_id: int) -> Order:
    """The user's working order ``order_id``, or `order_not_found`."""
    order = find_order(trading.state, user, order_id)
    if order is None:
        raise OrderRejected(
            RejectCode.ORDER_NOT_FOUND, f"no working order {order_id} for this account", "order_id"
        )
    return order


@router.get("/history")
async def order_history(
    user: CurrentUser,
    history: HistoryDep,
    market: Annotated[str | None, Query(max_length=32)] = None,
    cursor: Annotated[str | None, Query(max_length=40, pattern=r"^\d{1,19}-\d{1,19}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 200,
) -> OrderPage:
    """The user's finished orders (filled, cancelled, expired), newest first; pass
    ``next_cursor`` back as ``cursor`` for the next page."""
    before = None
    if cursor is not None:
        created, order_id = cursor.split("-")
        before = (int(created), int(order_id))
    rows = history.order_history(user, market, before, limit)
    next_cursor = f"{rows[-1].created_at_ms}-{rows[-1].id}" if len(rows) == limit else None
    return OrderPage(orders=[order_record_out(row) for row in rows], next_cursor=next_cursor)
