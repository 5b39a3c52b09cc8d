"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import Engine, text

from backend.domain.markets import MarketCatalog, load_default_catalog
from backend.store.database import create_engine_for
from backend.store.migrate import upgrade_to_head
from tests.pg_server import postgres_server
from tests.redis_server import redis_server


@pytest.fixture(scope="session")
def catalog() -> MarketCatalog:
    """The shipped market catalog."""
    return load_default_catalog()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL server for the session, stopped at the end."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """One Redis server for the session (``redis://127.0.0.1:<port>/0``), stopped at the end."""
    with redis_server() as url:
        yield url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """An asyncio client of the session's Redis, emptied first."""
    client = Redis.from_url(redis_url, decode_responses=True)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind (PostgreSQL: its schema reset per test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = create_engine_for(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    """A migrated database's engine."""
    upgrade_to_head(database_url)
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


SOLANA_RUNTIME_TESTS = (
    "tests/services/solana/",
    "tests/gateway/test_chain_transfers.py",
    "tests/desktop/test_chain_transfers.py",
    "tests/desktop/wallet/test_transactions.py",
    "tests/desktop/wallet/test_no_secret_leaves.py",
)
"""Tests that execute Solana programs in this process (solders' LiteSVM, and the QuantDesk
program's native runtime behind the local RPC node). After LiteSVM has run the SPL
programs, a later Qt paint in the same process can crash on a corrupted Python object
(reproduced with solders 0.26: a LiteSVM token setup, then the chart's million-candle
paint), so the test command runs these in a process of their own (`-m solana_runtime`)."""


def pytest_collection_modifyitems(config, items) -> None:
    """Mark the tests that run Solana programs in-process (see `SOLANA_RUNTIME_TESTS`)."""
    root = Path(str(config.rootpath))
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        if where.startswith(SOLANA_RUNTIME_TESTS):
            item.add_marker(pytest.mark.solana_runtime)
