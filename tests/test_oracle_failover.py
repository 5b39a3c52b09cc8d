"""Failover, recovery and halting end to end: a real `quantdesk-backend` on Pyth with a
CoinGecko fallback, both local servers speaking the providers' wire formats, watched
through the gateway's `prices` channel, its REST API, /metrics and the system events."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
import websockets

from backend.domain.markets import default_markets_path, load_default_catalog
from backend.services.oracle.replay import read_recording
from bench.local_oracles import LocalCoinGecko, LocalHermes, coingecko_prices, hermes_feeds
from tests.loopback_server import LoopbackServer
from tests.server_process import ServerProcess, bearer

BTC = "BTC-PERP"
MAX_AGE_S = 4
FAILOVER_DEADLINE_S = 5.0


def _short_lived_markets(path: Path) -> Path:
    """The shipped markets with a short oracle age bound, so halts come quickly."""
    spec = json.loads(default_markets_path().read_text())
    for market in spec["markets"]:
        market["max_oracle_age_s"] = MAX_AGE_S
    path.write_text(json.dumps(spec))
    return path


async def _next(socket, wanted, timeout_s: float = 15.0) -> dict:
    """The next message on ``socket`` for which ``wanted`` holds."""
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "the expected message did not come"
        message = json.loads(await asyncio.wait_for(socket.recv(), left))
        if wanted(message):
            return message


def _status(message: dict) -> bool:
    return message.get("type") == "status"


def _price_from(source: str):
    return lambda message: message.get("type") == "price" and message["source"] == source


@pytest.fixture
async def oracles():
    catalog = load_default_catalog()
    hermes = LocalHermes(hermes_feeds(catalog), interval_s=0.2)
    gecko = LocalCoinGecko(coingecko_prices(catalog))
    async with LoopbackServer(hermes.app()) as pyth, LoopbackServer(gecko.app()) as cg:
        yield hermes, gecko, pyth.url, cg.url


async def test_failover_recovery_and_halt_through_the_gateway(oracles, tmp_path: Path) -> None:
    hermes, gecko, pyth_url, coingecko_url = oracles
    btc_feed = load_default_catalog().market(BTC).pyth_feed_id
    database = tmp_path / "server.db"
    recording = tmp_path / "prices.jsonl"
    server = ServerProcess(
        f"sqlite:///{database}",
        {
            "QUANTDESK_PYTH_URL": pyth_url,
            "QUANTDESK_COINGECKO_URL": coingecko_url,
            "QUANTDESK_COINGECKO_CALLS_PER_MINUTE": "300",
            "QUANTDESK_ORACLE_FALLBACK_MAX_AGE_S": str(MAX_AGE_S),
        },
        [
            "--oracle",
            "pyth",
            "--markets",
            str(_short_lived_markets(tmp_path / "m.json")),
            "--record-prices",
            str(recording),
        ],
    )
    try:
        await asyncio.to_thread(server.wait_until, "/health")
        headers = await asyncio.to_thread(bearer, server.url)
        async with (
            websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket,
            httpx.AsyncClient(base_url=server.url, headers=headers) as http,
        ):
            await socket.send(json.dumps({"op": "subscribe", "channel": "prices", "market": BTC}))
            snapshot = await _next(socket, lambda m: m.get("type") == "snapshot")
            assert snapshot["status"] in {"live", "halted"}
            await _next(socket, _price_from("pyth"))
            resting = await http.post(
                "/api/orders",
                json={"market": BTC, "side": "buy", "type": "limit", "size": "0.01",
                      "price": "50000", "client_order_id": "before-halt"},
            )  # fmt: skip
            assert resting.status_code == 201, resting.text

            # Pyth stops publishing BTC: CoinGecko serves within 5 s
            hermes.silent.add(btc_feed)
            silenced = time.monotonic()
            fallback = await _next(socket, _status)
            assert (fallback["status"], fallback["source"]) == ("fallback", "coingecko")
            assert time.monotonic() - silenced < FAILOVER_DEADLINE_S
            assert "no valid pyth price" in fallback["reason"]
            await _next(socket, _price_from("coingecko"))
            prices = (await http.get("/api/oracle/prices")).json()
            btc = next(p for p in prices if p["market"] == BTC)
            assert (btc["status"], btc["source"]) == ("fallback", "coingecko")

            history = (await http.get("/api/oracle/history", params={"market": BTC})).json()
            by_source = {row["source"]: row for row in history}
            assert by_source["pyth"]["ema_price"] is not None  # Pyth's EMA is kept
            assert by_source["coingecko"]["ema_price"] is None

            # Pyth is back: it serves again at once
            hermes.silent.clear()
            live = await _next(socket, _status)
            assert (live["status"], live["source"]) == ("live", "pyth")
            await _next(socket, _price_from("pyth"))

            # both gone: after the fallback's last price ages out, the market halts
            hermes.silent.add(btc_feed)
            gecko.failing = 500
            halted = await _next(socket, lambda m: _status(m) and m["status"] == "halted")
            assert halted["source"] is None
            refused = await http.post(
                "/api/orders",
                json={"market": BTC, "side": "buy", "type": "limit", "size": "0.01",
                      "price": "50001", "client_order_id": "during-halt"},
            )  # fmt: skip
            assert refused.status_code == 409
            assert refused.json()["code"] == "no_valid_price"
            assert "reduce-only" in refused.json()["message"]
            cancelled = await http.delete(f"/api/orders/{resting.json()['order_id']}")
            assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
            metrics = (await http.get("/metrics")).text
            assert f'quantdesk_oracle_status{{market="{BTC}",status="halted"}} 1.0' in metrics
            age = re.search(
                rf'quantdesk_oracle_age_seconds{{market="{BTC}",source="\w+"}} (\S+)', metrics
            )
            assert age is not None and float(age.group(1)) > MAX_AGE_S  # why it halted

            # prices return: the market takes orders again
            hermes.silent.clear()
            gecko.failing = None
            await _next(socket, lambda m: _status(m) and m["status"] == "live")
            again = await http.post(
                "/api/orders",
                json={"market": BTC, "side": "buy", "type": "limit", "size": "0.01",
                      "price": "50002", "client_order_id": "after-halt"},
            )  # fmt: skip
            assert again.status_code == 201, again.text
    finally:
        output = await asyncio.to_thread(server.stop)
    assert "Traceback" not in output, output
    with sqlite3.connect(database) as db:
        events = db.execute(
            "SELECT message FROM system_events WHERE kind = 'market_oracle' AND market = ?"
            " ORDER BY id",
            (BTC,),
        ).fetchall()
    statuses = [message.split(" oracle ")[1].split()[0].rstrip(":") for (message,) in events]
    assert statuses[:2] == ["fallback", "live"] and statuses[-1] == "live"
    assert "halted" in statuses
    # every price that served was recorded, from either source, in the replay format
    served = [p for _, prices in read_recording(recording) for p in prices if p.feed_id == btc_feed]
    assert {p.slot is not None for p in served} == {True, False}  # Pyth's carry its slot


async def test_coingecko_alone_drives_the_markets(oracles, tmp_path: Path) -> None:
    _, gecko, _, coingecko_url = oracles
    server = ServerProcess(
        f"sqlite:///{tmp_path / 'server.db'}",
        {"QUANTDESK_COINGECKO_URL": coingecko_url, "QUANTDESK_COINGECKO_CALLS_PER_MINUTE": "600"},
        ["--oracle", "coingecko"],
    )
    try:
        await asyncio.to_thread(server.wait_until, "/health")
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
            await socket.send(json.dumps({"op": "subscribe", "channel": "prices", "market": BTC}))
            price = await _next(socket, _price_from("coingecko"))
        assert price["oracle"] == "67000"  # the local CoinGecko's BTC price, exactly
        assert gecko.requests >= 1
    finally:
        output = await asyncio.to_thread(server.stop)
    assert "Traceback" not in output, output
