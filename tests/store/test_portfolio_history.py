"""A user's PnL by market and equity curve from the tables, on SQLite and PostgreSQL: sums
over both roles of fills (a self-trade counts for both), both sides of liquidations and
funding payments; equity points oldest first within a range; and the migration that
added the realised PnL columns gives the rows before it 0."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from backend.store.database import create_engine_for
from backend.store.migrate import alembic_config, upgrade_to_head
from backend.store.models import FundingPayment, FundingRate, Liquidation, Trade
from backend.store.portfolio_history import (
    EquityFigures,
    MarketTotals,
    add_equity_snapshots,
    equity_points,
    pnl_by_market,
)
from backend.store.unit_of_work import unit_of_work
from tests.store.conftest import MARKET, Seeded, make_trade

ALICE = "Alice1111111111111111111111111111111111111"
BOB = "Bob11111111111111111111111111111111111111"


def _trade(trade_id: int, maker: int, taker: int, realised: tuple[int, int], fees=(2, 5)):
    """A fill with the maker's and the taker's realised PnL and fees."""
    row = make_trade(trade_id, maker, taker)
    row.maker_realised_pnl, row.taker_realised_pnl = realised
    row.maker_fee, row.taker_fee = fees
    return row


def _liquidation(user: int, liquidator: int, realised: int, liquidator_realised: int):
    return Liquidation(
        user_id=user,
        liquidator_id=liquidator,
        market=MARKET,
        base=10**9,
        price=140_000_000,
        fee=7,
        liquidator_fee=3,
        insurance_fee=4,
        realised_pnl=realised,
        liquidator_realised_pnl=liquidator_realised,
        created_at_ms=1,
    )


def test_pnl_sums_both_roles_liquidations_and_funding_per_market(seeded: Seeded) -> None:
    alice, bob = seeded.alice, seeded.bob
    with unit_of_work(seeded.engine) as session:
        session.add_all(
            [
                _trade(1, maker=alice, taker=bob, realised=(100, -100)),
                _trade(2, maker=bob, taker=alice, realised=(-30, 30)),
                _trade(3, maker=alice, taker=alice, realised=(11, -4)),  # a self-trade
                _liquidation(bob, alice, realised=-50, liquidator_realised=9),
            ]
        )
        rate = FundingRate(
            market=MARKET, rate=1, mark_twap=1, oracle_twap=1, cumulative_index=1, settled_at_ms=1
        )
        session.add(rate)
        session.flush()
        for user, amount in ((alice, -6), (alice, -4), (bob, 10)):
            session.add(
                FundingPayment(
                    funding_rate_id=rate.id,
                    user_id=user,
                    market=MARKET,
                    base=10**9,
                    amount=amount,
                    settled_at_ms=1,
                )
            )
    with Session(seeded.engine) as session:
        alices = pnl_by_market(session, alice)
        bobs = pnl_by_market(session, bob)
        nobody = pnl_by_market(session, 999)
    # alice: 100 + 30 + 11 - 4 realised, 9 more taking over bob's position; fees 2 + 5 + 2 +
    # 5 less the 3 she earned liquidating; funding -10
    assert alices == {MARKET: MarketTotals(MARKET, 146, 11, -10)}
    # bob: -100 - 30 realised and -50 liquidated; fees 5 + 2 + the liquidation's 7
    assert bobs == {MARKET: MarketTotals(MARKET, -180, 14, 10)}
    assert nobody == {}


def test_equity_points_are_the_last_ones_in_the_range_oldest_first(seeded: Seeded) -> None:
    with unit_of_work(seeded.engine) as session:
        for minute in range(6):
            figures = {ALICE: EquityFigures(1_000 + minute, 1_000, minute)}
            if minute % 2 == 0:
                figures[BOB] = EquityFigures(500, 500, 0)
            figures["never-signed-in"] = EquityFigures(1, 1, 0)
            written = add_equity_snapshots(session, figures, time_ms=60_000 * minute)
            assert written == set(figures) - {"never-signed-in"}  # no user row: skipped
    with Session(seeded.engine) as session:
        every = equity_points(session, seeded.alice, 0, 10**12, 100)
        assert [p.time_ms for p in every] == [60_000 * m for m in range(6)]
        assert [p.equity for p in every] == [1_000 + m for m in range(6)]
        assert [p.unrealised_pnl for p in every] == list(range(6))
        ranged = equity_points(session, seeded.alice, 60_000, 240_000, 100)
        assert [p.time_ms for p in ranged] == [60_000, 120_000, 180_000]  # the end is excluded
        assert [p.time_ms for p in equity_points(session, seeded.alice, 0, 10**12, 2)] == [
            240_000,
            300_000,
        ]
        assert [p.time_ms for p in equity_points(session, seeded.bob, 0, 10**12, 100)] == [
            0,
            120_000,
            240_000,
        ]
    with unit_of_work(seeded.engine) as session:
        assert add_equity_snapshots(session, {}, time_ms=1) == set()


def test_trades_and_liquidations_recorded_before_the_pnl_columns_get_zero(
    database_url: str,
) -> None:
    command.upgrade(alembic_config(database_url), "b630b503e9ad")
    engine = create_engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (pubkey, created_at_ms, is_admin) VALUES ('alice', 1, false),"
                " ('bob', 1, false)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO markets (symbol, base_asset, tick_size, lot_size, min_size,"
                " max_leverage, initial_margin_ratio, maintenance_margin_ratio, maker_fee,"
                " taker_fee, liquidation_fee, funding_period_s, pyth_feed_id, halted) VALUES"
                " ('SOL-PERP', 'SOL', 1, 1, 1, 20, 50000, 30000, 200, 500, 10000, 3600, 'x',"
                " false)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO trades (id, market, price, size, notional, taker_side,"
                " taker_order_id, maker_user_id, taker_user_id, maker_fee, taker_fee,"
                " timestamp_ms) VALUES (1, 'SOL-PERP', 150, 1, 1, 'buy', 9, 1, 2, 3, 4, 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO liquidations (user_id, liquidator_id, market, base, price, fee,"
                " liquidator_fee, insurance_fee, insurance_draw, socialised_loss,"
                " created_at_ms) VALUES (1, 2, 'SOL-PERP', 1, 140, 7, 3, 4, 0, 0, 1)"
            )
        )
    upgrade_to_head(database_url)
    with Session(engine) as session:
        trade = session.exec(select(Trade)).one()
        liquidation = session.exec(select(Liquidation)).one()
        assert (trade.maker_realised_pnl, trade.taker_realised_pnl) == (0, 0)
        assert (trade.maker_fee, trade.taker_fee) == (3, 4)  # the rest as it was
        assert (liquidation.realised_pnl, liquidation.liquidator_realised_pnl) == (0, 0)
        assert pnl_by_market(session, 1) == {MARKET: MarketTotals(MARKET, 0, 3 + 7, 0)}
    engine.dispose()
    command.downgrade(alembic_config(database_url), "b630b503e9ad")  # and back down
    command.upgrade(alembic_config(database_url), "head")
