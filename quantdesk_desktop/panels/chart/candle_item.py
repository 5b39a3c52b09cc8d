"""Candlesticks and volume bars of a `CandleSeries`, drawn for the visible candles only.

Finished candles are recorded once per chunk of `CHUNK` candles into a ``QPicture`` and
replayed; the live (last) candle is drawn fresh at each paint, so a live update costs one
candle. x is time in epoch seconds; a candle is ``BODY`` of its interval wide. Zoomed out
so far that bodies would be under `MIN_BODY_PX` wide, candles are drawn as low-to-high
lines, and when several share a pixel, a run of them (a power-of-two group) as one line,
so a frame draws at most about one shape per pixel however many candles are in view.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from quantdesk_desktop.qt import QtCore, QtGui  # before pyqtgraph: it binds to PySide6

# isort: split
import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray

from quantdesk_desktop.state.candles import CandleSeries

CHUNK = 256
"""Candles recorded into one picture."""
CACHED_CHUNKS = 512
"""Pictures kept (least recently painted dropped first)."""
BODY = 0.8
"""A candle body's width as a share of its interval."""
MIN_BODY_PX = 2.5
"""Narrower candles are drawn as lines, without bodies."""


@dataclass(frozen=True, slots=True)
class Bars:
    """Candles [start, stop) as drawn: one bar per candle, or per group of candles."""

    group: int
    """Candles per bar."""
    bodies: bool
    """Whether bars have bodies (else each is a line from low to high)."""
    x: np.ndarray
    """Bar centres (epoch s)."""
    half: float
    """Half a bar's width."""
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    """A group's largest volume (its bar is as tall as its tallest candle's)."""

    @classmethod
    def of(
        cls, series: CandleSeries, start: int, stop: int, group: int = 1, bodies: bool = True
    ) -> Bars:
        """Candles [start, stop) of ``series`` in groups of ``group``."""
        step = series.interval_ms / 1000.0
        times = series.times[start:stop] / 1000.0
        rows = series.ohlcv[start:stop]
        if group == 1:
            columns = rows.T
            return cls(1, bodies, times + step / 2, step * BODY / 2, *columns)
        firsts = np.arange(0, len(rows), group)
        lasts = np.minimum(firsts + group, len(rows)) - 1
        return cls(
            group,
            False,
            (times[firsts] + times[lasts] + step) / 2,
            step * BODY / 2,
            rows[firsts, 0],
            np.maximum.reduceat(rows[:, 1], firsts),
            np.minimum.reduceat(rows[:, 2], firsts),
            rows[lasts, 3],
            np.maximum.reduceat(rows[:, 4], firsts),
        )

    @property
    def rising(self) -> np.ndarray:
        """Which bars closed at or above their open."""
        return self.close >= self.open


