"""The chart benchmark's workload: the candles every chart loads, and the views it is shown.

numpy and the standard library only: each peer's runner imports this module inside the
peer's own virtual env, so that every chart loads the same file and walks the same views.

Candles: a seeded random walk of one-minute candles (log returns, prices on a 0.001 tick,
lognormal volumes), written once to an ``.npz`` file under the user's cache directory.

Views are in candle-index space: ``(left, right)`` shows candles ``left`` to ``right - 1``.
Each chart maps them to its own x coordinates. The initial view is the newest
`INITIAL_VIEW` candles; then come segments of `SEGMENT` steps, each opening with a jump
to another part of the history (as a drag of the time axis or a go-to-date would), then
alternating pans of a tenth of the view and zooms of `ZOOM` about the view's centre.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

START_MS = 1_704_067_200_000  # 2024-01-01 00:00 UTC
MINUTE_MS = 60_000
WIDTH, HEIGHT = 1280, 800
"""Every chart's window, in pixels."""
INITIAL_VIEW = 500
"""Candles in the first painted view (the newest ones)."""
SEGMENT = 20
"""Steps per part of the history visited."""
ZOOM = 1.25
"""Each zoom step widens or narrows the view by this factor."""
SEGMENT_WIDTHS = (500, 1_000, 4_000, 300)
"""The view's width (candles) at the start of each segment, in turn."""
SEGMENT_PLACES = (0.97, 0.05, 0.5, 0.25, 0.75, 0.15, 0.85, 0.35, 0.65, 0.45)
"""Where each segment starts, as a share of the history (centre of the view)."""
TICK = 0.001


