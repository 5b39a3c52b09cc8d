"""Balances, positions, users and system events, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import Session

from backend.store.models import Position, UserBalance
from backend.store.repositories.accounts import add_to_balance, set_balance, upsert_position
from backend.store.repositories.system_events import recent_system_events, record_system_event
from backend.store.repositories.users import ensure_user
from backend.store.unit_of_work import unit_of_work
from tests.store.conftest import MARKET, Seeded

NEAR_INT64_MAX = 2**63 - 1_000


def test_balance_deltas_add_up_on_the_stored_value(seeded: Seeded) -> None:
    with unit_of_work(seeded.engine) as session:
        assert add_to_balance(session, seeded.alice, "USDC", 1_000_000, now_ms=1) == 1_000_000
        assert add_to_balance(session, seeded.alice, "USDC", -1_500_000, now_ms=2) == -500_000
        assert add_to_balance(session, seeded.alice, "SOL", 7, now_ms=2) == 7
    with unit_of_work(seeded.engine) as session:
        row = session.get(UserBalance, (seeded.alice, "USDC"))
        assert add_to_balance(session, seeded.alice, "USDC", 500_000, now_ms=3) == 0
        assert (row.amount, row.updated_at_ms) == (0, 3)  # the loaded row is refreshed


def test_set_balance_overwrites_and_keeps_64_bit_values_exact(seeded: Seeded) -> None:
    with unit_of_work(seeded.engine) as session:
        set_balance(session, seeded.bob, "USDC", 5, now_ms=1)
        set_balance(session, seeded.bob, "USDC", -NEAR_INT64_MAX, now_ms=2)
    with Session(seeded.engine) as session:
        assert session.get(UserBalance, (seeded.bob, "USDC")).amount == -NEAR_INT64_MAX


def test_a_position_is_inserted_then_replaced(seeded: Seeded) -> None:
    funding_index = 10**15 * 150_000_000  # beyond 64 bits: a wide column
    with unit_of_work(seeded.engine) as session:
        upsert_position(session, Position(user_id=seeded.alice, market=MARKET, updated_at_ms=1))
        stored = upsert_position(
            session,
            Position(
                user_id=seeded.alice,
                market=MARKET,
                base=-(10**15),
                quote_entry=NEAR_INT64_MAX,
                last_funding_index=-funding_index,
                updated_at_ms=2,
            ),
        )
        assert stored.base == -(10**15)
    with Session(seeded.engine) as session:
        position = session.get(Position, (seeded.alice, MARKET))
        assert (position.base, position.quote_entry, position.last_funding_index) == (
            -(10**15),
            NEAR_INT64_MAX,
            -funding_index,
        )


def test_a_wallet_gets_one_user_id_however_often_it_is_seen(seeded: Seeded) -> None:
    with unit_of_work(seeded.engine) as session:
        carol = ensure_user(session, "Carol111111111111111111111111111111111111", now_ms=9)
        assert ensure_user(session, "Carol111111111111111111111111111111111111", now_ms=10) == carol
        assert carol not in (seeded.alice, seeded.bob)
    with unit_of_work(seeded.engine) as session:
        assert ensure_user(session, "Bob11111111111111111111111111111111111111", now_ms=11) == (
            seeded.bob
        )


def test_system_events_are_recorded_newest_first(seeded: Seeded) -> None:
    with unit_of_work(seeded.engine) as session:
        first = record_system_event(session, "feed_down", "pyth stale", now_ms=1, market=MARKET)
        record_system_event(session, "restart", "replayed 12 commands", now_ms=2)
        assert first.id is not None
    with Session(seeded.engine) as session:
        kinds = [event.kind for event in recent_system_events(session)]
    assert kinds == ["restart", "feed_down"]
