"""Whether a database is already at the newest schema, asked without loading Alembic (a
start on an up-to-date database skips the migration machinery, a quarter of a second)."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

HEAD_REVISION = "b630b503e9ad"
"""The newest migration's revision; a test checks it against the migrations folder."""


def at_head(engine: Engine) -> bool:
    """True when the database records `HEAD_REVISION` as its schema version."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False  # no version table yet (a new database) or not reachable: migrate
    return [row[0] for row in rows] == [HEAD_REVISION]
