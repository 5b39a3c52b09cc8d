"""The order history the Blotter shows, against a real embedded backend: orders that finish
live go on top, and a session that starts later loads them from `GET /api/orders/history`
a page at a time, the next page when the panel asks."""

from __future__ import annotations

from pathlib import Path

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from quantdesk_desktop.client import session as session_module
from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.client.wallet import load_wallet
from quantdesk_desktop.panels.blotter import BlotterPanel
from quantdesk_desktop.state.store import MarketStore
from tests.desktop.live_backend import until

MARKET = "SOL-PERP"


async def test_cancelled_orders_reach_the_history_live_and_from_the_server(
    client, backend, tmp_path: Path, qtbot, monkeypatch
) -> None:
    store = client.store
    history = store.history
    await until(lambda: history.complete, "the first page (a new account has none)")
    assert history.finished == []
    await until(lambda: client.stream.connected, "the socket online")
    await until(lambda: store.board.prices[MARKET].oracle, "a price")
    far_below = store.board.prices[MARKET].oracle * 8 // 10 // 1_000 * 1_000
    body = {"market": MARKET, "side": "buy", "type": "limit", "size": "1",
            "price": format_fixed(far_below, PRICE_PRECISION)}  # fmt: skip
    placed: list[dict] = []
    for _ in range(3):
        client.submit(body, placed.append)
    await until(lambda: len(placed) == 3, "three orders placed")
    ids = sorted((order["order_id"] for order in placed), reverse=True)
    await until(lambda: set(ids) <= set(store.orders.working), "the orders working")
    assert all(history.working[i].created_at_ms > 0 for i in ids)  # their placing time

    client.cancel_all(MARKET)
    await until(lambda: len(history.finished) == 3, "the cancels in the history")
    assert {r.order_id for r in history.finished} == set(ids)
    assert {r.status for r in history.finished} == {"cancelled"} and not history.working

    # a session started now loads them from the server, two a page
    monkeypatch.setattr(session_module, "PAGE_SIZE", 2)
    store2 = MarketStore()
    later = WorkstationClient(store2, backend.url, load_wallet("test", tmp_path))
    panel = BlotterPanel(store2, MARKET)
    qtbot.addWidget(panel)
    await later.start()
    try:
        history2 = store2.history
        await until(lambda: history2.appended == 2 and not history2.loading, "the first page")
        panel.refresh()
        assert panel.history.model.rowCount() == 2 and panel.history.load_more_button.isEnabled()
        panel.history.load_more_button.click()
        later.sync_wanted()  # what the window does every frame
        await until(lambda: history2.complete, "the last page")
        panel.refresh()
        assert [r.order_id for r in history2.finished] == ids  # newest first
        assert panel.history.model.rowCount() == 3
        assert not panel.history.load_more_button.isEnabled()
    finally:
        await later.stop()
