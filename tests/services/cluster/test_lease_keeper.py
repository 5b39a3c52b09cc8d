"""Engines share the markets: a second engine gets half of them handed over, and when
one stops the other takes them all back."""

from __future__ import annotations

import pytest

from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.cluster.lease_keeper import LeaseKeeper
from backend.services.trading.shared_log import SharedLogTrading

START = 1_790_000_000_000
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _keeper(catalog: MarketCatalog, db, owner: str) -> LeaseKeeper:
    trading = SharedLogTrading.open(catalog, db, ManualClock(START), owner=owner)
    return LeaseKeeper(trading, list(catalog.markets), ttl_s=60)


def test_markets_are_shared_out_and_taken_back(catalog: MarketCatalog, db) -> None:
    first = _keeper(catalog, db, "engine-a")
    first.step()
    assert first.trading.lanes == set(catalog.markets)
    second = _keeper(catalog, db, "engine-b")
    second.step()  # all taken: nothing yet
    assert second.trading.lanes == set()
    first.step()  # two engines now: keeps its half, stops carrying out the rest
    assert len(first.trading.lanes) == 3
    second.step()  # the rest is not released yet
    assert second.trading.lanes == set()
    first.step()  # releases them
    second.step()
    assert len(second.trading.lanes) == 3
    assert first.trading.lanes.isdisjoint(second.trading.lanes)
    assert first.trading.lanes | second.trading.lanes == set(catalog.markets)
    for _ in range(3):  # stable: nothing moves any more
        first.step()
        second.step()
    assert len(first.trading.lanes) == len(second.trading.lanes) == 3

    second.release_all()  # a clean stop
    first.step()
    assert first.trading.lanes == set(catalog.markets)


def test_an_engine_limited_to_some_markets_owns_only_those(catalog: MarketCatalog, db) -> None:
    trading = SharedLogTrading.open(catalog, db, ManualClock(START), owner="engine-btc")
    keeper = LeaseKeeper(trading, ["BTC-PERP"], ttl_s=60)
    keeper.step()
    assert trading.lanes == {"BTC-PERP"}


def test_each_job_is_done_by_one_engine_and_moves_when_it_stops(catalog: MarketCatalog, db) -> None:
    jobs = ("equity", "market-stats")
    first = LeaseKeeper(
        SharedLogTrading.open(catalog, db, ManualClock(START), owner="engine-a"),
        list(catalog.markets),
        ttl_s=60,
        jobs=jobs,
    )
    second = LeaseKeeper(
        SharedLogTrading.open(catalog, db, ManualClock(START), owner="engine-b"),
        list(catalog.markets),
        ttl_s=60,
        jobs=jobs,
    )
    first.step()
    second.step()
    assert first.held_jobs == set(jobs) and second.held_jobs == set()
    first.release_all()
    second.step()
    assert second.held_jobs == set(jobs) and first.held_jobs == set()
