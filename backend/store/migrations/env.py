"""Alembic environment: the store's metadata, batch mode on SQLite."""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel import SQLModel

import backend.store.models  # noqa: F401  (registers every table)
from backend.store.columns import WIDE_DIGITS, WideInteger
from backend.store.database import create_engine_for
from backend.store.timescale import include_in_schema_comparison

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


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_object=include_in_schema_comparison,
    )
    with context.begin_transaction():
        context.run_migrations()


def _render_item(kind: str, item: Any, _autogen_context: AutogenContext) -> str | bool:
    """Write `WideInteger` as the plain types it stands for, so that a revision never
    depends on the store's Python code as it is later."""
    if kind == "type" and isinstance(item, WideInteger):
        return (
            f"sa.Numeric(precision={WIDE_DIGITS}, scale=0)"
            f'.with_variant(sa.String(length={WIDE_DIGITS + 1}), "sqlite")'
        )
    return False


run_migrations_online()
