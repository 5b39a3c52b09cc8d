"""Connecting to the store: SQLite (WAL) by default, PostgreSQL in production.

SQLite runs with ``journal_mode=WAL`` (readers never block the writer),
``synchronous=FULL`` (an acknowledged order survives a power cut, not only a crash),
foreign keys on, and a busy timeout so a second process waits instead of failing.

The sqlite3 driver's own transaction handling is switched off and every transaction
starts with an explicit ``BEGIN`` (SQLAlchemy's documented recipe). Left on, the driver
begins a transaction only at the first write, so a SAVEPOINT issued before it opens the
transaction itself and its RELEASE commits everything so far: a unit of work that
guarded one insert with a savepoint would no longer be all-or-nothing.

Write transactions (`backend.store.unit_of_work`) begin IMMEDIATE: they take the write
lock first, waiting out another writer within the busy timeout. A deferred transaction
that read before writing would instead fail at once if another writer committed in
between (its WAL snapshot is stale and cannot be upgraded).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Connection, Engine, event
from sqlmodel import create_engine

SQLITE_BUSY_TIMEOUT_MS = 5_000
SQLITE_BEGIN_OPTION = "sqlite_begin"
"""Execution option choosing ``BEGIN DEFERRED`` (default) or ``IMMEDIATE`` on SQLite."""


def default_database_url() -> str:
    """The embedded default: a SQLite file in the user data directory."""
    directory = Path(user_data_dir("quantdesk", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'quantdesk.db'}"


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_engine_for(url: str) -> Engine:
    """An engine for ``url`` with the settings this store relies on."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(connection: Any, _record: Any) -> None:
    connection.isolation_level = None  # the driver stops issuing BEGIN/COMMIT on its own
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
