"""Orders placed from another session of the same account (another workstation, a script)
appear correctly in this one's blotter: a resting order and its cancel, an IOC that fills
partly and has its remainder cancelled (its fills, average price and reason), and a
refused order that never existed."""

from __future__ import annotations

from pathlib import Path

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION, format_fixed
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.client.wallet import load_wallet
from quantdesk_desktop.panels.blotter import BlotterPanel
from quantdesk_desktop.state.store import MarketStore
from tests.desktop.live_backend import until

MARKET = "SOL-PERP"


def _history_row(panel: BlotterPanel, order_id: int):
    panel.refresh()
    rows = [row for row in panel.history.model.rows if row.order_id == order_id]
    return rows[0] if rows else None


async def test_orders_of_another_session_show_as_they_happen(
    client, backend, tmp_path: Path, qtbot
) -> None:
    store = client.store
    panel = BlotterPanel(store, MARKET)
    qtbot.addWidget(panel)
    other = WorkstationClient(MarketStore(), backend.url, load_wallet("test", tmp_path))
    await other.start()
    try:
        await until(lambda: client.stream.connected and other.stream.connected, "both online")
        book = other.store.book(MARKET)
        other.store.follow("book", MARKET)
        other.sync_wanted()
        await until(lambda: book.bids and book.asks, "the other session's book")
        placed: list[object] = []

        # 1. a resting order, then its cancel, both from the other session
        far_below = book.best_bid() * 8 // 10 // 1_000 * 1_000
        rest = {"market": MARKET, "side": "buy", "type": "limit", "size": "2",
                "price": format_fixed(far_below, PRICE_PRECISION)}  # fmt: skip
        other.submit(rest, placed.append)
        await until(lambda: placed, "the resting order accepted")
        resting = placed.pop()
        assert isinstance(resting, dict)
        await until(lambda: resting["order_id"] in store.orders.working, "it works here too")
        panel.refresh()
        assert [r.order.order_id for r in panel.open_orders.model.rows] == [resting["order_id"]]
        other.cancel(resting["order_id"])
        await until(lambda: not store.orders.working, "its cancel seen here")
        row = await _until_row(panel, resting["order_id"])
        assert (row.status, row.filled, row.reject_reason) == ("cancelled", 0, "user")
        panel.refresh()
        assert panel.open_orders.model.rowCount() == 0

        # 2. an IOC for more than the best ask level holds: part fills, the rest is cancelled
        ask, level = min(book.asks.items())
        size = level + 10**9  # one more than the level
        ioc = {"market": MARKET, "side": "buy", "type": "limit", "time_in_force": "ioc",
               "size": format_fixed(size, BASE_PRECISION),
               "price": format_fixed(ask, PRICE_PRECISION)}  # fmt: skip
        other.submit(ioc, placed.append)
        await until(lambda: placed, "the IOC answered")
        taken = placed.pop()
        assert isinstance(taken, dict)
        row = await _until_row(panel, taken["order_id"])
        assert row.status == "cancelled" and row.reject_reason == "ioc_remainder"
        assert 0 < row.filled < size
        await until(
            lambda: (
                sum(f.size for f in store.positions.fills if f.order_id == taken["order_id"])
                == row.filled
            ),
            "every fill of the IOC seen here",
        )
        fills = [f for f in store.positions.fills if f.order_id == taken["order_id"]]
        assert all(f.price <= ask and f.side == "buy" for f in fills)
        assert row.average_price is not None and row.average_price <= ask
        await until(lambda: MARKET in store.positions.positions, "the position seen here")
        assert store.positions.positions[MARKET].size == row.filled

        # 3. a refused order never existed: nothing shows here
        finished_before = len(store.history.finished)
        above_ask = format_fixed(book.best_ask() + 10**6, PRICE_PRECISION)
        crossing = {"market": MARKET, "side": "buy", "type": "limit", "post_only": True,
                    "size": "1", "price": above_ask}  # fmt: skip
        other.submit(crossing, placed.append)
        await until(lambda: placed, "the refusal")
        refusal = placed.pop()
        assert isinstance(refusal, OrderRefusal) and refusal.code == "post_only_would_take"
        # a marker order placed after it arrives after anything the refusal could have sent
        other.submit(rest, placed.append)
        await until(lambda: placed and placed[-1]["order_id"] in store.orders.working, "marker")
        marker = placed.pop()
        assert set(store.orders.working) == {marker["order_id"]}
        assert len(store.history.finished) == finished_before
        other.cancel(marker["order_id"])
        await until(lambda: not store.orders.working, "the marker cancelled")
    finally:
        await other.stop()


async def _until_row(panel: BlotterPanel, order_id: int):
    found = []

    def seen() -> bool:
        row = _history_row(panel, order_id)
        if row is not None:
            found.append(row)
        return row is not None

    await until(seen, f"order {order_id} in the history tab")
    return found[-1]
