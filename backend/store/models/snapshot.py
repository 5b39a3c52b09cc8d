"""Snapshots of the whole trading state, so a restart replays only the commands after the
newest one instead of the whole log."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, LargeBinary
from sqlmodel import Field, SQLModel

from backend.store.columns import epoch_ms, serial_id


class StateSnapshot(SQLModel, table=True):
    """The trading state as of command ``command_id`` (inclusive), serialised.

    ``state_format`` names the code that wrote it; a snapshot of another format is ignored
    and the log replayed instead. The payload is as trusted as the command log beside it.
    """

    __tablename__ = "state_snapshots"

    id: int | None = serial_id()
    command_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    state_format: str = Field(max_length=64)
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at_ms: int = epoch_ms()