def make_candles(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` one-minute candles: start times in ms (int64), and (count, 5) float64
    rows of open, high, low, close, volume."""
    rng = np.random.default_rng(seed)
    times = START_MS + np.arange(count, dtype=np.int64) * MINUTE_MS
    steps = rng.normal(0.0, 0.0006, count)
    close = np.round(100.0 * np.exp(np.cumsum(steps)) / TICK) * TICK
    opens = np.empty(count)
    opens[0] = 100.0
    opens[1:] = close[:-1]
    wick = np.abs(rng.normal(0.0, 0.0004, (2, count))) * close
    high = np.round((np.maximum(opens, close) + wick[0]) / TICK) * TICK
    low = np.round((np.minimum(opens, close) - wick[1]) / TICK) * TICK
    volume = np.round(rng.lognormal(3.0, 0.8, count), 2)
    return times, np.column_stack((opens, high, low, close, volume))


def data_dir() -> Path:
    """Where candle files are kept: ``$XDG_CACHE_HOME/quantdesk/bench`` (``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "quantdesk" / "bench"


def candle_file(count: int, seed: int, directory: Path | None = None) -> Path:
    """The ``.npz`` file of `make_candles` (``count``, ``seed``), written if missing."""
    directory = data_dir() if directory is None else directory
    path = directory / f"chart-candles-{count}-{seed}.npz"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        times, ohlcv = make_candles(count, seed)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.npz")
        np.savez(partial, times=times, ohlcv=ohlcv)
        partial.replace(path)  # atomic: a concurrent run sees the whole file or none
    return path


def load_candles(path: Path | str) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of a candle file, in memory."""
    with np.load(path) as data:
        return np.ascontiguousarray(data["times"]), np.ascontiguousarray(data["ohlcv"])


def initial_view(count: int) -> tuple[int, int]:
    """The first painted view: the newest `INITIAL_VIEW` candles."""
    return max(0, count - INITIAL_VIEW), count


def view_steps(count: int, steps: int) -> list[tuple[str, int, int]]:
    """The views after the initial one, ``(kind, left, right)``; kind is ``jump``,
    ``pan`` or ``zoom``. Widths stay between 100 and 20,000 candles."""
    views: list[tuple[str, int, int]] = []
    left, right = initial_view(count)
    for index in range(steps):
        segment, place = divmod(index, SEGMENT)
        width = right - left
        if place == 0:
            kind = "jump"
            width = min(SEGMENT_WIDTHS[segment % len(SEGMENT_WIDTHS)], count)
            centre = SEGMENT_PLACES[segment % len(SEGMENT_PLACES)] * count
        elif place % 2:
            kind = "pan"
            direction = -1 if segment % 2 == 0 else 1
            centre = (left + right) / 2 + direction * width / 10
        else:
            kind = "zoom"
            zoom_out = place <= SEGMENT // 2
            width = width * ZOOM if zoom_out else width / ZOOM
            width = round(min(max(width, 100), 20_000, count))
            centre = (left + right) / 2
        left = round(centre - width / 2)
        left = min(max(left, 0), count - width)
        right = left + width
        views.append((kind, left, right))
    return views


def walk(
    views: list[tuple[str, int, int]],
    set_view: Callable[[int, int], None],
    settle: Callable[[], None],
    read_view: Callable[[], tuple[float, float]],
    paints: Callable[[], int],
    drawn: Callable[[], int],
) -> dict[str, list]:
    """Time each view change: from asking the chart for the view to the event loop idle
    again with the chart repainted (``settle``). Outside the timing: the paints of each
    step, the view shown (read back, candle-index space), and after each jump and the
    last step, the candle pixels on screen (``drawn``), so that a chart that skipped
    drawing cannot look fast."""
    frames, painted, errors, pixels = [], [], [], []
    clock = time.perf_counter
    for index, (kind, left, right) in enumerate(views):
        before = paints()
        start = clock()
        set_view(left, right)
        settle()
        frames.append((clock() - start) * 1000.0)
        painted.append(paints() - before)
        shown = read_view()
        errors.append(max(abs(shown[0] - left), abs(shown[1] - right)))
        if kind == "jump" or index == len(views) - 1:
            pixels.append(drawn())
    return {"frames_ms": frames, "paints": painted, "view_errors": errors, "drawn": pixels}


def paint_counter(qt_core):
    """An event filter counting paint events, built on ``qt_core`` (the QtCore module of
    the binding the chart runs on: PySide6 for ours and vn.py, PyQt6 for finplot); its
    ``count`` is the paints seen so far."""

    class PaintCounter(qt_core.QObject):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        def eventFilter(self, _watched, event) -> bool:  # noqa: N802
            if event.type() == qt_core.QEvent.Type.Paint:
                self.count += 1
            return False

    return PaintCounter()


def candle_pixels(image, colours: tuple[str, ...]) -> int:
    """How many pixels of ``image`` (a QImage in ``Format_RGB32``, from any Qt binding)
    are exactly one of the candle ``colours`` (``#rrggbb``)."""
    width, height, line = image.width(), image.height(), image.bytesPerLine()
    bits = image.constBits()
    if hasattr(bits, "setsize"):  # PyQt6 hands a sip.voidptr
        bits.setsize(image.sizeInBytes())
    rows = np.frombuffer(bits, np.uint8, count=line * height).reshape(height, line)
    pixels = rows[:, : width * 4].copy().view(np.uint32) & 0x00FFFFFF
    wanted = np.array([int(colour.lstrip("#"), 16) for colour in colours], dtype=np.uint32)
    return int(np.isin(pixels, wanted).sum())


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value at ``fraction`` (0..1) of an ascending list (nearest rank)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def frame_summary(frames_ms: list[float], kinds: list[str]) -> dict[str, float]:
    """p50, p99 and max of the step times, and the p99 of each kind of step."""
    summary = {
        "steps": len(frames_ms),
        "pan_frame_p50_ms": percentile(sorted(frames_ms), 0.5),
        "pan_frame_p99_ms": percentile(sorted(frames_ms), 0.99),
        "pan_frame_max_ms": max(frames_ms, default=0.0),
    }
    for kind in ("jump", "pan", "zoom"):
        own = sorted(ms for ms, k in zip(frames_ms, kinds, strict=True) if k == kind)
        summary[f"{kind}_p99_ms"] = percentile(own, 0.99)
    return summary
