"""A user's fills after a cursor: each once, in trade id order, whatever the role."""

from __future__ import annotations

from sqlmodel import Session

from backend.store.repositories.trades import record_trades
from backend.store.trade_history import MAX_PAGE, trades_after
from backend.store.unit_of_work import unit_of_work
from tests.store.conftest import Seeded, make_trade


def _page_through(session: Session, user_id: int, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = 0
    while page := trades_after(session, user_id, cursor, limit=limit):
        assert len(page) <= limit
        seen.extend(trade.id for trade in page)
        cursor = page[-1].id
    return seen


def test_paging_returns_every_trade_of_the_user_once_in_order(seeded: Seeded) -> None:
    alice, bob = seeded.alice, seeded.bob
    roles = {1: (alice, bob), 2: (bob, alice), 3: (alice, alice), 5: (bob, bob), 8: (bob, alice)}
    trade_ids = [i for i in range(1, 60) if i not in (4, 6)]  # ids need not be dense
    with unit_of_work(seeded.engine) as session:
        record_trades(session, [make_trade(i, *roles.get(i % 10, (alice, bob))) for i in trade_ids])
    alices = [i for i in trade_ids if alice in roles.get(i % 10, (alice, bob))]
    bobs = [i for i in trade_ids if bob in roles.get(i % 10, (alice, bob))]
    with Session(seeded.engine) as session:
        for limit in (1, 4, 7, MAX_PAGE):
            assert _page_through(session, alice, limit) == alices
            assert _page_through(session, bob, limit) == bobs
        assert trades_after(session, alice, cursor=trade_ids[-1]) == []
        assert [t.id for t in trades_after(session, alice, cursor=0, limit=0)] == alices[:1]
