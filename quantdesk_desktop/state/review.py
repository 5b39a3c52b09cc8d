"""What the History panel reviews: the local cache open for the account (or none), whether
the workstation is offline, and when the cache was last synced, for the banner that says
so. The application sets these; the panel reads them once a frame and does its reading
of the cache itself, off the UI thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the database layer loads when a cache is opened, not with the store
    from quantdesk_desktop.cache.database import CacheDatabase


def _wall_clock_ms() -> int:
    return int(time.time() * 1000)


def utc_minute_text(time_ms: int) -> str:
    """A moment as ``2026-05-01 14:02 UTC``."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(time_ms / 1000))


@dataclass(slots=True)
class ReviewState:
    """The cache under review and the workstation's link, for the History panel."""

    database: CacheDatabase | None = None
    """The open cache (None: none is open yet)."""
    offline: bool = False
    """Whether the workstation runs without a backend (from the cache alone)."""
    synced_at_ms: int | None = None
    """When the cache was last synced with the backend (None: never, or not known)."""
    version: int = 0
    """Moves on every change here."""
    rows_version: int = 0
    """Moves when the cache gains rows (the panel reads its figures again)."""
    clock: Callable[[], int] = field(default=_wall_clock_ms)
    """Now, in epoch ms (the quick date ranges count from it; tests drive it)."""

    def use(self, database: CacheDatabase | None, synced_at_ms: int | None = None) -> None:
        """Review ``database`` from now on (None: no cache), last synced at
        ``synced_at_ms`` (`queries.last_synced` reads it from the cache)."""
        self.database = database
        self.synced_at_ms = synced_at_ms
        self.version += 1
        self.rows_version += 1

    def set_offline(self, offline: bool) -> None:
        """Say whether the workstation runs without a backend."""
        if offline != self.offline:
            self.offline = offline
            self.version += 1

    def mark_synced(self, at_ms: int) -> None:
        """The cache was synced at ``at_ms`` (and may have gained rows)."""
        self.synced_at_ms = at_ms
        self.version += 1
        self.rows_version += 1

    def mark_changed(self) -> None:
        """The cache gained rows (a sync batch or an import wrote some)."""
        self.version += 1
        self.rows_version += 1

    def banner_text(self) -> str | None:
        """What the banner says: the offline mode and the cache's age (None: online)."""
        if not self.offline:
            return None
        if self.synced_at_ms is None:
            since = "never synced"
        else:
            since = f"last synced {utc_minute_text(self.synced_at_ms)}"
        return f"Offline: no backend is reachable. Showing the local cache, {since}."
