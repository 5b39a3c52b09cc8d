"""System events: feed status changes, halts, restarts, admin actions."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.store.models import SystemEvent


def record_system_event(
    session: Session, kind: str, message: str, *, now_ms: int, market: str | None = None
) -> SystemEvent:
    """Add an event; its id is set on return."""
    event = SystemEvent(kind=kind, market=market, message=message, created_at_ms=now_ms)
    session.add(event)
    session.flush()
    return event


def recent_system_events(session: Session, limit: int = 100) -> list[SystemEvent]:
    """The newest events first."""
    statement = select(SystemEvent).order_by(SystemEvent.id.desc()).limit(limit)
    return list(session.exec(statement))
