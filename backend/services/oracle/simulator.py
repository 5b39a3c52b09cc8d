"""The offline price simulator: a seeded random walk with volatility clustering and jumps.

Each market's log price follows a GARCH(1,1)-style walk: the variance of the next step
leans on the last shock, so quiet and wild spells alternate as in real markets, and a
rare jump (a Poisson event) moves the price several percent at once. It starts from the
market's reference price, is reproducible from its seed, and returns prices on the tick
grid in fixed point. Floats are used for the random walk itself (it is a model, not money);
every price it hands out is an exact integer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from backend.domain.markets import MarketSpec

SECONDS_PER_YEAR = 365 * 24 * 3600


@dataclass(frozen=True, slots=True)
class SimulatedTick:
    """One simulated oracle update."""

    market: str
    price: int
    confidence: int
    publish_time_ms: int


@dataclass(slots=True)
class VolatilityModel:
    """Parameters of the walk (annualised volatility, GARCH weights, jumps)."""

    annual_volatility: float = 0.8
    persistence: float = 0.94
    """Weight of the previous variance (beta)."""
    reaction: float = 0.05
    """Weight of the previous squared shock (alpha)."""
    jumps_per_day: float = 2.0
    jump_size: float = 0.02
    """Standard deviation of a jump's log size."""


@dataclass(slots=True)
class _Walk:
    spec: MarketSpec
    log_price: float
    variance: float
    last_shock: float = 0.0


@dataclass(slots=True)
class PriceSimulator:
    """Simulated oracle prices for several markets, advanced by the caller's clock."""

    specs: list[MarketSpec]
    seed: int = 7
    model: VolatilityModel = field(default_factory=VolatilityModel)
    _rng: random.Random = field(init=False, repr=False)
    _walks: dict[str, _Walk] = field(init=False, repr=False)
    _last_ms: int | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        base_variance = self.model.annual_volatility**2 / SECONDS_PER_YEAR
        self._walks = {
            spec.symbol: _Walk(spec, math.log(spec.reference_price), base_variance)
            for spec in self.specs
        }

    def resume_from(self, prices: dict[str, int]) -> None:
        """Continue from known prices (after a restart) instead of the reference prices."""
        for market, price in prices.items():
            walk = self._walks.get(market)
            if walk is not None and price > 0:
                walk.log_price = math.log(price)

    def price(self, market: str) -> int:
        """The current simulated price of ``market``, on its tick grid."""
        walk = self._walks[market]
        return _on_tick(walk.spec, walk.log_price)

    def advance(self, now_ms: int) -> list[SimulatedTick]:
        """Move every market to ``now_ms``; returns one tick per market."""
        dt = 0.0 if self._last_ms is None else max(0, now_ms - self._last_ms) / 1000
        self._last_ms = now_ms
        ticks = []
        for walk in self._walks.values():
            if dt > 0:
                self._step(walk, dt)
            price = _on_tick(walk.spec, walk.log_price)
            # a confidence of about one standard deviation of a second's move
            confidence = max(walk.spec.tick_size, int(price * math.sqrt(walk.variance)))
            ticks.append(SimulatedTick(walk.spec.symbol, price, confidence, now_ms))
        return ticks

    def _step(self, walk: _Walk, dt: float) -> None:
        model = self.model
        long_run = model.annual_volatility**2 / SECONDS_PER_YEAR
        omega = long_run * (1 - model.persistence - model.reaction)
        # variance per second, updated from the last standardised shock
        walk.variance = (
            omega
            + model.reaction * walk.last_shock**2 * walk.variance
            + (model.persistence * walk.variance)
        )
        shock = self._rng.gauss(0.0, 1.0)
        walk.last_shock = shock
        move = shock * math.sqrt(walk.variance * dt) - 0.5 * walk.variance * dt
        if self._rng.random() < model.jumps_per_day * dt / 86_400:
            move += self._rng.gauss(0.0, model.jump_size)
        walk.log_price += move


def _on_tick(spec: MarketSpec, log_price: float) -> int:
    raw = round(math.exp(log_price))
    return max(spec.tick_size, raw // spec.tick_size * spec.tick_size)
