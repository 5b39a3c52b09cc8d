"""The price router's decisions, given quotes and times: Pyth serves, CoinGecko takes over
when Pyth has given no valid price for the failover delay and hands back at Pyth's next
valid price; with neither the market goes stale, then halts. A start does not flap."""

from __future__ import annotations

import pytest

from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.services.oracle.price_router import PriceRouter
from backend.services.oracle.quotes import Quote
from backend.services.oracle.validation import FeedStatus
from backend.services.trading.commands import SetPrices, SetPriceStatus

P = parse_price
T0 = 1_790_000_000
BTC = "BTC-PERP"


@pytest.fixture
def router(catalog: MarketCatalog) -> PriceRouter:
    return PriceRouter(catalog, "pyth", "coingecko", now=T0, failover_after_s=3)


def pyth(price: str, at: int, conf: str = "1", slot: int = 0) -> Quote:
    ema = P(price) - P("5")
    return Quote(BTC, P(price), P(conf), at, slot, ema, {"id": "btc", "at": at})


def gecko(price: str, at: int) -> Quote:
    return Quote(BTC, P(price), 0, at)


def test_pyth_serves_and_coingecko_waits_in_reserve(router: PriceRouter) -> None:
    routing = router.on_primary([pyth("67000", T0)], now=T0 + 0.4)
    assert routing.commands == [
        SetPrices(
            BTC,
            oracle=P("67000"),
            derive_mark=True,
            source="pyth",
            confidence=P("1"),
            publish_time_ms=T0 * 1000,
            ema_price=P("66995"),
        )
    ]
    assert routing.entries == [{"id": "btc", "at": T0}]
    assert router.on_fallback([gecko("66990", T0)], now=T0 + 1).commands == []
    # several Pyth updates in one second are ordered by slot; a repeat is dropped
    assert router.on_primary([pyth("67001", T0, slot=5)], now=T0 + 1).commands
    assert router.on_primary([pyth("67001", T0, slot=5)], now=T0 + 1).commands == []


def test_failover_to_coingecko_and_back(router: PriceRouter) -> None:
    router.on_primary([pyth("67000", T0)], now=T0)
    router.on_fallback([gecko("66990", T0)], now=T0 + 1)
    # Pyth now sends only prices too wide to use
    assert router.on_primary([pyth("67000", T0 + 1, conf="5000")], now=T0 + 1).commands == []
    assert router.on_clock(T0 + 2.9).commands == []
    routing = router.on_clock(T0 + 3.1)  # (the markets never priced halt)
    status, served = [c for c in routing.commands if c.market == BTC]
    assert isinstance(status, SetPriceStatus)
    assert (status.status, status.source) == ("fallback", "coingecko")
    assert "confidence interval too wide" in status.reason
    assert (served.source, served.oracle) == ("coingecko", P("66990"))
    assert router.status(BTC) is FeedStatus.FALLBACK

    # CoinGecko's next poll serves; the same poll answered again does not
    fresh = router.on_fallback([gecko("66980", T0 + 4)], now=T0 + 4.5)
    assert [c.oracle for c in fresh.commands] == [P("66980")]
    assert router.on_fallback([gecko("66980", T0 + 4)], now=T0 + 5).commands == []
    assert router.refused == 1  # the wide Pyth price; repeats are not refusals

    back = router.on_primary([pyth("66970", T0 + 6)], now=T0 + 6.2)
    status, served = back.commands
    assert (status.status, status.source) == ("live", "pyth")
    assert (served.source, served.oracle) == ("pyth", P("66970"))


def test_without_any_fresh_price_the_market_goes_stale_then_halts(catalog) -> None:
    router = PriceRouter(catalog, "pyth", "coingecko", now=T0, failover_after_s=3)
    router.on_primary([pyth("67000", T0)], now=T0)
    router.on_fallback([gecko("66990", T0 - 200)], now=T0)  # refused: too old
    stale = router.on_clock(T0 + 4).commands
    assert [(c.market, c.status) for c in stale if c.market == BTC] == [(BTC, "stale")]
    assert "liquidations wait" in next(c.reason for c in stale if c.market == BTC)
    # the BTC market allows 30 s: then nothing valid is left
    halted = [c for c in router.on_clock(T0 + 31).commands if c.market == BTC]
    assert [(c.status, c.source) for c in halted] == [("halted", None)]
    assert "pyth or coingecko" in halted[0].reason


def test_a_start_gives_the_primary_time_before_judging(catalog) -> None:
    statuses = {BTC: FeedStatus.HALTED}  # as the state was left before a restart
    router = PriceRouter(catalog, "pyth", "coingecko", T0, 3, statuses=statuses)
    assert router.on_clock(T0 + 1).commands == []  # nothing judged in the first 3 s
    routing = router.on_primary([pyth("67000", T0 + 1)], now=T0 + 1.5)
    assert [type(c) for c in routing.commands] == [SetPriceStatus, SetPrices]
    assert routing.commands[0].status == "live"
    # other markets never priced: halted once the primary had its chance
    later = router.on_clock(T0 + 3.5).commands
    assert {c.status for c in later} == {"halted"} and BTC not in {c.market for c in later}
