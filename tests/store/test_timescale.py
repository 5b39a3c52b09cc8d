"""TimescaleDB: hypertables and policies where the server has it; the same schema, left
alone, where it has not (SQLite, plain PostgreSQL).

The TimescaleDB tests run on the suite's PostgreSQL server when it preloads the library,
or else on a server of their own restarted with it preloaded; they are skipped only when
the extension is not installed for the server's PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import shlex
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session, select

from backend.domain.markets import MarketCatalog
from backend.services.trading.projection import sync_markets
from backend.store import market_history
from backend.store.database import create_engine_for
from backend.store.migrate import schema_differences, upgrade_to_head
from backend.store.models import FundingPayment, FundingRate, OraclePrice, Trade, User
from backend.store.timescale import (
    DAY_MS,
    DEFAULT_HYPERTABLES,
    ORACLE_PRICES,
    HypertableSpec,
    setup_timescale,
    timescale_available,
    timescale_status,
)
from tests.pg_server import postgres_server

MARKET = "SOL-PERP"
PRELOAD = {"shared_preload_libraries": "timescaledb"}
NOT_INSTALLED = (
    "TimescaleDB is not installed for this PostgreSQL (no lib/timescaledb.so in the"
    " server's directory): install its library and extension files to run these tests"
)


# --- servers and databases ------------------------------------------------------------


def _pg_bin() -> Path:
    return Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]).parent


def _timescale_installed() -> bool:
    return (_pg_bin().parent / "lib" / "timescaledb.so").exists()


def _admin(url: str) -> psycopg.Connection:
    parts = make_url(url)
    return psycopg.connect(
        host=parts.host, port=parts.port, user=parts.username, dbname="postgres", autocommit=True
    )


def _preloads_timescale(url: str) -> bool:
    with _admin(url) as connection:
        setting = connection.execute("SHOW shared_preload_libraries").fetchone()[0]
    return "timescaledb" in setting


def _restart_with(url: str, settings: dict[str, str]) -> None:
    """Restart the server at ``url`` with its command line plus ``-c`` ``settings`` (the
    last ``-c`` of a name wins, even over a preload the suite's server was given; a
    license must come from the command line or a file)."""
    with _admin(url) as connection:
        data = Path(connection.execute("SHOW data_directory").fetchone()[0])
    started = shlex.split((data / "postmaster.opts").read_text())[1:]  # without the program
    at = started.index("-D")
    options = [*started[:at], *started[at + 2 :]]  # pg_ctl passes -D itself
    for name, value in settings.items():
        options += ["-c", f"{name}={value}"]
    log = data.parent / "server.log"  # where tests.pg_server has the server log
    command = [str(_pg_bin() / "pg_ctl"), "-D", str(data), "-l", str(log), "-m", "fast"]
    command += ["-o", shlex.join(options), "-w", "-t", "30", "restart"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    # the server must not inherit a pipe of ours: run() would wait for it to exit
    subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=60,
    )


@contextmanager
def _own_server(settings: dict[str, str]) -> Iterator[str]:
    """A throw-away server of tests.pg_server, restarted with ``settings``."""
    with postgres_server() as url:
        _restart_with(url, settings)
        yield url


@pytest.fixture(scope="module")
def plain_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL server on which TimescaleDB cannot be used: the suite's, unless it
    preloads TimescaleDB."""
    url = request.getfixturevalue("postgres_url")
    if not _preloads_timescale(url):
        yield url
        return
    with _own_server({"shared_preload_libraries": ""}) as own:
        yield own


@pytest.fixture(scope="module")
def timescale_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A PostgreSQL server that preloads TimescaleDB: the suite's, or one of our own."""
    if not _timescale_installed():
        pytest.skip(NOT_INSTALLED)
    url = request.getfixturevalue("postgres_url")
    if _preloads_timescale(url):
        yield url
        return
    with _own_server(PRELOAD) as own:
        yield own


