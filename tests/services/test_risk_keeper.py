"""Funding each period and liquidation below maintenance, through the durable service."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.trading.commands import Deposit, SetPrices, Submit, Tick
from backend.services.trading.risk_keeper import KEEPER
from backend.services.trading.service import TradingService
from backend.store.models import FundingPayment, FundingRate, Liquidation
from tests.domain.order_factory import request

P, B = parse_price, parse_base
USDC = 1_000_000
HOUR = 3_600_000
START = 1_790_000_000_000 // HOUR * HOUR  # on the hour


def _market(catalog: MarketCatalog, db, clock: ManualClock) -> TradingService:
    trading = TradingService(catalog, db, clock)
    trading.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150")))
    trading.execute(Deposit("long", "USDC", 1_000 * USDC))
    trading.execute(Deposit("short", "USDC", 100_000 * USDC))
    trading.execute(Submit(request("sell", price="150", size="10", account="short")))
    trading.execute(Submit(request("buy", price="150", size="10", account="long")))
    return trading


def test_funding_settles_each_period_longs_pay_when_mark_is_rich(catalog, db) -> None:
    clock = ManualClock(START)
    trading = _market(catalog, db, clock)
    clock.advance(60_000)
    trading.execute(SetPrices("SOL-PERP", mark=P("151.5"), oracle=P("150")))  # 1% rich
    clock.advance(HOUR)
    outcome = trading.execute(Tick())
    settlement = outcome.funding[0]
    assert settlement.rate > 0
    assert settlement.payments["long"] < 0 < settlement.payments["short"]
    with Session(db) as session:
        rate = session.exec(select(FundingRate)).one()
        assert rate.rate == settlement.rate and rate.market == "SOL-PERP"
        payments = session.exec(select(FundingPayment)).all()
        assert sorted(p.amount for p in payments) == sorted(settlement.payments.values())
    # the next period is not due yet
    clock.advance(1_000)
    assert trading.execute(Tick()).funding == []


def test_a_price_drop_liquidates_into_the_keeper_and_is_recorded(catalog, db) -> None:
    clock = ManualClock(START)
    trading = _market(catalog, db, clock)  # long 10 SOL at 150 on 1,000 USDC
    trading.execute(Submit(request("buy", price="100", size="1", account="long")))
    clock.advance(1_000)
    # at 80: collateral 1000 - 700 = 300 against a requirement of 10 * 80 * 5% = 40: fine.
    # Liquidation starts below 1000 - 1500 + 10 p = 0.5 p (less the fee): p < 52.7
    assert trading.execute(SetPrices("SOL-PERP", mark=P("80"), oracle=P("80"))).liquidations == []
    clock.advance(1_000)
    outcome = trading.execute(SetPrices("SOL-PERP", mark=P("50"), oracle=P("50")))
    result = outcome.liquidations[0]
    assert result.account_id == "long" and result.closed
    engine = trading.state.engines["SOL-PERP"]
    ledger_long = trading.state.ledger.account("long").positions["SOL-PERP"].base
    assert engine.position("long") == ledger_long < B("10")
    assert (
        engine.position(KEEPER)
        == trading.state.ledger.account(KEEPER).positions["SOL-PERP"].base
        > 0
    )
    assert engine.open_orders("long") == []  # its resting bid was cancelled first
    with Session(db) as session:
        row = session.exec(select(Liquidation)).one()
        assert row.base == result.closed[0].base and row.price == P("50")
    # a restart replays the same liquidation
    restarted = TradingService.open(catalog, db, clock)
    assert restarted.state.ledger.account("long") == trading.state.ledger.account("long")
    assert restarted.state.ledger.insurance_fund == trading.state.ledger.insurance_fund


def test_mark_follows_the_book_mid_within_the_oracle_band(catalog, db) -> None:
    clock = ManualClock(START)
    trading = _market(catalog, db, clock)  # the book is empty after the 10 SOL trade
    trading.execute(SetPrices("SOL-PERP", oracle=P("150"), derive_mark=True))
    assert trading.state.prices["SOL-PERP"].mark == P("150")  # one-sided: the oracle
    trading.execute(Submit(request("buy", price="150.2", size="1", account="short")))
    trading.execute(Submit(request("sell", price="150.6", size="1", account="short")))
    trading.execute(SetPrices("SOL-PERP", oracle=P("150"), derive_mark=True))
    assert trading.state.prices["SOL-PERP"].mark == P("150.4")
    trading.execute(SetPrices("SOL-PERP", oracle=P("140"), derive_mark=True))
    assert trading.state.prices["SOL-PERP"].mark == P("141.4")  # clamped to oracle + 1%
