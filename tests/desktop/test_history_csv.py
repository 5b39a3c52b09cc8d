"""The History panel's CSV files without the panel: an export read back gives the same
rows; every cell is checked on import, and a bad one refuses the whole import with its
file, line and column named, leaving the cache as it was."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from quantdesk_desktop.cache.database import CacheDatabase, cache_path
from quantdesk_desktop.cache.queries import DAY_MS, HistoryFilter
from quantdesk_desktop.panels.history.csv_exchange import (
    ImportRefused,
    export_history,
    export_paths,
    import_history,
)
from quantdesk_desktop.panels.history.csv_format import FILLS, ORDERS, BadValue, iso_time, read_time
from tests.desktop.cache_history import PUBKEY, T0, generated


def _open(tmp_path: Path, name: str) -> CacheDatabase:
    return CacheDatabase(cache_path(tmp_path / name, "embedded", PUBKEY), PUBKEY)


@pytest.fixture
def source(tmp_path: Path):
    database = _open(tmp_path, "source")
    generated(database, orders=150)
    yield database
    database.close()


@pytest.fixture
def fresh(tmp_path: Path):
    database = _open(tmp_path, "fresh")
    yield database
    database.close()


def _table(database: CacheDatabase, table: str, key: str) -> list[tuple]:
    with database.engine.connect() as connection:
        return list(connection.execute(text(f"SELECT * FROM {table} ORDER BY {key}")))


def _lines(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write(path: Path, lines: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(lines)
    return path


def test_times_are_written_and_read_to_the_millisecond() -> None:
    for time_ms in (0, T0, T0 + 86_399_999, 1_700_000_000_123):
        assert read_time(iso_time(time_ms)) == time_ms
    assert iso_time(T0 + 1_234) == "2026-09-21T00:00:01.234Z"
    with pytest.raises(
        BadValue, match=re.escape("is not a UTC time like 2026-01-31T23:59:59.000Z")
    ):
        read_time("2026-09-21 00:00:01")
    with pytest.raises(BadValue, match="is not a date and time that exists"):
        read_time("2026-02-30T00:00:00.000Z")


def test_export_paths_name_two_files_beside_the_one_chosen(tmp_path: Path) -> None:
    assert export_paths(tmp_path / "march.csv") == (
        tmp_path / "march-fills.csv",
        tmp_path / "march-orders.csv",
    )
    assert export_paths(tmp_path / "march")[1] == tmp_path / "march-orders.csv"


def test_an_export_read_back_into_a_fresh_cache_gives_the_same_rows(
    tmp_path: Path, source: CacheDatabase, fresh: CacheDatabase
) -> None:
    fills_path, orders_path = export_paths(tmp_path / "all.csv")
    result = export_history(source, HistoryFilter(), fills_path, orders_path, page=64)
    assert (result.fills, result.orders) == (
        len(_table(source, "fills", "trade_id")),
        len(_table(source, "orders", "order_id")),
    )
    assert _lines(fills_path)[0] == list(FILLS.names)
    assert _lines(orders_path)[0] == list(ORDERS.names)
    assert not list(tmp_path.glob("*.part"))
    imported = import_history(fresh, [fills_path, orders_path])
    assert (imported.fills_added, imported.orders_added) == (result.fills, result.orders)
    for table, key in (("fills", "trade_id"), ("orders", "order_id")):
        assert _table(fresh, table, key) == _table(source, table, key)
    assert _table(fresh, "fill_days", "market, day, side") == _table(
        source, "fill_days", "market, day, side"
    )
    again = import_history(fresh, [orders_path, fills_path])
    assert (again.fills_added, again.orders_added) == (0, 0)
    assert (again.fills_skipped, again.orders_skipped) == (result.fills, result.orders)
    assert "already in the cache were skipped" in again.text()


def test_a_filtered_export_holds_only_what_the_filter_selects(
    tmp_path: Path, source: CacheDatabase
) -> None:
    f = HistoryFilter(T0 + 10 * DAY_MS, T0 + 40 * DAY_MS, ("BTC-PERP",), side="sell")
    fills_path, orders_path = export_paths(tmp_path / "btc.csv")
    result = export_history(source, f, fills_path, orders_path)
    fills = _lines(fills_path)[1:]
    assert len(fills) == result.fills > 0
    at = {name: i for i, name in enumerate(FILLS.names)}
    for line in fills:
        assert line[at["market"]] == "BTC-PERP" and line[at["side"]] == "sell"
        assert T0 + 10 * DAY_MS <= read_time(line[at["time"]]) < T0 + 40 * DAY_MS
    times = [read_time(line[at["time"]]) for line in fills]
    assert times == sorted(times, reverse=True)  # newest first, as the table shows them


def _exported_fills(tmp_path: Path, source: CacheDatabase) -> list[list[str]]:
    fills_path, orders_path = export_paths(tmp_path / "x.csv")
    export_history(source, HistoryFilter(), fills_path, orders_path)
    return _lines(fills_path)


BAD_FILLS = [
    # (how the exported fills file is damaged, what the refusal says)
    (lambda ls: ls[4].__setitem__(4, "15O.5"),
     "bad.csv line 5, column price: '15O.5' is not a decimal number"),
    (lambda ls: ls[7].__setitem__(4, "150.0000001"),
     "bad.csv line 8, column price: '150.0000001' has more than 6 decimal places"),
    (lambda ls: ls[3].__setitem__(5, "-1"),
     "bad.csv line 4, column size: '-1' is not above zero"),
    (lambda ls: ls[2].__setitem__(2, "hold"),
     "bad.csv line 3, column side: 'hold' is not a side (buy, sell)"),
    (lambda ls: ls[-1].__setitem__(8, "12a"),
     "column trade_id: '12a' is not a whole number"),
    (lambda ls: ls[6].__setitem__(0, "yesterday"),
     "bad.csv line 7, column time: 'yesterday' is not a UTC time"),
    (lambda ls: ls[5].pop(),
     "bad.csv line 6: 9 cells where the header has 10"),
    (lambda ls: [line.pop(6) for line in ls],
     "bad.csv line 1: the column fee is missing (a fills export has time, market, side"),
    (lambda ls: ls[0].__setitem__(6, "fees"),
     "bad.csv line 1, column 7: 'fees' is not a column of a fills export"),
    (lambda ls: ls[0].__setitem__(6, "price"),
     "bad.csv line 1, column 7: 'price' appears twice"),
    (lambda ls: ls.__setitem__(0, ["date", "ticker", "qty", "px", "cost"]),
     "bad.csv line 1: the header (date, ticker, qty, px, …) is not that of a QuantDesk fills "
     "or orders export"),
    (lambda ls: ls.clear(),
     "bad.csv: the file is empty"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD_FILLS)
def test_a_bad_cell_refuses_the_whole_import_and_names_where(
    tmp_path: Path, source: CacheDatabase, fresh: CacheDatabase, change, message: str
) -> None:
    lines = _exported_fills(tmp_path, source)
    change(lines)
    good_orders = export_paths(tmp_path / "x.csv")[1]
    bad = _write(tmp_path / "bad.csv", lines)
    with pytest.raises(ImportRefused) as refused:
        import_history(fresh, [good_orders, bad])  # the good file first: it is undone too
    assert message in str(refused.value)
    assert _table(fresh, "orders", "order_id") == [] and _table(fresh, "fills", "trade_id") == []
    assert _table(fresh, "fill_days", "day") == []


def test_orders_cells_are_checked_too(tmp_path: Path, source: CacheDatabase, fresh) -> None:
    orders_path = export_paths(tmp_path / "x.csv")[1]
    export_history(source, HistoryFilter(), export_paths(tmp_path / "x.csv")[0], orders_path)
    lines = _lines(orders_path)
    at = {name: i for i, name in enumerate(ORDERS.names)}
    for column, value, reason in (
        ("status", "done", "'done' is not an order status (pending, open, partially_filled"),
        ("post_only", "yes", "'yes' is not true or false"),
        ("type", "moon", "'moon' is not an order type (market, limit"),
        ("time_in_force", "day", "'day' is not a time in force (gtc, gtd, ioc, fok)"),
    ):
        changed = [list(line) for line in lines]
        changed[3][at[column]] = value
        bad = _write(tmp_path / "orders.csv", changed)
        with pytest.raises(ImportRefused, match=f"orders.csv line 4, column {column}: "):
            import_history(fresh, [bad])
        with pytest.raises(ImportRefused) as refused:
            import_history(fresh, [bad])
        assert reason in str(refused.value)
    assert _table(fresh, "orders", "order_id") == []
