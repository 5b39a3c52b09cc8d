"""Snapshots bound replay: a restart loads the newest snapshot and applies only the later
commands, giving the same state as replaying the whole log."""

from __future__ import annotations

from collections import deque
from enum import Enum

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.liquidity.maker_agents import MarketMakerAgents
from backend.services.trading.commands import Deposit, SetPrices, Submit, Tick
from backend.services.trading.service import TradingService
from backend.services.trading.snapshots import KEEP
from backend.store.models import StateSnapshot
from tests.domain.order_factory import request

P, B = parse_price, parse_base
START = 1_790_000_000_000


def _busy(trading: TradingService, clock: ManualClock, rounds: int, offset: int = 0) -> None:
    """Prices, maker quotes, takers, a stop and time passing."""
    makers = MarketMakerAgents(trading, clock)
    for i in range(rounds):
        clock.advance(1_000)
        price = P("150") + ((i + offset) % 7 - 3) * P("0.05")
        trading.execute(SetPrices("SOL-PERP", oracle=price, derive_mark=True, source="sim"))
        makers.step()
        side = "buy" if i % 2 else "sell"
        trading.execute(Submit(request(side, type="market", price=None, size="3", account="taker")))
        trading.execute(Tick())
    trading.execute(
        Submit(
            request("sell", type="stop_market", price=None, trigger_price="140", account="taker")
        )
    )


def _plain(value: object, stack: tuple[int, ...] = ()) -> object:
    """``value`` as nested plain data: every attribute, entry and element, in order (the
    same object reached twice is written twice; a cycle is cut)."""
    if isinstance(value, (int, str, bytes, float, bool, type(None), Enum)):
        return value
    if id(value) in stack:
        return "<cycle>"
    inner = (*stack, id(value))
    if isinstance(value, dict):
        return [(_plain(k, inner), _plain(v, inner)) for k, v in value.items()]
    if isinstance(value, (list, tuple, deque)):
        return [_plain(item, inner) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_plain(item, inner)) for item in value)
    names = list(getattr(value, "__dict__", {}))
    for cls in type(value).__mro__:
        names += [n for n in getattr(cls, "__slots__", ()) if n != "__weakref__"]
    return [type(value).__name__] + [
        (n, _plain(getattr(value, n), inner)) for n in names if hasattr(value, n)
    ]


def _fingerprint(trading: TradingService) -> object:
    return _plain(trading.state)


def _snapshots(db: Engine) -> list[StateSnapshot]:
    with Session(db) as session:
        return list(session.exec(select(StateSnapshot).order_by(StateSnapshot.id)))


def test_restart_from_a_snapshot_equals_a_full_replay(catalog: MarketCatalog, db: Engine) -> None:
    clock = ManualClock(START)
    trading = TradingService(catalog, db, clock)
    trading.execute(Deposit("taker", "USDC", 10**12))
    _busy(trading, clock, 10)
    assert trading.snapshot() is True
    assert trading.snapshot() is False  # nothing new since
    snapped_at = trading.last_command_id
    at_snapshot = _fingerprint(trading)
    _busy(trading, clock, 5, offset=3)
    expected = _fingerprint(trading)
    assert expected != at_snapshot  # the fingerprint sees the later commands

    reopened = TradingService.open(catalog, db, clock)
    assert reopened.snapshot_command_id == snapped_at
    assert reopened.last_command_id == trading.last_command_id
    assert _fingerprint(reopened) == expected


def test_old_snapshots_are_pruned_and_a_foreign_format_is_ignored(
    catalog: MarketCatalog, db: Engine
) -> None:
    clock = ManualClock(START)
    trading = TradingService(catalog, db, clock)
    trading.execute(Deposit("taker", "USDC", 10**12))
    for round_ in range(4):
        _busy(trading, clock, 2, offset=round_)
        assert trading.snapshot()
    assert len(_snapshots(db)) == KEEP
    expected = _fingerprint(trading)
    with Session(db) as session:  # as if written by another version of the code
        session.exec(update(StateSnapshot).values(state_format="another-version"))
        session.commit()
    reopened = TradingService.open(catalog, db, clock)
    assert reopened.snapshot_command_id == 0  # full replay
    assert _fingerprint(reopened) == expected


def test_an_unreadable_snapshot_falls_back_to_the_one_before(
    catalog: MarketCatalog, db: Engine
) -> None:
    clock = ManualClock(START)
    trading = TradingService(catalog, db, clock)
    trading.execute(Deposit("taker", "USDC", 10**12))
    _busy(trading, clock, 3)
    trading.snapshot()
    first = trading.snapshot_command_id
    _busy(trading, clock, 3, offset=1)
    trading.snapshot()
    expected = _fingerprint(trading)
    newest = _snapshots(db)[-1]
    with Session(db) as session:
        session.exec(
            update(StateSnapshot).where(StateSnapshot.id == newest.id).values(payload=b"garbage")
        )
        session.commit()
    reopened = TradingService.open(catalog, db, clock)
    assert reopened.snapshot_command_id == first
    assert _fingerprint(reopened) == expected
