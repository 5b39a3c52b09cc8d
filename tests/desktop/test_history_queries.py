"""The queries the History panel adds to the cache's: the count of the orders it pages
through, the span of the fills, and when the cache was last synced."""

from __future__ import annotations

from pathlib import Path

import pytest

from quantdesk_desktop.cache import queries
from quantdesk_desktop.cache.database import CacheDatabase, cache_path
from quantdesk_desktop.cache.queries import DAY_MS, HistoryFilter
from quantdesk_desktop.cache.writer import CacheWriter
from tests.desktop.cache_history import PUBKEY, T0, generated


@pytest.fixture
def database(tmp_path: Path):
    database = CacheDatabase(cache_path(tmp_path, "embedded", PUBKEY), PUBKEY)
    yield database
    database.close()


def _all_orders(connection, f: HistoryFilter) -> list[tuple]:
    rows, before = [], None
    while page := queries.orders_page(connection, f, before, limit=37):
        rows += page
        before = (page[-1][17], page[-1][0])
    return rows


@pytest.mark.parametrize(
    "f",
    [
        HistoryFilter(),
        HistoryFilter(T0 + 10 * DAY_MS, T0 + 40 * DAY_MS + 17),
        HistoryFilter(markets=("BTC-PERP",), side="sell"),
        HistoryFilter(None, T0 + 50 * DAY_MS, ("SOL-PERP", "ETH-PERP"), order_type="limit"),
    ],
)
def test_count_orders_counts_what_the_pages_give(database: CacheDatabase, f) -> None:
    generated(database, orders=400)
    with database.engine.connect() as connection:
        rows = _all_orders(connection, f)
        assert queries.count_orders(connection, f) == len(rows) > 0
    for row in rows:
        assert f.start_ms is None or row[17] >= f.start_ms
        assert f.end_ms is None or row[17] < f.end_ms
        assert not f.markets or row[2] in f.markets
        assert f.side is None or row[3] == f.side
        assert f.order_type is None or row[4] == f.order_type


def test_fill_span_and_last_synced(database: CacheDatabase) -> None:
    with database.engine.connect() as connection:
        assert queries.fill_span(connection) is None
        assert queries.last_synced(connection) is None
    generated(database, orders=200)
    CacheWriter(database).fills([], ("fills", "200"))
    with database.engine.connect() as connection:
        first, last = connection.exec_driver_sql(
            "SELECT MIN(time_ms), MAX(time_ms) FROM fills"
        ).one()
        assert queries.fill_span(connection) == (first, last)
        synced = queries.last_synced(connection)
        cursor_time = connection.exec_driver_sql("SELECT synced_at_ms FROM sync_cursors").scalar()
    assert synced == cursor_time is not None
