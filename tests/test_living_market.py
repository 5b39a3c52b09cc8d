"""The embedded default as a user meets it, through the real `quantdesk-backend` process:
a funded demo account, a JIT auction answered by the embedded maker, candles and a ticker
from the trades, recorded oracle prices, an operator halting a market, and a snapshot
written at shutdown that the next start loads."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from solders.keypair import Keypair
from sqlmodel import Session, select

from backend.store.database import create_engine_for
from backend.store.models import StateSnapshot
from tests.server_process import ServerProcess, bearer

ADMIN = Keypair()
DEADLINE_S = 15.0


def _poll(fetch, ready):
    """``fetch()`` until ``ready(answer)`` holds, or fail after the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        answer = fetch()
        if ready(answer):
            return answer
        assert time.monotonic() < deadline, f"not ready: {answer}"
        time.sleep(0.05)


def test_the_embedded_market_lives(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'market.db'}"
    env = {"QUANTDESK_ADMIN_KEYS": f'["{ADMIN.pubkey()}"]'}
    server = ServerProcess(database, env)
    try:
        url = server.url
        server.wait_until("/api/markets/SOL-PERP/book", lambda a: bool(a.json()["asks"]))
        trader = bearer(url, Keypair())
        balances = httpx.get(f"{url}/api/account/balances", headers=trader).json()
        assert balances == [{"asset": "USDC", "amount": "100000"}]  # the demo account

        # 2,000 SOL is the SOL-PERP auction threshold: the order waits for JIT makers
        order = {
            "market": "SOL-PERP",
            "side": "buy",
            "type": "market",
            "size": "2000",
            "client_order_id": "whale-1",
        }
        httpx.post(
            f"{url}/api/account/deposit",
            json={"asset": "USDC", "amount": "400000"},
            headers=trader,
        )
        placed = httpx.post(f"{url}/api/orders", json=order, headers=trader)
        assert placed.status_code == 201, placed.text
        auctions = _poll(
            lambda: httpx.get(f"{url}/api/liquidity/auctions?market=SOL-PERP").json(),
            lambda found: found and found[0]["status"] == "settled",
        )
        record = httpx.get(f"{url}/api/liquidity/auctions/{auctions[0]['auction_id']}").json()
        assert record["quotes"] and sum(float(f["size"]) for f in record["fills"]) > 0
        positions = httpx.get(f"{url}/api/positions", headers=trader).json()
        assert positions[0]["market"] == "SOL-PERP" and positions[0]["size"] == "2000"

        candles = httpx.get(f"{url}/api/markets/SOL-PERP/candles?interval=1m").json()
        assert sum(float(c["volume"]) for c in candles) >= 2000
        ticker = httpx.get(f"{url}/api/markets/SOL-PERP/ticker").json()
        assert float(ticker["open_interest"]) >= 2000 and ticker["trades_24h"] >= 1
        oracle = httpx.get(f"{url}/api/oracle/history?market=SOL-PERP&limit=5").json()
        assert oracle and {o["source"] for o in oracle} == {"sim"}

        admin = bearer(url, ADMIN)
        halt = httpx.post(
            f"{url}/api/admin/markets/ETH-PERP/halt", json={"reason": "drill"}, headers=admin
        )
        assert halt.status_code == 200
        refused = httpx.post(
            f"{url}/api/orders",
            json=order | {"market": "ETH-PERP", "size": "1", "client_order_id": "eth-1"},
            headers=trader,
        )
        assert refused.status_code == 409 and refused.json()["code"] == "market_halted"
        forbidden = httpx.post(f"{url}/api/admin/markets/ETH-PERP/resume", headers=trader)
        assert forbidden.status_code == 403
    finally:
        output = server.stop()
    assert "Traceback" not in output, output

    engine = create_engine_for(database)
    with Session(engine) as session:
        snapshots = list(session.exec(select(StateSnapshot)))
    engine.dispose()
    assert len(snapshots) == 1  # written at shutdown

    again = ServerProcess(database, env)
    try:
        ticker = again.wait_until("/api/markets/ETH-PERP/ticker").json()
        assert ticker["halted"] is True  # the halt came back from the snapshot
    finally:
        again.stop()
