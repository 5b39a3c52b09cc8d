"""Totals and indices wider than 64 bits are exact, and existing rows survive widening."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from backend.store.database import create_engine_for
from backend.store.migrate import alembic_config, schema_differences, upgrade_to_head
from backend.store.models import FundingRate, MarketStats, Position, UserStats
from backend.store.unit_of_work import unit_of_work
from tests.store.conftest import MARKET, Seeded

INITIAL_REVISION = "df77140de58c"
BTC_PRICE = 100_000 * 10**6
HUGE = 10**15 * BTC_PRICE  # 10^15 base units times a price: 1e26, far past 2^63


def test_products_of_sizes_and_prices_round_trip_exactly(seeded: Seeded) -> None:
    with unit_of_work(seeded.engine) as session:
        session.add(
            MarketStats(
                market=MARKET,
                volume_24h=HUGE + 1,
                quote_volume_24h=10**38 - 1,
                open_interest=HUGE,
                updated_at_ms=1,
            )
        )
        session.add(
            UserStats(
                user_id=seeded.alice,
                trades=2**63 - 1,
                volume=HUGE,
                fees_paid=HUGE + 7,
                realised_pnl=-(10**38 - 1),
                funding_paid=-HUGE,
                updated_at_ms=1,
            )
        )
        session.add(
            FundingRate(
                market=MARKET,
                rate=1,
                mark_twap=BTC_PRICE,
                oracle_twap=BTC_PRICE,
                cumulative_index=-HUGE - 3,
                settled_at_ms=1,
            )
        )
    with Session(seeded.engine) as session:
        stats = session.get(MarketStats, MARKET)
        assert (stats.volume_24h, stats.quote_volume_24h, stats.open_interest) == (
            HUGE + 1,
            10**38 - 1,
            HUGE,
        )
        user = session.get(UserStats, seeded.alice)
        assert (user.trades, user.volume, user.fees_paid, user.realised_pnl) == (
            2**63 - 1,
            HUGE,
            HUGE + 7,
            -(10**38 - 1),
        )
        assert type(user.funding_paid) is int
        assert user.funding_paid == -HUGE
        assert session.get(FundingRate, 1).cumulative_index == -HUGE - 3


@pytest.mark.parametrize(("value", "error"), [(10**38, "more than 38 digits"), (1.5, "an int")])
def test_a_wide_column_refuses_what_it_cannot_keep_exactly(
    seeded: Seeded, value: object, error: str
) -> None:
    with pytest.raises(StatementError, match=error), unit_of_work(seeded.engine) as session:
        session.add(MarketStats(market=MARKET, volume_24h=value, updated_at_ms=1))


def test_widening_keeps_the_rows_already_stored(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), INITIAL_REVISION)
    engine = create_engine_for(database_url)
    index = 2**63 - 5
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO markets (symbol, base_asset, tick_size, lot_size, min_size,"
                " max_leverage, initial_margin_ratio, maintenance_margin_ratio, maker_fee,"
                " taker_fee, liquidation_fee, funding_period_s, pyth_feed_id, halted)"
                " VALUES (:m, 'SOL', 1, 1, 1, 10, 1, 1, 1, 1, 1, 3600, 'feed', false)"
            ),
            {"m": MARKET},
        )
        connection.execute(
            text("INSERT INTO users (pubkey, is_admin, created_at_ms) VALUES ('A', false, 1)")
        )
        connection.execute(
            text(
                "INSERT INTO positions (user_id, market, base, quote_entry, last_funding_index,"
                " updated_at_ms) VALUES (1, :m, -3, 4, :i, 1)"
            ),
            {"m": MARKET, "i": -index},
        )
    upgrade_to_head(database_url)
    try:
        assert schema_differences(engine) == []
        with Session(engine) as session:
            position = session.get(Position, (1, MARKET))
            assert (position.base, position.last_funding_index) == (-3, -index)
    finally:
        engine.dispose()
