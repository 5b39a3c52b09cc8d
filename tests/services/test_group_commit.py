"""Group commit: orders arriving in one turn of the event loop share one transaction, and
none is answered before it is durable."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import Engine, event, text
from sqlmodel import Session, col, select

from backend.domain.errors import OrderRejected
from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.trading.commands import Deposit, SetPrices, Submit
from backend.services.trading.service import TradingService, TradingUnavailable
from backend.store.models import Command, Order
from tests.domain.order_factory import request

USDC = 1_000_000


@pytest.fixture
def service(catalog: MarketCatalog, db: Engine) -> TradingService:
    trading = TradingService(catalog, db, ManualClock(1_790_000_000_000))
    trading.execute(SetPrices("SOL-PERP", mark=parse_price("150"), oracle=parse_price("150")))
    trading.execute(Deposit("alice", "USDC", 10_000 * USDC))
    return trading


@pytest.fixture
def commits(db: Engine) -> list[int]:
    """One entry per transaction committed on ``db`` from now on (on SQLite as the driver
    sees it, whether SQLAlchemy's session or the lean writer committed)."""
    seen: list[int] = []
    if db.dialect.name == "sqlite":

        def trace(connection: sqlite3.Connection, _record: object, _proxy: object) -> None:
            connection.set_trace_callback(lambda sql: seen.append(1) if sql == "COMMIT" else None)

        event.listen(db, "checkout", trace)
    else:
        event.listen(db, "commit", lambda _connection: seen.append(1))
    return seen


def _buy(client_id: str) -> Submit:
    return Submit(request("buy", price="140", size="1", account="alice", client_order_id=client_id))


async def _start(service: TradingService, client_id: str) -> asyncio.Task:
    """Start placing an order and return once it is applied in memory and waiting for its
    commit: asyncio runs ready callbacks in order, so after one yield the task has run up
    to its wait, and the group commit it scheduled has not run yet."""
    placing = asyncio.ensure_future(service.execute_durably(_buy(client_id)))
    await asyncio.sleep(0)
    assert service.state.engines["SOL-PERP"].open_orders("alice")  # applied
    return placing


def _stored_orders(db: Engine) -> list[str]:
    with Session(db) as session:
        return list(session.exec(select(Order.client_order_id).order_by(col(Order.id))))


async def test_orders_of_one_loop_turn_share_one_commit(service, db, commits) -> None:
    seen_by_listener: list[str] = []
    service.on_commit(lambda command, _: seen_by_listener.append(command.request.client_order_id))
    outcomes = await asyncio.gather(*(service.execute_durably(_buy(f"g{i}")) for i in range(5)))
    assert len(commits) == 1
    assert _stored_orders(db) == ["g0", "g1", "g2", "g3", "g4"]
    assert [o.primary.order.request.client_order_id for o in outcomes] == seen_by_listener
    assert service.last_command_id == _last_command_id(db)


async def test_an_order_is_not_answered_before_its_commit(service, db) -> None:
    placing = await _start(service, "slow")
    assert not placing.done()  # applied in memory, but the transaction has not run yet
    assert _stored_orders(db) == []
    await placing
    assert _stored_orders(db) == ["slow"]


async def test_a_synchronous_command_commits_the_waiting_ones_first(service, db) -> None:
    waiting = await _start(service, "first")
    service.execute(_buy("second"))
    assert _stored_orders(db) == ["first", "second"]
    await waiting  # already committed with the second one


async def test_a_snapshot_never_holds_an_uncommitted_command(service, db) -> None:
    waiting = await _start(service, "before-snapshot")
    assert service.snapshot()
    assert service.snapshot_command_id == _last_command_id(db)
    assert _stored_orders(db) == ["before-snapshot"]
    await waiting


async def test_a_failed_group_commit_fails_every_waiting_order(service, db, caplog) -> None:
    with db.begin() as connection:
        connection.execute(text("DROP TABLE commands"))
    results = await asyncio.gather(
        *(service.execute_durably(_buy(f"lost{i}")) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, TradingUnavailable) for r in results)
    # logged once as critical by the service, not again as an unhandled loop error
    assert [r.name for r in caplog.records if r.levelname == "CRITICAL"] == ["quantdesk.trading"]
    assert not [r for r in caplog.records if r.name == "asyncio"]
    with pytest.raises(TradingUnavailable, match="restart"):
        await service.execute_durably(_buy("after"))


def _last_command_id(db: Engine) -> int:
    with Session(db) as session:
        return session.exec(select(Command.id).order_by(col(Command.id).desc())).first()


def test_a_batch_commits_once_at_its_end(service, db, commits) -> None:
    published: list[str] = []
    service.on_commit(lambda command, _: published.append(command.request.client_order_id))
    with service.batched():
        service.execute(_buy("b1"))
        with service.batched():  # nested: still one transaction, at the outer end
            service.execute(_buy("b2"))
        assert _stored_orders(db) == [] and published == []
    assert _stored_orders(db) == ["b1", "b2"] and published == ["b1", "b2"]
    assert len(commits) == 1


def test_a_refused_command_in_a_batch_leaves_the_others(service, db) -> None:
    with service.batched():
        service.execute(_buy("kept"))
        with pytest.raises(OrderRejected):
            service.execute(Submit(request("buy", price="140", size="0", account="alice")))
    assert _stored_orders(db) == ["kept"]


async def test_under_load_orders_wait_for_the_commit_interval_to_share_a_commit(
    service, db, commits
) -> None:
    service.commit_interval_s = 60.0  # longer than the test: the timer must not fire
    await service.execute_durably(_buy("quiet"))  # after a quiet spell: committed at once
    assert _stored_orders(db) == ["quiet"] and len(commits) == 1
    waiting = await _start(service, "busy")
    assert not waiting.done() and service._commit_handle is not None
    service.execute(_buy("forced"))  # a synchronous command commits what waits
    await waiting
    assert _stored_orders(db) == ["quiet", "busy", "forced"] and len(commits) == 2
