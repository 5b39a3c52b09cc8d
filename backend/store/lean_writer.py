"""A group commit's most common rows, written straight through the sqlite3 driver.

Most commands a busy server commits change nothing but orders, balances and positions
(an order placed or cancelled, a maker's requote). For a group of three such commands
SQLAlchemy's session, connection and statement machinery cost about three times what
SQLite itself spends. This writer runs the same statements, compiled once by SQLAlchemy
with the same column types, on a driver connection from the engine's pool: BEGIN, the
command log's rows (their ids back through RETURNING), the upserts, COMMIT.

SQLite only (the embedded default, where the event loop's CPU is the limit); a
PostgreSQL store keeps the general path.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, Table
from sqlalchemy.sql.compiler import Compiled
from sqlmodel import SQLModel

from backend.store.models import Command
from backend.store.upsert import upsert_statement

COMMAND_COLUMNS = ("kind", "market", "payload", "at_ms", "request_id")
"""The command log's columns that a group commit writes (the id is the database's)."""
ROWS_PER_INSERT = 500
"""Command rows per INSERT statement (SQLite allows 32,766 parameters in one)."""

Upsert = tuple[type[SQLModel], Sequence[str], list[dict[str, Any]]]
"""A table's model, its conflict keys and the rows to insert or replace."""

StoreWriteError = sqlite3.Error
"""What a failed write raises (nothing of it is kept)."""


class _Statement:
    """SQL text and how to turn a row (column name to value) into its parameters."""

    def __init__(self, compiled: Compiled, table: Table, engine: Engine) -> None:
        self.sql = compiled.string
        names = compiled.positiontup or []
        processors = [table.c[name].type.bind_processor(engine.dialect) for name in names]
        self._plan: list[tuple[str, Callable[[Any], Any] | None]] = list(
            zip(names, processors, strict=True)
        )

    def parameters(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """``row``'s values in the statement's order, as the column types write them."""
        values = []
        for name, process in self._plan:
            value = row[name]
            values.append(value if process is None or value is None else process(value))
        return tuple(values)


class LeanWriter:
    """Writes a group commit's command rows and upserts in one SQLite transaction."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "sqlite":
            raise ValueError("the lean writer writes to SQLite only")
        self._engine = engine
        self._upserts: dict[tuple[type[SQLModel], tuple[str, ...], tuple[str, ...]], _Statement]
        self._upserts = {}
        table = Command.__table__
        columns = ", ".join(COMMAND_COLUMNS)
        self._command_row = "(" + ", ".join("?" for _ in COMMAND_COLUMNS) + ")"
        self._command_insert = f"INSERT INTO {table.name} ({columns}) VALUES "
        self._command_returning = f" RETURNING {table.c.id.name}"

    def write(self, commands: Sequence[dict[str, Any]], upserts: Sequence[Upsert]) -> list[int]:
        """Append ``commands`` to the log and apply ``upserts``, all or nothing; the new
        commands' ids in order. Raises `StoreWriteError` after rolling back."""
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute("BEGIN")
                ids = self._append(cursor, commands)
                for model, keys, rows in upserts:
                    if rows:
                        statement = self._upsert(model, tuple(rows[0]), tuple(keys))
                        cursor.executemany(statement.sql, map(statement.parameters, rows))
                connection.commit()
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # the write's own error is the one to see
                    connection.rollback()
                raise
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool
        return ids

    def _append(self, cursor: Any, commands: Sequence[dict[str, Any]]) -> list[int]:
        ids: list[int] = []
        for start in range(0, len(commands), ROWS_PER_INSERT):
            chunk = commands[start : start + ROWS_PER_INSERT]
            sql = (
                self._command_insert
                + ", ".join(self._command_row for _ in chunk)
                + self._command_returning
            )
            values = [row[name] for row in chunk for name in COMMAND_COLUMNS]
            # one statement: its rows get ascending ids in the order of its VALUES
            ids.extend(sorted(returned for (returned,) in cursor.execute(sql, values)))
        if len(ids) != len(commands):
            raise sqlite3.DatabaseError(f"{len(ids)} ids returned for {len(commands)} commands")
        return ids

    def _upsert(
        self, model: type[SQLModel], columns: tuple[str, ...], keys: tuple[str, ...]
    ) -> _Statement:
        statement = self._upserts.get((model, columns, keys))
        if statement is None:
            compiled = upsert_statement("sqlite", model, columns, keys).compile(
                dialect=self._engine.dialect
            )
            statement = _Statement(compiled, model.__table__, self._engine)
            self._upserts[(model, columns, keys)] = statement
        return statement
