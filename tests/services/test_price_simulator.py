"""The offline price simulator: reproducible, on tick, realistic volatility."""

from __future__ import annotations

import itertools
import math
import statistics

from backend.domain.markets import MarketCatalog
from backend.services.oracle.simulator import PriceSimulator, VolatilityModel


def _returns(simulator: PriceSimulator, market: str, seconds: int) -> list[float]:
    prices = [simulator.advance(0)[0].price]
    prices += [simulator.advance(t * 1000)[0].price for t in range(1, seconds + 1)]
    return [math.log(b / a) for a, b in itertools.pairwise(prices)]


def test_same_seed_same_prices(catalog: MarketCatalog) -> None:
    specs = list(catalog)
    first, second = PriceSimulator(specs, seed=3), PriceSimulator(specs, seed=3)
    for t in range(0, 60_000, 1_000):
        assert first.advance(t) == second.advance(t)
    other = PriceSimulator(specs, seed=4)
    assert [other.advance(t) for t in range(0, 60_000, 1_000)][-1] != first.advance(60_000)


def test_starts_at_the_reference_price_on_the_tick_grid(catalog: MarketCatalog) -> None:
    simulator = PriceSimulator(list(catalog))
    ticks = simulator.advance(1_000)
    for tick, spec in zip(ticks, catalog, strict=True):
        assert tick.price == spec.reference_price
    for t in range(2, 200):
        for tick, spec in zip(simulator.advance(t * 1_000), catalog, strict=True):
            assert tick.price % spec.tick_size == 0 and tick.price > 0
            assert tick.confidence > 0 and tick.publish_time_ms == t * 1_000


def test_annualised_volatility_is_near_the_model(catalog: MarketCatalog) -> None:
    simulator = PriceSimulator(
        [catalog.market("BTC-PERP")],
        seed=11,
        model=VolatilityModel(annual_volatility=0.6, jumps_per_day=0),
    )
    returns = _returns(simulator, "BTC-PERP", 20_000)
    annualised = statistics.pstdev(returns) * math.sqrt(365 * 86_400)
    assert 0.45 < annualised < 0.75


def test_volatility_clusters(catalog: MarketCatalog) -> None:
    model = VolatilityModel(annual_volatility=0.8, persistence=0.90, reaction=0.09, jumps_per_day=0)
    simulator = PriceSimulator([catalog.market("BTC-PERP")], seed=5, model=model)
    squared = [r * r for r in _returns(simulator, "BTC-PERP", 20_000)]
    mean = statistics.fmean(squared)
    lag1 = sum((a - mean) * (b - mean) for a, b in itertools.pairwise(squared))
    assert lag1 / sum((a - mean) ** 2 for a in squared) > 0.02


def test_jumps_move_the_price_by_several_percent(catalog: MarketCatalog) -> None:
    model = VolatilityModel(annual_volatility=0.2, jumps_per_day=8_640, jump_size=0.05)
    simulator = PriceSimulator([catalog.market("SOL-PERP")], seed=2, model=model)
    returns = _returns(simulator, "SOL-PERP", 2_000)
    big = [r for r in returns if abs(r) > 0.02]
    # about one jump in ten seconds, most of them beyond 2%
    assert 80 < len(big) < 250
