"""The durable trading service on SQLite and PostgreSQL: acknowledged means committed,
refused means untouched, and a restart replays the log into the same state."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import Session, select

from backend.domain.errors import AccountRejected, OrderRejected, RejectCode
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.orders import OrderStatus, Side
from backend.services.clock import ManualClock
from backend.services.trading.commands import Cancel, Deposit, SetPrices, Submit, Tick, Withdraw
from backend.services.trading.service import TradingService, TradingUnavailable
from backend.store.models import Command, Order, Position, Trade, User, UserBalance, UserStats
from tests.domain.order_factory import request

P, B = parse_price, parse_base
USDC = 1_000_000
START = 1_790_000_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def service(catalog: MarketCatalog, db: Engine, clock: ManualClock) -> TradingService:
    trading = TradingService(catalog, db, clock)
    trading.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150"), last=P("150")))
    for account in ("alice", "bob", "mm"):
        trading.execute(Deposit(account, "USDC", 10_000 * USDC))
    return trading


def _count(db: Engine, model) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_an_acknowledged_order_is_already_in_the_store(service, db) -> None:
    outcome = service.execute(Submit(request("buy", price="149", size="2", account="alice")))
    order_id = outcome.primary.order.order_id
    with Session(db) as session:
        row = session.get(Order, order_id)
        assert row is not None and row.status == "open" and row.size == B("2")
        assert session.exec(select(Command).order_by(Command.id.desc())).first().kind == "submit"


def test_fills_positions_and_balances_are_committed_with_the_order(service, db) -> None:
    service.execute(Submit(request("sell", price="150", size="2", account="mm")))
    outcome = service.execute(
        Submit(request("buy", type="market", price=None, size="2", account="alice"))
    )
    assert len(outcome.fills) == 1
    with Session(db) as session:
        trade = session.get(Trade, outcome.fills[0].trade_id)
        assert trade.price == P("150") and trade.size == B("2")
        positions = sorted(p.base for p in session.exec(select(Position)) if p.base)
        assert positions == [-B("2"), B("2")]
        balances = session.exec(select(UserBalance)).all()
        # alice paid the 5 bps taker fee on 300 USDC
        assert 10_000 * USDC - 150_000 in {b.amount for b in balances}


@pytest.mark.parametrize(
    ("order", "code"),
    [
        (request("buy", price="150.0005", account="alice"), RejectCode.PRICE_NOT_TICK_MULTIPLE),
        (request("buy", price="150", size="1000", account="alice"), RejectCode.INSUFFICIENT_MARGIN),
        (request("buy", price="150", account="nobody"), RejectCode.INSUFFICIENT_MARGIN),
        (request("buy", price="150", market="ETH-PERP", account="alice"), RejectCode.MARKET_HALTED),
    ],
)
def test_a_refused_order_leaves_no_trace(service, db, order, code) -> None:
    commands, orders = _count(db, Command), _count(db, Order)
    with pytest.raises(OrderRejected) as raised:
        service.execute(Submit(order))
    assert raised.value.code is code
    assert (_count(db, Command), _count(db, Order)) == (commands, orders)
    assert "nobody" not in service.state.ledger.accounts


def test_a_repeated_client_order_id_writes_nothing(service, db) -> None:
    first = service.execute(
        Submit(request("buy", price="149", client_order_id="x", account="alice"))
    )
    commands = _count(db, Command)
    again = service.execute(
        Submit(request("buy", price="149", client_order_id="x", account="alice"))
    )
    assert again.primary.order is first.primary.order
    assert _count(db, Command) == commands


def test_a_restart_replays_the_log_into_the_same_state(service, catalog, db, clock) -> None:
    iceberg = service.execute(
        Submit(
            request("sell", type="iceberg", price="151", size="10", visible_size="2", account="mm")
        )
    ).primary.order.order_id
    service.execute(Submit(request("sell", price="151", size="3", account="bob")))
    service.execute(Submit(request("buy", price="149", size="4", account="bob")))
    clock.advance(1_000)
    service.execute(Submit(request("buy", price="151", size="3", account="alice")))
    stop = service.execute(
        Submit(
            request(
                "sell",
                type="stop_market",
                price=None,
                size="1",
                trigger_price="140",
                account="alice",
            )
        )
    )
    resting = service.execute(Submit(request("buy", price="148", size="1", account="alice")))
    service.execute(Cancel("alice", "SOL-PERP", resting.primary.order.order_id))
    clock.advance(1_000)
    service.execute(SetPrices("SOL-PERP", mark=P("152"), oracle=P("152")))
    service.execute(Tick())

    restarted = TradingService.open(catalog, db, clock)
    before, after = service.state.engines["SOL-PERP"], restarted.state.engines["SOL-PERP"]
    assert after.book.snapshot() == before.book.snapshot()
    assert [(o.order_id, o.status, o.filled) for o in after.open_orders("mm")] == [
        (o.order_id, o.status, o.filled) for o in before.open_orders("mm")
    ]
    # alice took the first slice of 2 and 1 of bob's 3; the refilled iceberg sits behind bob
    assert after.book.resting(iceberg) == before.book.resting(iceberg) is not None
    assert before.book.resting(iceberg).hidden == B("6")  # one slice taken, one refilled
    assert stop.primary.order.order_id in after.triggers
    assert after.order(stop.primary.order.order_id).status is OrderStatus.PENDING
    for name in ("alice", "bob", "mm"):
        assert restarted.state.ledger.account(name) == service.state.ledger.account(name)
    assert after.position("alice") == before.position("alice") == B("3")
    # the queue order survived too: the next taker meets the same makers in the same order
    taker = request("buy", price="151", size="4", account="carol")
    service.state.ledger.deposit("carol", "USDC", 10_000 * USDC)
    restarted.state.ledger.deposit("carol", "USDC", 10_000 * USDC)
    fills_before = before.submit(taker, START + 5_000).fills
    taker_again = request(
        "buy", price="151", size="4", account="carol", client_order_id=taker.client_order_id
    )
    fills_after = after.submit(taker_again, START + 5_000).fills
    assert [(f.maker_order_id, f.size) for f in fills_after] == [
        (f.maker_order_id, f.size) for f in fills_before
    ]
    assert fills_before and fills_before[0].taker_side is Side.BUY


def test_a_failed_commit_stops_trading_until_restart(service, db) -> None:
    with db.begin() as connection:
        connection.execute(text("DROP TABLE commands"))
    with pytest.raises(TradingUnavailable):
        service.execute(Submit(request("buy", price="149", account="alice")))
    with pytest.raises(TradingUnavailable, match="restart"):
        service.execute(Deposit("alice", "USDC", 1))


def test_resting_orders_hold_margin_for_the_next_one(catalog, db, clock) -> None:
    trading = TradingService(catalog, db, clock)
    trading.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150")))
    trading.execute(Deposit("dave", "USDC", 200 * USDC))
    # 10 SOL at 149 needs 149 initial margin (+ fee); a second one does not fit in 200
    trading.execute(Submit(request("buy", price="149", size="10", account="dave")))
    with pytest.raises(OrderRejected) as raised:
        trading.execute(Submit(request("buy", price="149", size="10", account="dave")))
    assert raised.value.code is RejectCode.INSUFFICIENT_MARGIN
    # and the held margin also caps withdrawals
    with pytest.raises(AccountRejected):
        trading.execute(Withdraw("dave", "USDC", 100 * USDC))


def _stats(db: Engine, pubkey: str) -> UserStats:
    with Session(db) as session:
        user_id = session.exec(select(User.id).where(User.pubkey == pubkey)).one()
        return session.get(UserStats, user_id)


def test_user_stats_add_up_trades_fees_and_realised_pnl(service, db, clock) -> None:
    service.execute(Submit(request("sell", price="150", size="2", account="mm")))
    service.execute(Submit(request("buy", type="market", price=None, size="2", account="alice")))
    service.execute(Submit(request("buy", price="160", size="2", account="mm")))
    service.execute(SetPrices("SOL-PERP", mark=P("160"), oracle=P("160"), last=P("160")))
    service.execute(Submit(request("sell", type="market", price=None, size="2", account="alice")))
    alice, mm = _stats(db, "alice"), _stats(db, "mm")
    assert alice.trades == mm.trades == 2
    assert alice.volume == mm.volume == 300 * USDC + 320 * USDC
    # alice paid the taker fee twice (5 bps of 300 and of 320); mm the maker fee (2 bps)
    assert alice.fees_paid == 150_000 + 160_000
    assert mm.fees_paid == 60_000 + 64_000
    # bought 2 at 150, sold 2 at 160: alice realised +20, mm the mirror
    assert alice.realised_pnl == 20 * USDC and mm.realised_pnl == -20 * USDC
    assert alice.funding_paid == 0 and alice.updated_at_ms == clock.now_ms()