@contextmanager
def _fresh_database(server_url: str) -> Iterator[Engine]:
    """A new, migrated database on the server, dropped afterwards."""
    name = f"timescale_{uuid.uuid4().hex[:12]}"
    with _admin(server_url) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    engine = create_engine_for(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with _admin(server_url) as connection:
            connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def plain_db(plain_server: str) -> Iterator[Engine]:
    """A migrated database on PostgreSQL without TimescaleDB."""
    with _fresh_database(plain_server) as engine:
        yield engine


@pytest.fixture
def timescale_db(timescale_server: str) -> Iterator[Engine]:
    """A migrated database on PostgreSQL with TimescaleDB preloaded (not yet created)."""
    with _fresh_database(timescale_server) as engine:
        yield engine


# --- rows ---------------------------------------------------------------------------


def _now_ms() -> int:
    return int(time.time() * 1000)


def _seed(engine: Engine, catalog: MarketCatalog) -> tuple[int, int]:
    """The catalog's markets and two users; their ids."""
    with Session(engine) as session:
        sync_markets(session, catalog)
        users = [User(pubkey=f"user{i}", created_at_ms=1) for i in range(2)]
        session.add_all(users)
        session.commit()
        return users[0].id, users[1].id


def _write_history(engine: Engine, users: tuple[int, int], at_ms: int, trade_id: int) -> None:
    """An oracle price, a funding period with a payment, and a trade at ``at_ms``."""
    alice, bob = users
    with Session(engine) as session:
        session.add(
            OraclePrice(
                market=MARKET,
                source="sim",
                price=150_000_000,
                confidence=10_000,
                publish_time_ms=at_ms,
                received_at_ms=at_ms,
            )
        )
        rate = FundingRate(
            market=MARKET,
            rate=100,
            mark_twap=150_000_000,
            oracle_twap=150_000_000,
            cumulative_index=10**30,
            settled_at_ms=at_ms,
        )
        session.add(rate)
        session.flush()
        session.add(
            FundingPayment(
                funding_rate_id=rate.id,
                user_id=alice,
                market=MARKET,
                base=10**9,
                amount=-15,
                settled_at_ms=at_ms,
            )
        )
        session.add(
            Trade(
                id=trade_id,
                market=MARKET,
                price=150_000_000,
                size=10**9,
                notional=150_000_000,
                taker_side="buy",
                maker_order_id=None,
                taker_order_id=trade_id,
                maker_user_id=alice,
                taker_user_id=bob,
                timestamp_ms=at_ms,
            )
        )
        session.commit()


def _history_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            "oracle_prices": len(market_history.oracle_prices(session, MARKET, None, 1000)),
            "funding_rates": len(market_history.funding_rates(session, MARKET, None, 1000)),
            "funding_payments": len(session.exec(select(FundingPayment)).all()),
            "trades": len(market_history.public_trades(session, MARKET, None, 1000)),
        }


def _primary_key(engine: Engine, table: str) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                    " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                    " WHERE i.indrelid = CAST(:table AS regclass) AND i.indisprimary"
                    " ORDER BY array_position(i.indkey, a.attnum)"
                ),
                {"table": table},
            ).scalars()
        )


def _jobs(engine: Engine) -> dict[tuple[str, str], dict]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT hypertable_name, proc_name, config, job_id"
                " FROM timescaledb_information.jobs WHERE hypertable_name IS NOT NULL"
            )
        ).all()
    return {(table, proc): {**config, "job_id": job} for table, proc, config, job in rows}


def _run_job(engine: Engine, job_id: int) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CALL run_job(:job)"), {"job": job_id})


# --- SQLite and plain PostgreSQL --------------------------------------------------------


def test_sqlite_has_no_timescale_and_setup_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade_to_head(url)
    engine = create_engine_for(url)
    assert not timescale_available(engine)
    result = setup_timescale(engine)
    assert not result.enabled
    assert result.reason == "sqlite is not PostgreSQL"
    assert result.hypertables == () and result.policies == ()
    assert schema_differences(engine) == []
    engine.dispose()


def test_plain_postgresql_has_no_timescale_and_setup_changes_nothing(
    plain_db: Engine, catalog: MarketCatalog
) -> None:
    status = timescale_status(plain_db)
    assert not status.available
    assert "timescaledb" in status.reason  # not installed, or installed but not preloaded
    result = setup_timescale(plain_db)
    assert not result.enabled
    assert result.reason == status.reason
    with plain_db.connect() as connection:
        extensions = connection.execute(text("SELECT extname FROM pg_extension")).scalars()
        assert "timescaledb" not in set(extensions)
    assert _primary_key(plain_db, "oracle_prices") == ["id"]
    assert schema_differences(plain_db) == []
    users = _seed(plain_db, catalog)
    now = _now_ms()
    for trade_id in (1, 2):
        _write_history(plain_db, users, now + trade_id, trade_id)
    assert _history_counts(plain_db) == {
        "oracle_prices": 2,
        "funding_rates": 2,
        "funding_payments": 2,
        "trades": 2,
    }