class SeriesItem(pg.GraphicsObject):
    """What candles and volume bars share: the visible range, the chunk cache, and
    telling a live update (last candle changed or appended) from a reload."""

    def __init__(self, up: str, down: str) -> None:
        super().__init__()
        self.series: CandleSeries | None = None
        self.painted_candles = 0
        """How many candles the last paint drew (cached chunks count whole)."""
        self.painted_range = (0, 0)
        """The index range [first, stop) the last paint drew."""
        self.painted_group = 1
        """Candles per bar in the last paint (more than 1: zoomed out, merged)."""
        self.painted_bodies = True
        """Whether the last paint drew candle bodies (else lines only)."""
        self._pictures: OrderedDict[tuple[int, bool, int], tuple[int, QtGui.QPicture]] = (
            OrderedDict()
        )
        self._size = 0
        self._first_ms = 0
        self._last_ms = 0
        self._guard: np.ndarray | None = None
        self._bounds = QtCore.QRectF()
        self._rects = PrimitiveArray(QtCore.QRectF, 4)
        self._lines = PrimitiveArray(QtCore.QLineF, 4)
        self.set_colours(up, down)

    def set_colours(self, up: str, down: str) -> None:
        """Colours of rising and falling candles (``#rrggbb``); redraws everything."""
        self._up = self._style(up)
        self._down = self._style(down)
        self._pictures.clear()
        self.update()

    def set_series(self, series: CandleSeries | None) -> None:
        """Draw ``series`` (None: nothing)."""
        self.series = series
        self._reload()

    def sync(self) -> None:
        """The series moved: keep the pictures of the candles that did not change."""
        series = self.series
        if series is None or not self._is_live_update(series):
            self._reload()
            return
        rows = series.ohlcv[self._size - 1 :]
        low, high = self._y_span(rows)
        self._remember(series)
        bounds = self._series_bounds(series, low, high).united(self._bounds)
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds
            self.informViewBoundsChanged()
        self.update()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        """Every candle's extent (the view culls with it)."""
        return QtCore.QRectF(self._bounds)

    def paint(self, painter: QtGui.QPainter, *args: object) -> None:
        """Replay the visible chunks, then draw the live candle."""
        self.painted_candles = 0
        self.painted_range = (0, 0)
        series = self.series
        view = self.viewRect()
        if series is None or not len(series) or view is None:
            return
        shown = series.visible(math.floor(view.left() * 1000.0), math.ceil(view.right() * 1000.0))
        if shown.start >= shown.stop:
            return
        finished = len(series) - 1
        group, bodies = self._level_of_detail(series)
        first = shown.start - shown.start % CHUNK
        stop = min(shown.stop, finished)
        painted_stop = first
        for start in range(first, stop, CHUNK):
            end = min(start + CHUNK, finished)
            painter.drawPicture(0, 0, self._picture(start, end, group, bodies))
            self.painted_candles += end - start
            painted_stop = end
        if shown.stop > finished:
            self._draw(painter, Bars.of(series, finished, finished + 1, 1, bodies))
            self.painted_candles += 1
            painted_stop = finished + 1
        self.painted_range = (min(first, painted_stop), painted_stop)
        self.painted_group, self.painted_bodies = group, bodies

    def _draw(self, painter: QtGui.QPainter, bars: Bars) -> None:
        """Draw ``bars``."""
        raise NotImplementedError

    def _y_span(self, rows: np.ndarray) -> tuple[float, float]:
        """The lowest and highest y of candles ``rows`` (n, 5)."""
        raise NotImplementedError

    def _level_of_detail(self, series: CandleSeries) -> tuple[int, bool]:
        """Candles per bar at the current zoom (a power of two that puts bars a pixel
        apart or more), and whether candles are wide enough for bodies."""
        pixel = self.pixelWidth()
        if not pixel:
            return 1, True
        candle_px = series.interval_ms / 1000.0 / pixel
        if candle_px >= MIN_BODY_PX:
            return 1, True
        if candle_px >= 1.0:
            return 1, False
        return min(CHUNK, 1 << math.ceil(math.log2(1.0 / candle_px))), False

    def _picture(self, start: int, stop: int, group: int, bodies: bool) -> QtGui.QPicture:
        key = (group, bodies, start)
        cached = self._pictures.get(key)
        if cached is not None and cached[0] == stop:
            self._pictures.move_to_end(key)
            return cached[1]
        assert self.series is not None
        picture = QtGui.QPicture()
        painter = QtGui.QPainter(picture)
        self._draw(painter, Bars.of(self.series, start, stop, group, bodies))
        painter.end()
        self._pictures[key] = (stop, picture)
        while len(self._pictures) > CACHED_CHUNKS:
            self._pictures.popitem(last=False)
        return picture

    def _is_live_update(self, series: CandleSeries) -> bool:
        """Whether only the last known candle changed and candles were appended after
        it (what `CandleSeries.update` does), so the recorded chunks still hold."""
        size = len(series)
        if not self._size or size < self._size:
            return False
        times = series.times
        if times[0] != self._first_ms or times[self._size - 1] != self._last_ms:
            return False
        return self._guard is None or np.array_equal(series.ohlcv[self._size - 2], self._guard)

    def _reload(self) -> None:
        self._pictures.clear()
        self.prepareGeometryChange()
        series = self.series
        if series is None or not len(series):
            self._size = 0
            self._bounds = QtCore.QRectF()
        else:
            low, high = self._y_span(series.ohlcv)
            self._remember(series)
            self._bounds = self._series_bounds(series, low, high)
        self.informViewBoundsChanged()
        self.update()

    def _remember(self, series: CandleSeries) -> None:
        size = len(series)
        self._size = size
        self._first_ms = int(series.times[0])
        self._last_ms = int(series.times[-1])
        self._guard = series.ohlcv[size - 2].copy() if size >= 2 else None

    @staticmethod
    def _series_bounds(series: CandleSeries, low: float, high: float) -> QtCore.QRectF:
        left = series.times[0] / 1000.0
        right = (series.times[-1] + series.interval_ms) / 1000.0
        return QtCore.QRectF(left, low, right - left, high - low)

    @staticmethod
    def _style(colour: str) -> tuple[QtGui.QPen, QtGui.QBrush]:
        pen = pg.mkPen(colour)
        pen.setCosmetic(True)
        return pen, pg.mkBrush(colour)

    def _fill(
        self,
        painter: QtGui.QPainter,
        style: tuple[QtGui.QPen, QtGui.QBrush],
        lines: np.ndarray | None,
        rects: np.ndarray | None,
    ) -> None:
        """Draw lines (m, 4: x1 y1 x2 y2) and rectangles (m, 4: x y w h) in one style."""
        painter.setPen(style[0])
        painter.setBrush(style[1])
        if lines is not None and len(lines):
            self._lines.resize(len(lines))
            self._lines.ndarray()[:] = lines
            painter.drawLines(*self._lines.drawargs())
        if rects is not None and len(rects):
            self._rects.resize(len(rects))
            self._rects.ndarray()[:] = rects
            painter.drawRects(*self._rects.drawargs())


