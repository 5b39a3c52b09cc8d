"""Keyset paging: the newest rows first, each page below the last id seen."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col


def newest_first(
    session: Session, query: Any, id_column: Any, before_id: int | None, limit: int
) -> list[Any]:
    """Up to ``limit`` rows of ``query`` by ``id_column`` descending, below ``before_id``
    when given (the last id of the previous page)."""
    if before_id is not None:
        query = query.where(col(id_column) < before_id)
    return list(session.exec(query.order_by(col(id_column).desc()).limit(limit)))


MAX_PAGE = 1_000


def page_size(limit: int) -> int:
    """``limit`` within 1 and `MAX_PAGE`."""
    return max(1, min(limit, MAX_PAGE))
