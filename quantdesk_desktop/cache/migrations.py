"""The cache's schema, one numbered migration at a time (``PRAGMA user_version`` holds the
number applied). An upgrade of the workstation adds migrations at the end and never edits
an applied one, so a user's history survives every upgrade."""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the first schema
    (
        "CREATE TABLE cache_info (key VARCHAR NOT NULL PRIMARY KEY, value VARCHAR NOT NULL)",
        "CREATE TABLE sync_cursors (stream VARCHAR NOT NULL PRIMARY KEY,"
        " cursor VARCHAR NOT NULL, synced_at_ms INTEGER NOT NULL)",
        "CREATE TABLE fills (trade_id INTEGER NOT NULL PRIMARY KEY, order_id INTEGER,"
        " market VARCHAR NOT NULL, side VARCHAR NOT NULL, role VARCHAR NOT NULL,"
        " price INTEGER NOT NULL, size INTEGER NOT NULL, fee INTEGER NOT NULL,"
        " realised_pnl INTEGER NOT NULL, time_ms INTEGER NOT NULL)",
        "CREATE INDEX ix_fills_time_ms ON fills (time_ms)",
        "CREATE INDEX ix_fills_market_time_ms ON fills (market, time_ms)",
        "CREATE INDEX ix_fills_order_id ON fills (order_id)",
        # each UTC day's fills per market and side, kept by a trigger: a history of a million
        # fills is summed from a few thousand rows
        "CREATE TABLE fill_days (market VARCHAR NOT NULL, day INTEGER NOT NULL,"
        " side VARCHAR NOT NULL, fills INTEGER NOT NULL, net INTEGER NOT NULL,"
        " fees INTEGER NOT NULL, realised INTEGER NOT NULL, closes INTEGER NOT NULL,"
        " wins INTEGER NOT NULL, win_sum INTEGER NOT NULL, loss_sum INTEGER NOT NULL,"
        " worst INTEGER, PRIMARY KEY (market, day, side))",
        "CREATE TRIGGER fills_into_days AFTER INSERT ON fills BEGIN"
        " INSERT INTO fill_days (market, day, side, fills, net, fees, realised, closes, wins,"
        " win_sum, loss_sum, worst) VALUES (NEW.market, NEW.time_ms / 86400000, NEW.side, 1,"
        " NEW.realised_pnl - NEW.fee, NEW.fee, NEW.realised_pnl, NEW.realised_pnl <> 0,"
        " NEW.realised_pnl <> 0 AND NEW.realised_pnl - NEW.fee > 0,"
        " CASE WHEN NEW.realised_pnl <> 0 AND NEW.realised_pnl - NEW.fee > 0"
        " THEN NEW.realised_pnl - NEW.fee ELSE 0 END,"
        " CASE WHEN NEW.realised_pnl <> 0 AND NEW.realised_pnl - NEW.fee <= 0"
        " THEN NEW.realised_pnl - NEW.fee ELSE 0 END,"
        " CASE WHEN NEW.realised_pnl <> 0 THEN NEW.realised_pnl - NEW.fee END)"
        " ON CONFLICT (market, day, side) DO UPDATE SET fills = fills + 1,"
        " net = net + excluded.net, fees = fees + excluded.fees,"
        " realised = realised + excluded.realised, closes = closes + excluded.closes,"
        " wins = wins + excluded.wins, win_sum = win_sum + excluded.win_sum,"
        " loss_sum = loss_sum + excluded.loss_sum,"
        " worst = CASE WHEN worst IS NULL THEN excluded.worst WHEN excluded.worst IS NULL"
        " THEN worst ELSE MIN(worst, excluded.worst) END; END",
        "CREATE TABLE orders (order_id INTEGER NOT NULL PRIMARY KEY,"
        " client_order_id VARCHAR NOT NULL, market VARCHAR NOT NULL, side VARCHAR NOT NULL,"
        " type VARCHAR NOT NULL, status VARCHAR NOT NULL, size INTEGER NOT NULL,"
        " filled INTEGER NOT NULL, average_price INTEGER, fees_paid INTEGER NOT NULL,"
        " price INTEGER, trigger_price INTEGER, time_in_force VARCHAR NOT NULL,"
        " post_only BOOLEAN NOT NULL, reduce_only BOOLEAN NOT NULL, parent_id INTEGER,"
        " reject_reason VARCHAR, created_at_ms INTEGER NOT NULL,"
        " updated_at_ms INTEGER NOT NULL)",
        "CREATE INDEX ix_orders_created_at_ms ON orders (created_at_ms)",
        "CREATE INDEX ix_orders_market_created_at_ms ON orders (market, created_at_ms)",
        "CREATE TABLE funding_payments (id INTEGER NOT NULL PRIMARY KEY,"
        " market VARCHAR NOT NULL, position INTEGER NOT NULL, amount INTEGER NOT NULL,"
        " settled_at_ms INTEGER NOT NULL)",
        "CREATE INDEX ix_funding_payments_settled_at_ms ON funding_payments (settled_at_ms)",
        "CREATE TABLE liquidations (id INTEGER NOT NULL PRIMARY KEY, market VARCHAR NOT NULL,"
        " size INTEGER NOT NULL, price INTEGER NOT NULL, fee INTEGER NOT NULL,"
        " realised_pnl INTEGER NOT NULL, time_ms INTEGER NOT NULL)",
        "CREATE INDEX ix_liquidations_time_ms ON liquidations (time_ms)",
        "CREATE TABLE balance_changes (id INTEGER NOT NULL PRIMARY KEY,"
        " asset VARCHAR NOT NULL, amount INTEGER NOT NULL, kind VARCHAR NOT NULL,"
        " time_ms INTEGER NOT NULL)",
        "CREATE INDEX ix_balance_changes_time_ms ON balance_changes (time_ms)",
        "CREATE TABLE position_snapshots (id INTEGER NOT NULL PRIMARY KEY,"
        " time_ms INTEGER NOT NULL, market VARCHAR NOT NULL, size INTEGER NOT NULL,"
        " entry_price INTEGER, mark_price INTEGER, unrealised_pnl INTEGER NOT NULL)",
        "CREATE INDEX ix_position_snapshots_time_ms ON position_snapshots (time_ms)",
        "CREATE TABLE candles (market VARCHAR NOT NULL, interval VARCHAR NOT NULL,"
        " start_ms INTEGER NOT NULL, open INTEGER NOT NULL, high INTEGER NOT NULL,"
        " low INTEGER NOT NULL, close INTEGER NOT NULL, volume INTEGER NOT NULL,"
        " notional INTEGER NOT NULL, trades INTEGER NOT NULL,"
        " PRIMARY KEY (market, interval, start_ms))",
    ),
    # 2: a liquidated slice counts in the per-day sums as a closing trade on the side that
    # closed it (its realised PnL and its fee)
    (
        "CREATE TRIGGER liquidations_into_days AFTER INSERT ON liquidations BEGIN"
        " INSERT INTO fill_days (market, day, side, fills, net, fees, realised, closes, wins,"
        " win_sum, loss_sum, worst) VALUES (NEW.market, NEW.time_ms / 86400000,"
        " CASE WHEN NEW.size > 0 THEN 'sell' ELSE 'buy' END, 1,"
        " NEW.realised_pnl - NEW.fee, NEW.fee, NEW.realised_pnl, 1,"
        " NEW.realised_pnl - NEW.fee > 0,"
        " CASE WHEN NEW.realised_pnl - NEW.fee > 0 THEN NEW.realised_pnl - NEW.fee ELSE 0 END,"
        " CASE WHEN NEW.realised_pnl - NEW.fee <= 0 THEN NEW.realised_pnl - NEW.fee ELSE 0 END,"
        " NEW.realised_pnl - NEW.fee)"
        " ON CONFLICT (market, day, side) DO UPDATE SET fills = fills + 1,"
        " net = net + excluded.net, fees = fees + excluded.fees,"
        " realised = realised + excluded.realised, closes = closes + excluded.closes,"
        " wins = wins + excluded.wins, win_sum = win_sum + excluded.win_sum,"
        " loss_sum = loss_sum + excluded.loss_sum,"
        " worst = CASE WHEN worst IS NULL THEN excluded.worst WHEN excluded.worst IS NULL"
        " THEN worst ELSE MIN(worst, excluded.worst) END; END",
    ),
)

HEAD = len(MIGRATIONS)


class CacheTooNew(RuntimeError):
    """The file was written by a newer workstation (opening it could lose its history)."""


def schema_version(connection: sqlite3.Connection) -> int:
    """The number of migrations applied to the file."""
    return connection.execute("PRAGMA user_version").fetchone()[0]


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the migrations the file lacks, each in its own transaction; the version now.

    Raises `CacheTooNew` for a file from a newer workstation."""
    version = schema_version(connection)
    if version > HEAD:
        raise CacheTooNew(
            f"the cache is at schema {version}, newer than this workstation's {HEAD}: "
            "upgrade the workstation (the file is left as it is)"
        )
    autocommit = connection.isolation_level
    connection.isolation_level = None  # the transactions are spelled out below
    try:
        for number in range(version, HEAD):
            connection.execute("BEGIN IMMEDIATE")  # a crash leaves the previous version
            try:
                for statement in MIGRATIONS[number]:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number + 1}")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
    finally:
        connection.isolation_level = autocommit
    return HEAD
