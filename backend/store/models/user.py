"""Users: one per wallet public key."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import epoch_ms, serial_id


class User(SQLModel, table=True):
    """A trader or an admin, identified by a base58 ed25519 public key."""

    __tablename__ = "users"

    id: int | None = serial_id()
    pubkey: str = Field(max_length=64, unique=True, index=True)
    is_admin: bool = False
    created_at_ms: int = epoch_ms()
