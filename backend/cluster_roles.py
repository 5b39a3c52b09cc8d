"""`quantdesk-backend --role gateway|engine`: the processes of a deployment of several,
over one PostgreSQL store and one Redis (see docs/deployment.md).

A process whose essential work fails (an engine's commit, a gateway losing the log) exits
with status 3 so that its supervisor restarts it: its memory is rebuilt from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from sqlalchemy import Engine

from backend import gc_policy
from backend.domain.markets import MarketCatalog
from backend.settings import BackendSettings

log = logging.getLogger("quantdesk.cluster")

FAILED = 3
"""Exit status of a process whose essential work failed."""

JOBS = ("equity", "market-stats")
"""Work one engine does for the whole deployment: the equity curve points and the market
statistics rows (one writer each, whichever engine holds the job's lease)."""

FeedFactory = Callable[..., Any]
"""``(settings, trading, simulator, clock)`` -> the configured price feed, or None."""


def run_role(
    settings: BackendSettings, catalog: MarketCatalog, db: Engine, price_feed: FeedFactory
) -> int:
    """Run this process's role until it is stopped; its exit status."""
    logging.basicConfig(level=settings.log_level.upper())
    unknown = sorted(set(settings.engine_markets) - set(catalog.markets))
    if unknown:
        print(f"quantdesk-backend: unknown engine markets: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if settings.role == "gateway" and not settings.token_secret:
        print(
            "quantdesk-backend: role=gateway needs QUANTDESK_TOKEN_SECRET, the same on every "
            "gateway (a token signed by one must be valid on the others)",
            file=sys.stderr,
        )
        return 2
    main = _engine if settings.role == "engine" else _gateway
    return asyncio.run(main(settings, catalog, db, price_feed))


async def _engine(
    settings: BackendSettings, catalog: MarketCatalog, db: Engine, price_feed: FeedFactory
) -> int:
    from backend.gateway.ws.events import StreamPublisher
    from backend.services.clock import SystemClock
    from backend.services.cluster.engine_node import EngineNode
    from backend.services.cluster.lease_keeper import LeaseKeeper
    from backend.services.cluster.outbox import Outbox
    from backend.services.liquidity.auction_responder import AuctionResponder
    from backend.services.liquidity.flow_agents import FlowTraders
    from backend.services.liquidity.maker_agents import MarketMakerAgents
    from backend.services.market_data.history import HistoryService
    from backend.services.market_data.stats import MarketStatsRecorder, MarketTickers
    from backend.services.oracle.simulator import PriceSimulator
    from backend.services.portfolio.equity_recorder import EquityRecorder
    from backend.services.trading.margin_calls import MarginCallWatch
    from backend.services.trading.shared_log import SharedLogTrading
    from backend.services.trading.snapshots import Snapshotter

    redis = Redis.from_url(settings.redis_url or "", decode_responses=True)
    clock = SystemClock()
    trading = SharedLogTrading.open(catalog, db, clock, owner=settings.node_name)
    trading.commit_interval_s = settings.commit_interval_ms / 1000
    gc_policy.install()
    outbox = Outbox(redis, lambda: trading.last_command_id)
    trading.on_commit(StreamPublisher(outbox, trading.state, MarginCallWatch(trading.state)))
    node = EngineNode(trading, redis, outbox)
    markets = settings.engine_markets or list(catalog.markets)
    leases = LeaseKeeper(trading, markets, settings.lease_ttl_s, on_gained=node.gained, jobs=JOBS)
    simulator = PriceSimulator(list(catalog), seed=settings.simulator_seed)
    simulator.resume_from({m: p.oracle for m, p in trading.state.prices.items()})
    feed = price_feed(settings, trading, simulator, clock)
    if feed is None:
        return 2
    essential = [leases.run, node.run, node.flush_loop]
    equity = EquityRecorder(
        trading, clock, settings.equity_interval_s, active=lambda: "equity" in leases.held_jobs
    )
    trading.on_foreign(lambda _id, command, outcome: equity.on_commit(command, outcome))
    tickers = MarketTickers(trading, HistoryService(db), clock)
    stats = MarketStatsRecorder(tickers, active=lambda: "market-stats" in leases.held_jobs)
    workers = [feed.run, Snapshotter(trading, settings.snapshot_interval_s).run]
    workers += [equity.run, stats.run]
    if settings.settlement == "local":
        workers += [
            MarketMakerAgents(trading, clock).run,
            FlowTraders(trading, clock, settings.flow_trades_per_s, settings.simulator_seed).run,
            AuctionResponder(trading, clock).run,
        ]
    registry = CollectorRegistry()
    registry.register(_EngineGauges(trading, node))
    app = _status_app(
        lambda: {
            "status": "ok" if not trading.failed else "failed",
            "role": "engine",
            "node": trading.owner,
            "markets": sorted(trading.lanes),
            "last_command_id": trading.last_command_id,
        },
        registry,
    )
    try:
        return await _serve(settings, app, essential, workers)
    finally:
        await redis.aclose()


async def _gateway(
    settings: BackendSettings, catalog: MarketCatalog, db: Engine, price_feed: FeedFactory
) -> int:
    from backend.gateway.app import create_app
    from backend.gateway.context import make_context
    from backend.gateway.rate_limit import RateLimits, TokenBucket
    from backend.gateway.ws.cluster_hub import ClusterHub
    from backend.services.auth.one_use import RedisOneUse
    from backend.services.clock import SystemClock
    from backend.services.cluster.replica import ReplicaTrading

    redis = Redis.from_url(settings.redis_url or "", decode_responses=True)
    clock = SystemClock()
    replica = await ReplicaTrading.open(catalog, db, redis, settings.node_name)
    gc_policy.install()
    hub = ClusterHub(redis)
    context = make_context(
        catalog,
        settings.domain,
        (settings.token_secret or "").encode(),
        clock,
        cors_origins=settings.cors_origins,
        trading=replica,  # type: ignore[arg-type]  (the same interface, read side)
        limits=RateLimits(
            public=TokenBucket(settings.public_rate_per_s, settings.public_burst),
            private=TokenBucket(settings.private_rate_per_s, settings.private_burst),
        ),
        admin_keys=frozenset(settings.admin_keys),
        book_frame_s=settings.book_frame_ms / 1000,
        hub=hub,
        streams_from_engines=True,
        one_use=lambda kind: RedisOneUse(redis, kind),
    )
    context.demo_capital = settings.demo_usdc * catalog.asset(catalog.quote_asset).precision
    try:
        return await _serve(settings, create_app(context), [replica.follow, hub.run], [])
    finally:
        await redis.aclose()


Worker = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


async def _serve(
    settings: BackendSettings, app: FastAPI, essential: list[Worker], workers: list[Worker]
) -> int:
    """Serve ``app`` and run the workers until a signal (status 0), or until the server
    or an ``essential`` worker ends on its own (status `FAILED`)."""
    stop = asyncio.Event()
    server = _Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            ws_per_message_deflate=settings.ws_compression,
        )
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(worker(stop), name=_name(worker)) for worker in essential]
    others = [asyncio.create_task(worker(stop), name=_name(worker)) for worker in workers]
    for task in others:
        task.add_done_callback(_report_failure)
    serving = asyncio.create_task(server.serve(), name="http server")
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([*tasks, serving, stopping], return_when=asyncio.FIRST_COMPLETED)
    failed = stopping not in done
    for task in done - {stopping}:
        error = None if task.cancelled() else task.exception()
        log.critical("stopping: %s ended", task.get_name(), exc_info=error)
    stop.set()
    server.should_exit = True
    await asyncio.gather(*tasks, *others, serving, return_exceptions=True)
    return FAILED if failed else 0


