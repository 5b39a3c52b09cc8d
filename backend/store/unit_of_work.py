"""One transaction per unit of work: everything in it commits together or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from backend.store.database import SQLITE_BEGIN_OPTION


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session inside one transaction, committed when the block ends normally.

    An exception rolls the whole transaction back and propagates. Objects stay readable
    after the commit (``expire_on_commit=False``) so a service can answer from them. On
    SQLite the transaction takes the write lock as it begins (see `backend.store.database`).
    """
    writer = engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    with Session(writer, expire_on_commit=False) as session, session.begin():
        yield session
