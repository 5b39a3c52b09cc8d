"""`python -m bench api`: order place-and-ack latency over REST and over the WebSocket.

A real `quantdesk-backend` process (SQLite store, simulator, market makers, every
background service of the embedded default) on loopback, rate limits raised. Eight demo
accounts place limit orders on SOL-PERP, open loop: order ``i`` is due at
``start + i / rate`` whether or not earlier ones were answered, and its latency is
counted from that due time to its acknowledgement (so a server that falls behind is not
hidden by a client that waits for it). First REST (`POST /api/orders` over keep-alive
connections), then the socket (`place` ops, one socket per account), each for the same
duration. Orders rest 3-8% away from the mark, alternating sides, so that every one is
accepted, recorded and added to the book.

The peer figure is the seed architecture's claim of 50 ms order latency.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from bench.cpu_steal import StealMeter
from bench.engine_workload import percentile
from bench.http_load import HttpPool
from bench.live_server import LiveServer, mark_price, sign_in
from bench.pacing import paced
from bench.report import figure
from bench.ws_reader import WsReader, open_reader

MARKET = "SOL-PERP"
TICK = Decimal("0.001")
PEER = "seed claim"
PEER_LATENCY_MS = 50.0


def order_bodies(mark: Decimal, count: int, prefix: str) -> list[dict[str, Any]]:
    """``count`` resting limit orders: alternating sides, 3% to 8% away from ``mark``."""
    bodies = []
    for i in range(count):
        away = Decimal(3 + (i * 37) % 500 / 100) / 100  # 3.00% .. 7.99%, spread over levels
        buy = i % 2 == 0
        price = (mark * (1 - away if buy else 1 + away)).quantize(TICK)
        bodies.append(
            {
                "market": MARKET,
                "side": "buy" if buy else "sell",
                "type": "limit",
                "size": "0.01",
                "price": str(price),
                "client_order_id": f"{prefix}-{i}",
            }
        )
    return bodies


Send = Callable[[int], Awaitable[bool]]


async def open_loop(count: int, rate: float, send: Send) -> tuple[list[float], int, float]:
    """Call ``send(i)`` for each ``i`` at its due time, concurrently; returns each accepted
    order's latency from its due time (ms), the number refused or failed, and the seconds
    from the first due time to the last answer."""
    latencies: list[float] = []
    failures = 0
    gc.disable()  # the load generator must not add pauses of its own to what it measures
    start = time.monotonic()

    async def one(i: int, due: float) -> None:
        nonlocal failures
        try:
            accepted = await send(i)
        except (TimeoutError, OSError, EOFError):  # EOFError: the server hung up mid-answer
            accepted = False
        if accepted:
            latencies.append((time.monotonic() - due) * 1000)
        else:
            failures += 1

    tasks = [asyncio.create_task(one(i, due)) async for i, due in paced(count, rate, 0.0)]
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    gc.enable()
    return latencies, failures, elapsed


async def rest_phase(url: str, tokens: list[str], bodies: list[dict], rate: float):
    """Place ``bodies`` with `POST /api/orders`, round robin over the accounts."""
    address = urlsplit(url)
    headers = [{"Authorization": f"Bearer {token}"} for token in tokens]
    async with HttpPool(address.hostname, address.port) as pool:

        async def send(i: int) -> bool:
            status, _ = await pool.post_json("/api/orders", bodies[i], headers[i % len(headers)])
            return status == 201

        return await open_loop(len(bodies), rate, send)


class OrderSocket:
    """One account's socket: `place` ops out, acknowledgements matched by request id.

    A lean RFC 6455 client (`bench.ws_reader`): a full client library costs the load
    generator about as much CPU per message as the server spends on the order, and its
    delays would be counted as the server's latency."""

    def __init__(self) -> None:
        self.pending: dict[int, asyncio.Future[bool]] = {}
        self.ids = itertools.count(1)
        self.reader: WsReader | None = None
        self.authenticated = asyncio.get_running_loop().create_future()

    @classmethod
    async def open(cls, ws_url: str, token: str) -> OrderSocket:
        """Connect and authenticate."""
        socket = cls()
        socket.reader = await open_reader(ws_url, socket._on_text)
        socket.reader.send_json({"op": "auth", "token": token})
        await asyncio.wait_for(socket.authenticated, 10.0)
        return socket

    async def place(self, order: dict) -> bool:
        """Send one order; True when it was acknowledged."""
        assert self.reader is not None
        request_id = next(self.ids)
        answer = asyncio.get_running_loop().create_future()
        self.pending[request_id] = answer
        self.reader.send_json({"op": "place", "request_id": request_id, "order": order})
        return await asyncio.wait_for(answer, 30.0)

    def _on_text(self, payload: bytes) -> None:
        reply = json.loads(payload)
        if not self.authenticated.done():
            if reply.get("type") == "ack" and reply.get("op") == "auth":
                self.authenticated.set_result(None)
            elif reply.get("type") == "error":
                self.authenticated.set_exception(RuntimeError(f"socket auth refused: {reply}"))
            return
        answer = self.pending.pop(reply.get("request_id"), None)
        if answer is not None and not answer.done():
            answer.set_result(reply.get("type") == "ack")

    async def close(self) -> None:
        """Close the socket."""
        if self.reader is not None:
            self.reader.close()