# --- with TimescaleDB -------------------------------------------------------------------


def test_setup_makes_hypertables_with_policies_and_keeps_the_rows(
    timescale_db: Engine, catalog: MarketCatalog
) -> None:
    assert timescale_available(timescale_db)
    users = _seed(timescale_db, catalog)
    now = _now_ms()
    _write_history(timescale_db, users, now - 3 * DAY_MS, 1)  # rows from before the setup

    result = setup_timescale(timescale_db)

    assert result.enabled, result.reason
    assert result.license == "timescale"
    assert result.hypertables == ("oracle_prices", "funding_payments", "trades")
    assert result.skipped == {}
    assert result.policies == (
        f"oracle_prices: compress after {7 * DAY_MS} ms",
        f"oracle_prices: drop after {90 * DAY_MS} ms",
        f"funding_payments: compress after {30 * DAY_MS} ms",
        f"trades: compress after {30 * DAY_MS} ms",
    )
    with timescale_db.connect() as connection:
        hypertables = connection.execute(
            text(
                "SELECT h.hypertable_name, d.column_name, d.integer_interval,"
                " d.integer_now_func, h.compression_enabled"
                " FROM timescaledb_information.hypertables h"
                " JOIN timescaledb_information.dimensions d USING (hypertable_schema,"
                " hypertable_name) ORDER BY 1"
            )
        ).all()
    assert [tuple(row) for row in hypertables] == [
        ("funding_payments", "settled_at_ms", 7 * DAY_MS, "quantdesk_now_ms", True),
        ("oracle_prices", "publish_time_ms", DAY_MS, "quantdesk_now_ms", True),
        ("trades", "timestamp_ms", 7 * DAY_MS, "quantdesk_now_ms", True),
    ]
    jobs = _jobs(timescale_db)
    assert set(jobs) == {
        ("oracle_prices", "policy_compression"),
        ("oracle_prices", "policy_retention"),
        ("funding_payments", "policy_compression"),
        ("trades", "policy_compression"),
    }
    assert jobs["oracle_prices", "policy_retention"]["drop_after"] == 90 * DAY_MS
    assert jobs["oracle_prices", "policy_compression"]["compress_after"] == 7 * DAY_MS
    assert _primary_key(timescale_db, "oracle_prices") == ["id", "publish_time_ms"]
    assert _primary_key(timescale_db, "funding_payments") == ["id", "settled_at_ms"]
    assert _primary_key(timescale_db, "trades") == ["id", "timestamp_ms"]
    assert _primary_key(timescale_db, "funding_rates") == ["id"]  # a plain table
    assert schema_differences(timescale_db) == []  # the models' schema, as migrated

    _write_history(timescale_db, users, now, 2)  # and rows after it
    assert _history_counts(timescale_db) == {
        "oracle_prices": 2,
        "funding_rates": 2,
        "funding_payments": 2,
        "trades": 2,
    }
    with Session(timescale_db) as session:
        newest = market_history.oracle_prices(session, MARKET, None, 1)
        assert [p.publish_time_ms for p in newest] == [now]


