"""The order status state machine."""

from __future__ import annotations

import pytest

from backend.domain.errors import IllegalTransition, RejectCode
from backend.domain.orders import (
    ALLOWED_TRANSITIONS,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
)


def _order() -> Order:
    request = OrderRequest("alice", "SOL-PERP", Side.BUY, OrderType.LIMIT, 10**9, "c1", 150 * 10**6)
    return Order(order_id=1, request=request, created_at_ms=0)


def test_open_order_fills_through_partial() -> None:
    order = _order()
    order.move_to(OrderStatus.PARTIALLY_FILLED)
    order.move_to(OrderStatus.FILLED)
    assert order.status is OrderStatus.FILLED


@pytest.mark.parametrize("terminal", [s for s in OrderStatus if s.is_terminal])
def test_terminal_states_allow_nothing(terminal: OrderStatus) -> None:
    order = _order()
    order.status = terminal
    for new in OrderStatus:
        with pytest.raises(IllegalTransition) as raised:
            order.move_to(new)
        assert raised.value.code is RejectCode.ILLEGAL_TRANSITION


def test_open_order_cannot_go_back_to_pending() -> None:
    order = _order()
    with pytest.raises(IllegalTransition, match="open to pending"):
        order.move_to(OrderStatus.PENDING)


def test_every_status_has_a_transition_row() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(OrderStatus)


def test_side_sign_and_opposite() -> None:
    assert Side.BUY.sign == 1 and Side.SELL.sign == -1
    assert Side.BUY.opposite is Side.SELL
