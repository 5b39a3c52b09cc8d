"""The local cache: its schema (migrated, equal to the models, refusing a newer file or
another account's), writes that never duplicate or move an order back in time, and the
history review's figures, worked by hand and the same whichever way they are summed."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from quantdesk_desktop.cache import queries
from quantdesk_desktop.cache.database import CacheDatabase, CacheMismatch, cache_path
from quantdesk_desktop.cache.migrations import HEAD, CacheTooNew
from quantdesk_desktop.cache.models import CacheModel
from quantdesk_desktop.cache.queries import DAY_MS, HistoryFilter, summarise
from quantdesk_desktop.cache.rows import fill_row, liquidation_row, order_row
from quantdesk_desktop.cache.writer import CacheWriter

T0 = 1_790_000_000_000 // DAY_MS * DAY_MS  # a UTC midnight
PUBKEY = "7nYabc"


def _fill(trade_id: int, time_ms: int, realised: str = "0", fee: str = "0.5",
          market: str = "SOL-PERP", side: str = "buy", order_id: int = 1) -> dict:  # fmt: skip
    return {"trade_id": trade_id, "order_id": order_id, "market": market, "side": side,
            "role": "taker", "price": "150", "size": "1", "fee": fee,
            "realised_pnl": realised, "time_ms": time_ms}  # fmt: skip


@pytest.fixture
def database(tmp_path: Path):
    database = CacheDatabase(cache_path(tmp_path, "embedded", PUBKEY), PUBKEY)
    yield database
    database.close()


def test_a_new_cache_is_migrated_to_the_models_schema(database: CacheDatabase) -> None:
    assert database.version == HEAD and database.integrity() == "ok"
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    found = inspect(database.engine)
    for table in CacheModel.metadata.sorted_tables:
        columns = {c["name"]: c for c in found.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
        declared = {i.name: [c.name for c in i.columns] for i in table.indexes}
        made = {i["name"]: i["column_names"] for i in found.get_indexes(table.name)}
        assert made == declared, table.name
        assert found.get_pk_constraint(table.name)["constrained_columns"] == [
            c.name for c in table.primary_key.columns
        ]


def test_a_cache_keeps_its_history_refuses_newer_files_and_other_accounts(
    tmp_path: Path,
) -> None:
    path = cache_path(tmp_path, "desk/prod", PUBKEY)
    assert path.parent.name == "desk_prod"
    first = CacheDatabase(path, PUBKEY)
    CacheWriter(first).fills([fill_row(_fill(1, T0))])
    first.close()
    again = CacheDatabase(path, PUBKEY)
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM fills")).scalar() == 1
    again.close()
    with pytest.raises(CacheMismatch, match="holds the history of 7nYabc, not someone"):
        CacheDatabase(path, "someone")
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {HEAD + 1}")
    raw.close()
    with pytest.raises(CacheTooNew, match="upgrade the workstation"):
        CacheDatabase(path, PUBKEY)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT COUNT(*) FROM fills").fetchone() == (1,)  # left as it was
    raw.close()


def test_writes_never_duplicate_a_fill_or_move_an_order_back(database: CacheDatabase) -> None:
    writer = CacheWriter(database)
    writer.fills([fill_row(_fill(1, T0)), fill_row(_fill(2, T0 + 1))], ("fills", "2"))
    writer.fills([fill_row(_fill(2, T0 + 1)), fill_row(_fill(3, T0 + 2))], ("fills", "3"))
    assert writer.cursor("fills") == "3" and writer.cursor("orders") is None
    order = {"order_id": 9, "client_order_id": "c9", "market": "SOL-PERP", "side": "buy",
             "type": "limit", "status": "open", "size": "2", "filled": "0", "price": "150",
             "created_at_ms": T0, "updated_at_ms": T0}  # fmt: skip
    writer.orders([order_row(order | {"status": "filled", "filled": "2", "updated_at_ms": T0 + 5})])
    writer.orders([order_row(order)])  # an older page arriving late: ignored
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM fills")).scalar() == 3
        assert connection.execute(
            text("SELECT status, filled FROM orders WHERE order_id = 9")
        ).one() == ("filled", 2_000_000_000)
        days = connection.execute(text("SELECT fills, fees FROM fill_days")).one()
    assert days == (3, 1_500_000)  # the duplicate did not reach the per-day sums


def test_the_review_figures_by_hand(database: CacheDatabase) -> None:
    fills = [
        _fill(1, T0 + 1_000, "0", "0.5"),  # opens: a fee only
        _fill(2, T0 + 2_000, "10", "0.5", side="sell"),  # a win of 9.5
        _fill(3, T0 + DAY_MS + 5, "-4", "0.5", side="sell"),  # a loss of 4.5
        _fill(4, T0 + DAY_MS + 9, "3", "0.5", market="BTC-PERP"),  # a win of 2.5
        _fill(5, T0 + 3 * DAY_MS, "-6", "1", market="BTC-PERP", side="sell"),  # loss of 7
    ]
    CacheWriter(database).fills([fill_row(f) for f in fills])
    with database.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO funding_payments VALUES (1, 'SOL-PERP', 1000000000, -250000, :t)"),
            {"t": T0 + DAY_MS + 100},
        )
        connection.execute(  # a long liquidated on day 4: -6 realised, 1 fee: a loss of 7
            text(
                "INSERT INTO liquidations VALUES (1, 'ETH-PERP', 2000000000, 3000000000,"
                " 1000000, -6000000, :t)"
            ),
            {"t": T0 + 3 * DAY_MS + 50},
        )
        everything = summarise(connection, HistoryFilter())
        sells = summarise(connection, HistoryFilter(side="sell"))
        day_two = summarise(connection, HistoryFilter(T0 + DAY_MS, T0 + 2 * DAY_MS))
    totals = everything.totals
    assert (totals.fills, totals.closes, totals.wins) == (6, 5, 2)
    assert totals.net == (-500_000 + 9_500_000 - 4_500_000 + 2_500_000 - 7_000_000 - 7_000_000)
    assert totals.fees == 4_000_000 and totals.worst == -7_000_000
    assert totals.average_win() == 6_000_000 and totals.average_loss() == -6_166_666
    assert totals.profit_factor() == 12_000_000 * 10**6 // 18_500_000
    assert everything.funding == -250_000 and everything.net_with_funding == -7_250_000
    assert {m: t.net for m, t in everything.markets.items()} == {
        "SOL-PERP": 4_500_000, "BTC-PERP": -4_500_000, "ETH-PERP": -7_000_000}  # fmt: skip
    assert {d: t.net for d, t in everything.days.items()} == {
        T0: 9_000_000, T0 + DAY_MS: -2_000_000, T0 + 3 * DAY_MS: -14_000_000}  # fmt: skip
    # day by day: +9, -2.25 (with funding), -14 -> peak 9, bottom -7.25
    assert everything.curve == [9_000_000, 6_750_000, -7_250_000]
    assert everything.max_drawdown == -16_250_000
    assert sells.totals.fills == 4 and sells.funding == 0  # funding has no side; the
    # liquidation of a long closed it with a sell
    assert day_two.totals.fills == 2 and day_two.funding == -250_000
    assert day_two.bucket_ms < DAY_MS  # a short range is read at a finer resolution


def test_day_sums_and_raw_fills_give_the_same_figures(database: CacheDatabase, monkeypatch) -> None:
    rng = random.Random(7)
    markets = ["SOL-PERP", "BTC-PERP", "ETH-PERP"]
    rows = []
    for i in range(1, 3_000):
        when = T0 + rng.randrange(90 * DAY_MS)
        realised, fee = f"{rng.randint(-50, 50)}", f"0.{rng.randint(1, 9)}"
        fill = _fill(i, when, realised, fee, rng.choice(markets), rng.choice(["buy", "sell"]))
        rows.append(fill_row(fill))
    CacheWriter(database).fills(rows)
    liquidations = [
        {
            "id": i,
            "market": rng.choice(markets),
            "size": f"{rng.choice([-1, 1]) * 2}",
            "price": "100",
            "fee": "0.5",
            "realised_pnl": f"-{rng.randint(1, 40)}",
            "time_ms": T0 + rng.randrange(90 * DAY_MS),
        }
        for i in range(1, 60)
    ]
    CacheWriter(database).liquidations([liquidation_row(x) for x in liquidations])
    ranges = [
        HistoryFilter(T0 + 5 * DAY_MS + 12_345, T0 + 70 * DAY_MS + 999, ("SOL-PERP", "ETH-PERP")),
        HistoryFilter(None, T0 + 40 * DAY_MS + 1, side="sell"),
        HistoryFilter(T0 + DAY_MS // 2, None),
    ]
    with database.engine.connect() as connection:
        by_days = [summarise(connection, f) for f in ranges]
        monkeypatch.setattr(queries, "RAW_SPAN_MS", 2**62)  # every range from the fills
        monkeypatch.setattr(queries, "BUCKETS_MS", (DAY_MS,))
        closed = [
            HistoryFilter(f.start_ms or 0, f.end_ms or 2**60, f.markets, f.side) for f in ranges
        ]
        by_fills = [summarise(connection, f) for f in closed]
        counts = [queries.count_fills(connection, f) for f in ranges]
    for days, raw, count in zip(by_days, by_fills, counts, strict=True):
        assert days.bucket_ms == DAY_MS and days.totals.fills > count  # liquidations too
        assert days.totals == raw.totals and days.markets == raw.markets and days.days == raw.days
        assert days.curve == raw.curve and days.max_drawdown == raw.max_drawdown


def test_pages_of_fills_follow_each_other_newest_first(database: CacheDatabase) -> None:
    CacheWriter(database).fills([fill_row(_fill(i, T0 + i // 2)) for i in range(1, 1_201)])
    seen: list[int] = []
    before = None
    with database.engine.connect() as connection:
        while page := queries.fills_page(connection, HistoryFilter(), before, limit=500):
            seen += [row[0] for row in page]
            before = (page[-1][9], page[-1][0])
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 1_200
