"""Users: one row per wallet public key, created on first sight."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.store.models import User
from backend.store.repositories.upsert import insert_for


def ensure_user(session: Session, pubkey: str, *, now_ms: int) -> int:
    """The id of the user with ``pubkey``, inserting it if new (safe against a racing insert)."""
    statement = (
        insert_for(session, User)
        .values(pubkey=pubkey, created_at_ms=now_ms, is_admin=False)
        .on_conflict_do_nothing(index_elements=["pubkey"])
    )
    session.exec(statement)
    return session.exec(select(User.id).where(User.pubkey == pubkey)).one()


def user_id_of(session: Session, pubkey: str) -> int | None:
    """The id of the user with wallet ``pubkey`` (None: never seen)."""
    return session.exec(select(User.id).where(User.pubkey == pubkey)).first()
