"""Store fixtures: a migrated database of each kind (from tests/conftest.py) with one
market and two users in it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from backend.store.models import Market, Order, Trade, User
from backend.store.unit_of_work import unit_of_work

MARKET = "SOL-PERP"


@dataclass(frozen=True)
class Seeded:
    """The engine of a migrated database and the ids of its two users."""

    engine: Engine
    alice: int
    bob: int


@pytest.fixture
def seeded(db: Engine) -> Seeded:
    """``db`` with SOL-PERP and the users alice and bob."""
    with unit_of_work(db) as session:
        session.add(
            Market(
                symbol=MARKET,
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
        session.add_all([alice, bob])
        session.flush()
        return Seeded(db, alice.id, bob.id)


def make_order(order_id: int, user_id: int, cid: str, *, size: int = 10**9) -> Order:
    """A resting limit buy of ``size`` at 150."""
    return Order(
        id=order_id,
        user_id=user_id,
        market=MARKET,
        client_order_id=cid,
        side="buy",
        type="limit",
        status="open",
        size=size,
        price=150_000_000,
        created_at_ms=1,
        updated_at_ms=1,
    )


def make_trade(trade_id: int, maker: int, taker: int, *, size: int = 10**9) -> Trade:
    """A fill of ``size`` at 150 between two users."""
    return Trade(
        id=trade_id,
        market=MARKET,
        price=150_000_000,
        size=size,
        notional=150 * size // 1_000,
        taker_side="buy",
        maker_order_id=1,
        taker_order_id=2,
        maker_user_id=maker,
        taker_user_id=taker,
        timestamp_ms=trade_id,
    )
