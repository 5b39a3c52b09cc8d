"""TimescaleDB where PostgreSQL has it: time-series tables become hypertables with
compression and retention policies. Elsewhere nothing changes.

The schema is the same on SQLite, plain PostgreSQL and PostgreSQL with TimescaleDB; the
setup here only adds Timescale's own metadata to tables that already exist, plus one
change TimescaleDB insists on: every unique key of a hypertable must contain its time
column, so a converted table's primary key ``(id)`` becomes ``(id, <time column>)``. That
is done here, when a table is converted, not in a migration: new databases are created
from the models (`backend.store.schema_version.create_at_head`), not by replaying
migrations, so a migration-only key would leave fresh and upgraded PostgreSQL databases
different; and on plain PostgreSQL ``(id)`` is the stronger key. Alembic does not compare
primary keys, so ``alembic check`` stays clean on a converted database; hypertables are
created without Timescale's default time index for the same reason.

A table that another table references by a foreign key on its ``id`` alone cannot take a
wider primary key (the reference needs ``id`` unique on its own, and TimescaleDB refuses
such a unique index); `setup_timescale` skips it and says why. Auction settlements
reference a trade by ``(id, timestamp_ms)`` for that reason. A hypertable cannot reference
another: funding rates, which the payments reference, stay a plain (small) table.

Times are integer epoch milliseconds, so the hypertables are partitioned by integer
ranges and the policies measure age with `INTEGER_NOW_FUNCTION`, the wall clock in ms.

Licensing: hypertables are in TimescaleDB's Apache-2 edition; compression and the
retention and compression policies are in its TSL part (Timescale License, free to use
but not open source). Under ``timescaledb.license = 'apache'`` the tables still become
hypertables and the policies are reported as skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

EXTENSION = "timescaledb"
INTEGER_NOW_FUNCTION = "quantdesk_now_ms"
"""The SQL function TimescaleDB calls to age integer-time chunks: now, in epoch ms."""
SETUP_LOCK_KEY = 0x51445453
"""Advisory lock taken by every setup transaction, so that processes starting together
convert each table once."""

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_ORDER_ITEM = re.compile(r"^[a-z_][a-z0-9_]*( (ASC|DESC))?$")


@dataclass(frozen=True)
class HypertableSpec:
    """How one table is partitioned, compressed and aged (all times in milliseconds)."""

    table: str
    time_column: str
    chunk_ms: int
    """Width of one chunk. Aim for the indexes of the newest chunk to fit in memory."""
    compress_after_ms: int | None
    """Chunks older than this are compressed by a policy (None: no compression)."""
    drop_after_ms: int | None
    """Chunks older than this are dropped by a policy (None: kept for ever)."""
    segment_by: tuple[str, ...] = ()
    """Columns whose equal values are compressed together (what queries filter on)."""
    order_by: tuple[str, ...] = ()
    """Order within a compressed segment, e.g. ``("publish_time_ms DESC", "id DESC")``."""

    def __post_init__(self) -> None:
        """Refuse names that are not plain SQL identifiers (they are written into DDL)."""
        for name in (self.table, self.time_column, *self.segment_by):
            if not _IDENTIFIER.match(name):
                raise ValueError(f"not a plain identifier: {name!r}")
        for item in self.order_by:
            if not _ORDER_ITEM.match(item):
                raise ValueError(f"not a column with an optional ASC/DESC: {item!r}")
        for value in (self.chunk_ms, self.compress_after_ms, self.drop_after_ms):
            if value is not None and value <= 0:
                raise ValueError(f"{self.table}: intervals must be positive, not {value}")


ORACLE_PRICES = HypertableSpec(
    table="oracle_prices",
    time_column="publish_time_ms",
    chunk_ms=DAY_MS,
    compress_after_ms=7 * DAY_MS,
    drop_after_ms=90 * DAY_MS,
    segment_by=("market",),
    order_by=("publish_time_ms DESC", "id DESC"),
)
"""Every validated tick of every feed: the biggest table (about a row per market per
second). One-day chunks; a week uncompressed serves charts, replays and the TWAPs, which
look back hours; 90 days kept, since nothing reads older ticks (long-range charts come
from trades). Partitioned by the feed's publish time, which the history index already
covers, so a replay of old prices lands in old chunks."""

FUNDING_RATES = HypertableSpec(
    table="funding_rates",
    time_column="settled_at_ms",
    chunk_ms=90 * DAY_MS,
    compress_after_ms=None,
    drop_after_ms=None,
    segment_by=("market",),
    order_by=("settled_at_ms DESC", "id DESC"),
)
"""One row per market per funding period (a few thousand a quarter): wide chunks, kept
for ever and left uncompressed, as payments and the chain sync refer to them. Not a
hypertable by default: it is small, and the payments (a hypertable) reference it, which
TimescaleDB allows only towards a plain table."""

FUNDING_PAYMENTS = HypertableSpec(
    table="funding_payments",
    time_column="settled_at_ms",
    chunk_ms=7 * DAY_MS,
    compress_after_ms=30 * DAY_MS,
    drop_after_ms=None,
    segment_by=("user_id",),
    order_by=("settled_at_ms DESC", "id DESC"),
)
"""A row per open position per funding period: funding's large table. These are account
statements, so kept for ever; compressed after 30 days, segmented by user because a
user's history is how they are read."""

