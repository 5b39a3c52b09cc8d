"""Reading a user's fills incrementally: the cursor is the last trade id seen."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from backend.store.models import Trade

MAX_PAGE = 1_000


def trades_after(session: Session, user_id: int, cursor: int, limit: int = MAX_PAGE) -> list[Trade]:
    """The user's trades (as maker or taker) with id above ``cursor``, oldest first."""
    limit = max(1, min(limit, MAX_PAGE))
    statement = (
        select(Trade)
        .where(or_(Trade.maker_user_id == user_id, Trade.taker_user_id == user_id))
        .where(Trade.id > cursor)
        .order_by(Trade.id)
        .limit(limit)
    )
    return list(session.exec(statement))
