"""Whether a database is already at the newest schema, asked without loading Alembic (a
start on an up-to-date database skips the migration machinery, a quarter of a second);
and a new, empty database created at the newest schema in one step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

HEAD_REVISION = "5d2c8e7a1f93"
"""The newest migration's revision; a test checks it against the migrations folder."""


def at_head(engine: Engine) -> bool:
    """True when the database records `HEAD_REVISION` as its schema version."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False  # no version table yet (a new database) or not reachable: migrate
    return [row[0] for row in rows] == [HEAD_REVISION]


def is_empty(engine: Engine) -> bool:
    """True when the database has no tables at all (a first start)."""
    return not inspect(engine).get_table_names()


def create_at_head(engine: Engine) -> None:
    """Create every table of the models in an empty database and record it at
    `HEAD_REVISION`, as the migrations would leave it (a test compares the two), in one
    transaction: no migration is replayed and Alembic is not loaded."""
    import backend.store.models  # noqa: F401  (registers every table)

    with engine.begin() as connection:
        SQLModel.metadata.create_all(connection)
        connection.execute(
            text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        )
        connection.execute(
            text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
            {"head": HEAD_REVISION},
        )


SCHEMA_LOCK_KEY = 0x51445343484D
"""The advisory lock held while a PostgreSQL schema is created or migrated ("QDSCHM")."""


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Hold PostgreSQL's schema lock (several processes of a deployment starting at once
    create or migrate the schema one after another); nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK_KEY})
            connection.commit()