class CandleItem(SeriesItem):
    """Candlesticks: a wick from low to high and a body from open to close."""

    def _y_span(self, rows: np.ndarray) -> tuple[float, float]:
        return float(rows[:, 2].min()), float(rows[:, 1].max())

    def _draw(self, painter: QtGui.QPainter, bars: Bars) -> None:
        rising = bars.rising
        for mask, style in ((rising, self._up), (~rising, self._down)):
            x = bars.x[mask]
            wicks = np.column_stack((x, bars.low[mask], x, bars.high[mask]))
            if not bars.bodies:
                self._fill(painter, style, wicks, None)
                continue
            bottom = np.minimum(bars.open[mask], bars.close[mask])
            height = np.abs(bars.close[mask] - bars.open[mask])
            bodies = np.column_stack(
                (x - bars.half, bottom, np.full(len(x), 2 * bars.half), height)
            )
            self._fill(painter, style, wicks, bodies)


class VolumeItem(SeriesItem):
    """Volume bars from zero, coloured by the candle's direction."""

    def _y_span(self, rows: np.ndarray) -> tuple[float, float]:
        return 0.0, float(rows[:, 4].max())

    def _draw(self, painter: QtGui.QPainter, bars: Bars) -> None:
        rising = bars.rising
        for mask, style in ((rising, self._up), (~rising, self._down)):
            x = bars.x[mask]
            zeros = np.zeros(len(x))
            if not bars.bodies:
                self._fill(painter, style, np.column_stack((x, zeros, x, bars.volume[mask])), None)
                continue
            width = np.full(len(x), 2 * bars.half)
            self._fill(
                painter,
                style,
                None,
                np.column_stack((x - bars.half, zeros, width, bars.volume[mask])),
            )
