"""Halting, resuming and re-parameterising a running market through the command log."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend.domain.errors import MarketRejected, OrderRejected, RejectCode
from backend.domain.fixed_point import parse_base, parse_price, parse_ratio
from backend.domain.markets import MarketCatalog
from backend.domain.orders import OrderStatus
from backend.services.clock import ManualClock
from backend.services.trading.commands import (
    Cancel,
    Deposit,
    SetMarketParameters,
    SetMarketStatus,
    SetPrices,
    Submit,
)
from backend.services.trading.service import TradingService
from backend.store.models import Market, SystemEvent
from tests.domain.order_factory import request

P, B = parse_price, parse_base
START = 1_790_000_000_000


@pytest.fixture
def trading(catalog: MarketCatalog, db: Engine) -> TradingService:
    service = TradingService(catalog, db, ManualClock(START))
    service.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150"), last=P("150")))
    service.execute(Deposit("alice", "USDC", 100_000 * 10**6))
    return service


def _market_row(db: Engine, symbol: str) -> Market:
    with Session(db) as session:
        return session.get(Market, symbol)


def test_a_halted_market_takes_cancels_only_and_fires_no_triggers(
    trading: TradingService, db: Engine
) -> None:
    resting = trading.execute(Submit(request("buy", price="140"))).primary.order
    stop = trading.execute(
        Submit(request("sell", type="stop_market", price=None, trigger_price="145"))
    ).primary.order
    trading.execute(SetMarketStatus("SOL-PERP", halted=True, reason="oracle incident"))
    assert _market_row(db, "SOL-PERP").halted

    with pytest.raises(OrderRejected) as refused:
        trading.execute(Submit(request("buy", price="141")))
    assert refused.value.code is RejectCode.MARKET_HALTED
    trading.execute(SetPrices("SOL-PERP", mark=P("144"), oracle=P("144")))
    assert stop.status is OrderStatus.PENDING  # the price crossed, but nothing trades now
    assert trading.state.prices["SOL-PERP"].oracle == P("144")  # prices are still recorded
    trading.execute(Cancel("alice", "SOL-PERP", resting.order_id))
    assert resting.status is OrderStatus.CANCELLED

    with pytest.raises(MarketRejected) as again:
        trading.execute(SetMarketStatus("SOL-PERP", halted=True))
    assert again.value.code is RejectCode.MARKET_STATUS_UNCHANGED

    trading.execute(SetMarketStatus("SOL-PERP", halted=False))
    assert not _market_row(db, "SOL-PERP").halted
    trading.execute(SetPrices("SOL-PERP", mark=P("144"), oracle=P("144")))
    assert stop.status is not OrderStatus.PENDING  # resumed: the stop fires
    with Session(db) as session:
        events = [e.message for e in session.exec(select(SystemEvent).order_by(SystemEvent.id))]
    assert events == ["SOL-PERP halted: oracle incident", "SOL-PERP resumed"]


def test_parameter_changes_apply_at_once_and_bad_ones_change_nothing(
    trading: TradingService, db: Engine
) -> None:
    trading.execute(
        SetMarketParameters("SOL-PERP", {"taker_fee": parse_ratio("0.001"), "min_size": B("1")})
    )
    assert trading.state.catalog.market("SOL-PERP").taker_fee == parse_ratio("0.001")
    assert trading.state.engines["SOL-PERP"].spec.min_size == B("1")
    assert _market_row(db, "SOL-PERP").min_size == B("1")
    with pytest.raises(OrderRejected) as small:
        trading.execute(Submit(request("buy", size="0.5", price="140")))
    assert small.value.code is RejectCode.SIZE_BELOW_MINIMUM

    for changes in ({"tick_size": 1}, {"maintenance_margin_ratio": parse_ratio("0.5")}):
        with pytest.raises(MarketRejected) as refused:
            trading.execute(SetMarketParameters("SOL-PERP", changes))
        assert refused.value.code is RejectCode.INVALID_PARAMETER
    assert trading.state.engines["SOL-PERP"].spec.min_size == B("1")


def test_halts_and_parameters_survive_a_restart(
    catalog: MarketCatalog, trading: TradingService, db: Engine
) -> None:
    trading.execute(SetMarketParameters("SOL-PERP", {"max_leverage": 5}))
    trading.execute(SetMarketStatus("SOL-PERP", halted=True))
    reopened = TradingService.open(catalog, db, ManualClock(START + 1_000))
    assert reopened.state.halted == {"SOL-PERP"}
    assert reopened.state.catalog.market("SOL-PERP").max_leverage == 5
    assert catalog.market("SOL-PERP").max_leverage == 10  # the loaded catalog is untouched
    assert _market_row(db, "SOL-PERP").halted and _market_row(db, "SOL-PERP").max_leverage == 5
