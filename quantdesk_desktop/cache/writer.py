"""Writing to the cache: each batch and its stream's cursor in one transaction, so a kill
at any moment leaves rows and cursor agreeing (the next sync resumes from the cursor, and
rows seen twice are written once: fills, funding and liquidations by their ids; orders
keep their newest state)."""

from __future__ import annotations

import time

from sqlalchemy import Connection, text

from quantdesk_desktop.cache.database import CacheDatabase

INSERT_FILL = text(
    "INSERT INTO fills (trade_id, order_id, market, side, role, price, size, fee,"
    " realised_pnl, time_ms) VALUES (:trade_id, :order_id, :market, :side, :role, :price,"
    " :size, :fee, :realised_pnl, :time_ms) ON CONFLICT (trade_id) DO NOTHING"
)
UPSERT_ORDER = text(
    "INSERT INTO orders (order_id, client_order_id, market, side, type, status, size, filled,"
    " average_price, fees_paid, price, trigger_price, time_in_force, post_only, reduce_only,"
    " parent_id, reject_reason, created_at_ms, updated_at_ms) VALUES (:order_id,"
    " :client_order_id, :market, :side, :type, :status, :size, :filled, :average_price,"
    " :fees_paid, :price, :trigger_price, :time_in_force, :post_only, :reduce_only,"
    " :parent_id, :reject_reason, :created_at_ms, :updated_at_ms)"
    " ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, size = excluded.size,"
    " filled = excluded.filled, average_price = excluded.average_price,"
    " fees_paid = excluded.fees_paid, price = excluded.price,"
    " trigger_price = excluded.trigger_price, reject_reason = excluded.reject_reason,"
    " updated_at_ms = excluded.updated_at_ms"
    # an older state (a page fetched before a live update was applied) never wins
    " WHERE excluded.updated_at_ms >= orders.updated_at_ms AND excluded.filled >= orders.filled"
)
INSERT_FUNDING = text(
    "INSERT INTO funding_payments (id, market, position, amount, settled_at_ms)"
    " VALUES (:id, :market, :position, :amount, :settled_at_ms) ON CONFLICT (id) DO NOTHING"
)
INSERT_LIQUIDATION = text(
    "INSERT INTO liquidations (id, market, size, price, fee, realised_pnl, time_ms)"
    " VALUES (:id, :market, :size, :price, :fee, :realised_pnl, :time_ms)"
    " ON CONFLICT (id) DO NOTHING"
)
INSERT_TRANSFER = text(
    "INSERT INTO balance_changes (id, asset, amount, kind, time_ms)"
    " VALUES (:id, :asset, :amount, :kind, :time_ms) ON CONFLICT (id) DO NOTHING"
)
INSERT_POSITION = text(
    "INSERT INTO position_snapshots (time_ms, market, size, entry_price, mark_price,"
    " unrealised_pnl) VALUES (:time_ms, :market, :size, :entry_price, :mark_price,"
    " :unrealised_pnl)"
)
UPSERT_CANDLE = text(
    "INSERT INTO candles (market, interval, start_ms, open, high, low, close, volume,"
    " notional, trades) VALUES (:market, :interval, :start_ms, :open, :high, :low, :close,"
    " :volume, :notional, :trades) ON CONFLICT (market, interval, start_ms) DO UPDATE SET"
    " open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,"
    " volume = excluded.volume, notional = excluded.notional, trades = excluded.trades"
)
SAVE_CURSOR = text(
    "INSERT INTO sync_cursors (stream, cursor, synced_at_ms) VALUES (:stream, :cursor, :at)"
    " ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor,"
    " synced_at_ms = excluded.synced_at_ms"
)


class CacheWriter:
    """Batches into the cache."""

    def __init__(self, database: CacheDatabase) -> None:
        self.engine = database.engine

    def cursor(self, stream: str) -> str | None:
        """How far ``stream`` is synced (None: not at all)."""
        with self.engine.connect() as connection:
            return connection.execute(
                text("SELECT cursor FROM sync_cursors WHERE stream = :stream"), {"stream": stream}
            ).scalar()

    def fills(self, rows: list[dict], stream_cursor: tuple[str, str] | None = None) -> None:
        """Fills (`rows.fill_row`), and a stream's new cursor with them."""
        self._write(INSERT_FILL, rows, stream_cursor)

    def orders(self, rows: list[dict], stream_cursor: tuple[str, str] | None = None) -> None:
        """Orders (`rows.order_row`): new ones added, known ones moved on."""
        self._write(UPSERT_ORDER, rows, stream_cursor)

    def funding(self, rows: list[dict], stream_cursor: tuple[str, str] | None = None) -> None:
        """Funding payments (`rows.funding_row`)."""
        self._write(INSERT_FUNDING, rows, stream_cursor)

    def liquidations(self, rows: list[dict], stream_cursor: tuple[str, str] | None = None) -> None:
        """Liquidated slices (`rows.liquidation_row`)."""
        self._write(INSERT_LIQUIDATION, rows, stream_cursor)

    def transfers(self, rows: list[dict], stream_cursor: tuple[str, str] | None = None) -> None:
        """Deposits and withdrawals (`rows.transfer_row`)."""
        self._write(INSERT_TRANSFER, rows, stream_cursor)

    def positions(self, rows: list[dict]) -> None:
        """A positions snapshot (`rows.position_row`, one per open position)."""
        self._write(INSERT_POSITION, rows, None)

    def candles(self, rows: list[dict]) -> None:
        """Candles (`rows.candle_row`), the newest state of each."""
        self._write(UPSERT_CANDLE, rows, None)

    def _write(self, statement, rows: list[dict], stream_cursor: tuple[str, str] | None) -> None:
        if not rows and stream_cursor is None:
            return
        with self.engine.begin() as connection:
            if rows:
                connection.execute(statement, rows)
            if stream_cursor is not None:
                _save_cursor(connection, *stream_cursor)


def _save_cursor(connection: Connection, stream: str, cursor: str) -> None:
    connection.execute(
        SAVE_CURSOR, {"stream": stream, "cursor": cursor, "at": int(time.time() * 1000)}
    )
