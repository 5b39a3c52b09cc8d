"""A market's oracle status in the trading state: no valid price halts risk-taking, a
stale or missing price liquidates nobody, and the status is on record and survives a
restart."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.orders import OrderStatus
from backend.services.clock import ManualClock
from backend.services.oracle.validation import FeedStatus
from backend.services.trading.commands import (
    Cancel,
    Deposit,
    Modify,
    SetPrices,
    SetPriceStatus,
    Submit,
    Tick,
)
from backend.services.trading.service import TradingService
from backend.store.models import OraclePrice, SystemEvent
from tests.domain.order_factory import request

P = parse_price
USDC = 1_000_000
HOUR = 3_600_000
START = 1_790_000_000_000 // HOUR * HOUR


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def trading(catalog: MarketCatalog, db: Engine, clock: ManualClock) -> TradingService:
    """SOL at 150; ``long`` holds 10 SOL bought at 150 on 1,000 USDC."""
    service = TradingService(catalog, db, clock)
    service.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150")))
    service.execute(Deposit("long", "USDC", 1_000 * USDC))
    service.execute(Deposit("short", "USDC", 100_000 * USDC))
    service.execute(Submit(request("sell", price="150", size="10", account="short")))
    service.execute(Submit(request("buy", price="150", size="10", account="long")))
    return service


def _events(db: Engine) -> list[tuple[str, str]]:
    with Session(db) as session:
        rows = session.exec(select(SystemEvent).order_by(SystemEvent.id)).all()
        return [(row.kind, row.message) for row in rows]


def test_without_a_valid_price_only_cancels_and_reduce_only_orders_are_taken(
    trading: TradingService, db: Engine
) -> None:
    resting = trading.execute(Submit(request("buy", price="140", account="long"))).primary.order
    trading.execute(SetPriceStatus("SOL-PERP", "halted", reason="Pyth and CoinGecko silent"))

    with pytest.raises(OrderRejected) as refused:
        trading.execute(Submit(request("buy", price="141", account="long")))
    assert refused.value.code is RejectCode.NO_VALID_PRICE
    assert "reduce-only" in str(refused.value) and refused.value.field == "market"
    with pytest.raises(OrderRejected) as moved:
        trading.execute(Modify("long", "SOL-PERP", resting.order_id, P("142"), None))
    assert moved.value.code is RejectCode.NO_VALID_PRICE

    closing = trading.execute(
        Submit(request("sell", price="160", size="2", account="long", reduce_only=True))
    ).primary.order
    assert closing.status is OrderStatus.OPEN
    trading.execute(Cancel("long", "SOL-PERP", resting.order_id))
    assert resting.status is OrderStatus.CANCELLED

    trading.execute(SetPriceStatus("SOL-PERP", "live", source="pyth"))
    assert trading.execute(Submit(request("buy", price="141", account="long"))).primary.order
    assert _events(db) == [
        ("market_oracle", "SOL-PERP oracle halted: Pyth and CoinGecko silent"),
        ("market_oracle", "SOL-PERP oracle live from pyth"),
    ]


@pytest.mark.parametrize("status", ["stale", "halted"])
def test_nobody_is_liquidated_on_a_stale_or_missing_price(
    trading: TradingService, status: str
) -> None:
    trading.execute(SetPriceStatus("SOL-PERP", status))
    # at 50 the long is far below maintenance, but the price is not one to act on
    assert trading.execute(SetPrices("SOL-PERP", mark=P("50"), oracle=P("50"))).liquidations == []
    assert trading.state.ledger.account("long").positions["SOL-PERP"].base > 0

    trading.execute(SetPriceStatus("SOL-PERP", "fallback", source="coingecko"))
    outcome = trading.execute(SetPrices("SOL-PERP", mark=P("50"), oracle=P("50")))
    assert [result.account_id for result in outcome.liquidations] == ["long"]


def test_a_stale_price_elsewhere_protects_an_account_from_liquidation(
    trading: TradingService,
) -> None:
    """The account's health rests on every market it holds: one stale price is enough
    to hold its liquidation back, even when another market's price moves."""
    trading.execute(SetPrices("BTC-PERP", mark=P("67000"), oracle=P("67000")))
    trading.execute(Deposit("btc", "USDC", 100_000 * USDC))
    trading.execute(Submit(request("sell", market="BTC-PERP", price="67000", account="btc")))
    trading.execute(
        Submit(request("buy", market="BTC-PERP", price="67000", size="0.01", account="long"))
    )
    trading.execute(SetPriceStatus("BTC-PERP", "stale"))
    outcome = trading.execute(SetPrices("SOL-PERP", mark=P("50"), oracle=P("50")))
    assert outcome.liquidations == []


def test_funding_waits_while_no_price_and_restarts_after(
    trading: TradingService, clock: ManualClock
) -> None:
    clock.advance(60_000)
    trading.execute(SetPrices("SOL-PERP", mark=P("151.5"), oracle=P("150")))
    trading.execute(SetPriceStatus("SOL-PERP", "halted"))
    clock.advance(HOUR)
    assert trading.execute(Tick()).funding == []
    trading.execute(SetPriceStatus("SOL-PERP", "live", source="pyth"))
    assert trading.state.funding["SOL-PERP"].due_ms is None  # a fresh period
    trading.execute(SetPrices("SOL-PERP", mark=P("151.5"), oracle=P("150")))
    clock.advance(HOUR)
    assert [s.market for s in trading.execute(Tick()).funding] == ["SOL-PERP"]


def test_the_status_and_the_publish_time_survive_a_restart(
    catalog: MarketCatalog, trading: TradingService, db: Engine, clock: ManualClock
) -> None:
    trading.execute(
        SetPrices("SOL-PERP", oracle=P("151"), source="pyth", publish_time_ms=START - 2_000)
    )
    trading.execute(SetPriceStatus("SOL-PERP", "fallback", source="coingecko"))
    trading.execute(SetPriceStatus("ETH-PERP", "halted"))
    reopened = TradingService.open(catalog, db, clock)
    assert reopened.state.price_status == {
        "SOL-PERP": FeedStatus.FALLBACK,
        "ETH-PERP": FeedStatus.HALTED,
    }
    with Session(db) as session:
        row = session.exec(select(OraclePrice).where(OraclePrice.source == "pyth")).one()
    assert row.publish_time_ms == START - 2_000 and row.received_at_ms == START
