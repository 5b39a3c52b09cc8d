"""Hotkeys against the embedded backend, with real X key events (xdotool's XTEST input on
the test command's Xvfb display): a key in the main window joins the bid of the focused
panel's market and the order shows in the blotter; a key in a floating window trades
that window's market; a held-down key sends one order, not one per repeat."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION, format_fixed
from quantdesk_desktop.hotkeys.sizes import minimum_size
from quantdesk_desktop.qt import QApplication, QtAds
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore
from tests.desktop.live_backend import qt_until

pytestmark = pytest.mark.skipif(
    os.environ.get("QT_QPA_PLATFORM") != "xcb" or shutil.which("xdotool") is None,
    reason="real key events need the X display the test command starts (and xdotool)",
)


async def xdotool(*args: str) -> None:
    """Run xdotool; fail the test on an error."""
    process = await asyncio.create_subprocess_exec("xdotool", *args, stderr=asyncio.subprocess.PIPE)
    _, error = await process.communicate()
    assert process.returncode == 0, f"xdotool {' '.join(args)}: {error.decode()}"


async def focus(window) -> None:
    """Give ``window`` the X input focus (no window manager here) and wait until Qt
    agrees it is the active window."""
    await qt_until(window.isVisible, "the window shown")
    await xdotool("windowfocus", "--sync", str(int(window.winId())))
    await qt_until(lambda: QApplication.activeWindow() is window, "the window active")


def _blotter_ids(window: MainWindow) -> set[int]:
    blotter = next(p for p, _ in window.panels.values() if p.kind == "blotter")
    return {row.order.order_id for row in blotter.open_orders.model.rows}


@pytest.fixture(autouse=True)
def _no_simulated_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded backend without its simulated traders: their market orders would fill
    the orders the keys rest at the touch before the cancel key can cancel them."""
    monkeypatch.setenv("QUANTDESK_FLOW_TRADES_PER_S", "0")


async def test_real_keys_trade_from_the_main_and_a_floating_window(
    client, qtbot, tmp_path: Path
) -> None:
    store = client.store
    window = MainWindow(store, WorkspaceStore(tmp_path / "workspaces"))
    qtbot.addWidget(window)
    window.intents = client
    window.default_layout("SOL-PERP")
    window.resize(1400, 900)
    window.show()
    board = store.hotkeys
    board.set_armed(True)
    book = store.book("SOL-PERP")
    await qt_until(lambda: book.bids and book.asks, "the SOL-PERP book", 60)
    try:
        await focus(window)
        depth = next(p for p, _ in window.panels.values() if p.kind == "depth")
        depth.setFocus()
        bid = book.best_bid()
        await xdotool("key", "F3")  # buy at the bid
        await qt_until(lambda: any(o.market == "SOL-PERP" for o in store.orders.working.values()),
                       "the SOL-PERP order working")  # fmt: skip
        (order,) = store.orders.working.values()
        sol_size = minimum_size(store.board.specs["SOL-PERP"])
        assert (order.side, order.type, order.size) == ("buy", "limit", sol_size)
        assert abs(order.price - bid) <= bid // 100  # the bid then (it may move a tick)
        await qt_until(lambda: order.order_id in _blotter_ids(window), "the order in the blotter")
        sol_text = format_fixed(sol_size, BASE_PRECISION)
        assert board.last_outcome.startswith(f"buy {sol_text} SOL-PERP at the bid ")
        assert not board.last_was_refused

        # a BTC-PERP ladder on its own link, floating: keys there trade BTC-PERP
        btc = window.add_panel("depth", "BTC-PERP", "blue")
        dock = window.panels[window._id_of(btc)][1]
        dock.setFloating()
        floating = dock.floatingDockContainer()
        assert isinstance(floating, QtAds.CFloatingDockContainer)
        floating.show()
        await qt_until(lambda: store.book("BTC-PERP").asks, "the BTC-PERP book", 60)
        await focus(floating)
        btc.setFocus()
        await qt_until(lambda: window.hotkeys.active_panel() is btc, "keys on the BTC ladder")
        await xdotool("keydown", "F4")  # sell at the ask, held down: repeats are ignored
        await xdotool("sleep", "0.6")  # held past the X auto-repeat delay (~0.5 s)
        await xdotool("keyup", "F4")

        def btc_orders() -> list:
            return [o for o in store.orders.working.values() if o.market == "BTC-PERP"]

        await qt_until(btc_orders, "the BTC-PERP order working")
        await qt_until(lambda: "BTC-PERP" in board.last_outcome and "open" in board.last_outcome,
                       "the BTC-PERP acknowledgement")  # fmt: skip
        (sell,) = btc_orders()
        btc_size = minimum_size(store.board.specs["BTC-PERP"])
        assert sell.side == "sell" and sell.size == btc_size
        what = f"sell {format_fixed(btc_size, BASE_PRECISION)} BTC-PERP at the ask "
        assert board.last_outcome.startswith(what + format_fixed(sell.price, PRICE_PRECISION))

        await xdotool("key", "F7")  # cancel all on BTC-PERP: the SOL-PERP order stays
        await qt_until(lambda: not btc_orders(), "the BTC-PERP order cancelled")
        finished = {r.order_id: r.status for r in store.history.finished}
        assert finished[sell.order_id] == "cancelled"
        assert order.order_id not in finished  # the SOL-PERP order still works
    finally:
        client.cancel_all(None)
        await qt_until(lambda: not store.orders.working, "every order cancelled")
