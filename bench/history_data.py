"""A local cache holding two years of an active account's history for `bench history`:
1,000,000 fills across six markets (prices on random walks, positions tracked so each
fill's realised PnL is what the ledger would credit), the orders behind them, and hourly
funding payments. Built once per seed and kept in the user's cache directory."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from quantdesk_desktop.cache.database import CacheDatabase

MARKETS = {  # symbol: (start price, lot)
    "SOL-PERP": (150.0, 0.1),
    "BTC-PERP": (67_000.0, 0.001),
    "ETH-PERP": (3_500.0, 0.01),
    "JUP-PERP": (1.2, 10.0),
    "WIF-PERP": (2.5, 10.0),
    "1KBONK-PERP": (0.02, 1_000.0),
}
DAY_MS = 86_400_000
YEARS = 2
PUBKEY = "BenchHistory1111111111111111111111111111111"
FORMAT = 2
"""Bump when what is generated changes (the cached file is rebuilt)."""


def build(path: Path, fills: int, seed: int = 7, start_ms: int = 1_730_000_000_000) -> None:
    """Write the history into a new cache at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    CacheDatabase(path, PUBKEY).close()  # the schema, migrated
    rng = random.Random(seed)
    span = YEARS * 365 * DAY_MS
    times = sorted(start_ms + rng.randrange(span) for _ in range(fills))
    prices = {m: p for m, (p, _) in MARKETS.items()}
    positions = dict.fromkeys(MARKETS, (0, 0))  # base units, average entry (price units)
    symbols = list(MARKETS)
    fill_rows, order_rows = [], []
    order_id = 0
    for trade_id, time_ms in enumerate(times, start=1):
        market = rng.choice(symbols)
        prices[market] *= 1 + rng.gauss(0, 0.002)
        price = max(1, round(prices[market] * 1e6))
        lot = MARKETS[market][1]
        size = max(1, round(lot * rng.randint(1, 20) * 1e9))
        side = rng.choice(("buy", "sell"))
        signed = size if side == "buy" else -size
        base, entry = positions[market]
        realised = 0
        if base == 0 or (base > 0) == (signed > 0):
            total = base + signed
            entry = (entry * abs(base) + price * abs(signed)) // abs(total)
            base = total
        else:
            closed = min(abs(base), abs(signed))
            direction = 1 if base > 0 else -1
            realised = (price - entry) * closed * direction // 1_000_000_000
            base += signed
            if base == 0:
                entry = 0
            elif (base > 0) != (direction > 0):
                entry = price  # flipped: the rest opened at this price
        positions[market] = (base, entry)
        notional = price * size // 1_000_000_000
        fee = notional * 5 // 10_000
        if trade_id % 2 == 1:
            order_id += 1
            kind = rng.choice(("market", "limit", "limit", "stop_market"))
            order_rows.append((order_id, f"b{order_id}", market, side, kind, "filled", size,
                               size, price, fee, None if kind == "market" else price, None,
                               "gtc", 0, 0, None, None, time_ms, time_ms))  # fmt: skip
        fill_rows.append((trade_id, order_id, market, side, rng.choice(("maker", "taker")),
                          price, size, fee, realised, time_ms))  # fmt: skip
    funding_rows = []
    hour = 3_600_000
    payment_id = 0
    for when in range(start_ms - start_ms % hour + hour, start_ms + span, hour):
        for market in symbols[:3]:
            payment_id += 1
            amount = rng.randint(-2_000_000, 1_500_000)
            funding_rows.append((payment_id, market, 1_000_000_000, amount, when))
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO fills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", fill_rows
            )
            connection.executemany(
                "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?, ?)",
                order_rows,
            )
            connection.executemany(
                "INSERT INTO funding_payments VALUES (?, ?, ?, ?, ?)", funding_rows
            )
    finally:
        connection.close()


def cached(directory: Path, fills: int, seed: int = 7) -> Path:
    """The history's cache file in ``directory``, built if missing."""
    path = directory / f"history-{FORMAT}-{fills}-{seed}.sqlite"
    if not path.exists():
        scratch = path.with_suffix(".building")
        for leftover in directory.glob(scratch.name + "*"):
            leftover.unlink()
        build(scratch, fills, seed)
        for suffix in ("-wal", "-shm"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)
        scratch.replace(path)
    return path
