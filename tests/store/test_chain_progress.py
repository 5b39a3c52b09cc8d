"""The on-chain settlement cursors and what the keeper reads as still to settle."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.trading.commands import Deposit, SetPrices, Submit, Tick
from backend.services.trading.service import TradingService
from backend.store.chain_progress import (
    InFlight,
    advance,
    clear_in_flight,
    load_cursors,
    load_progress,
    record_in_flight,
)
from backend.store.chain_sources import (
    fills_after,
    funding_payments_after,
    funding_periods_after,
    last_payment_before,
    unsettled_fill_before,
)
from tests.domain.order_factory import request

HOUR_MS = 3_600_000
START_MS = 1_790_000_000_000 // HOUR_MS * HOUR_MS


def test_a_stream_starts_at_zero_and_its_cursor_never_goes_back(db: Engine) -> None:
    with Session(db) as session:
        assert load_progress(session, "fills").cursor == 0
        assert load_progress(session, "fills").in_flight is None
        in_flight = InFlight(7, "5ig", 1_234, "AQID")
        record_in_flight(session, "fills", in_flight, 1)
        session.commit()
    with Session(db) as session:
        progress = load_progress(session, "fills")
        assert (progress.cursor, progress.in_flight) == (0, in_flight)
        advance(session, "fills", 7, 2)
        advance(session, "fills", 3, 3)
        session.commit()
    with Session(db) as session:
        assert load_progress(session, "fills").cursor == 7
        assert load_progress(session, "fills").in_flight is None
        record_in_flight(session, "fills", InFlight(9, "6x", 5, None), 4)
        clear_in_flight(session, "fills", 5)
        session.commit()
        assert load_progress(session, "fills").in_flight is None
        assert load_progress(session, "funding_periods").cursor == 0
        assert load_cursors(session) == {"fills": 7}


def test_fills_and_funding_are_read_in_order_with_their_wallets(
    catalog: MarketCatalog, db: Engine
) -> None:
    clock = ManualClock(START_MS)
    trading = TradingService(catalog, db, clock)
    trading.execute(SetPrices("SOL-PERP", mark=parse_price("150"), oracle=parse_price("150")))
    for account in ("Alice111", "Bob22222"):
        trading.execute(Deposit(account, "USDC", 10_000 * 10**6))
    for price in ("150", "151", "152"):
        trading.execute(Submit(request("sell", price=price, size="1", account="Alice111")))
        trading.execute(Submit(request("buy", price=price, size="1", account="Bob22222")))
        clock.advance(1_000)
    clock.advance(HOUR_MS)
    period = trading.execute(Tick()).funding[0]
    with Session(db) as session:
        fills = fills_after(session, "SOL-PERP", 0, 10)
        sol = 3 * 10**12  # SOL-PERP trade ids: market index 2, numbered from (2 + 1) * 1e12
        assert [f.trade_id for f in fills] == [sol + 1, sol + 2, sol + 3]
        assert {(f.taker, f.maker, f.taker_side) for f in fills} == {
            ("Bob22222", "Alice111", "buy")
        }
        assert [f.trade_id for f in fills_after(session, "SOL-PERP", sol + 1, 1)] == [sol + 2]
        assert fills_after(session, "BTC-PERP", 0, 10) == []
        [open_period] = funding_periods_after(session, "SOL-PERP", 0, 5)
        assert open_period.last_trade_id == sol + 3
        assert fills_after(session, "SOL-PERP", 0, 10, before=open_period) == fills
        assert unsettled_fill_before(session, sol + 2, open_period)
        assert not unsettled_fill_before(session, sol + 3, open_period)
        assert funding_periods_after(session, "ETH-PERP", 0, 5) == []
        assert open_period.market == "SOL-PERP" and open_period.settled_at_ms == clock.now_ms()
        assert open_period.mark_twap == period.mark_twap
        payments = funding_payments_after(session, "SOL-PERP", 0, open_period.funding_id, 10)
        assert sorted(p.holder for p in payments) == ["Alice111", "Bob22222"]
        assert funding_payments_after(session, "SOL-PERP", 0, open_period.funding_id - 1, 10) == []
        assert last_payment_before(session, "SOL-PERP", open_period.funding_id) == 0
        assert last_payment_before(session, "SOL-PERP", open_period.funding_id + 1) == max(
            p.payment_id for p in payments
        )
