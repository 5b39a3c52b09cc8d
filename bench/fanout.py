"""`python -m bench fanout`: how fast one book change reaches a thousand subscribers.

A real `quantdesk-backend` process on loopback. Client processes (four by default) hold
1,000 sockets subscribed to SOL-PERP's `book` channel. A driver account changes the book
at a fixed rate, open loop: change ``i`` is due at ``start + i / rate``; it alternately
places a limit order at a price of its own far from the touch and cancels it, so each
change is one recognisable book delta. The driver's own subscription tells which
delta (its `seq`) each change made; every client notes when each delta arrived. A
change's fan-out latency on one client is that arrival time minus the change's due time
(both on the machine's monotonic clock), so it includes the order's own processing. The
market makers keep quoting meanwhile, so clients receive their deltas too.

Also counted: deltas a client never received while connected or whose `prev_seq` did
not follow the last one (`dropped`, including clients cut off as slow consumers) and
deltas that arrived with a lower `seq` than one already seen (`out_of_order`).

The peer figure is the seed architecture's claim of 200 ms for market-data fan-out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from multiprocessing.connection import Connection

from websockets.asyncio.client import ClientConnection, connect

from bench.fanout_clients import run_clients
from bench.live_server import LiveServer, mark_price, sign_in
from bench.pacing import paced
from bench.report import figure

MARKET = "SOL-PERP"
TICK = Decimal("0.001")
PEER = "seed claim"
PEER_FANOUT_MS = 200.0
WORKER_DEADLINE_S = 120.0
BUCKET_MS = 0.1
"""Latencies are pooled in 0.1 ms buckets (a million samples cannot travel as a list)."""


class BookDriver:
    """Changes the book at a fixed rate and learns which delta each change made."""

    def __init__(self, connection: ClientConnection, mark: Decimal, changes: int) -> None:
        self.connection = connection
        pairs = (changes + 1) // 2
        top = (mark * Decimal("0.9")).quantize(TICK)
        self.prices = [top - k * TICK for k in range(pairs)]  # one level per pair, unused
        self.price_pair = {price: k for k, price in enumerate(self.prices)}
        self.order_ids: list[asyncio.Future[int]] = []
        self.due: dict[int, float] = {}
        """Change index to its due time."""
        self.changes = changes
        self.tagged: set[int] = set()
        """The changes seen in a delta."""
        self.delta_due: dict[int, list[float]] = {}
        """Book `seq` of each delta that carried changes to their due times."""
        self.last_seq = 0
        self.all_tagged = asyncio.Event()
        self.reader: asyncio.Task | None = None

    async def start(self, token: str) -> None:
        """Authenticate, subscribe to the book and start reading."""
        await self.connection.send(json.dumps({"op": "auth", "token": token}))
        await self.connection.send(
            json.dumps({"op": "subscribe", "channel": "book", "market": MARKET})
        )
        loop = asyncio.get_running_loop()
        self.order_ids = [loop.create_future() for _ in self.prices]
        self.reader = asyncio.create_task(self._read())

    async def run(self, changes: int, rate: float) -> None:
        """Make ``changes`` book changes at ``rate`` per second, open loop."""
        tasks = []
        async for i, due in paced(changes, rate):
            self.due[i] = due
            tasks.append(asyncio.create_task(self._change(i)))
        await asyncio.gather(*tasks)

    async def _change(self, i: int) -> None:
        pair = i // 2
        if i % 2 == 0:
            order = {
                "market": MARKET,
                "side": "buy",
                "type": "limit",
                "size": "0.37",
                "price": str(self.prices[pair]),
                "client_order_id": f"fan-{pair}",
            }
            await self.connection.send(
                json.dumps({"op": "place", "request_id": pair, "order": order})
            )
        else:
            order_id = await self.order_ids[pair]
            await self.connection.send(json.dumps({"op": "cancel", "order_id": order_id}))

    async def _read(self) -> None:
        async for text in self.connection:
            message = json.loads(text)
            if message.get("type") == "ack" and message.get("op") == "place":
                pair = message["request_id"]
                self.order_ids[pair].set_result(message["order"]["order_id"])
            elif message.get("channel") == "book" and message.get("type") != "ack":
                self.last_seq = message["seq"]
                if message["type"] == "delta":
                    self._tag(message)
            elif message.get("type") == "error":
                raise RuntimeError(f"the driver's op was refused: {message}")

    def _tag(self, delta: dict) -> None:
        """Note the changes this delta carries: a level of ours with a size is its
        order's placement; a removed one is its cancel (and its placement too, when both
        fell in one frame and were merged)."""
        for price, size in delta["bids"]:
            pair = self.price_pair.get(Decimal(price))
            if pair is None:
                continue
            changes = (2 * pair,) if Decimal(size) else (2 * pair, 2 * pair + 1)
            for change in changes:
                if change in self.due and change not in self.tagged:
                    self.tagged.add(change)
                    self.delta_due.setdefault(delta["seq"], []).append(self.due[change])
        if len(self.tagged) == len(self.due) == self.changes:
            self.all_tagged.set()


async def _drive(
    ws_url: str, token: str, mark: Decimal, changes: int, rate: float
) -> tuple[dict[int, list[float]], int]:
    async with connect(ws_url, max_queue=None) as connection:
        driver = BookDriver(connection, mark, changes)
        await driver.start(token)
        await driver.run(changes, rate)
        with contextlib.suppress(TimeoutError):  # the last deltas may still be on their way
            await asyncio.wait_for(driver.all_tagged.wait(), 10.0)
        driver.reader.cancel()
        return driver.delta_due, driver.last_seq


def measure(clients: int, processes: int, rate: float, seconds: float) -> dict[str, float]:
    """Clients spread over ``processes``, the driver here; pooled figures."""
    with LiveServer() as server:
        token = sign_in(server.url)
        mark = mark_price(server.url, MARKET)
        return measure_on([server.ws_url], token, mark, clients, processes, rate, seconds)


def measure_on(
    ws_urls: list[str],
    token: str,
    mark: Decimal,
    clients: int,
    processes: int,
    rate: float,
    seconds: float,
) -> dict[str, float]:
    """The fan-out figures against running servers: client processes spread round robin
    over ``ws_urls`` (gateways of one deployment), the driver on the first."""
    changes = int(rate * seconds)
    context = multiprocessing.get_context("spawn")
    pipes: list[Connection] = []
    workers: list[multiprocessing.process.BaseProcess] = []
    try:
        for index, share in enumerate(_shares(clients, processes)):
            ours, theirs = context.Pipe()
            url = ws_urls[index % len(ws_urls)]
            worker = context.Process(target=run_clients, args=(url, MARKET, share, theirs))
            worker.start()
            pipes.append(ours)
            workers.append(worker)
        for pipe in pipes:
            if _receive(pipe) != "ready":
                raise RuntimeError("a client process did not subscribe")
        delta_due, last_seq = asyncio.run(_drive(ws_urls[0], token, mark, changes, rate))
        for pipe in pipes:
            pipe.send((last_seq, delta_due))
        results = [_receive(pipe) for pipe in pipes]
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()
    latencies: Counter[int] = Counter()
    for result in results:
        latencies.update(result["latency_buckets"])
    return {
        "p50_ms": _quantile(latencies, 0.50),
        "p99_ms": _quantile(latencies, 0.99),
        "max_ms": max(latencies, default=0) * BUCKET_MS,
        "samples": sum(latencies.values()),
        "tagged": sum(len(dues) for dues in delta_due.values()),
        "changes": changes,
        "dropped": sum(r["dropped"] for r in results),
        "out_of_order": sum(r["out_of_order"] for r in results),
        "disconnected": sum(r["disconnected"] for r in results),
    }


def _shares(clients: int, processes: int) -> list[int]:
    """``clients`` split as evenly as possible over ``processes``."""
    return [clients // processes + (p < clients % processes) for p in range(processes)]


def _receive(pipe: Connection) -> object:
    """The next message from a client process, or an error if it went silent."""
    if not pipe.poll(WORKER_DEADLINE_S):
        raise RuntimeError(f"a client process sent nothing for {WORKER_DEADLINE_S} s")
    return pipe.recv()


def _quantile(buckets: Counter[int], q: float) -> float:
    """Nearest-rank quantile of bucketed latencies, in ms."""
    total = sum(buckets.values())
    if not total:
        return 0.0
    rank = max(1, round(q * total))
    seen = 0
    for bucket in sorted(buckets):
        seen += buckets[bucket]
        if seen >= rank:
            return bucket * BUCKET_MS
    return max(buckets) * BUCKET_MS


def run(argv: list[str]) -> Iterator[dict]:
    """The `fanout` figures, as JSON-ready records."""
    parser = argparse.ArgumentParser(prog="python -m bench fanout")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--rate", type=float, default=200.0, help="book changes per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    figures = measure(args.clients, args.processes, args.rate, args.seconds)
    common = {
        "clients": args.clients,
        "processes": args.processes,
        "changes_per_s": args.rate,
        "seconds": args.seconds,
        "samples": figures["samples"],
        "tagged": figures["tagged"],
        "changes": figures["changes"],
    }
    for quantile in ("p99", "p50"):
        yield figure(
            "fanout",
            f"fanout_{quantile}_ms",
            figures[f"{quantile}_ms"],
            "ms",
            PEER,
            PEER_FANOUT_MS,
            higher_is_better=False,
            **common,
        )
    yield figure(
        "fanout",
        "dropped",
        figures["dropped"],
        "deltas",
        disconnected=figures["disconnected"],
        **common,
    )
    yield figure("fanout", "out_of_order", figures["out_of_order"], "deltas", **common)
