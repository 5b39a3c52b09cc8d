"""System events: feed status changes, halts, restarts, admin actions."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import epoch_ms, serial_id


class SystemEvent(SQLModel, table=True):
    """Something operators want on record."""

    __tablename__ = "system_events"

    id: int | None = serial_id()
    kind: str = Field(max_length=32, index=True)
    market: str | None = Field(default=None, max_length=32)
    message: str = Field(max_length=1024)
    created_at_ms: int = epoch_ms(index=True)
