"""Exporting the reviewed fills and orders to CSV, and importing such files back into a
cache. Both stream page by page (a million rows never sit in memory) and run on a worker
thread; no Qt here.

An export writes two files, each to a temporary name first, renamed into place once
complete, from one read transaction (one consistent snapshot of the cache). An import
reads every line and checks every cell, and writes in one transaction: the first bad
cell refuses the whole import, naming its file, line and column, and nothing is
written; rows whose key the cache holds already are skipped.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from quantdesk_desktop.cache import queries
from quantdesk_desktop.cache.database import CacheDatabase
from quantdesk_desktop.cache.queries import HistoryFilter
from quantdesk_desktop.panels.history.csv_format import FILLS, KINDS, ORDERS, BadValue, CsvKind

EXPORT_PAGE = 5_000
IMPORT_BATCH = 5_000


class ImportRefused(ValueError):
    """A file that cannot be imported; the message says where (file, line, column) and
    why."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote."""

    fills: int
    orders: int
    fills_path: Path
    orders_path: Path

    def text(self) -> str:
        """A line for the user."""
        return (
            f"Exported {self.fills:,} fills to {self.fills_path.name} and {self.orders:,} "
            f"orders to {self.orders_path.name} (in {self.fills_path.parent})"
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import added, and what it skipped as already in the cache."""

    fills_added: int = 0
    fills_skipped: int = 0
    orders_added: int = 0
    orders_skipped: int = 0

    def text(self) -> str:
        """A line for the user."""
        skipped = self.fills_skipped + self.orders_skipped
        text = f"Imported {self.fills_added:,} fills and {self.orders_added:,} orders"
        if skipped:
            text += f" ({skipped:,} rows already in the cache were skipped)"
        return text


def export_paths(chosen: Path) -> tuple[Path, Path]:
    """The two files an export named ``chosen`` writes (``history.csv`` gives
    ``history-fills.csv`` and ``history-orders.csv``)."""
    stem = chosen.stem if chosen.suffix.lower() == ".csv" else chosen.name
    return (
        chosen.with_name(f"{stem}-fills.csv"),
        chosen.with_name(f"{stem}-orders.csv"),
    )


# -- export -----------------------------------------------------------------------------


def export_history(
    database: CacheDatabase,
    f: HistoryFilter,
    fills_path: Path,
    orders_path: Path,
    page: int = EXPORT_PAGE,
) -> ExportResult:
    """Write the fills and the orders ``f`` selects, newest first, to the two files."""
    with database.engine.connect() as connection, connection.begin():
        fills = _export(fills_path, FILLS, _pages(connection, queries.fills_page, f, FILLS, page))
        orders = _export(
            orders_path, ORDERS, _pages(connection, queries.orders_page, f, ORDERS, page)
        )
    return ExportResult(fills, orders, fills_path, orders_path)


def _pages(
    connection: Connection,
    read_page: Callable[..., list[tuple]],
    f: HistoryFilter,
    kind: CsvKind,
    page: int,
) -> Iterator[list[tuple]]:
    """Every page of a keyset query (keyed by (time, id); the id is the first column)."""
    time_at = kind.row_columns.index(kind.columns[0].cache_column)  # the time comes first
    before = None
    while rows := read_page(connection, f, before, page):
        yield rows
        before = (rows[-1][time_at], rows[-1][0])


def _export(path: Path, kind: CsvKind, pages: Iterator[list[tuple]]) -> int:
    partial = path.with_name(path.name + ".part")
    count = 0
    try:
        with open(partial, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(kind.names)
            for rows in pages:
                writer.writerows(kind.texts(row) for row in rows)
                count += len(rows)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return count


# -- import -----------------------------------------------------------------------------


def import_history(database: CacheDatabase, paths: list[Path]) -> ImportResult:
    """Add the rows of exported files (fills or orders, told apart by their header), all
    or nothing; `ImportRefused` names the first bad line and column."""
    added = {"fills": 0, "orders": 0}
    read = {"fills": 0, "orders": 0}
    with database.engine.begin() as connection:
        for path in paths:
            kind, rows = _read_file(path)
            sql = kind.insert_sql()
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) == IMPORT_BATCH:
                    added[kind.name] += _insert(connection, sql, batch)
                    read[kind.name] += len(batch)
                    batch = []
            if batch:
                added[kind.name] += _insert(connection, sql, batch)
                read[kind.name] += len(batch)
    return ImportResult(
        fills_added=added["fills"],
        fills_skipped=read["fills"] - added["fills"],
        orders_added=added["orders"],
        orders_skipped=read["orders"] - added["orders"],
    )


def _insert(connection: Connection, sql: str, batch: list[tuple]) -> int:
    """Insert ``batch``; how many rows were new."""
    return max(0, connection.exec_driver_sql(sql, batch).rowcount)


def _read_file(path: Path) -> tuple[CsvKind, Iterator[tuple]]:
    """The file's kind (from its header) and its rows, checked as they are read."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115  (closed by _rows)
    except OSError as error:
        raise ImportRefused(f"{path.name}: cannot be read: {error.strerror}") from None
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as error:
        handle.close()
        raise ImportRefused(f"{path.name} line 1: not readable as CSV text ({error})") from None
    if header is None:
        handle.close()
        raise ImportRefused(f"{path.name}: the file is empty")
    try:
        kind, order = _kind_of(header, path.name)
    except ImportRefused:
        handle.close()
        raise
    return kind, _rows(handle, reader, kind, order, path.name)


def _kind_of(header: list[str], name: str) -> tuple[CsvKind, list[int]]:
    """Which export ``header`` is, and where each of its columns is in the file."""
    names = [cell.strip() for cell in header]
    kind = max(KINDS, key=lambda k: len(set(names) & set(k.names)))
    if len(set(names) & set(kind.names)) * 2 < len(kind.names):
        shown = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
        raise ImportRefused(
            f"{name} line 1: the header ({shown}) is not that of a QuantDesk fills or orders export"
        )
    for position, column in enumerate(names, start=1):
        if column not in kind.names:
            raise ImportRefused(
                f"{name} line 1, column {position}: {column!r} is not a column of a "
                f"{kind.name} export"
            )
        if names.index(column) != position - 1:
            raise ImportRefused(f"{name} line 1, column {position}: {column!r} appears twice")
    missing = [column for column in kind.names if column not in names]
    if missing:
        raise ImportRefused(
            f"{name} line 1: the column {missing[0]} is missing (a {kind.name} export has "
            f"{', '.join(kind.names)})"
        )
    return kind, [names.index(column) for column in kind.names]


def _rows(handle, reader, kind: CsvKind, order: list[int], name: str) -> Iterator[tuple]:
    """Each line's values in ``kind``'s column order, or `ImportRefused` at the first bad
    cell."""
    width = len(order)
    with handle:
        try:
            for cells in reader:
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue  # a blank line
                line = reader.line_num
                if len(cells) != width:
                    raise ImportRefused(
                        f"{name} line {line}: {len(cells)} cells where the header has {width}"
                    )
                values = []
                for column, at in zip(kind.columns, order, strict=True):
                    try:
                        values.append(column.value(cells[at]))
                    except BadValue as error:
                        raise ImportRefused(
                            f"{name} line {line}, column {column.name}: {error}"
                        ) from None
                yield tuple(values)
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportRefused(f"{name} line {reader.line_num}: not readable ({error})") from None