def test_setup_again_changes_nothing_and_follows_new_settings(timescale_db: Engine) -> None:
    first = setup_timescale(timescale_db)
    assert setup_timescale(timescale_db) == first
    before = _jobs(timescale_db)

    changed = replace(ORACLE_PRICES, chunk_ms=2 * DAY_MS, drop_after_ms=30 * DAY_MS)
    unchanged = [spec for spec in DEFAULT_HYPERTABLES if spec.table != "oracle_prices"]
    result = setup_timescale(timescale_db, [changed, *unchanged])
    assert f"oracle_prices: drop after {30 * DAY_MS} ms" in result.policies
    after = _jobs(timescale_db)
    assert after["oracle_prices", "policy_retention"]["drop_after"] == 30 * DAY_MS
    assert (
        after["oracle_prices", "policy_compression"]
        == before["oracle_prices", "policy_compression"]
    )  # the same job, untouched

    kept = replace(changed, compress_after_ms=None, drop_after_ms=None)
    result = setup_timescale(timescale_db, [kept])
    assert not any(p.startswith("oracle_prices") for p in result.policies)
    assert not any(table == "oracle_prices" for table, _ in _jobs(timescale_db))
    with timescale_db.connect() as connection:
        width = connection.execute(
            text(
                "SELECT integer_interval FROM timescaledb_information.dimensions"
                " WHERE hypertable_name = 'oracle_prices'"
            )
        ).scalar_one()
    assert width == 2 * DAY_MS


def test_policies_compress_and_drop_old_prices_and_queries_still_see_compressed_ones(
    timescale_db: Engine, catalog: MarketCatalog
) -> None:
    users = _seed(timescale_db, catalog)
    now = _now_ms()
    ages_days = (200, 10, 0)
    for trade_id, age in enumerate(ages_days, start=1):
        _write_history(timescale_db, users, now - age * DAY_MS, trade_id)
    setup_timescale(timescale_db)
    jobs = _jobs(timescale_db)
    _run_job(timescale_db, jobs["oracle_prices", "policy_retention"]["job_id"])
    _run_job(timescale_db, jobs["oracle_prices", "policy_compression"]["job_id"])
    _run_job(timescale_db, jobs["funding_payments", "policy_compression"]["job_id"])

    with timescale_db.connect() as connection:
        chunks = connection.execute(
            text(
                "SELECT hypertable_name, range_start_integer, is_compressed"
                " FROM timescaledb_information.chunks ORDER BY 1, 2"
            )
        ).all()
    compressed = {(table, bool(flag)) for table, _, flag in chunks}
    oracle_chunks = [
        (start, bool(flag)) for table, start, flag in chunks if table == "oracle_prices"
    ]
    assert [flag for _, flag in oracle_chunks] == [True, False]  # 10 days old, today
    assert oracle_chunks[0][0] <= now - 10 * DAY_MS  # the 200-day-old chunk was dropped
    assert ("funding_payments", True) in compressed  # the 200-day-old payment, kept
    with Session(timescale_db) as session:
        prices = market_history.oracle_prices(session, MARKET, None, 10)
        assert [p.publish_time_ms for p in prices] == [now, now - 10 * DAY_MS]
        payments = session.exec(select(FundingPayment).order_by(FundingPayment.id)).all()
        assert [p.settled_at_ms for p in payments] == [now - age * DAY_MS for age in ages_days]

    _write_history(timescale_db, users, now - 10 * DAY_MS + 1, 4)  # into a compressed chunk
    with Session(timescale_db) as session:
        assert len(market_history.oracle_prices(session, MARKET, None, 10)) == 3


def test_apache_edition_makes_hypertables_and_reports_the_policies_it_cannot_add(
    timescale_server: str,
) -> None:
    with (
        _own_server({**PRELOAD, "timescaledb.license": "apache"}) as server,
        _fresh_database(server) as engine,
    ):
        result = setup_timescale(engine)
        assert result.enabled and result.license == "apache"
        assert result.hypertables == ("oracle_prices", "funding_payments", "trades")
        assert result.policies == ()
        assert "need the TSL module" in result.skipped["oracle_prices policies"]
        assert _jobs(engine) == {}
        assert setup_timescale(engine) == result


def test_a_table_referenced_by_its_id_alone_is_left_as_it_is(timescale_db: Engine) -> None:
    with timescale_db.begin() as connection:
        connection.execute(text("CREATE TABLE ticks (id BIGSERIAL PRIMARY KEY, at_ms BIGINT)"))
        connection.execute(text("CREATE TABLE tick_notes (tick_id BIGINT REFERENCES ticks(id))"))
    spec = HypertableSpec("ticks", "at_ms", DAY_MS, None, None)
    result = setup_timescale(timescale_db, [spec])
    assert result.hypertables == ()
    assert "tick_notes" in result.skipped["ticks"]
    assert _primary_key(timescale_db, "ticks") == ["id"]
