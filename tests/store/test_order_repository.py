"""Orders: one per client order id, fills and status changes as conditional updates."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from backend.domain.errors import IllegalTransition
from backend.domain.orders import OrderStatus
from backend.store.errors import DuplicateClientOrderId, FillRefused, OrderNotFound
from backend.store.models import Order, Trade, UserBalance
from backend.store.repositories.accounts import add_to_balance
from backend.store.repositories.orders import (
    apply_fill,
    get_order,
    insert_order,
    order_by_client_id,
    set_order_status,
)
from backend.store.repositories.trades import record_trades
from backend.store.unit_of_work import unit_of_work
from tests.store.conftest import MARKET, Seeded, make_order, make_trade


def test_an_order_keeps_every_request_field(seeded: Seeded) -> None:
    order = Order(
        id=42,
        user_id=seeded.alice,
        market=MARKET,
        client_order_id="bracket-1",
        side="sell",
        type="stop_limit",
        status="pending",
        size=3 * 10**9,
        price=149_000_000,
        trigger_price=149_500_000,
        trigger_reference="oracle",
        trailing_amount=1_000_000,
        trailing_percent=5_000,
        visible_size=10**9,
        twap_duration_s=600,
        twap_slices=10,
        take_profit_price=160_000_000,
        stop_loss_price=140_000_000,
        time_in_force="ioc",
        expire_at_ms=1_700_000_000_000,
        post_only=True,
        reduce_only=True,
        parent_id=41,
        linked_ids="43,44",
        created_at_ms=1_700_000_000_000,
        updated_at_ms=1_700_000_000_000,
    )
    with unit_of_work(seeded.engine) as session:
        insert_order(session, order)
    with Session(seeded.engine) as session:
        stored = order_by_client_id(session, seeded.alice, "bracket-1")
        assert stored is not None
        assert stored.model_dump() == order.model_dump()
        assert order_by_client_id(session, seeded.bob, "bracket-1") is None


def test_a_retried_client_order_id_names_the_first_order_and_keeps_the_transaction(
    seeded: Seeded,
) -> None:
    with unit_of_work(seeded.engine) as session:
        insert_order(session, make_order(1, seeded.alice, "retry-me"))
    with unit_of_work(seeded.engine) as session:
        with pytest.raises(DuplicateClientOrderId) as refused:
            insert_order(session, make_order(2, seeded.alice, "retry-me"))
        assert refused.value.existing_order_id == 1
        # The same transaction goes on and commits (PostgreSQL included: a savepoint).
        insert_order(session, make_order(3, seeded.bob, "retry-me"))
    with Session(seeded.engine) as session:
        assert session.get(Order, 2) is None
        assert get_order(session, 3).user_id == seeded.bob


def test_an_order_its_fills_and_balances_commit_together_or_not_at_all(seeded: Seeded) -> None:
    unknown_user = 999_999
    with pytest.raises(IntegrityError), unit_of_work(seeded.engine) as session:
        insert_order(session, make_order(10, seeded.alice, "taker"))
        add_to_balance(session, seeded.alice, "USDC", -500, now_ms=5)
        apply_fill(session, 10, size=10**8, quote=15_000_000, fee=7, now_ms=5)
        record_trades(session, [make_trade(1, seeded.bob, seeded.alice)])
        # The foreign key is enforced (on SQLite too): this insert fails mid-way.
        record_trades(session, [make_trade(2, unknown_user, seeded.alice)])
        add_to_balance(session, seeded.bob, "USDC", 500, now_ms=5)
    with Session(seeded.engine) as session:
        assert session.get(Order, 10) is None
        assert session.get(Trade, 1) is None
        assert session.get(UserBalance, (seeded.alice, "USDC")) is None


def test_fills_accumulate_on_the_stored_row_and_finish_the_order(seeded: Seeded) -> None:
    with unit_of_work(seeded.engine) as session:
        insert_order(session, make_order(7, seeded.alice, "c7", size=10 * 10**8))
    with Session(seeded.engine) as reader:
        stale = get_order(reader, 7)  # loaded before the fills below
    with unit_of_work(seeded.engine) as session:
        first = apply_fill(session, 7, size=4 * 10**8, quote=60_000_000, fee=30, now_ms=2)
        assert (first.status, first.filled) == (OrderStatus.PARTIALLY_FILLED, 4 * 10**8)
    with unit_of_work(seeded.engine) as session:
        session.add(stale)  # a stale copy in the session does not hide the stored fill
        last = apply_fill(session, 7, size=6 * 10**8, quote=90_000_000, fee=45, now_ms=3)
        assert last is stale
        assert (last.status, last.filled, last.filled_quote, last.fees_paid) == (
            OrderStatus.FILLED,
            10**9,
            150_000_000,
            75,
        )
        assert last.updated_at_ms == 3


def test_a_fill_past_the_size_or_after_the_end_is_refused_and_changes_nothing(
    seeded: Seeded,
) -> None:
    with unit_of_work(seeded.engine) as session:
        insert_order(session, make_order(8, seeded.alice, "c8", size=10**9))
        apply_fill(session, 8, size=9 * 10**8, quote=1, fee=0, now_ms=2)
    with unit_of_work(seeded.engine) as session:
        with pytest.raises(FillRefused, match="of 1000000000"):
            apply_fill(session, 8, size=2 * 10**8, quote=1, fee=0, now_ms=3)
        set_order_status(session, 8, OrderStatus.CANCELLED, now_ms=3)
        with pytest.raises(FillRefused, match="cancelled"):
            apply_fill(session, 8, size=10**8, quote=1, fee=0, now_ms=4)
        with pytest.raises(FillRefused, match="positive"):
            apply_fill(session, 8, size=0, quote=0, fee=0, now_ms=4)
        with pytest.raises(OrderNotFound):
            apply_fill(session, 999, size=1, quote=1, fee=0, now_ms=4)
    with Session(seeded.engine) as session:
        order = get_order(session, 8)
        assert (order.status, order.filled) == (OrderStatus.CANCELLED, 9 * 10**8)


def test_status_changes_follow_the_order_lifecycle(seeded: Seeded) -> None:
    with unit_of_work(seeded.engine) as session:
        insert_order(session, make_order(9, seeded.alice, "c9"))
        pending = make_order(11, seeded.alice, "c11")
        pending.status = OrderStatus.PENDING
        insert_order(session, pending)
    with unit_of_work(seeded.engine) as session:
        rejected = set_order_status(
            session, 11, OrderStatus.REJECTED, now_ms=6, reject_reason="margin"
        )
        assert (rejected.status, rejected.reject_reason) == (OrderStatus.REJECTED, "margin")
        assert set_order_status(session, 9, OrderStatus.EXPIRED, now_ms=6).status == "expired"
        with pytest.raises(IllegalTransition, match="from expired to open"):
            set_order_status(session, 9, OrderStatus.OPEN, now_ms=7)
        with pytest.raises(OrderNotFound):
            set_order_status(session, 404, OrderStatus.CANCELLED, now_ms=7)
    with Session(seeded.engine) as session:
        assert get_order(session, 9).updated_at_ms == 6
