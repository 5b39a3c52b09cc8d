"""The catch-up feeds a local cache reads: a user's order changes, funding payments and
liquidations after a cursor, oldest first, page after page with nothing missed or twice."""

from __future__ import annotations

from backend.domain.fixed_point import parse_price
from backend.services.clock import ManualClock
from backend.services.market_data.sync_feeds import SyncFeeds
from backend.services.trading.commands import Cancel, Deposit, SetPrices, Submit, Tick, Withdraw
from backend.services.trading.service import TradingService
from tests.domain.order_factory import request

P = parse_price
USDC = 1_000_000
HOUR = 3_600_000
START = 1_790_000_000_000 // HOUR * HOUR


def _trading(catalog, db, clock: ManualClock) -> TradingService:
    trading = TradingService(catalog, db, clock)
    trading.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150")))
    trading.execute(Deposit("long", "USDC", 1_000 * USDC))
    trading.execute(Deposit("short", "USDC", 100_000 * USDC))
    return trading


def _all_pages(read, first, cursor_of) -> tuple[list, object]:
    rows, cursor = [], first
    while page := read(cursor):
        rows += page
        cursor = cursor_of(page[-1])
    return rows, cursor


def test_order_changes_come_oldest_first_and_end_in_each_orders_last_state(catalog, db) -> None:
    clock = ManualClock(START)
    trading = _trading(catalog, db, clock)
    feeds = SyncFeeds(db)
    placed = []
    for price in ("140", "141", "142"):
        clock.advance(1_000)
        placed.append(
            trading.execute(Submit(request("buy", price=price, size="1", account="long")))
        )
    clock.advance(1_000)
    ids = [outcome.primary.order.order_id for outcome in placed]
    first = ids[0]
    trading.execute(Cancel("long", "SOL-PERP", first))
    clock.advance(1_000)
    trading.execute(Submit(request("sell", price="142", size="1", account="short")))  # fills #3

    def read(after):
        return feeds.orders("long", after, 2)

    rows, cursor = _all_pages(read, None, lambda r: (r.updated_at_ms, r.id))
    assert [r.updated_at_ms for r in rows] == sorted(r.updated_at_ms for r in rows)
    last = {r.id: r.status for r in rows}
    assert last == {ids[0]: "cancelled", ids[1]: "open", ids[2]: "filled"}
    assert feeds.orders("long", cursor, 2) == []  # caught up
    clock.advance(1_000)
    trading.execute(Cancel("long", "SOL-PERP", ids[1]))
    (change,) = feeds.orders("long", cursor, 2)  # only what changed since
    assert (change.id, change.status) == (ids[1], "cancelled")
    assert feeds.orders("nobody", None, 10) == []


def test_funding_and_liquidations_page_by_id(catalog, db) -> None:
    clock = ManualClock(START)
    trading = _trading(catalog, db, clock)
    trading.execute(Submit(request("sell", price="150", size="10", account="short")))
    trading.execute(Submit(request("buy", price="150", size="10", account="long")))
    for _ in range(3):  # the mark is rich: the long pays each hour
        clock.advance(HOUR)
        trading.execute(SetPrices("SOL-PERP", mark=P("151.5"), oracle=P("150")))
        trading.execute(Tick())
    feeds = SyncFeeds(db)
    payments, cursor = _all_pages(lambda after: feeds.funding("long", after, 2), 0, lambda p: p.id)
    assert len(payments) == 3 and sum(p.amount for p in payments) < 0
    assert [p.id for p in payments] == sorted(p.id for p in payments)
    assert feeds.funding("long", cursor, 2) == []

    assert feeds.liquidations("long", 0, 10) == []
    clock.advance(1_000)
    outcome = trading.execute(SetPrices("SOL-PERP", mark=P("50"), oracle=P("50")))
    assert outcome.liquidations
    slices = feeds.liquidations("long", 0, 10)
    assert slices and all(s.base > 0 and s.price == P("50") for s in slices)
    assert feeds.liquidations("long", slices[-1].id, 10) == []


def test_deposits_and_withdrawals_come_as_signed_transfers(catalog, db) -> None:
    clock = ManualClock(START)
    trading = _trading(catalog, db, clock)  # deposits 1,000 USDC to "long"
    clock.advance(1_000)
    trading.execute(Withdraw("long", "USDC", 250 * USDC))
    feeds = SyncFeeds(db)
    first, second = feeds.transfers("long", 0, 10)
    assert (first.asset, first.amount, first.created_at_ms) == ("USDC", 1_000 * USDC, START)
    assert (second.amount, second.created_at_ms) == (-250 * USDC, START + 1_000)
    assert feeds.transfers("long", second.id, 10) == []
    assert [t.amount for t in feeds.transfers("short", 0, 10)] == [100_000 * USDC]
