"""`python -m bench ui_load`: the workstation under a busy market.

The workstation runs here, in this process, with its default workspace (chart, depth
ladder, tape and watchlist) on an X display (Xvfb, started here when there is none). A
load generator in a child process (`bench.feed_server`, the backend's wire protocol) sends
SOL-PERP's book changing 5,000 times a second and 500 trades a second, each its own
message, for 60 s. Measured in the workstation:

- `stall_max_ms`: the event loop's longest stall (how late a 5 ms timer fired, at worst);
- `frame_p99_ms`: the 99th percentile of the interval between frames (60 Hz target);
- `tick_to_screen_p99_ms`: from a book message's arrival to the ladder painted with it.

Goals (issue): frame p99 <= 20 ms, stall < 100 ms, tick-to-screen p99 < 30 ms. There is
no peer figure.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.feed_server import Load, serve
from bench.live_server import free_port
from bench.report import figure
from bench.workstation_run import run_workstation

GOALS = {"frame_p99_ms": 20.0, "stall_max_ms": 100.0, "tick_to_screen_p99_ms": 30.0}
WARM_UP_S = 3.0
TIMER_S = 0.005


class Display:
    """Xvfb on a free display number when no display is set; nothing otherwise."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Display:
        if os.environ.get("DISPLAY") or shutil.which("Xvfb") is None:
            if not os.environ.get("DISPLAY"):
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            return self
        number = 90 + os.getpid() % 100
        self.process = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.environ["DISPLAY"] = f":{number}"
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            del os.environ["DISPLAY"]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, round(q * len(ordered))) - 1] if ordered else 0.0


async def _measure(workstation, seconds: float) -> dict[str, float]:
    """Run the workstation ``seconds`` after a warm-up and read its figures."""
    window = workstation.window
    depth = next(p for p, _ in window.panels.values() if p.kind == "depth")
    ticks: list[float] = []
    stalls: list[float] = []
    counting = False

    def painted(received_at: float, painted_at: float) -> None:
        if counting:
            ticks.append((painted_at - received_at) * 1000)

    depth.on_painted = painted
    deadline = time.monotonic() + 60
    while not depth.store.book(depth.market).bids:
        if time.monotonic() > deadline:
            raise RuntimeError("no book reached the workstation")
        await asyncio.sleep(0.05)
    await asyncio.sleep(WARM_UP_S)
    counting = True
    window.frame_times.clear()
    frames: list[float] = []
    end = time.perf_counter() + seconds
    while (now := time.perf_counter()) < end:
        await asyncio.sleep(TIMER_S)
        stalls.append((time.perf_counter() - now - TIMER_S) * 1000)
        if len(window.frame_times) > 1_000:
            frames.extend(window.frame_times)
            window.frame_times.clear()
    frames.extend(window.frame_times)
    counting = False
    book = depth.store.book(depth.market)
    return {
        "frame_p99_ms": _quantile(frames, 0.99),
        "frame_p50_ms": _quantile(frames, 0.50),
        "stall_max_ms": max(stalls, default=0.0),
        "tick_to_screen_p99_ms": _quantile(ticks, 0.99),
        "tick_to_screen_p50_ms": _quantile(ticks, 0.50),
        "frames": len(frames),
        "paints": len(ticks),
        "book_version": book.version,
        "gaps": workstation.client.stream.gaps if workstation.client else -1,
    }


def measure(seconds: float, load: Load) -> dict[str, float]:
    """The workstation against the generator for ``seconds``."""
    port = free_port()
    context = multiprocessing.get_context("spawn")
    generator = context.Process(target=serve, args=(port, load), daemon=True)
    generator.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or not generator.is_alive():
                raise RuntimeError("the load generator did not start")
            time.sleep(0.05)
        with tempfile.TemporaryDirectory(prefix="quantdesk-ui-load-") as scratch, Display():
            os.environ["QUANTDESK_CONFIG_DIR"] = str(Path(scratch) / "config")
            os.environ["QUANTDESK_DATA_DIR"] = str(Path(scratch) / "data")
            return _run_workstation(url, seconds)
    finally:
        generator.terminate()
        generator.join(timeout=10)


def _run_workstation(url: str, seconds: float) -> dict[str, float]:
    return run_workstation(url, lambda workstation: _measure(workstation, seconds))


def run(argv: list[str]) -> Iterator[dict]:
    """The `ui_load` figures, as JSON-ready records."""
    parser = argparse.ArgumentParser(prog="python -m bench ui_load")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--book-rate", type=float, default=5_000.0, help="book changes per s")
    parser.add_argument("--trade-rate", type=float, default=500.0, help="trades per s")
    args = parser.parse_args(argv)
    load = Load(book_rate=args.book_rate, trade_rate=args.trade_rate)
    figures = measure(args.seconds, load)
    common = {
        "seconds": args.seconds,
        "book_changes_per_s": args.book_rate,
        "trades_per_s": args.trade_rate,
        "frames": figures["frames"],
        "paints": figures["paints"],
        "gaps": figures["gaps"],
    }
    for metric in ("frame_p99_ms", "stall_max_ms", "tick_to_screen_p99_ms"):
        yield figure(
            "ui_load", metric, figures[metric], "ms", higher_is_better=False,
            goal_ms=GOALS[metric], **common,
        )  # fmt: skip
    yield figure("ui_load", "frame_p50_ms", figures["frame_p50_ms"], "ms",
                 higher_is_better=False, **common)  # fmt: skip
    yield figure("ui_load", "tick_to_screen_p50_ms", figures["tick_to_screen_p50_ms"], "ms",
                 higher_is_better=False, **common)  # fmt: skip
