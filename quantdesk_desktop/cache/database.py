"""Opening the cache: one SQLite file per account and backend profile in the user's data
directory, in WAL mode (readers never wait for the sync), migrated to the newest schema,
and checked to belong to the account it is opened for."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

from quantdesk_desktop.cache.migrations import migrate

BUSY_TIMEOUT_MS = 5_000


class CacheMismatch(RuntimeError):
    """The file holds another account's history."""


def cache_path(data_dir: Path, profile: str, pubkey: str) -> Path:
    """Where the cache of ``pubkey``'s account on the backend ``profile`` lives."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "default"
    return data_dir / "cache" / safe / f"{pubkey}.sqlite"


def _pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


class CacheDatabase:
    """An open cache file."""

    def __init__(self, path: Path, pubkey: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.engine: Engine = create_engine(
            f"sqlite:///{path}", connect_args={"check_same_thread": False}
        )
        event.listen(self.engine, "connect", _pragmas)
        raw = self.engine.raw_connection()
        try:
            self.version = migrate(raw.driver_connection)
        finally:
            raw.close()
        self._claim(pubkey)

    def _claim(self, pubkey: str) -> None:
        with self.engine.begin() as connection:
            owner = connection.execute(
                text("SELECT value FROM cache_info WHERE key = 'pubkey'")
            ).scalar()
            if owner is None:
                connection.execute(
                    text("INSERT INTO cache_info (key, value) VALUES ('pubkey', :pubkey)"),
                    {"pubkey": pubkey},
                )
            elif owner != pubkey:
                raise CacheMismatch(f"{self.path} holds the history of {owner}, not {pubkey}")

    def integrity(self) -> str:
        """``PRAGMA integrity_check``'s answer (``ok`` for a sound file)."""
        with self.engine.connect() as connection:
            return str(connection.execute(text("PRAGMA integrity_check")).scalar())

    def close(self) -> None:
        """Close every connection."""
        self.engine.dispose()
