"""Migrations, models and the database agree, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.store.database import create_engine_for
from backend.store.migrate import schema_differences, upgrade_to_head
from backend.store.models import Command, Market, Order, Trade, User, UserBalance
from backend.store.trade_history import trades_after

ALL_TABLES = {
    "users",
    "markets",
    "orders",
    "trades",
    "positions",
    "user_balances",
    "oracle_prices",
    "funding_rates",
    "funding_payments",
    "liquidations",
    "auctions",
    "auction_quotes",
    "auction_settlements",
    "system_events",
    "market_stats",
    "user_stats",
    "commands",
}


def _seed(session: Session) -> tuple[int, int]:
    session.add(
        Market(
            symbol="SOL-PERP",
            base_asset="SOL",
            tick_size=1_000,
            lot_size=10_000_000,
            min_size=10_000_000,
            max_leverage=10,
            initial_margin_ratio=100_000,
            maintenance_margin_ratio=50_000,
            maker_fee=200,
            taker_fee=500,
            liquidation_fee=15_000,
            funding_period_s=3600,
            pyth_feed_id="ef" * 32,
        )
    )
    alice = User(pubkey="Alice1111111111111111111111111111111111111", created_at_ms=1)
    bob = User(pubkey="Bob11111111111111111111111111111111111111", created_at_ms=1)
    session.add(alice)
    session.add(bob)
    session.commit()
    return alice.id, bob.id


def _order(order_id: int, user_id: int, cid: str) -> Order:
    return Order(
        id=order_id,
        user_id=user_id,
        market="SOL-PERP",
        client_order_id=cid,
        side="buy",
        type="limit",
        status="open",
        size=10**9,
        price=150_000_000,
        created_at_ms=1,
        updated_at_ms=1,
    )


def _trade(trade_id: int, maker: int, taker: int) -> Trade:
    return Trade(
        id=trade_id,
        market="SOL-PERP",
        price=150_000_000,
        size=10**9,
        taker_side="buy",
        maker_order_id=1,
        taker_order_id=2,
        maker_user_id=maker,
        taker_user_id=taker,
        timestamp_ms=trade_id,
    )


def test_migrations_create_every_table_and_match_the_models(db) -> None:
    assert set(inspect(db).get_table_names()) >= ALL_TABLES
    assert schema_differences(db) == []


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade_to_head(url)
    engine = create_engine_for(url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_client_order_id_is_unique_per_user(db) -> None:
    with Session(db) as session:
        alice, bob = _seed(session)
        session.add(_order(1, alice, "same"))
        session.add(_order(2, bob, "same"))
        session.commit()
        session.add(_order(3, alice, "same"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_an_order_and_its_fills_commit_together_or_not_at_all(db) -> None:
    with Session(db) as session:
        alice, bob = _seed(session)
        session.add(_order(10, alice, "a"))
        session.add(_trade(1, bob, alice))
        session.add(_trade(1, bob, alice))  # a duplicate trade id fails the whole commit
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        assert session.get(Order, 10) is None
        assert session.get(Trade, 1) is None


def test_large_fixed_point_values_round_trip_exactly(db) -> None:
    big = 9_000_000_000_000_000_000  # near the top of a signed 64-bit integer
    with Session(db) as session:
        alice, _ = _seed(session)
        session.add(UserBalance(user_id=alice, asset="USDC", amount=-big, updated_at_ms=1))
        session.commit()
    with Session(db) as session:
        assert session.get(UserBalance, (alice, "USDC")).amount == -big


def test_trade_cursor_returns_each_of_a_users_trades_once_in_order(db) -> None:
    with Session(db) as session:
        alice, bob = _seed(session)
        for trade_id in range(1, 26):
            maker, taker = (alice, bob) if trade_id % 2 else (bob, alice)
            session.add(_trade(trade_id, maker, taker))
        session.commit()
        seen, cursor = [], 0
        while page := trades_after(session, alice, cursor, limit=7):
            seen.extend(t.id for t in page)
            cursor = page[-1].id
        assert seen == list(range(1, 26))
        assert trades_after(session, alice, 25) == []


def test_command_log_ids_count_up_from_one(db) -> None:
    with Session(db) as session:
        for kind in ("deposit", "submit", "cancel"):
            session.add(Command(kind=kind, market="SOL-PERP", payload="{}", at_ms=1))
        session.commit()
        ids = [c.id for c in session.exec(select(Command).order_by(Command.id))]
    assert ids == [1, 2, 3]