TRADES = HypertableSpec(
    table="trades",
    time_column="timestamp_ms",
    chunk_ms=7 * DAY_MS,
    compress_after_ms=30 * DAY_MS,
    drop_after_ms=None,
    segment_by=("market",),
    order_by=("timestamp_ms DESC", "id DESC"),
)
"""Fills, from which candles are computed (there is no candle table): kept for ever, as
they are account records; compressed after 30 days, segmented by market for the candle
scans. Auction settlements reference a trade by ``(id, timestamp_ms)``."""

DEFAULT_HYPERTABLES = (ORACLE_PRICES, FUNDING_PAYMENTS, TRADES)
"""Prices, funding and the fills candles are made of."""


@dataclass(frozen=True)
class TimescaleStatus:
    """What a database offers: whether TimescaleDB can be used, and why not."""

    available: bool
    """The extension can be created or is: its files are installed and its library is
    loaded at server start (``shared_preload_libraries``)."""
    reason: str
    """Why it is not available ('' when it is)."""
    installed_version: str | None = None
    default_version: str | None = None


@dataclass(frozen=True)
class TimescaleSetup:
    """What `setup_timescale` did."""

    enabled: bool
    """False: nothing was changed (SQLite, or PostgreSQL without TimescaleDB)."""
    reason: str = ""
    """Why nothing was changed ('' when enabled)."""
    version: str | None = None
    license: str | None = None
    """``timescale`` (hypertables and policies) or ``apache`` (hypertables only)."""
    hypertables: tuple[str, ...] = ()
    """Tables that are hypertables now (converted now or before)."""
    policies: tuple[str, ...] = ()
    """The policies in force, e.g. ``oracle_prices: drop after 7776000000 ms``."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Tables or policies left out, with the reason."""


INTERNAL_SCHEMA = "_timescaledb_internal"


def include_in_schema_comparison(
    item: object, _name: str | None, kind: str, reflected: bool, _other: object
) -> bool:
    """Alembic's ``include_object``: leave out what TimescaleDB adds by itself (the copies,
    on each chunk, of a foreign key that references a hypertable)."""
    if kind == "foreign_key_constraint" and reflected:
        return getattr(getattr(item, "referred_table", None), "schema", None) != INTERNAL_SCHEMA
    return True


def timescale_status(engine: Engine) -> TimescaleStatus:
    """Whether TimescaleDB can be used on ``engine`` (never on SQLite)."""
    if engine.dialect.name != "postgresql":
        return TimescaleStatus(False, f"{engine.dialect.name} is not PostgreSQL")
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT default_version, installed_version FROM pg_available_extensions"
                " WHERE name = :name"
            ),
            {"name": EXTENSION},
        ).one_or_none()
        preload = connection.execute(text("SELECT current_setting('shared_preload_libraries')"))
        preloaded = EXTENSION in _library_names(preload.scalar_one())
    if row is None:
        return TimescaleStatus(False, "the timescaledb extension is not installed on the server")
    default_version, installed_version = row
    if not preloaded:
        return TimescaleStatus(
            False,
            "timescaledb is installed but not loaded: the server needs"
            " shared_preload_libraries = 'timescaledb'",
            installed_version,
            default_version,
        )
    return TimescaleStatus(True, "", installed_version, default_version)


def timescale_available(engine: Engine) -> bool:
    """True when TimescaleDB can be used on ``engine`` (see `timescale_status`)."""
    return timescale_status(engine).available


