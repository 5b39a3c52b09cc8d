"""The account's own orders show without waiting for the frame clock: the session says
when they change, and the window then refreshes the views of own orders (blotter, ladder,
chart) once, as soon as the loop is free."""

from __future__ import annotations

from pathlib import Path

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore
from tests.desktop.live_backend import qt_until, until

MARKET = "SOL-PERP"


async def test_an_own_order_update_runs_a_frame_at_once(client, qtbot, tmp_path: Path) -> None:
    window = MainWindow(client.store, WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    window.frame_timer.stop()  # only requested frames run
    window.intents = client
    client.on_own_update = window.request_frame
    window.add_panel("blotter", MARKET)
    blotter = next(p for p, _ in window.panels.values())
    await until(lambda: client.stream.connected, "the socket online")
    await until(lambda: client.store.board.prices[MARKET].oracle, "a price")
    frames: list[float] = []
    refresh = blotter.refresh

    def counted_refresh() -> None:
        frames.append(1)
        refresh()

    blotter.refresh = counted_refresh  # observed, still run

    far_below = client.store.board.prices[MARKET].oracle * 8 // 10 // 1_000 * 1_000
    body = {"market": MARKET, "side": "buy", "type": "limit", "size": "1",
            "price": format_fixed(far_below, PRICE_PRECISION)}  # fmt: skip
    client.submit(body, None)
    await qt_until(lambda: blotter.open_orders.model.rowCount() == 1, "the order in the blotter")
    assert frames  # refreshed, though the clock is stopped

    window.request_frame()
    window.request_frame()  # asked twice before the loop is free: one refresh
    before = len(frames)
    await qt_until(lambda: len(frames) > before, "the requested frame")
    await qt_until(lambda: True, "the loop turned")
    assert len(frames) == before + 1
    client.cancel_all(MARKET)
    await qt_until(lambda: blotter.open_orders.model.rowCount() == 0, "the cancel shown")
