"""What the workstation shows from the cache when no backend answers: the market specs
saved at the last connection, the candles the charts had, and the account's fills (the
chart marks them)."""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy import text

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION
from quantdesk_desktop.cache.database import CacheDatabase
from quantdesk_desktop.state.positions import OwnFill

MARKETS_KEY = "markets"


def market_specs(database: CacheDatabase) -> list[dict]:
    """The market specs saved at the last connection (none before the first)."""
    with database.engine.connect() as connection:
        saved = connection.execute(
            text("SELECT value FROM cache_info WHERE key = :key"), {"key": MARKETS_KEY}
        ).scalar()
    return json.loads(saved) if saved else []


def save_market_specs(database: CacheDatabase, specs: list[dict]) -> None:
    """Keep the market specs for the next offline start."""
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cache_info (key, value) VALUES (:key, :value)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            {"key": MARKETS_KEY, "value": json.dumps(specs)},
        )


def candles(
    database: CacheDatabase, market: str, interval: str, limit: int = 5_000
) -> tuple[np.ndarray, np.ndarray]:
    """The last ``limit`` cached candles, oldest first: start times and (n, 5) open, high,
    low, close, volume as the chart draws them."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT start_ms, open, high, low, close, volume FROM candles"
                " WHERE market = :market AND interval = :interval"
                " ORDER BY start_ms DESC LIMIT :limit"
            ),
            {"market": market, "interval": interval, "limit": limit},
        ).all()
    table = np.array(rows[::-1], dtype=np.int64).reshape(-1, 6)
    values = table[:, 1:].astype(np.float64)
    values[:, :4] /= PRICE_PRECISION
    values[:, 4] /= BASE_PRECISION
    return table[:, 0].copy(), values


def recent_fills(database: CacheDatabase, limit: int) -> list[OwnFill]:
    """The account's last ``limit`` fills, oldest first."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT trade_id, order_id, market, side, price, size, role, time_ms, fee"
                " FROM fills ORDER BY time_ms DESC, trade_id DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).all()
    return [
        OwnFill(
            trade_id=r[0],
            order_id=r[1] or 0,
            market=r[2],
            side=r[3],
            price=r[4],
            size=r[5],
            role=r[6],
            time_ms=r[7],
            fee=r[8],
        )
        for r in reversed(rows)
    ]