def setup_timescale(
    engine: Engine, tables: Sequence[HypertableSpec] = DEFAULT_HYPERTABLES
) -> TimescaleSetup:
    """Create the extension if needed and make ``tables`` hypertables with their policies.

    Idempotent, and safe to run at every start: a table converted before is left as it
    is, except that its chunk width and policies are brought to ``tables``' settings
    (compression settings are only set when compression is first enabled). Rows already
    in a table are moved into chunks, under a lock, when it is converted. A no-op,
    saying why, on SQLite and where TimescaleDB is not available.
    """
    status = timescale_status(engine)
    if not status.available:
        return TimescaleSetup(enabled=False, reason=status.reason)
    try:
        with engine.begin() as connection:
            _lock(connection)
            connection.execute(text(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}"))
            connection.execute(
                text(
                    f"CREATE OR REPLACE FUNCTION {INTEGER_NOW_FUNCTION}() RETURNS BIGINT"
                    " LANGUAGE SQL STABLE"
                    " AS $$ SELECT (extract(epoch FROM now()) * 1000)::BIGINT $$"
                )
            )
    except DBAPIError as error:  # e.g. a role that may not create extensions
        return TimescaleSetup(enabled=False, reason=f"cannot create the extension: {error.orig}")
    with engine.connect() as connection:
        version, license_name = connection.execute(
            text(
                "SELECT extversion, current_setting('timescaledb.license', true)"
                " FROM pg_extension WHERE extname = :name"
            ),
            {"name": EXTENSION},
        ).one()
    hypertables: list[str] = []
    policies: list[str] = []
    skipped: dict[str, str] = {}
    if status.default_version and version != status.default_version:
        skipped["extension update"] = (
            f"the database has timescaledb {version}, the server {status.default_version}:"
            " run ALTER EXTENSION timescaledb UPDATE as the first command of a new session"
        )
    for spec in tables:
        try:
            with engine.begin() as connection:
                _lock(connection)
                why_not = _conversion_blocker(connection, spec)
                if why_not:
                    skipped[spec.table] = why_not
                    continue
                _make_hypertable(connection, spec)
                hypertables.append(spec.table)
                if license_name != "timescale":
                    if spec.compress_after_ms is not None or spec.drop_after_ms is not None:
                        skipped[f"{spec.table} policies"] = (
                            f"compression and retention need the TSL module; the license is"
                            f" {license_name!r}"
                        )
                    continue
                policies.extend(_reconcile_policies(connection, spec))
        except DBAPIError as error:  # the table stays as it was (the transaction rolled back)
            if spec.table in hypertables:
                hypertables.remove(spec.table)
            skipped[spec.table] = f"TimescaleDB refused it: {error.orig}"
    return TimescaleSetup(
        enabled=True,
        version=version,
        license=license_name,
        hypertables=tuple(hypertables),
        policies=tuple(policies),
        skipped=skipped,
    )


def _library_names(setting: str) -> set[str]:
    return {name.strip().strip('"') for name in setting.split(",")}


def _lock(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK_KEY})


def _is_hypertable(connection: Connection, table: str) -> bool:
    return bool(
        connection.execute(
            text(
                "SELECT 1 FROM timescaledb_information.hypertables"
                " WHERE hypertable_schema = current_schema() AND hypertable_name = :table"
            ),
            {"table": table},
        ).first()
    )


def _conversion_blocker(connection: Connection, spec: HypertableSpec) -> str:
    """Why ``spec.table`` cannot become a hypertable ('' when it can)."""
    if _is_hypertable(connection, spec.table):
        return ""
    exists = connection.execute(
        text("SELECT to_regclass(quote_ident(current_schema()) || '.' || :table)"),
        {"table": spec.table},
    ).scalar_one()
    if exists is None:
        return "no such table (migrate first)"
    references = connection.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c"
            " WHERE c.contype = 'f' AND c.confrelid = CAST(:table AS regclass)"
            " AND c.conrelid <> c.confrelid AND NOT EXISTS (SELECT 1 FROM pg_attribute a"
            "   WHERE a.attrelid = c.confrelid AND a.attnum = ANY(c.confkey)"
            "   AND a.attname = :column) ORDER BY 1, 2"
        ),
        {"table": spec.table, "column": spec.time_column},
    ).all()
    if references:
        names = ", ".join(f"{table} ({name})" for table, name in references)
        return (
            f"referenced by foreign keys from {names}: a hypertable's unique keys must"
            f" include {spec.time_column}, so those references would need it too"
        )
    others = connection.execute(
        text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = CAST(:table AS regclass) AND i.indisunique"
            " AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_attribute a"
            "   WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            "   AND a.attname = :column) ORDER BY 1"
        ),
        {"table": spec.table, "column": spec.time_column},
    ).scalars()
    unique = ", ".join(others)
    if unique:
        return f"unique indexes without {spec.time_column}: {unique}"
    return ""


