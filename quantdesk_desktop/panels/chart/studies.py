"""The chart's indicators: the table the toolbar offers and the curves of those shown.

Indicators are computed over the visible candles, a screen's width either side, and a
warm-up before them, and again only when the view leaves that window.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass

import quantdesk_desktop.qt  # noqa: F401  (before pyqtgraph: it binds to PySide6)

# isort: split
import numpy as np
import pyqtgraph as pg

from backend.domain.candles import INTERVALS
from quantdesk_desktop import indicators
from quantdesk_desktop.state.candles import CandleSeries
from quantdesk_desktop.theme import Palette

DAY_MS = INTERVALS["1d"]


@dataclass(frozen=True, slots=True)
class Study:
    """An indicator the toolbar offers: where it is drawn and how it is computed."""

    label: str
    pane: str
    """``price`` (an overlay) or the name of its own pane."""
    warmup: int | None
    """Candles computed before the first shown; None: from the session's start."""
    compute: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]]
    """Lines from (start times in ms, ohlcv rows)."""
    colours: tuple[str, ...]
    """A palette colour name for each line."""
    histogram: bool = False
    """The last line is drawn as bars from zero."""


def _session_vwap(times: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray]:
    days = times // DAY_MS
    anchors = np.empty(len(days), dtype=bool)
    anchors[:1] = True
    anchors[1:] = days[1:] != days[:-1]
    return (indicators.vwap(rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4], anchors),)


STUDIES: dict[str, Study] = {
    "sma": Study("SMA 20", "price", 20, lambda t, v: (indicators.sma(v[:, 3], 20),), ("accent",)),
    "ema": Study(
        "EMA 50",
        "price",
        indicators.warmup(50),
        lambda t, v: (indicators.ema(v[:, 3], 50),),
        ("warning",),
    ),
    "vwap": Study("VWAP", "price", None, _session_vwap, ("text",)),
    "bollinger": Study(
        "BB 20", "price", 20, lambda t, v: indicators.bollinger(v[:, 3]), ("muted",) * 3
    ),
    "rsi": Study(
        "RSI 14", "rsi", indicators.warmup(14), lambda t, v: (indicators.rsi(v[:, 3]),), ("accent",)
    ),
    "macd": Study(
        "MACD",
        "macd",
        indicators.warmup(26 + 9),
        lambda t, v: indicators.macd(v[:, 3]),
        ("accent", "warning", "muted"),
        histogram=True,
    ),
}
"""The indicators, in toolbar order (the keys are what settings save)."""


def warm_start(study: Study, series: CandleSeries, start: int) -> int:
    """Where to start computing ``study`` for values from ``start`` on."""
    if study.warmup is not None:
        return max(0, start - study.warmup)
    if series.interval_ms >= DAY_MS:
        return 0
    day = series.times[start] // DAY_MS * DAY_MS
    return int(np.searchsorted(series.times, day, side="left"))


class StudyCurves:
    """The curves of the indicators shown, in the panes they belong to, and the window of
    candles their values were last computed for."""

    def __init__(self, panes: dict[str, pg.PlotWidget], palette: Palette) -> None:
        self._panes = panes
        self._palette = palette
        self.active: list[str] = []
        """The indicators shown, in `STUDIES` order."""
        self.curves: dict[str, list[pg.PlotDataItem]] = {}
        """The lines of each indicator shown, in its `Study.colours` order."""
        self._values: dict[str, tuple[np.ndarray, ...]] = {}
        self._window: tuple[int, int] | None = None

    def show(self, name: str) -> None:
        """Add the curves of ``name`` (a key of `STUDIES`) to its pane."""
        self.active = [n for n in STUDIES if n in self.active or n == name]
        self.curves[name] = self._curves_for(STUDIES[name])

    def hide(self, name: str) -> None:
        """Take the curves of ``name`` off its pane."""
        self.active.remove(name)
        for curve in self.curves.pop(name):
            self._panes[STUDIES[name].pane].removeItem(curve)
        self._values.pop(name, None)

    def forget_window(self) -> None:
        """The candles or the indicators changed: compute afresh at the next `update`."""
        self._window = None

    def update(self, series: CandleSeries, shown: slice) -> None:
        """Compute the indicators shown over the candles ``shown`` (and a screen either
        side), unless the window computed last still covers them."""
        window = self._window
        if window is not None and window[0] <= shown.start and shown.stop <= window[1]:
            return
        span = max(shown.stop - shown.start, 1)
        start, stop = max(0, shown.start - span), min(len(series), shown.stop + span)
        self._window = (start, stop)
        step = series.interval_ms / 1000.0
        x = series.times[start:stop] / 1000.0 + step / 2
        for name in self.active:
            study = STUDIES[name]
            first = warm_start(study, series, start)
            lines = study.compute(series.times[first:stop], series.ohlcv[first:stop])
            lines = tuple(line[start - first :] for line in lines)
            self._values[name] = lines
            for curve, line in zip(self.curves[name], lines, strict=True):
                curve.setData(x, line)

    def spans(self, shown: slice, panes: Container[str]) -> dict[str, list[float]]:
        """The lowest and highest value of each indicator in ``panes`` over the candles
        ``shown``, by pane (a pane's list holds a low and a high per indicator)."""
        spans: dict[str, list[float]] = {}
        window = self._window
        for name, lines in self._values.items():
            pane = STUDIES[name].pane
            if pane in panes and window is not None:
                part = slice(shown.start - window[0], shown.stop - window[0])
                seen = np.concatenate([line[part] for line in lines])
                if np.isfinite(seen).any():
                    spans.setdefault(pane, []).extend(
                        [float(np.nanmin(seen)), float(np.nanmax(seen))]
                    )
        return spans

    def _curves_for(self, study: Study) -> list[pg.PlotDataItem]:
        curves = []
        for index, name in enumerate(study.colours):
            colour = getattr(self._palette, name)
            if study.histogram and index == len(study.colours) - 1:
                style = {"pen": None, "fillLevel": 0.0, "brush": pg.mkBrush(colour)}
            else:
                style = {"pen": pg.mkPen(colour), "connect": "finite"}
            curve = pg.PlotDataItem(
                clipToView=True, autoDownsample=True, downsampleMethod="peak", **style
            )
            self._panes[study.pane].addItem(curve)
            curves.append(curve)
        return curves
