"""`quantdesk-backend`: the QuantDesk server (REST under /api, health at /health)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, OperationalError

from backend.domain.markets import MarketSpecError, default_markets_path, load_catalog
from backend.settings import BackendSettings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from backend.services.clock import Clock
    from backend.services.oracle.live_feed import LiveFeed
    from backend.services.oracle.replay_feed import ReplayFeed
    from backend.services.oracle.sim_feed import SimulatedFeed
    from backend.services.oracle.simulator import PriceSimulator
    from backend.services.solana.keeper import ChainKeeper
    from backend.services.solana.transfers import ChainTransfers
    from backend.services.trading.service import TradingService


def parse_settings(argv: list[str] | None) -> tuple[BackendSettings, str]:
    """Settings from the command line over the environment; and the markets file."""
    parser = argparse.ArgumentParser(prog="quantdesk-backend", description="QuantDesk server")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8765; 0 = any)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default SQLite in user data)")
    parser.add_argument("--markets", default=str(default_markets_path()), help="markets file")
    parser.add_argument(
        "--role",
        choices=["all", "gateway", "engine"],
        help="all (one process, the default), or gateway / engine of a deployment over Redis",
    )
    parser.add_argument(
        "--oracle",
        choices=["sim", "replay", "pyth", "coingecko"],
        help="where prices come from (default sim, the offline simulator)",
    )
    parser.add_argument(
        "--replay-prices", metavar="PATH", help="play recorded prices instead of the simulator"
    )
    parser.add_argument(
        "--record-prices", metavar="PATH", help="append every price to PATH (replay format)"
    )
    parser.add_argument(
        "--settings-file",
        metavar="PATH",
        help="QUANTDESK_* settings as NAME=value lines (the environment wins over it)",
    )
    args = parser.parse_args(argv)
    overrides = {
        name: value
        for name, value in (
            ("host", args.host),
            ("port", args.port),
            ("database_url", args.database_url),
            ("oracle_replay_path", args.replay_prices),
            ("oracle_record_path", args.record_prices),
            ("oracle_source", args.oracle),
            ("role", args.role),
        )
        if value is not None
    }
    if args.replay_prices is not None:
        overrides["oracle_source"] = "replay"
    if args.settings_file is not None and not Path(args.settings_file).is_file():
        parser.error(f"no settings file at {args.settings_file}")
    return BackendSettings(_env_file=args.settings_file, **overrides), args.markets


def main(argv: list[str] | None = None) -> int:
    """Check the markets file and the database, migrate it, then serve until stopped."""
    try:
        settings, markets_path = parse_settings(argv)
    except ValidationError as error:
        print(f"quantdesk-backend: bad setting: {error.errors()[0]['msg']}", file=sys.stderr)
        return 2
    try:
        catalog = load_catalog(markets_path)
    except (OSError, MarketSpecError) as error:
        print(f"quantdesk-backend: cannot load markets: {error}", file=sys.stderr)
        return 2
    if settings.settlement == "solana":
        from backend.services.solana.keeper_key import KeeperKeyError, load_keeper_key

        try:
            load_keeper_key(settings.solana_keeper_key_name)
        except KeeperKeyError as error:
            print(f"quantdesk-backend: cannot settle on Solana: {error}", file=sys.stderr)
            return 2

    import uvicorn

    from backend import gc_policy
    from backend.gateway.app import create_app
    from backend.gateway.context import make_context
    from backend.gateway.rate_limit import RateLimits, TokenBucket
    from backend.services.clock import SystemClock
    from backend.services.liquidity.auction_responder import AuctionResponder
    from backend.services.liquidity.flow_agents import FlowTraders
    from backend.services.liquidity.maker_agents import MarketMakerAgents
    from backend.services.market_data.stats import MarketStatsRecorder
    from backend.services.oracle.simulator import PriceSimulator
    from backend.services.portfolio.equity_recorder import EquityRecorder
    from backend.services.trading.service import TradingService
    from backend.services.trading.snapshots import Snapshotter
    from backend.store.database import create_engine_for, default_database_url
    from backend.store.schema_version import at_head, create_at_head, is_empty, schema_lock

    url = settings.database_url or default_database_url()
    try:
        engine = create_engine_for(url)
        with schema_lock(engine):
            if is_empty(engine):
                create_at_head(engine)
            elif not at_head(engine):
                from backend.store.migrate import upgrade_to_head

                upgrade_to_head(url)
            if engine.dialect.name == "postgresql":
                _time_series(engine)
    except (ArgumentError, OperationalError) as error:
        print(f"quantdesk-backend: cannot open the database: {error}", file=sys.stderr)
        return 2
    if settings.role != "all":
        from backend.cluster_roles import run_role

        return run_role(settings, catalog, engine, _price_feed)
    clock = SystemClock()
    trading = TradingService.open(
        catalog, engine, clock, paper_keeper=settings.settlement != "solana"
    )
    trading.commit_interval_s = settings.commit_interval_ms / 1000
    gc_policy.install()  # after the state is rebuilt: it is long-lived
    simulator = PriceSimulator(list(catalog), seed=settings.simulator_seed)
    simulator.resume_from({market: p.oracle for market, p in trading.state.prices.items()})
    feed = _price_feed(settings, trading, simulator, clock)
    if feed is None:
        return 2
    secret = settings.token_secret.encode() if settings.token_secret else None
    limits = RateLimits(
        public=TokenBucket(settings.public_rate_per_s, settings.public_burst),
        private=TokenBucket(settings.private_rate_per_s, settings.private_burst),
    )
    context = make_context(
        catalog,
        settings.domain,
        secret,
        clock,
        cors_origins=settings.cors_origins,
        trading=trading,
        limits=limits,
        admin_keys=frozenset(settings.admin_keys),
        book_frame_s=settings.book_frame_ms / 1000,
    )
    context.demo_capital = settings.demo_usdc * catalog.asset(catalog.quote_asset).precision
    recorder = MarketStatsRecorder(context.tickers)
    snapshotter = Snapshotter(trading, settings.snapshot_interval_s)
    equity = EquityRecorder(trading, clock, settings.equity_interval_s)
    background = [feed, recorder, snapshotter, equity]
    if settings.settlement == "solana":
        # real collateral only: no paper money, and no embedded agents (they have no wallets)
        context.paper_trading = False
        keeper = _chain_keeper(settings, trading, clock)
        context.chain = _chain_transfers(keeper, trading, clock)
        background += [keeper, context.chain]  # the latter finishes transfers left unfinished
    else:
        background += [
            MarketMakerAgents(trading, clock),
            FlowTraders(trading, clock, settings.flow_trades_per_s, seed=settings.simulator_seed),
            AuctionResponder(trading, clock),
        ]
    uvicorn.run(
        create_app(context, background=[*background, gc_policy.GcSweeper()]),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws_per_message_deflate=settings.ws_compression,
    )
    return 0


def _time_series(engine: Engine) -> None:
    """Make the time-series tables TimescaleDB hypertables where the extension is there."""
    from backend.store.timescale import setup_timescale

    done = setup_timescale(engine)
    if not done.enabled:
        return  # plain PostgreSQL: the same schema, without hypertables
    print(f"quantdesk-backend: TimescaleDB {done.version}: {', '.join(done.hypertables)}")
    for what, why in done.skipped.items():
        print(f"quantdesk-backend: TimescaleDB left {what} as it is: {why}", file=sys.stderr)


def _chain_keeper(settings: BackendSettings, trading: TradingService, clock: Clock) -> ChainKeeper:
    """The keeper settling committed fills and funding on the Solana program."""
    from backend.services.solana.connection import SolanaConnection
    from backend.services.solana.keeper import ChainKeeper

    keeper = ChainKeeper(
        SolanaConnection.open(settings),
        trading.database,
        trading.state.catalog,
        clock,
        lambda: trading.state.prices,
    )
    trading.on_commit(keeper.wake)
    return keeper


def _chain_transfers(keeper: ChainKeeper, trading: TradingService, clock: Clock) -> ChainTransfers:
    """Deposits and withdrawals the users' wallets sign, over the keeper's connection."""
    from backend.services.solana.transfers import ChainTransfers

    return ChainTransfers.over(keeper.connection, trading, clock)


def _price_feed(
    settings: BackendSettings,
    trading: TradingService,
    simulator: PriceSimulator,
    clock: Clock,
) -> ReplayFeed | SimulatedFeed | LiveFeed | None:
    """The configured price source as a background task, or None after printing why
    it cannot start."""
    from backend.services.oracle.live_setup import live_feed
    from backend.services.oracle.replay import PriceRecorder
    from backend.services.oracle.replay_feed import ReplayFeed
    from backend.services.oracle.sim_feed import SimulatedFeed

    if settings.oracle_source == "replay":
        path = Path(settings.oracle_replay_path or "")
        if not settings.oracle_replay_path or not path.is_file():
            print(
                f"quantdesk-backend: no recorded price file at {path} "
                "(set --replay-prices or QUANTDESK_ORACLE_REPLAY_PATH)",
                file=sys.stderr,
            )
            return None
        return ReplayFeed(trading, path, settings.oracle_replay_speed)
    recorder = None
    if settings.oracle_record_path:
        try:
            recorder = PriceRecorder(Path(settings.oracle_record_path))
        except OSError as error:
            print(f"quantdesk-backend: cannot record prices: {error}", file=sys.stderr)
            return None
    if settings.oracle_source in ("pyth", "coingecko"):
        return live_feed(settings, trading, clock, recorder)
    return SimulatedFeed(simulator, trading, clock, recorder=recorder)


if __name__ == "__main__":
    sys.exit(main())
