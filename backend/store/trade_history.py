"""Reading a user's fills incrementally: the cursor is the last trade id seen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, union
from sqlmodel import Session, select

from backend.store.models import Trade
from backend.store.paging import MAX_PAGE, page_size

__all__ = ["MAX_PAGE", "trades_after"]


def trades_after(session: Session, user_id: int, cursor: int, limit: int = MAX_PAGE) -> list[Trade]:
    """The user's trades (as maker or taker) with id above ``cursor``, oldest first.

    Each role is a range scan of its (user, id) index cut at ``limit``; the union of the
    two (a self-trade appears once) is cut again. An OR of both roles would make the
    database collect and sort every later trade of the user before the limit.
    """
    limit = page_size(limit)
    page_ids = union(
        _ids_in_role(Trade.maker_user_id, user_id, cursor, limit),
        _ids_in_role(Trade.taker_user_id, user_id, cursor, limit),
    ).subquery()
    statement = select(Trade).where(Trade.id.in_(select(page_ids.c.id))).order_by(Trade.id)
    return list(session.exec(statement.limit(limit)))


def _ids_in_role(role: Any, user_id: int, cursor: int, limit: int) -> Select[Any]:
    """The first ``limit`` trade ids after ``cursor`` where ``role`` is the user (wrapped:
    SQLite allows no LIMIT inside a UNION's arms)."""
    ids = select(Trade.id).where(role == user_id, Trade.id > cursor).order_by(Trade.id)
    return select(ids.limit(limit).subquery().c.id)
