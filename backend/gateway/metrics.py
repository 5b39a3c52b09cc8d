"""Prometheus metrics of one gateway: orders, fills, latency, stream clients, price age."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from backend.gateway.ws.hub import Hub
from backend.services.clock import Clock
from backend.services.trading.commands import Command
from backend.services.trading.state import Outcome, TradingState

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

    def watch(self, state: TradingState, hub: Hub, clock: Clock) -> None:
        """Also report the live gauges read from the trading state and the hub."""
        self.registry.register(_LiveGauges(state, hub, clock))

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
    def __init__(self, state: TradingState, hub: Hub, clock: Clock) -> None:
        self.state, self.hub, self.clock = state, hub, clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        age = GaugeMetricFamily(
            "quantdesk_price_age_seconds",
            "Seconds since each market's price last changed",
            labels=["market"],
        )
        now = self.clock.now_ms()
        for market, at_ms in sorted(self.state.price_times.items()):
            age.add_metric([market], (now - at_ms) / 1000)
        yield age
        yield GaugeMetricFamily(
            "quantdesk_ws_clients", "Connected stream clients", value=self.hub.connections
        )
