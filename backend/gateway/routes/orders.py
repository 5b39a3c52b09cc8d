"""Orders: place, list, cancel. An answer means the order is committed."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.domain.errors import DomainError, OrderRejected, RejectCode
from backend.gateway.deps import PRIVATE_LIMIT, ContextDep, CurrentUser, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.gateway.views import find_order, open_orders
from backend.schemas.orders import OrderBody, OrderOut, to_request
from backend.services.trading.commands import Cancel, Submit

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
            result = trading.execute(Submit(request)).primary
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
    order = find_order(trading.state, user, order_id)
    if order is None:
        raise OrderRejected(
            RejectCode.ORDER_NOT_FOUND, f"no working order {order_id} for this account", "order_id"
        )
    trading.execute(Cancel(user, order.request.market, order_id))
    return OrderOut.of(order)
