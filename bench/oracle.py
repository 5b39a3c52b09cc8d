"""`python -m bench oracle`: from a price update leaving Pyth Hermes to the same price
arriving at a WebSocket client of the gateway.

A local Hermes (`bench.local_oracles.LocalHermes`, the v2 wire format with Server-Sent
Events) publishes six feeds at 50 updates per second each, every update a new price. A
real `quantdesk-backend` process streams them (`--oracle pyth`, no fallback), validates
and applies them, and publishes each market's new price on the `prices` channel, where
one client subscribed to the six markets notes when each price arrives. An update's
latency is that arrival time minus the moment its event left the Hermes server (the same
machine's clock). The first seconds are a warm-up and are not counted.

The peer figure is the seed architecture's claim of 200 ms for oracle prices; the issue's
goal is a p99 under 25 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections.abc import Iterator

import uvicorn
from websockets.asyncio.client import connect

from backend.domain.fixed_point import PRICE_PRECISION, parse_price
from backend.domain.markets import load_default_catalog
from bench.live_server import LiveServer, free_port
from bench.local_oracles import HERMES_EXPO, HermesFeed, LocalHermes, hermes_feeds
from bench.report import figure

PEER = "seed claim"
PEER_ORACLE_MS = 200.0
GOAL_P99_MS = 25.0
WARM_UP_S = 3.0
SCALE = 10 ** (-HERMES_EXPO) // PRICE_PRECISION
"""Hermes price units per one of ours."""


class SentPrices:
    """When each (market, price) left the local Hermes: every update moves its feed's
    price up by one of our units, so a price names its update."""

    def __init__(self, markets_by_feed: dict[str, str]) -> None:
        self.markets_by_feed = markets_by_feed
        self._pending: dict[str, int] = {}
        self.sent_at: dict[tuple[str, int], float] = {}

    def step(self, feed_id: str, feed: HermesFeed) -> None:
        """`LocalHermes.step`: the next price of a feed."""
        feed.price += SCALE
        self._pending[feed_id] = feed.price // SCALE

    def on_event(self, _slot: int, feed_ids: list[str], sent_at: float) -> None:
        """`LocalHermes.on_event`: the event carrying these feeds' pending prices left."""
        for feed_id in feed_ids:
            self.sent_at[(self.markets_by_feed[feed_id], self._pending[feed_id])] = sent_at


class ThreadedServer:
    """An ASGI app served by uvicorn on loopback from a thread of its own."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=2
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:  # uvicorn offers no event for this
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the local Hermes did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


async def _watch(
    ws_url: str, markets: list[str], sent: SentPrices, samples: int, deadline_s: float
) -> tuple[list[float], int]:
    """Latencies (ms) of ``samples`` price arrivals after the warm-up; and prices that
    arrived without a known send time."""
    latencies: list[float] = []
    unknown = 0
    async with connect(ws_url, max_queue=None) as socket:
        for market in markets:
            await socket.send(
                json.dumps({"op": "subscribe", "channel": "prices", "market": market})
            )
        counting_from = time.time() + WARM_UP_S
        deadline = time.monotonic() + deadline_s
        while len(latencies) < samples:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(latencies)} of {samples} prices arrived in time")
            message = json.loads(await asyncio.wait_for(socket.recv(), left))
            arrived = time.time()
            if message.get("type") != "price" or message.get("source") != "pyth":
                continue
            sent_at = sent.sent_at.get((message["market"], parse_price(message["oracle"])))
            if sent_at is None:
                unknown += 1
            elif sent_at >= counting_from:
                latencies.append((arrived - sent_at) * 1000)
    return latencies, unknown


def measure(samples: int, rate: float) -> dict[str, float]:
    """Six feeds at ``rate`` updates per second each, until ``samples`` arrivals."""
    catalog = load_default_catalog()
    feeds = hermes_feeds(catalog)
    markets_by_feed = {spec.pyth_feed_id: spec.symbol for spec in catalog}
    sent = SentPrices(markets_by_feed)
    hermes = LocalHermes(feeds, interval_s=1 / rate, step=sent.step, on_event=sent.on_event)
    env = {"QUANTDESK_ORACLE_FALLBACK": "none"}
    with ThreadedServer(hermes.app()) as local_hermes:
        env["QUANTDESK_PYTH_URL"] = local_hermes.url
        with LiveServer(env, ["--oracle", "pyth"]) as server:
            expected_s = samples / (rate * len(feeds)) + WARM_UP_S
            latencies, unknown = asyncio.run(
                _watch(
                    server.ws_url,
                    list(markets_by_feed.values()),
                    sent,
                    samples,
                    expected_s * 3 + 30,
                )
            )
    latencies.sort()
    return {
        "p50_ms": _quantile(latencies, 0.50),
        "p99_ms": _quantile(latencies, 0.99),
        "max_ms": latencies[-1],
        "samples": len(latencies),
        "unknown": unknown,
        "events_sent": hermes.events_sent,
    }


def _quantile(ordered: list[float], q: float) -> float:
    """Nearest-rank quantile of sorted values."""
    return ordered[max(1, round(q * len(ordered))) - 1]


def run(argv: list[str]) -> Iterator[dict]:
    """The `oracle` figures, as JSON-ready records."""
    parser = argparse.ArgumentParser(prog="python -m bench oracle")
    parser.add_argument("--samples", type=int, default=10_000, help="price arrivals measured")
    parser.add_argument("--rate", type=float, default=50.0, help="updates per second per feed")
    args = parser.parse_args(argv)
    figures = measure(args.samples, args.rate)
    common = {
        "feeds": 6,
        "updates_per_s_per_feed": args.rate,
        "samples": figures["samples"],
        "unknown": figures["unknown"],
        "max_ms": round(figures["max_ms"], 3),
        "goal_p99_ms": GOAL_P99_MS,
    }
    for quantile in ("p99", "p50"):
        yield figure(
            "oracle",
            f"{quantile}_ms",
            figures[f"{quantile}_ms"],
            "ms",
            PEER,
            PEER_ORACLE_MS,
            higher_is_better=False,
            **common,
        )
