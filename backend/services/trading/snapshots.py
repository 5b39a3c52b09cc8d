"""Snapshots of the trading state: a restart loads the newest one that this code wrote and
replays only the commands after it, so start-up time stays bounded as the log grows.

A snapshot is the pickled `TradingState`, compressed. It is only used by the same code
that wrote it: ``STATE_FORMAT`` is a digest of the sources that define the state, so after
an upgrade the old snapshots are ignored and the log is replayed in full (then a new
snapshot is written). The command log stays the record; snapshots only shorten replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import pickle
import zlib
from pathlib import Path

from sqlmodel import Session, col, delete, select

from backend.services.trading.state import TradingState
from backend.store.models import StateSnapshot
from backend.version import version

log = logging.getLogger("quantdesk.trading")

KEEP = 2
"""Snapshots kept: the newest and the one before (should the newest be unreadable)."""


def _state_format() -> str:
    """A digest of the domain and trading-service sources (the state's shape and rules);
    without sources (a frozen build), the installed version."""
    root = Path(__file__).resolve().parents[2]
    sources = sorted(
        [*(root / "domain").glob("*.py"), *(root / "services" / "trading").glob("*.py")]
    )
    if not sources:
        return "version-" + version()
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


STATE_FORMAT = _state_format()


def encode_state(state: TradingState) -> bytes:
    """The state as snapshot bytes."""
    return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)


def decode_state(payload: bytes) -> TradingState:
    """A state back from snapshot bytes written by this code."""
    state = pickle.loads(zlib.decompress(payload))  # our own store, written by this code
    if not isinstance(state, TradingState):
        raise TypeError(f"a snapshot holds a {type(state).__name__}, not a TradingState")
    return state


def save_snapshot(session: Session, state: TradingState, command_id: int, now_ms: int) -> None:
    """Add a snapshot as of ``command_id`` and drop all but the newest ``KEEP``."""
    session.add(
        StateSnapshot(
            command_id=command_id,
            state_format=STATE_FORMAT,
            payload=encode_state(state),
            created_at_ms=now_ms,
        )
    )
    session.flush()
    kept = select(StateSnapshot.id).order_by(col(StateSnapshot.id).desc()).limit(KEEP)
    session.exec(
        delete(StateSnapshot).where(col(StateSnapshot.id).not_in(kept.subquery().select()))
    )


def load_snapshot(session: Session) -> tuple[int, TradingState] | None:
    """The newest readable snapshot of this code's format: (command id, state)."""
    rows = session.exec(
        select(StateSnapshot)
        .where(StateSnapshot.state_format == STATE_FORMAT)
        .order_by(col(StateSnapshot.id).desc())
    )
    for row in rows:
        try:
            return row.command_id, decode_state(row.payload)
        except (pickle.UnpicklingError, zlib.error, TypeError, AttributeError, EOFError) as error:
            log.warning("snapshot %s unreadable (%s); trying an older one", row.id, error)
    return None


class Snapshotter:
    """Writes a snapshot every ``interval_s`` when commands arrived, and one at shutdown."""

    def __init__(self, trading, interval_s: float = 600.0) -> None:
        self.trading = trading
        self.interval_s = interval_s

    async def run(self, stop: asyncio.Event) -> None:
        """Snapshot periodically until ``stop`` is set, then once more."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
            self.trading.snapshot()
