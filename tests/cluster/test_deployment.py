"""Two gateways and two engines over one PostgreSQL and one Redis, each a real process: a
nonce asked on one gateway is spent on the other; a client on one gateway sees the fills of
an order placed on the other; the engines share the markets, and killing one hands its
markets to the other within 5 s with no acknowledged order lost and no fill delivered
twice; killing a gateway drops only its sockets, which resume on the other."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from solders.keypair import Keypair
from sqlalchemy import text
from websockets.sync.client import connect

from backend.store.database import create_engine_for
from bench.live_server import sign_in
from tests.cluster.deployment import Deployment, Node, empty_stores

MARKETS = 6
FAILOVER_LIMIT_S = 5.0


@pytest.fixture
def deployment(postgres_url: str, redis_url: str) -> Iterator[Deployment]:
    empty_stores(postgres_url, redis_url)
    with Deployment(postgres_url, redis_url) as deployment:
        first = deployment.start("engine", "engine-a")
        first.wait(lambda h: len(h["markets"]) == MARKETS, "engine-a owning every market")
        deployment.start("engine", "engine-b").wait(lambda h: h["status"] == "ok", "engine-b up")
        for name in ("gateway-1", "gateway-2"):
            deployment.start("gateway", name)
        for gateway in deployment.nodes[2:]:
            gateway.wait(lambda h: h["status"] == "ok", f"{gateway.name} up")
            _wait_for_book(gateway)
        yield deployment


class Stream:
    """A signed-in socket on one gateway, reading into a list on a thread."""

    def __init__(
        self, gateway: Node, token: str, channels: list[str], since: dict[str, int] | None = None
    ) -> None:
        self.socket = connect(gateway.url.replace("http", "ws") + "/ws")
        self.messages: list[dict] = []
        self._lock = threading.Lock()
        self.socket.send(json.dumps({"op": "auth", "token": token}))
        for channel in channels:
            subscribe = {"op": "subscribe", "channel": channel}
            if since is not None:
                subscribe["since"] = since[channel]
            self.socket.send(json.dumps(subscribe))
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for text_message in self.socket:
                with self._lock:
                    self.messages.append(json.loads(text_message))
        except Exception:
            return

    def open(self) -> bool:
        """Whether the socket is still being read (the server has not dropped it)."""
        return self._thread.is_alive()

    def acks(self) -> list[dict]:
        """The subscription acknowledgements so far."""
        with self._lock:
            return [
                m for m in self.messages if m.get("type") == "ack" and m.get("op") == "subscribe"
            ]

    def of(self, channel: str) -> list[dict]:
        """The messages of one channel so far (not the acknowledgements)."""
        with self._lock:
            return [m for m in self.messages if m.get("channel") == channel and m["type"] != "ack"]

    def wait(self, condition, what: str, deadline_s: float = 10.0) -> None:
        start = time.monotonic()
        while not condition():
            assert time.monotonic() - start < deadline_s, f"no {what} within {deadline_s} s"
            time.sleep(0.02)

    def close(self) -> None:
        self.socket.close()
        self._thread.join(timeout=5)


def _wait_for_book(gateway: Node) -> None:
    start = time.monotonic()
    while True:
        book = httpx.get(f"{gateway.url}/api/markets/SOL-PERP/book").json()
        if book.get("bids") and book.get("asks"):
            return
        assert time.monotonic() - start < 30, f"{gateway.name}: no two-sided SOL book"
        time.sleep(0.1)


def _sign_in_across(asked: Node, verified: Node, key: Keypair) -> str:
    """Ask the nonce on one gateway and spend it on the other (as a load balancer may)."""
    pubkey = str(key.pubkey())
    challenge = httpx.get(f"{asked.url}/api/auth/nonce", params={"pubkey": pubkey}).json()
    signature = str(key.sign_message(challenge["message"].encode()))
    answer = httpx.post(
        f"{verified.url}/api/auth/verify",
        json={"pubkey": pubkey, "message": challenge["message"], "signature": signature},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def _market_buy(gateway: Node, token: str, client_order_id: str) -> httpx.Response:
    return httpx.post(
        f"{gateway.url}/api/orders",
        json={
            "market": "SOL-PERP",
            "side": "buy",
            "type": "market",
            "size": "0.1",
            "client_order_id": client_order_id,
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=15.0,
    )


def test_a_client_on_one_gateway_sees_the_fills_of_an_order_placed_on_the_other(
    deployment: Deployment,
) -> None:
    gateway_1, gateway_2 = deployment.nodes[2:]
    token = _sign_in_across(gateway_1, gateway_2, Keypair())  # good on every gateway
    stream = Stream(gateway_1, token, ["fills", "orders", "positions"])
    try:
        answer = _market_buy(gateway_2, token, "cross-1")
        assert answer.status_code == 201, answer.text
        order_id = answer.json()["order_id"]
        stream.wait(lambda: stream.of("fills"), "fill on gateway-1")
        stream.wait(
            lambda: any(m["order"]["order_id"] == order_id for m in stream.of("orders")),
            "order update on gateway-1",
        )
        # and gateway-1's own reads agree with gateway-2's answer
        positions = httpx.get(
            f"{gateway_1.url}/api/positions", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert [(p["market"], Decimal(p["size"])) for p in positions] == [
            ("SOL-PERP", Decimal("0.1"))
        ]
    finally:
        stream.close()


def test_engines_share_the_markets_and_one_takes_them_all_within_5_s_of_the_other_dying(
    deployment: Deployment, postgres_url: str
) -> None:
    engine_a, engine_b, gateway_1, gateway_2 = deployment.nodes
    # two live engines share the markets: engine-a hands half of them over
    engine_b.wait(lambda h: len(h["markets"]) == MARKETS // 2, "engine-b owning its share")
    assert len(engine_a.health()["markets"]) == MARKETS // 2
    token = sign_in(gateway_1.url, Keypair())
    stream = Stream(gateway_2, token, ["fills"])
    acknowledged: list[int] = []
    try:
        for i in range(5):
            answer = _market_buy(gateway_1, token, f"before-{i}")
            assert answer.status_code == 201, answer.text
            acknowledged.append(answer.json()["order_id"])
        engine_a.kill()
        killed = time.monotonic()
        engine_b.wait(lambda h: len(h["markets"]) == MARKETS, "engine-b owning every market")
        took = time.monotonic() - killed
        assert took < FAILOVER_LIMIT_S, f"takeover took {took:.1f} s"
        # orders sent now are carried out by the new owner
        for i in range(5):
            answer = _market_buy(gateway_2 if i % 2 else gateway_1, token, f"after-{i}")
            assert answer.status_code == 201, answer.text
            acknowledged.append(answer.json()["order_id"])
        engine = create_engine_for(postgres_url)
        with engine.connect() as connection:
            stored = {
                row[0]
                for row in connection.execute(
                    text("SELECT id FROM orders WHERE id = ANY(:ids)"), {"ids": acknowledged}
                )
            }
            trades = [
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT t.id FROM trades t JOIN orders o ON o.id = t.taker_order_id "
                        "WHERE o.id = ANY(:ids)"
                    ),
                    {"ids": acknowledged},
                )
            ]
        engine.dispose()
        assert stored == set(acknowledged)
        stream.wait(
            lambda: (
                len({m["fill"]["trade_id"] for m in stream.of("fills") if "fill" in m})
                >= len(set(trades))
            ),
            "every fill on the socket",
        )
        delivered = [m["fill"]["trade_id"] for m in stream.of("fills") if "fill" in m]
        assert sorted(delivered) == sorted(set(trades)), "a fill missing or delivered twice"
    finally:
        stream.close()


def test_killing_a_gateway_drops_only_its_sockets_which_resume_on_the_other(
    deployment: Deployment, postgres_url: str
) -> None:
    _, _, gateway_1, gateway_2 = deployment.nodes
    token = sign_in(gateway_2.url, Keypair())
    channels = ["orders", "fills"]
    doomed = Stream(gateway_1, token, channels)
    survivor = Stream(gateway_2, token, ["fills"])
    resumed = None
    try:
        placed = [_market_buy(gateway_2, token, f"kill-{i}").json()["order_id"] for i in range(3)]
        doomed.wait(lambda: len(doomed.of("fills")) >= 3, "three fills on gateway-1")
        gateway_1.kill()
        doomed.wait(lambda: not doomed.open(), "gateway-1's socket to close")
        last = {c: doomed.of(c)[-1]["seq"] for c in channels}  # what the client last saw
        # the client is away while three more orders fill
        placed += [_market_buy(gateway_2, token, f"away-{i}").json()["order_id"] for i in range(3)]
        resumed = Stream(gateway_2, token, channels, since=last)
        resumed.wait(lambda: len(resumed.acks()) == 2, "both subscriptions answered")
        assert all(ack["resumed"] for ack in resumed.acks())
        resumed.wait(lambda: len(resumed.of("fills")) >= 3, "the missed fills")
        for channel in channels:
            seqs = [m["seq"] for m in doomed.of(channel) + resumed.of(channel)]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"{channel}: {seqs}"
        engine = create_engine_for(postgres_url)
        with engine.connect() as connection:
            stored = [
                row[0]
                for row in connection.execute(
                    text("SELECT id FROM trades WHERE taker_order_id = ANY(:ids)"), {"ids": placed}
                )
            ]
        engine.dispose()
        got = [m["fill"]["trade_id"] for m in doomed.of("fills") + resumed.of("fills")]
        assert sorted(got) == sorted(stored)
        # the socket on the other gateway never noticed
        assert survivor.open()
        survivor.wait(lambda: len(survivor.of("fills")) >= len(stored), "all fills, live")
    finally:
        for stream in (doomed, survivor, resumed):
            if stream is not None:
                stream.close()
