"""Schema migrations run from code: no alembic.ini or working directory needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

import backend.store.models  # noqa: F401  (registers every table)
from backend.store.database import create_engine_for
from backend.store.timescale import include_in_schema_comparison

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade_to_head(url: str) -> None:
    """Bring the database at ``url`` to the newest schema."""
    command.upgrade(alembic_config(url), "head")


def schema_differences(engine: Engine) -> list:
    """What differs between the migrated database and the models (empty when in step)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_schema_comparison}
        )
        return compare_metadata(context, SQLModel.metadata)


def new_revision(url: str, message: str) -> None:
    """Autogenerate a migration from the models (a developer command)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        scratch_url = f"sqlite:///{scratch}/schema.db"
        upgrade_to_head(scratch_url)
        new_revision(scratch_url, sys.argv[1] if len(sys.argv) > 1 else "schema change")
        create_engine_for(scratch_url).dispose()
