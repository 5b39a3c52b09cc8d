"""Insert-or-update of whole rows in one statement, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def upsert(
    session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Write ``rows`` (column name to value, all with the same columns) into ``model``'s
    table; a row whose ``keys`` already exist has its other columns replaced. Unlike
    `Session.merge`, no row is read first."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = upsert_statement(dialect, model, tuple(rows[0]), tuple(keys))
    session.execute(statement, list(rows))


def accumulate(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    summed: Sequence[str],
) -> None:
    """Like `upsert`, but the ``summed`` columns of an existing row grow by the new row's
    values instead of being replaced (running totals)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = _accumulating(dialect, model, tuple(rows[0]), tuple(keys), tuple(summed))
    session.execute(statement, list(rows))


@functools.cache
def _accumulating(
    dialect: str,
    model: type[SQLModel],
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    summed: tuple[str, ...],
) -> Any:
    insert = _INSERTS.get(dialect)
    if insert is None:
        raise NotImplementedError(f"no upsert for the {dialect} dialect")
    table = model.__table__
    statement = insert(table)
    replaced = {
        column: table.c[column] + statement.excluded[column]
        if column in summed
        else statement.excluded[column]
        for column in columns
        if column not in keys
    }
    return statement.on_conflict_do_update(index_elements=list(keys), set_=replaced)


@functools.cache
def upsert_statement(
    dialect: str, model: type[SQLModel], columns: tuple[str, ...], keys: tuple[str, ...]
) -> Any:
    """The upsert statement, built once per table and column set (building it is costly)."""
    insert = _INSERTS.get(dialect)
    if insert is None:
        raise NotImplementedError(f"no upsert for the {dialect} dialect")
    statement = insert(model.__table__)
    replaced = {column: statement.excluded[column] for column in columns if column not in keys}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=replaced)
