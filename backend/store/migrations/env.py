"""Alembic environment: the store's metadata, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import backend.store.models  # noqa: F401  (registers every table)
from backend.store.database import create_engine_for

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run the migrations on the connection given in the config, or a new one."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine_for(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