def _report_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("%s failed", task.get_name(), exc_info=task.exception())


def _name(worker: Worker) -> str:
    owner = getattr(worker, "__self__", None)
    return type(owner).__name__ if owner is not None else getattr(worker, "__name__", "worker")


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling (this process handles the signals and
    stops its workers first)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _status_app(status: Callable[[], dict], registry: CollectorRegistry) -> FastAPI:
    """An engine's HTTP face: ``/health`` and ``/metrics``."""
    app = FastAPI(title="QuantDesk engine", openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/health")
    async def health() -> dict:
        return status()

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


class _EngineGauges(Collector):
    def __init__(self, trading: Any, node: Any) -> None:
        self.trading, self.node = trading, node

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        owned = GaugeMetricFamily(
            "quantdesk_engine_markets", "Markets this engine holds the lease of", labels=["market"]
        )
        for market in sorted(self.trading.lanes):
            owned.add_metric([market], 1.0)
        yield owned
        yield CounterMetricFamily(
            "quantdesk_store_commands", "Commands committed", value=self.trading.committed_commands
        )
        yield CounterMetricFamily(
            "quantdesk_engine_foreign_commands",
            "Commands of other engines applied here",
            value=self.trading.foreign_commands,
        )
        yield CounterMetricFamily(
            "quantdesk_engine_refused", "Commands refused", value=self.node.refused
        )
        yield CounterMetricFamily(
            "quantdesk_engine_expired", "Commands refused as too old", value=self.node.expired
        )
