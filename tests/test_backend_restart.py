"""Kill the server with SIGKILL mid-session: after a restart every acknowledged order,
position and balance is back exactly."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.server_process import ServerProcess, bearer

SECRET = {"QUANTDESK_TOKEN_SECRET": "restart-test-secret-of-at-least-32-bytes"}


def _state(url: str, headers: dict[str, str]) -> tuple:
    orders = httpx.get(f"{url}/api/orders", headers=headers).json()
    balances = httpx.get(f"{url}/api/account/balances", headers=headers).json()
    positions = httpx.get(f"{url}/api/positions", headers=headers).json()
    return (
        [(o["order_id"], o["status"], o["size"], o["filled"], o["price"]) for o in orders],
        balances,
        [(p["market"], p["size"], p["entry_price"]) for p in positions],
    )


def _has_prices(answer: httpx.Response) -> bool:
    return answer.status_code == 200 and len(answer.json()) == 6


def test_acknowledged_state_survives_sigkill(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'server.db'}"
    first = ServerProcess(database, SECRET)
    try:
        first.wait_until("/api/oracle/prices", _has_prices)
        first.wait_until("/api/markets/SOL-PERP/book", lambda a: bool(a.json()["asks"]))
        url = first.url
        alice, bob = bearer(url), bearer(url)
        for headers in (alice, bob):
            deposit = {"asset": "USDC", "amount": "10000"}
            assert (
                httpx.post(f"{url}/api/account/deposit", json=deposit, headers=headers).status_code
                == 200
            )
        book = [("buy", "100", "1", "a1"), ("buy", "101", "2", "a2"), ("sell", "300", "1", "a3")]
        placed = []
        for side, price, size, cid in book:
            order = {
                "market": "SOL-PERP",
                "side": side,
                "type": "limit",
                "size": size,
                "price": price,
                "client_order_id": cid,
            }
            answer = httpx.post(f"{url}/api/orders", json=order, headers=alice)
            assert answer.status_code == 201, answer.text
            placed.append(answer.json()["order_id"])
        httpx.delete(f"{url}/api/orders/{placed[2]}", headers=alice)
        # alice buys from the embedded market makers: a fill, a position, fees
        take = {
            "market": "SOL-PERP",
            "side": "buy",
            "type": "market",
            "size": "0.5",
            "client_order_id": "a4",
        }
        assert httpx.post(f"{url}/api/orders", json=take, headers=alice).json()["filled"] == "0.5"
        before_alice, before_bob = _state(url, alice), _state(url, bob)
        assert len(before_alice[0]) == 2
        assert [(market, size) for market, size, _ in before_alice[2]] == [("SOL-PERP", "0.5")]
    finally:
        first.kill()

    second = ServerProcess(database, SECRET)
    try:
        second.wait_until("/api/oracle/prices", _has_prices)
        assert _state(second.url, alice) == before_alice
        assert _state(second.url, bob) == before_bob
        # the same client order id is still known: a retry after the crash cannot double
        retry = {
            "market": "SOL-PERP",
            "side": "buy",
            "type": "limit",
            "size": "1",
            "price": "100",
            "client_order_id": "a1",
        }
        answer = httpx.post(f"{second.url}/api/orders", json=retry, headers=alice)
        assert answer.status_code == 200 and answer.json()["order_id"] == placed[0]
    finally:
        second.stop()
