"""Reading the command log: the commands after a given id, in log order."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from backend.store.models import Command

_AFTER = (
    select(Command.id, Command.kind, Command.payload, Command.at_ms, Command.request_id)  # type: ignore[call-overload]
    .where(col(Command.id) > bindparam("after"))
    .order_by(col(Command.id))
)
_BETWEEN = _AFTER.where(col(Command.id) < bindparam("before"))


class LoggedRow(NamedTuple):
    """One command as the log holds it."""

    id: int
    kind: str
    payload: str
    at_ms: int
    request_id: str | None


def commands_after(session: Session, after: int, before: int | None = None) -> list[LoggedRow]:
    """The commands with an id above ``after`` (and below ``before``), oldest first (a
    Core query: no ORM objects for a replay of thousands)."""
    if before is None:
        rows = session.execute(_AFTER, {"after": after})
    else:
        rows = session.execute(_BETWEEN, {"after": after, "before": before})
    return [LoggedRow(*row) for row in rows]
