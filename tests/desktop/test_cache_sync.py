"""The local cache against a real embedded backend: it ends up holding exactly the
account's fills and orders as the backend states them (live updates and catch-up pages
agree, nothing twice), a restart fetches only what is new, and a sync killed with SIGKILL
leaves a sound file whose rows and cursor agree, from which the next start completes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from quantdesk_desktop.cache.database import CacheDatabase, cache_path
from quantdesk_desktop.cache.rows import fill_row, order_row
from quantdesk_desktop.client.cache_sync import CacheSync
from quantdesk_desktop.client.embedded import EmbeddedBackend
from quantdesk_desktop.client.rest import RestClient
from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.client.wallet import load_wallet
from quantdesk_desktop.state.store import MarketStore
from tests.desktop.live_backend import until

MARKET = "SOL-PERP"
ROOT = Path(__file__).resolve().parents[2]
UNLIMITED = {"QUANTDESK_PRIVATE_RATE_PER_S": "100000", "QUANTDESK_PRIVATE_BURST": "100000"}


async def _backend_history(rest: RestClient) -> tuple[dict, dict]:
    """Every own fill (by trade id) and every order's last state (by id), from the backend."""
    fills, cursor = {}, 0
    while page := (await rest.fills_after(cursor, 1_000))["trades"]:
        fills |= {f["trade_id"]: f for f in page}
        cursor = page[-1]["trade_id"]
    orders, after = {}, None
    while page := await rest.order_changes(after, 1_000):
        if not page["orders"]:
            break
        orders |= {o["order_id"]: o for o in page["orders"]}
        after = page["next_cursor"]
    return fills, orders


FILL_FIELDS = ("trade_id", "market", "side", "price", "size", "fee", "realised_pnl")
ORDER_FIELDS = ("order_id", "status", "filled")
FILLS_CURSOR = "SELECT cursor FROM sync_cursors WHERE stream = 'fills'"


def _cached(database: CacheDatabase) -> tuple[dict, dict]:
    with database.engine.connect() as connection:
        fills = connection.execute(text(f"SELECT {', '.join(FILL_FIELDS)} FROM fills"))
        orders = connection.execute(text(f"SELECT {', '.join(ORDER_FIELDS)} FROM orders"))
        return {row[0]: tuple(row) for row in fills}, {row[0]: tuple(row) for row in orders}


def _same(backend_fills: dict, backend_orders: dict, cached: tuple[dict, dict]) -> bool:
    fills = {i: tuple(fill_row(f)[k] for k in FILL_FIELDS) for i, f in backend_fills.items()}
    orders = {i: tuple(order_row(o)[k] for k in ORDER_FIELDS) for i, o in backend_orders.items()}
    return cached == (fills, orders)


async def _trade(rest: RestClient, count: int, tag: str) -> None:
    for number in range(count):
        side = "buy" if number % 2 == 0 else "sell"
        order = {"market": MARKET, "side": side, "type": "market", "size": "0.1",
                 "client_order_id": f"{tag}-{number}"}  # fmt: skip
        await rest.place_order(order)


async def test_the_cache_holds_exactly_the_backends_history(backend, tmp_path: Path) -> None:
    wallet = load_wallet("test", tmp_path)
    path = cache_path(tmp_path / "data", "embedded", wallet.pubkey)
    client = WorkstationClient(
        MarketStore(), backend.url, wallet, CacheDatabase(path, wallet.pubkey)
    )
    await client.start()
    try:
        await until(lambda: client.stream.connected, "the socket online")
        await _trade(client.rest, 6, "a")
        price = client.store.board.prices[MARKET].oracle or 0
        far_below = format_fixed(price // 2 // 1_000 * 1_000, PRICE_PRECISION)
        body = {"market": MARKET, "side": "buy", "type": "limit", "size": "1",
                "price": far_below, "client_order_id": "rest-1"}  # fmt: skip
        resting = await client.rest.place_order(body)
        await client.rest.cancel_order(resting["order_id"])
        await client.rest.deposit("USDC", "25.5")
        assert client.cache is not None
        await client.cache.catch_up()
        with client.cache.database.engine.connect() as connection:
            moves = connection.execute(
                text("SELECT asset, amount, kind FROM balance_changes ORDER BY id")
            ).all()
        assert moves[-1] == ("USDC", 25_500_000, "deposit")
        fills, orders = await _backend_history(client.rest)
        assert len(fills) >= 6 and orders[resting["order_id"]]["status"] == "cancelled"
        database = client.cache.database
        await until(
            lambda: _same(fills, orders, _cached(database)), "the cache equal to the backend"
        )
    finally:
        await client.stop()

    other = RestClient(backend.url)  # meanwhile, another session of the account trades
    await other.sign_in(wallet)
    await _trade(other, 3, "b")
    later = WorkstationClient(
        MarketStore(), backend.url, wallet, CacheDatabase(path, wallet.pubkey)
    )
    await later.start()
    try:
        assert later.cache is not None
        await until(lambda: later.cache.synced_at_ms is not None, "the catch-up at start")
        fills, orders = await _backend_history(other)
        assert _same(fills, orders, _cached(later.cache.database))
        assert later.cache.database.integrity() == "ok"
    finally:
        await later.stop()
        await other.aclose()


async def test_a_sync_killed_midway_leaves_a_sound_cache_that_the_next_start_completes(
    tmp_path: Path,
) -> None:
    backend = EmbeddedBackend(tmp_path / "embedded", UNLIMITED)
    url = await backend.start()
    rest = RestClient(url)
    try:
        wallet = load_wallet("test", tmp_path)
        await rest.sign_in(wallet)
        await _trade(rest, 300, "k")
        fills, _ = await _backend_history(rest)
        path = cache_path(tmp_path / "data", "embedded", wallet.pubkey)
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.desktop.cache_sync_child",
                url,
                str(tmp_path),
                str(path),
                "3",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "syncing"

            def cursor() -> int:
                probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
                try:
                    row = probe.execute(FILLS_CURSOR).fetchone()
                finally:
                    probe.close()
                return int(row[0]) if row else 0

            await until(lambda: cursor() > min(fills) + 30, "the sync under way")
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            if child.stdout is not None:
                child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        database = CacheDatabase(path, wallet.pubkey)
        assert database.integrity() == "ok"
        with database.engine.connect() as connection:
            saved = int(connection.execute(text(FILLS_CURSOR)).scalar())
            kept = connection.execute(text("SELECT COUNT(*), MAX(trade_id) FROM fills")).one()
        assert saved < max(fills)  # killed midway
        assert kept == (sum(1 for i in fills if i <= saved), saved)  # rows and cursor agree
        sync = CacheSync(database, rest)
        await sync.catch_up()
        sync.close()
        cached_fills, _ = _cached(database)
        database.close()
        assert set(cached_fills) == set(fills)
    finally:
        await rest.aclose()
        backend.stop()
