"""`python -m bench scale`: order throughput and fan-out latency with 1, 2 and 4 gateway
processes of one deployment, side by side.

Each configuration is a fresh deployment on this machine: one PostgreSQL and one Redis
(throw-away servers started by the bench, as the test suite starts them), one engine
process owning every market, and N gateways. Throughput is `bench api`'s socket workload
(resting limit orders from 50 accounts, open loop) offered at a rate above what one
gateway carries, the accounts' sockets spread round robin over the gateways; the figure is
the rate of acknowledged orders. Fan-out is `bench fanout`'s workload (1,000 book
subscribers in four client processes, 200 book changes per second), the client processes
spread over the gateways.

Every process shares this machine's cores with the others and with the load generators,
so the scaling factor here says what adding gateway processes on one machine buys; on
several machines each gateway brings its own cores. PostgreSQL runs with fsync off here
(the throw-away server), unlike `bench api`'s SQLite store with full sync.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from decimal import Decimal

import httpx

from bench import fanout
from bench.api import order_bodies, ws_phase
from bench.engine_workload import percentile
from bench.live_server import sign_in
from bench.report import figure
from tests.cluster.deployment import Deployment, Node, empty_stores
from tests.pg_server import postgres_server
from tests.redis_server import redis_server

MARKET = "SOL-PERP"
GATEWAYS = (1, 2, 4)
ACCOUNTS = 50
READY_DEADLINE_S = 60.0


def _wait_for_book(gateway: Node) -> Decimal:
    """Wait for a two-sided book; the market's mark price."""
    gateway.wait(lambda h: h["status"] == "ok", f"{gateway.name} up", READY_DEADLINE_S)
    while True:
        book = httpx.get(f"{gateway.url}/api/markets/{MARKET}/book", timeout=5).json()
        if book.get("bids") and book.get("asks"):
            ticker = httpx.get(f"{gateway.url}/api/markets/{MARKET}/ticker", timeout=5).json()
            return Decimal(ticker["mark"] or ticker["oracle"])


def measure(
    gateways: int, database_url: str, redis_url: str, rate: float, seconds: float
) -> dict[str, float]:
    """One configuration's throughput and fan-out figures."""
    empty_stores(database_url, redis_url)
    with Deployment(database_url, redis_url) as deployment:
        engine = deployment.start("engine", "engine-1")
        engine.wait(lambda h: len(h["markets"]) == 6, "engine owning every market")
        nodes = [deployment.start("gateway", f"gateway-{n + 1}") for n in range(gateways)]
        mark = min(_wait_for_book(node) for node in nodes)
        ws_urls = [node.url.replace("http", "ws") + "/ws" for node in nodes]
        tokens = [sign_in(nodes[i % gateways].url) for i in range(ACCOUNTS)]
        bodies = order_bodies(mark, int(rate * seconds), f"scale{gateways}")
        latencies, failures, elapsed = asyncio.run(ws_phase(ws_urls, tokens, bodies, rate))
        fan = fanout.measure_on(ws_urls, tokens[0], mark, 1000, 4, 200.0, seconds)
    ordered = sorted(latencies)
    return {
        "orders_per_s": len(latencies) / elapsed,
        "ws_p50_ms": percentile(ordered, 0.50),
        "ws_p99_ms": percentile(ordered, 0.99),
        "failures": failures,
        "fanout_p99_ms": fan["p99_ms"],
        "dropped": fan["dropped"],
        "out_of_order": fan["out_of_order"],
    }


def run(argv: list[str]) -> Iterator[dict]:
    """The `scale` figures, as JSON-ready records."""
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--rate", type=float, default=1000.0, help="orders per second offered")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each phase")
    args = parser.parse_args(argv)
    results: dict[int, dict[str, float]] = {}
    with postgres_server() as database_url, redis_server() as redis_url:
        for gateways in GATEWAYS:
            results[gateways] = measure(gateways, database_url, redis_url, args.rate, args.seconds)
    one = results[1]
    common = {"offered_per_s": args.rate, "seconds": args.seconds}
    for gateways, figures in results.items():
        suffix = f"{gateways}gw"
        peer = None if gateways == 1 else "1 gateway"
        extra = common | {
            "ws_p50_ms": round(figures["ws_p50_ms"], 1),
            "ws_p99_ms": round(figures["ws_p99_ms"], 1),
            "failures": figures["failures"],
        }
        yield figure(
            "scale",
            f"orders_per_s_{suffix}",
            figures["orders_per_s"],
            "orders/s",
            peer,
            None if peer is None else one["orders_per_s"],
            **extra,
        )
        yield figure(
            "scale",
            f"fanout_p99_ms_{suffix}",
            figures["fanout_p99_ms"],
            "ms",
            peer,
            None if peer is None else one["fanout_p99_ms"],
            higher_is_better=False,
            dropped=figures["dropped"],
            out_of_order=figures["out_of_order"],
        )
