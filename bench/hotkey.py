"""`python -m bench hotkey`: from a key press to the order shown in the blotter.

The workstation runs here, in this process, with its default workspace on an X display
(Xvfb, started here when there is none) against a real backend child process on loopback
(rate limits raised, no simulated order flow; its market makers quote). The trading keys
are armed and the depth ladder has the focus. Each press is a real X key event (XTEST)
of the "buy at the bid" key: the workstation turns it into an order at the best bid,
sends it over its socket, the backend accepts it, and the order reaches the blotter's
open orders on the next frame. Measured: from the key event sent to the end of the first
paint of the blotter's open orders that shows the order. Between presses the order is
cancelled (not measured). The first presses warm up and are not counted.

Goal (issue 6): p99 under 30 ms. The issue names no peer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.chart_data import percentile
from bench.live_server import LiveServer
from bench.report import figure
from bench.ui_load import Display
from bench.workstation_run import run_workstation
from bench.x_keys import XKeyboard

GOAL_P99_MS = 30.0
WARM_UP = 20
KEY = "buy_bid"
DEADLINE_S = 10.0


class PaintWatch:
    """Notes when the blotter's open orders were first painted with a row in them."""

    def __init__(self, view, model) -> None:
        from quantdesk_desktop.qt import QtCore

        self.model = model
        self.waiting = False
        self.shown_at: float | None = None
        self.shown = asyncio.Event()
        watch = self

        class Filter(QtCore.QObject):
            def eventFilter(self, watched, event):  # noqa: N802
                painted = event.type() == QtCore.QEvent.Type.Paint
                if painted and watch.waiting and watch.model.rowCount() > 0:
                    watch.waiting = False
                    # after this paint event is handled: the order is on screen
                    QtCore.QTimer.singleShot(0, watch.mark_shown)
                return False

        self._filter = Filter()
        view.viewport().installEventFilter(self._filter)

    def arm(self) -> None:
        """Wait for the next paint showing a row."""
        self.shown_at = None
        self.shown.clear()
        self.waiting = True

    def mark_shown(self) -> None:
        """The paint that showed the order is done."""
        self.shown_at = time.perf_counter()
        self.shown.set()


async def _until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not seen in {DEADLINE_S:g} s: {what}")
        await asyncio.sleep(0.002)


async def _measure(workstation, presses: int) -> list[float]:
    """Press the key ``presses`` times (after the warm-up); the latencies in ms."""
    window = workstation.window
    store = workstation.store
    client = workstation.client
    depth = next(p for p, _ in window.panels.values() if p.kind == "depth")
    blotter = next(p for p, _ in window.panels.values() if p.kind == "blotter")
    blotter.tabs.setCurrentWidget(blotter.open_orders)
    model = blotter.open_orders.model
    book = store.book(depth.market)
    await _until(lambda: book.bids and book.asks, "the book")
    subprocess.run(["xdotool", "windowfocus", "--sync", str(int(window.winId()))], check=True)
    await _until(window.isActiveWindow, "the window active")
    depth.setFocus()
    store.hotkeys.set_armed(True)
    watch = PaintWatch(blotter.open_orders.view, model)
    keyboard = XKeyboard()
    code = keyboard.keycode(store.hotkeys.keymap.key_of(KEY))
    latencies: list[float] = []
    try:
        for press in range(WARM_UP + presses):
            await _until(lambda: model.rowCount() == 0 and not store.orders.working, "no orders")
            watch.arm()
            sent = time.perf_counter()
            keyboard.tap(code)
            await asyncio.wait_for(watch.shown.wait(), DEADLINE_S)
            assert watch.shown_at is not None
            if press >= WARM_UP:
                latencies.append((watch.shown_at - sent) * 1000)
            client.cancel_all(depth.market)
    finally:
        keyboard.close()
    return latencies


def _run_workstation(url: str, presses: int) -> list[float]:
    return run_workstation(url, lambda workstation: _measure(workstation, presses))


def run(argv: list[str]) -> Iterator[dict]:
    """The `hotkey` figures, as JSON-ready records."""
    parser = argparse.ArgumentParser(prog="python -m bench hotkey")
    parser.add_argument("--presses", type=int, default=500)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="quantdesk-hotkey-") as scratch,
        Display(),
        LiveServer() as server,
    ):
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            raise RuntimeError("real key presses need an X display (install Xvfb)")
        os.environ["QUANTDESK_CONFIG_DIR"] = str(Path(scratch) / "config")
        os.environ["QUANTDESK_DATA_DIR"] = str(Path(scratch) / "data")
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        latencies = sorted(_run_workstation(server.url, args.presses))
    common = {"presses": len(latencies), "key": KEY, "max_ms": round(latencies[-1], 3)}
    yield figure("hotkey", "p50_ms", percentile(latencies, 0.5), "ms",
                 higher_is_better=False, **common)  # fmt: skip
    yield figure("hotkey", "p99_ms", percentile(latencies, 0.99), "ms",
                 higher_is_better=False, goal_ms=GOAL_P99_MS, **common)  # fmt: skip