async def ws_phase(ws_url: str | list[str], tokens: list[str], bodies: list[dict], rate: float):
    """Place ``bodies`` as `place` ops, round robin over one socket per account (the
    sockets spread round robin over the URLs when given several gateways)."""
    urls = [ws_url] if isinstance(ws_url, str) else ws_url
    sockets = [await OrderSocket.open(urls[i % len(urls)], token) for i, token in enumerate(tokens)]
    try:

        async def send(i: int) -> bool:
            return await sockets[i % len(sockets)].place(bodies[i])

        return await open_loop(len(bodies), rate, send)
    finally:
        for socket in sockets:
            await socket.close()


def measure(rate: float, seconds: float, accounts: int = 50) -> dict[str, dict[str, float]]:
    """Both phases against one fresh server; per transport p50, p99, rate and failures."""
    count = int(rate * seconds)
    with LiveServer() as server:
        tokens = [sign_in(server.url) for _ in range(accounts)]
        mark = mark_price(server.url, MARKET)
        results = {}
        for name, phase, url in (
            ("rest", rest_phase, server.url),
            ("ws", ws_phase, server.ws_url),
        ):
            bodies = order_bodies(mark, count, name)
            steal = StealMeter()
            steal.start()
            latencies, failures, elapsed = asyncio.run(phase(url, tokens, bodies, rate))
            results[name] = {
                "p50_ms": percentile(sorted(latencies), 0.50),
                "p99_ms": percentile(sorted(latencies), 0.99),
                "orders_per_s": len(latencies) / elapsed,
                "failures": failures,
                "orders": count,
                "steal_pct": steal.percent(),
            }
    return results


def run(argv: list[str]) -> Iterator[dict]:
    """The `api` figures, as JSON-ready records."""
    parser = argparse.ArgumentParser(prog="python -m bench api")
    parser.add_argument("--rate", type=float, default=1000.0, help="orders per second offered")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each phase")
    args = parser.parse_args(argv)
    results = measure(args.rate, args.seconds)
    common = {"offered_per_s": args.rate, "seconds": args.seconds}
    for transport in ("ws", "rest"):
        figures = results[transport]
        extra = common | {
            "orders": figures["orders"],
            "failures": figures["failures"],
            "cpu_steal_pct": figures["steal_pct"],
        }
        for quantile in ("p99", "p50"):
            yield figure(
                "api",
                f"{transport}_{quantile}_ms",
                figures[f"{quantile}_ms"],
                "ms",
                PEER,
                PEER_LATENCY_MS,
                higher_is_better=False,
                **extra,
            )
    yield figure(
        "api",
        "orders_per_s",
        results["ws"]["orders_per_s"],
        "orders/s",
        **common,
        rest_orders_per_s=round(results["rest"]["orders_per_s"], 1),
    )
