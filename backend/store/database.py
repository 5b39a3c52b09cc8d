"""Connecting to the store: SQLite (WAL) by default, PostgreSQL in production.

SQLite runs with ``journal_mode=WAL`` (readers never block the writer),
``synchronous=FULL`` (an acknowledged order survives a power cut, not only a crash),
foreign keys on, and a busy timeout so a second process waits instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, event
from sqlmodel import create_engine

SQLITE_BUSY_TIMEOUT_MS = 5_000


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
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