def _make_hypertable(connection: Connection, spec: HypertableSpec) -> None:
    """Widen the primary key, convert (moving existing rows), set the clock and width."""
    table = spec.table
    if not _is_hypertable(connection, table):
        primary = connection.execute(
            text(
                "SELECT c.conname, array_agg(a.attname::text ORDER BY k.ordinality)"
                " FROM pg_constraint c"
                " CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ordinality)"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
                " WHERE c.conrelid = CAST(:table AS regclass) AND c.contype = 'p'"
                " GROUP BY c.conname"
            ),
            {"table": table},
        ).one_or_none()
        if primary is not None and spec.time_column not in primary[1]:
            name, columns = primary
            key = ", ".join(f'"{column}"' for column in [*columns, spec.time_column])
            connection.execute(
                text(
                    f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}",'
                    f' ADD CONSTRAINT "{name}" PRIMARY KEY ({key})'
                )
            )
        # moving the rows into chunks empties the table, which its references forbid:
        # they are taken off and put back in the same transaction
        references = connection.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE contype = 'f'"
                " AND confrelid = CAST(:table AS regclass) AND conrelid <> confrelid"
            ),
            {"table": table},
        ).all()
        for referrer, name, _ in references:
            connection.execute(text(f'ALTER TABLE {referrer} DROP CONSTRAINT "{name}"'))
        connection.execute(
            text(
                "SELECT create_hypertable(CAST(:table AS regclass),"
                " by_range(:column, CAST(:chunk AS BIGINT)),"
                " create_default_indexes => false, migrate_data => true)"
            ),
            {"table": table, "column": spec.time_column, "chunk": spec.chunk_ms},
        )
        for referrer, name, definition in references:
            connection.execute(text(f'ALTER TABLE {referrer} ADD CONSTRAINT "{name}" {definition}'))
    connection.execute(
        text(
            "SELECT set_integer_now_func(CAST(:table AS regclass),"
            " CAST(:function AS regproc), replace_if_exists => true)"
        ),
        {"table": table, "function": INTEGER_NOW_FUNCTION},
    )
    width = connection.execute(
        text(
            "SELECT integer_interval FROM timescaledb_information.dimensions"
            " WHERE hypertable_schema = current_schema() AND hypertable_name = :table"
            " AND column_name = :column"
        ),
        {"table": table, "column": spec.time_column},
    ).scalar_one()
    if width != spec.chunk_ms:  # applies to chunks made from now on
        connection.execute(
            text(
                "SELECT set_chunk_time_interval(CAST(:table AS regclass), CAST(:chunk AS BIGINT))"
            ),
            {"table": table, "chunk": spec.chunk_ms},
        )


def _reconcile_policies(connection: Connection, spec: HypertableSpec) -> list[str]:
    """Add, replace or remove the compression and retention policies to match ``spec``."""
    table = spec.table
    if spec.compress_after_ms is not None:
        enabled = connection.execute(
            text(
                "SELECT compression_enabled FROM timescaledb_information.hypertables"
                " WHERE hypertable_schema = current_schema() AND hypertable_name = :table"
            ),
            {"table": table},
        ).scalar_one()
        if not enabled:
            options = ["timescaledb.compress"]
            if spec.segment_by:
                options.append(f"timescaledb.compress_segmentby = '{', '.join(spec.segment_by)}'")
            if spec.order_by:
                options.append(f"timescaledb.compress_orderby = '{', '.join(spec.order_by)}'")
            connection.execute(text(f'ALTER TABLE "{table}" SET ({", ".join(options)})'))
    policies = []
    for proc, key, value, noun in (
        ("policy_compression", "compress_after", spec.compress_after_ms, "compression"),
        ("policy_retention", "drop_after", spec.drop_after_ms, "retention"),
    ):
        current = connection.execute(
            text(
                "SELECT config ->> :key FROM timescaledb_information.jobs"
                " WHERE proc_name = :proc AND hypertable_schema = current_schema()"
                " AND hypertable_name = :table"
            ),
            {"key": key, "proc": proc, "table": table},
        ).first()
        if current is not None and (value is None or current[0] != str(value)):
            connection.execute(
                text(f"SELECT remove_{noun}_policy(CAST(:table AS regclass), if_exists => true)"),
                {"table": table},
            )
            current = None
        if value is None:
            continue
        if current is None:
            connection.execute(
                text(f"SELECT add_{noun}_policy(CAST(:table AS regclass), CAST(:after AS BIGINT))"),
                {"table": table, "after": value},
            )
        verb = "compress" if noun == "compression" else "drop"
        policies.append(f"{table}: {verb} after {value} ms")
    return policies
