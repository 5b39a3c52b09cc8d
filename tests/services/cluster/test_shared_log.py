"""Two engine processes over one PostgreSQL command log: each applies the other's
commands before its own, so both states and a replay of the log agree; a command for a
lane without a lease, or committed after the lease was lost, leaves no trace."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.trading.commands import (
    ACCOUNTS_LANE,
    Cancel,
    Deposit,
    SetPrices,
    Submit,
    Tick,
)
from backend.services.trading.service import load_state
from backend.services.trading.shared_log import LaneNotHeld, LeaseLost, SharedLogTrading
from backend.services.trading.state import TradingState
from backend.store.leases import claim
from backend.store.models import Command
from tests.domain.order_factory import request

P = parse_price
USDC = 1_000_000
START = 1_790_000_000_000
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _engine(catalog: MarketCatalog, db: Engine, clock: ManualClock, owner: str, lanes: set[str]):
    service = SharedLogTrading.open(catalog, db, clock, owner=owner)
    with Session(db) as session:
        for lane in lanes:
            assert claim(session, lane, owner, ttl_s=60) is not None
        session.commit()
    service.lanes = set(lanes)
    return service


def _books(state: TradingState) -> dict:
    """What a replay must reproduce: balances, positions and resting orders."""
    return {
        "balances": {a: dict(acc.balances) for a, acc in state.ledger.accounts.items()},
        "positions": {a: dict(acc.positions) for a, acc in state.ledger.accounts.items()},
        "books": {m: e.book.snapshot() for m, e in state.engines.items()},
    }


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def pair(catalog, db, clock) -> tuple[SharedLogTrading, SharedLogTrading]:
    sol = _engine(catalog, db, clock, "engine-a", {"SOL-PERP", ACCOUNTS_LANE})
    btc = _engine(catalog, db, clock, "engine-b", {"BTC-PERP"})
    sol.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150"), last=P("150")))
    btc.execute(SetPrices("BTC-PERP", mark=P("60000"), oracle=P("60000"), last=P("60000")))
    for account in ("alice", "maker"):
        sol.execute(Deposit(account, "USDC", 10_000 * USDC))
    return sol, btc


def test_each_engine_applies_the_others_commands_first_and_the_log_replays_to_the_same_state(
    pair, catalog, db, clock
) -> None:
    sol, btc = pair
    btc.execute(
        Submit(request("sell", market="BTC-PERP", price="60000", size="0.1", account="maker"))
    )
    sol.execute(Submit(request("sell", price="150", size="10", account="maker")))
    clock.advance(5)
    btc.execute(
        Submit(
            request(
                "buy", market="BTC-PERP", type="market", price=None, size="0.1", account="alice"
            )
        )
    )
    sol.execute(Submit(request("buy", type="market", price=None, size="10", account="alice")))
    assert btc.foreign_commands >= 4  # SOL prices, two deposits, the maker's SOL order
    btc.catch_up()
    replayed = load_state(catalog, db).state
    assert _books(sol.state) == _books(btc.state) == _books(replayed)
    alice = replayed.ledger.accounts["alice"]
    assert {m for m, p in alice.positions.items() if p.base} == {"SOL-PERP", "BTC-PERP"}


def test_a_margin_check_counts_what_the_other_engine_committed(pair) -> None:
    sol, btc = pair
    # alice's SOL order reserves most of her margin on engine A ...
    placed = sol.execute(Submit(request("buy", price="140", size="600", account="alice")))
    # ... so engine B, having caught up, refuses a BTC order she could afford alone
    btc_order = request("buy", market="BTC-PERP", price="59000", size="1", account="alice")
    with pytest.raises(OrderRejected) as refused:
        btc.execute(Submit(btc_order))
    assert refused.value.code is RejectCode.INSUFFICIENT_MARGIN
    sol.execute(Cancel("alice", "SOL-PERP", placed.primary.order.order_id))
    assert btc.execute(Submit(btc_order)).primary.order.status.value == "open"


def test_a_command_for_a_lane_without_a_lease_is_refused_before_it_is_applied(pair, db) -> None:
    _, btc = pair
    before = _count(db)
    with pytest.raises(LaneNotHeld):
        btc.execute(Submit(request("buy", price="149", size="1", account="alice")))
    assert _count(db) == before and not btc.failed


def test_commands_of_no_single_market_need_no_lease(pair, db) -> None:
    _, btc = pair
    btc.execute(Deposit("alice", "USDC", USDC))
    assert btc.state.ledger.accounts["alice"].balance("USDC") == 10_001 * USDC


def test_a_commit_after_the_lease_was_taken_over_leaves_nothing_and_stops_the_engine(
    catalog, db, clock
) -> None:
    old = _engine(catalog, db, clock, "engine-old", {"SOL-PERP"})
    old.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150"), last=P("150")))
    with Session(db) as session:  # the lease runs out at once and another engine takes it
        claim(session, "SOL-PERP", "engine-old", ttl_s=0)
        assert claim(session, "SOL-PERP", "engine-new", ttl_s=60) == 2
        session.commit()
    before = _count(db)
    with pytest.raises(LeaseLost):
        old.execute(Tick("SOL-PERP"))
    assert _count(db) == before and old.failed


def test_the_bus_request_id_is_kept_with_the_command(pair, db) -> None:
    sol, _ = pair
    sol.execute(Deposit("alice", "USDC", USDC), request_id="req-1")
    with Session(db) as session:
        row = session.exec(select(Command).order_by(Command.id.desc())).first()
    assert (row.kind, row.request_id) == ("deposit", "req-1")


def test_a_refused_command_releases_the_log_lock(pair) -> None:
    sol, btc = pair
    with pytest.raises(OrderRejected):
        sol.execute(Submit(request("buy", price="150.0005", size="1", account="alice")))
    # were the lock still held by A's open transaction, B would wait here forever
    btc.execute(Tick("BTC-PERP"))
    assert btc.last_command_id > sol.last_command_id


def _count(db: Engine) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(Command)).one()
