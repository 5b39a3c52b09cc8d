"""Group commits through the lean writer (SQLite, only orders, balances and positions
changed) store exactly what the general path stores, and a failed one keeps nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlmodel import Session

from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.trading.commands import (
    Cancel,
    CancelAll,
    Command,
    Deposit,
    Modify,
    SetPrices,
    Submit,
)
from backend.services.trading.service import TradingService, TradingUnavailable
from backend.store.database import create_engine_for
from backend.store.migrate import upgrade_to_head
from tests.domain.order_factory import request

USDC = 1_000_000
TABLES = {
    "commands": "SELECT id, kind, market, payload, at_ms, request_id FROM commands",
    "orders": "SELECT * FROM orders",
    "user_balances": "SELECT * FROM user_balances",
    "positions": "SELECT * FROM positions",
    "trades": "SELECT * FROM trades",
    "users": "SELECT id, pubkey FROM users",
}


class GeneralPathOnly(TradingService):
    """The same service with every group commit on SQLAlchemy's general path."""

    LEAN_COMMITS = False


def _store(tmp_path: Path, name: str) -> Engine:
    url = f"sqlite:///{tmp_path / name}"
    upgrade_to_head(url)
    return create_engine_for(url)


def _session_commits(db: Engine) -> list[int]:
    """One entry per transaction SQLAlchemy commits on ``db`` (the lean writer's are not)."""
    seen: list[int] = []
    event.listen(db, "commit", lambda _connection: seen.append(1))
    return seen


def _rows(db: Engine) -> dict[str, list[tuple]]:
    with Session(db) as session:
        return {
            table: [tuple(row) for row in session.execute(text(f"{query} ORDER BY 1"))]
            for table, query in TABLES.items()
        }


def _script(service: TradingService) -> list[Command]:
    """Deposits, resting orders of three accounts, a modify, cancels, and a crossing
    order that fills (the general path's kind of change), in that order."""
    commands: list[Command] = [
        SetPrices("SOL-PERP", mark=parse_price("150"), oracle=parse_price("150")),
        *(Deposit(account, "USDC", 50_000 * USDC) for account in ("ann", "bob", "cyd")),
    ]
    for i in range(12):
        account = ("ann", "bob", "cyd")[i % 3]
        side = "buy" if i % 2 == 0 else "sell"
        price = f"{140 - i}" if side == "buy" else f"{160 + i}"
        order = request(side, price=price, size="0.5", account=account, client_order_id=f"o{i}")
        commands.append(Submit(order))
    return commands


async def _run(service: TradingService) -> None:
    """The same commands, in groups as the socket would bring them."""
    script = _script(service)
    for command in script[:4]:
        service.execute(command)
    orders = script[4:]
    for start in range(0, len(orders), 4):
        await asyncio.gather(*(service.execute_durably(c) for c in orders[start : start + 4]))
    resting = {o.order_id: o for o in service.state.engines["SOL-PERP"].open_orders("ann")}
    first, second = sorted(resting)[:2]
    await asyncio.gather(
        service.execute_durably(
            Modify("ann", "SOL-PERP", first, price=parse_price("139.5"), size=parse_base("0.7"))
        ),
        service.execute_durably(Cancel("ann", "SOL-PERP", second)),
        service.execute_durably(CancelAll("cyd", "SOL-PERP")),
    )
    crossing = request("sell", price="130", size="0.2", account="bob", client_order_id="x")
    await service.execute_durably(Submit(crossing))


async def test_the_lean_path_stores_what_the_general_path_stores(
    catalog: MarketCatalog, tmp_path: Path
) -> None:
    general_db, lean_db = _store(tmp_path, "general.db"), _store(tmp_path, "lean.db")
    clock = ManualClock(1_790_000_000_000)
    general = GeneralPathOnly(catalog, general_db, clock)
    lean = TradingService(catalog, lean_db, clock)
    general_commits, lean_commits = _session_commits(general_db), _session_commits(lean_db)
    await _run(general)
    await _run(lean)
    assert general.transactions == lean.transactions
    assert len(general_commits) == general.transactions
    # deposits, prices and the fill went the general way; the rest the lean way
    assert 0 < len(lean_commits) < lean.transactions - 3
    general_rows, lean_rows = _rows(general_db), _rows(lean_db)
    assert general_rows["trades"]  # the crossing order filled
    assert len(lean_rows["orders"]) == 13
    assert lean_rows == general_rows


async def test_a_restart_after_lean_commits_rebuilds_the_same_state(
    catalog: MarketCatalog, tmp_path: Path
) -> None:
    db = _store(tmp_path, "store.db")
    service = TradingService(catalog, db, ManualClock(1_790_000_000_000))
    await _run(service)
    reopened = TradingService.open(catalog, db, ManualClock(1_790_000_000_000))
    before, after = service.state.engines["SOL-PERP"], reopened.state.engines["SOL-PERP"]
    assert after.book.snapshot() == before.book.snapshot()
    for account in ("ann", "bob", "cyd"):
        assert reopened.state.ledger.account(account) == service.state.ledger.account(account)
        assert [(o.order_id, o.status, o.filled) for o in after.open_orders(account)] == [
            (o.order_id, o.status, o.filled) for o in before.open_orders(account)
        ]
    assert reopened.last_command_id == service.last_command_id
    # no user id is cached after a restart: the first group takes the general path (which
    # looks the user up), the next one the lean path
    session_commits = _session_commits(db)
    for client_id in ("after-1", "after-2"):
        order = request("buy", price="120", size="0.1", account="ann", client_order_id=client_id)
        await reopened.execute_durably(Submit(order))
    assert len(session_commits) == 1
    with Session(db) as session:
        stored = session.execute(
            text("SELECT client_order_id FROM orders WHERE client_order_id LIKE 'after-%'")
        ).scalars()
        assert sorted(stored) == ["after-1", "after-2"]


async def test_a_failed_lean_write_keeps_nothing_and_stops_trading(
    catalog: MarketCatalog, tmp_path: Path, caplog
) -> None:
    db = _store(tmp_path, "store.db")
    service = TradingService(catalog, db, ManualClock(1_790_000_000_000))
    for command in _script(service)[:4]:
        service.execute(command)
    before = _rows(db)
    session_commits = _session_commits(db)
    with db.begin() as connection:  # the upsert after the command rows will fail
        connection.execute(text("ALTER TABLE orders RENAME TO orders_elsewhere"))
    session_commits.clear()
    placing = service.execute_durably(Submit(request("buy", price="120", account="ann")))
    with pytest.raises(TradingUnavailable):
        await placing
    assert session_commits == []  # it was the lean writer's transaction that failed
    with Session(db) as session:
        kept = session.execute(text("SELECT count(*) FROM commands")).scalar_one()
    assert kept == len(before["commands"])  # its command row was rolled back with it
    assert [r.name for r in caplog.records if r.levelname == "CRITICAL"] == ["quantdesk.trading"]
    with pytest.raises(TradingUnavailable, match="restart"):
        await service.execute_durably(Submit(request("buy", price="121", account="ann")))
