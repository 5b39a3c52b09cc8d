"""Prometheus metrics of one gateway: orders, fills, latency, stream clients, price age."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from backend.gateway.ws.hub import Hub
from backend.services.clock import Clock
from backend.services.trading.commands import Command
from backend.services.trading.service import TradingService
from backend.services.trading.state import Outcome

LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


class GatewayMetrics:
    """The metrics, in a registry of their own (one per app, never the global one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.orders = Counter(
            "quantdesk_orders", "Orders answered, by result", ["result"], registry=self.registry
        )
        self.fills = Counter("quantdesk_fills", "Fills settled", registry=self.registry)
        self.liquidations = Counter(
            "quantdesk_liquidations", "Accounts liquidated", registry=self.registry
        )
        self.auctions = Counter(
            "quantdesk_auctions", "JIT auctions, by outcome", ["outcome"], registry=self.registry
        )
        self.order_latency = Histogram(
            "quantdesk_order_latency_seconds",
            "From an order's arrival to its answer",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch(self, trading: TradingService, hub: Hub, clock: Clock) -> None:
        """Also report the live figures read from the trading service and the hub."""
        self.registry.register(_LiveGauges(trading, hub, clock))

    def on_commit(self, _command: Command, outcome: Outcome) -> None:
        """Count the fills, liquidations and auctions of every committed command."""
        fills = sum(len(result.fills) for result in outcome.results)
        if fills:
            self.fills.inc(fills)
        if outcome.liquidations:
            self.liquidations.inc(len(outcome.liquidations))
        for result in outcome.results:
            for outcome_name, auctions in (
                ("started", result.auctions_started),
                ("settled", result.auctions_settled),
                ("cancelled", result.auctions_dropped),
            ):
                if auctions:
                    self.auctions.labels(outcome=outcome_name).inc(len(auctions))


class _LiveGauges(Collector):
    def __init__(self, trading: TradingService, hub: Hub, clock: Clock) -> None:
        self.trading, self.hub, self.clock = trading, hub, clock

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        age = GaugeMetricFamily(
            "quantdesk_price_age_seconds",
            "Seconds since each market's price last changed",
            labels=["market"],
        )
        now = self.clock.now_ms()
        for market, at_ms in sorted(self.trading.state.price_times.items()):
            age.add_metric([market], (now - at_ms) / 1000)
        yield age
        state = self.trading.state
        oracle_age = GaugeMetricFamily(
            "quantdesk_oracle_age_seconds",
            "Seconds since the source published each market's oracle price",
            labels=["market", "source"],
        )
        for market, published_ms in sorted(state.oracle_published_ms.items()):
            source = state.price_sources.get(market, "")
            oracle_age.add_metric([market, source], (now - published_ms) / 1000)
        yield oracle_age
        status = GaugeMetricFamily(
            "quantdesk_oracle_status",
            "Each market's oracle status (1 for the current one)",
            labels=["market", "status"],
        )
        for spec in state.catalog:
            current = state.price_status.get(spec.symbol)
            now_status = current.value if current is not None else "live"
            for name in ("live", "stale", "fallback", "halted"):
                status.add_metric([spec.symbol, name], float(name == now_status))
        yield status
        yield GaugeMetricFamily(
            "quantdesk_ws_clients", "Connected stream clients", value=self.hub.connections
        )
        yield CounterMetricFamily(
            "quantdesk_store_transactions",
            "Store transactions committed (group commits)",
            value=self.trading.transactions,
        )
        yield CounterMetricFamily(
            "quantdesk_store_commands",
            "Commands committed; over transactions, the mean group size",
            value=self.trading.committed_commands,
        )
