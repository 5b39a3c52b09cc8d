"""The live price feed as the settings describe it: Pyth with a CoinGecko fallback, or
CoinGecko alone."""

from __future__ import annotations

import math
from dataclasses import replace

from backend.domain.markets import MarketCatalog
from backend.services.clock import Clock
from backend.services.oracle.coingecko import CoinGeckoClient
from backend.services.oracle.hermes import HermesClient
from backend.services.oracle.live_feed import LiveFeed
from backend.services.oracle.price_router import PriceRouter
from backend.services.oracle.quotes import coingecko_quotes, pyth_quotes
from backend.services.oracle.replay import PriceRecorder
from backend.services.trading.service import TradingService
from backend.settings import BackendSettings

POLLS_BEFORE_FAILOVER = 2.5
"""A polled primary counts as quiet only after missing this many polls."""


def live_feed(
    settings: BackendSettings,
    trading: TradingService,
    clock: Clock,
    recorder: PriceRecorder | None = None,
) -> LiveFeed:
    """The feed for ``oracle_source`` `pyth` or `coingecko` (clients not yet connected:
    they connect when the feed runs, and keep trying while a source is down)."""
    catalog = trading.state.catalog
    feed_ids = {spec.symbol: spec.pyth_feed_id for spec in catalog}
    coins = {spec.coingecko_id: spec.symbol for spec in catalog if spec.coingecko_id}
    now = clock.now_ms() / 1000
    statuses = dict(trading.state.price_status)
    closers = []
    coingecko = None
    if settings.oracle_source == "coingecko" or settings.oracle_fallback == "coingecko":
        coingecko = CoinGeckoClient(
            settings.coingecko_url,
            api_key=settings.coingecko_api_key,
            calls_per_minute=settings.coingecko_calls_per_minute,
        )
        closers.append(coingecko.aclose)
    if settings.oracle_source == "coingecko":
        assert coingecko is not None
        quiet_after = max(
            settings.oracle_failover_after_s, POLLS_BEFORE_FAILOVER * coingecko.min_interval_s
        )
        router = PriceRouter(
            _aged(catalog, settings.oracle_fallback_max_age_s),
            "coingecko",
            None,
            now,
            quiet_after,
            settings.oracle_fallback_max_age_s,
            statuses,
        )
        primary = coingecko_quotes(coingecko, coins, feed_ids)
        return LiveFeed(trading, clock, router, primary, recorder=recorder, closers=closers)
    hermes = HermesClient(settings.pyth_url, api_key=settings.pyth_api_key)
    closers.append(hermes.aclose)
    router = PriceRouter(
        catalog,
        "pyth",
        "coingecko" if coingecko is not None else None,
        now,
        settings.oracle_failover_after_s,
        settings.oracle_fallback_max_age_s,
        statuses,
    )
    primary = pyth_quotes(hermes, {feed: market for market, feed in feed_ids.items()})
    fallback = coingecko_quotes(coingecko, coins, feed_ids) if coingecko is not None else None
    return LiveFeed(trading, clock, router, primary, fallback, recorder=recorder, closers=closers)


def _aged(catalog: MarketCatalog, max_age_s: float) -> MarketCatalog:
    """The catalog with every market's oracle age bound at least ``max_age_s`` (CoinGecko
    as the only source refreshes far less often than Pyth)."""
    least = math.ceil(max_age_s)
    markets = {
        symbol: replace(spec, max_oracle_age_s=max(spec.max_oracle_age_s, least))
        for symbol, spec in catalog.markets.items()
    }
    return MarketCatalog(markets, catalog.collateral, catalog.quote_asset)
