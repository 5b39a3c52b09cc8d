"""Reading and moving the on-chain settlement cursors (`ChainProgress`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from backend.store.models.chain import ChainProgress


@dataclass(frozen=True, slots=True)
class InFlight:
    """A transaction sent (or about to be) for a stream, as persisted before sending."""

    through: int
    signature: str
    last_valid_block_height: int
    wire: str | None


@dataclass(frozen=True, slots=True)
class Progress:
    """A stream's cursor and its transaction in flight, if any."""

    cursor: int
    in_flight: InFlight | None


def load_progress(session: Session, stream: str) -> Progress:
    """The stream's progress (cursor 0 and nothing in flight when never started)."""
    row = session.get(ChainProgress, stream)
    if row is None:
        return Progress(0, None)
    in_flight = None
    if row.pending_through is not None and row.pending_signature is not None:
        in_flight = InFlight(
            row.pending_through,
            row.pending_signature,
            row.pending_block_height or 0,
            row.pending_wire,
        )
    return Progress(row.cursor, in_flight)


def load_cursors(session: Session) -> dict[str, int]:
    """Every started stream's cursor, by stream (one query)."""
    return {row.stream: row.cursor for row in session.exec(select(ChainProgress))}


def _row(session: Session, stream: str, now_ms: int) -> ChainProgress:
    row = session.get(ChainProgress, stream)
    if row is None:
        row = ChainProgress(stream=stream, cursor=0, updated_at_ms=now_ms)
        session.add(row)
    row.updated_at_ms = now_ms
    return row


def record_in_flight(session: Session, stream: str, in_flight: InFlight, now_ms: int) -> None:
    """Persist the transaction about to be sent (before its first broadcast)."""
    row = _row(session, stream, now_ms)
    row.pending_through = in_flight.through
    row.pending_signature = in_flight.signature
    row.pending_block_height = in_flight.last_valid_block_height
    row.pending_wire = in_flight.wire


def advance(session: Session, stream: str, cursor: int, now_ms: int) -> None:
    """Move the cursor to ``cursor`` (never back) and forget the transaction in flight."""
    row = _row(session, stream, now_ms)
    row.cursor = max(row.cursor, cursor)
    row.pending_through = row.pending_signature = row.pending_block_height = None
    row.pending_wire = None


def clear_in_flight(session: Session, stream: str, now_ms: int) -> None:
    """Forget the transaction in flight (it expired without landing)."""
    row = _row(session, stream, now_ms)
    row.pending_through = row.pending_signature = row.pending_block_height = None
    row.pending_wire = None
