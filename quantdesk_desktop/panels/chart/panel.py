"""The chart panel: candles, volume and indicators of one market, with its mark and oracle
prices, own orders (drag one to move it), position entry and liquidation, and own fills.

Panes are pyqtgraph plots in a splitter, x-linked, x in epoch seconds. Each refresh
redraws only what moved since the last one; each pan fits the y ranges to the visible
candles. Indicators are computed over the visible candles, a screen's width either
side, and a warm-up before them, and again only when the view leaves that window.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from quantdesk_desktop.qt import QLabel, Qt, QtCore, QtGui, QtWidgets, QWidget  # before pg

# isort: split
import numpy as np
import pyqtgraph as pg

from backend.domain.candles import INTERVALS
from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    FixedPointError,
    format_fixed,
    parse_price,
)
from quantdesk_desktop import indicators, theme
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.chart.candle_item import CandleItem, VolumeItem
from quantdesk_desktop.state.candles import CandleSeries
from quantdesk_desktop.state.orders import OwnOrder
from quantdesk_desktop.state.store import MarketStore

INTERVAL_CHOICES = ("1s", "1m", "5m", "15m", "1h", "4h", "1d")
DEFAULT_INTERVAL = "1m"
INITIAL_CANDLES = 120
"""Candles shown when a series is first drawn."""
RIGHT_MARGIN = 5
"""Empty candles' room right of the newest one, when first drawn."""
MAX_VISIBLE = 20_000
"""The most candles one view holds (zooming out stops there)."""
PAN_ROOM = 200
"""Candles' room the view may be panned past either end of the series."""
AXIS_WIDTH = 72
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
PANES = ("price", "volume", "rsi", "macd")


def _resting(order: OwnOrder) -> bool:
    """Whether ``order`` rests on the book at a price (only those can be moved)."""
    return order.status != "pending" and order.price is not None


def blend(colour: str, background: str, share: float = 0.5) -> str:
    """``colour`` laid at ``share`` opacity over ``background``, as an opaque colour (the
    raster engine draws opaque shapes many times faster than translucent ones)."""
    top, bottom = QtGui.QColor(colour), QtGui.QColor(background)
    mixed = [
        round(share * a + (1 - share) * b)
        for a, b in zip(top.getRgb()[:3], bottom.getRgb()[:3], strict=True)
    ]
    return QtGui.QColor(*mixed).name()


class ChartPanel(Panel):
    """Candlestick chart of one market at one interval, with indicators and own trading."""

    kind = "chart"
    title = "Chart"

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.palette = theme.current()
        self.interval = DEFAULT_INTERVAL
        self.active_studies: list[str] = []
        """The indicators shown, in `STUDIES` order."""
        self.hovered_index: int | None = None
        """The candle under the mouse (None: the readout shows the newest)."""
        self.order_lines: dict[int, pg.InfiniteLine] = {}
        """A line per own working order, by order id."""
        self._followed: tuple[str, str] | None = None
        self._seen: dict[str, int] = {}
        self._study_window: tuple[int, int] | None = None
        self.study_curves: dict[str, list[pg.PlotDataItem]] = {}
        """The lines of each indicator shown, in its `Study.colours` order."""
        self._study_values: dict[str, tuple[np.ndarray, ...]] = {}
        self._orders: dict[int, OwnOrder] = {}
        self._limits: tuple[int, int, int] | None = None
        self._readout_colour = ""
        self.series: CandleSeries = store.candle_series(market, self.interval)
        """The candles drawn."""
        self._build()
        self._attach()

    # -- what the window and the workspace call ------------------------------------------

    def show_market(self, market: str) -> None:
        """Follow ``market``'s candles at the current interval."""
        self._attach()

    def set_interval(self, interval: str) -> None:
        """Show candles of ``interval`` (one of `INTERVAL_CHOICES`)."""
        if interval not in INTERVAL_CHOICES:
            raise ValueError(f"unknown interval {interval!r}; one of {', '.join(INTERVAL_CHOICES)}")
        if interval == self.interval:
            return
        self.interval = interval
        self.interval_box.setCurrentText(interval)
        self._attach()

    def set_study(self, name: str, shown: bool) -> None:
        """Show or hide the indicator ``name`` (a key of `STUDIES`)."""
        if name not in STUDIES:
            raise ValueError(f"unknown indicator {name!r}; one of {', '.join(STUDIES)}")
        if (name in self.active_studies) == shown:
            return
        with QtCore.QSignalBlocker(self.study_buttons[name]):
            self.study_buttons[name].setChecked(shown)
        study = STUDIES[name]
        if shown:
            self.active_studies = [n for n in STUDIES if n in self.active_studies or n == name]
            self.study_curves[name] = self._curves_for(study)
        else:
            self.active_studies.remove(name)
            for curve in self.study_curves.pop(name):
                self.panes[study.pane].removeItem(curve)
            self._study_values.pop(name, None)
        if study.pane != "price":
            self.panes[study.pane].setVisible(shown)
            self._place_time_axis()
        self._study_window = None
        self._update_studies()
        self._fit_y()

    def refresh(self) -> None:
        """Redraw what moved in the store since the last refresh."""
        store = self.store
        if self._moved("series", self.series.version):
            self._series_moved()
        if self._moved("board", store.board.version):
            self._update_price_lines()
        dragging = any(line.moving for line in self.order_lines.values())
        if not dragging and self._moved("orders", store.orders.version):
            self._update_order_lines()
        if self._moved("positions", store.positions.version):
            self._update_positions()

    def settings(self) -> dict:
        """The interval and the indicators shown."""
        return {"interval": self.interval, "indicators": list(self.active_studies)}

    def restore(self, settings: dict) -> None:
        """Take back `settings`; unknown intervals and indicators are ignored."""
        interval = settings.get("interval")
        if interval in INTERVAL_CHOICES:
            self.set_interval(interval)
        names = settings.get("indicators")
        if isinstance(names, list):
            wanted = {name for name in names if isinstance(name, str)}
            for name in STUDIES:
                self.set_study(name, name in wanted)

    def close_panel(self) -> None:
        """Stop following the candles."""
        if self._followed is not None:
            self.store.unfollow("candles", *self._followed)
            self._followed = None

    # -- what the mouse does (also callable, e.g. from tests) ----------------------------

    def show_crosshair(self, x: float, y: float | None = None, pane: str = "price") -> None:
        """Put the crosshair at time ``x`` (epoch s) and, in ``pane``, at value ``y``;
        the readout shows the candle under it."""
        for name, (vertical, horizontal) in self._crosshair.items():
            vertical.setPos(x)
            vertical.show()
            horizontal.setVisible(name == pane and y is not None)
            if y is not None and name == pane:
                horizontal.setPos(y)
        times = self.series.times
        index = int(np.searchsorted(times, math.floor(x * 1000.0), side="right")) - 1
        self.hovered_index = index if 0 <= index < len(times) else None
        self._show_readout()

    def hide_crosshair(self) -> None:
        """The mouse left: no crosshair, the readout shows the newest candle."""
        for vertical, horizontal in self._crosshair.values():
            vertical.hide()
            horizontal.hide()
        self.hovered_index = None
        self._show_readout()

    def drop_order(self, order_id: int, price: float) -> None:
        """An order line was dropped at ``price``: ask to move the order there, on the tick."""
        order = self._orders.get(order_id)
        line = self.order_lines.get(order_id)
        if order is None or line is None or order.price is None:
            return
        units = self._snap(price)
        if units <= 0 or units == order.price:
            self._place_order_line(line, order, order.price)
            return
        self._place_order_line(line, order, units)
        self.modify_order.emit(order_id, units)

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        palette = self.palette
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        bar = QtWidgets.QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        self.interval_box = QtWidgets.QComboBox()
        self.interval_box.addItems(INTERVAL_CHOICES)
        self.interval_box.setCurrentText(self.interval)
        self.interval_box.currentTextChanged.connect(self.set_interval)
        bar.addWidget(self.interval_box)
        self.study_buttons: dict[str, QtWidgets.QToolButton] = {}
        for name, study in STUDIES.items():
            button = QtWidgets.QToolButton()
            button.setText(study.label)
            button.setCheckable(True)
            button.toggled.connect(partial(self.set_study, name))
            bar.addWidget(button)
            self.study_buttons[name] = button
        bar.addStretch(1)
        layout.addLayout(bar)

        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        self.panes: dict[str, pg.PlotWidget] = {}
        """The price pane, the volume pane and one per sub-pane indicator."""
        self._crosshair: dict[str, tuple[pg.InfiniteLine, pg.InfiniteLine]] = {}
        for name in PANES:
            pane = self._pane(name)
            self.panes[name] = pane
            self.splitter.addWidget(pane)
            pane.scene().sigMouseMoved.connect(partial(self._mouse_moved, name))
            pane.viewport().installEventFilter(self)
            if name != "price":
                pane.setXLink(self.panes["price"])
        for index, stretch in enumerate((5, 1, 2, 2)):
            self.splitter.setStretchFactor(index, stretch)
        self.panes["rsi"].hide()
        self.panes["macd"].hide()
        self.panes["rsi"].setYRange(0, 100, padding=0.05)
        guide = pg.mkPen(palette.muted, style=Qt.PenStyle.DotLine)
        for level in (30, 70):
            self.panes["rsi"].addItem(pg.InfiniteLine(level, angle=0, pen=guide), ignoreBounds=True)
        layout.addWidget(self.splitter, 1)
        self.readout = QLabel(self.panes["price"])
        """The OHLCV of the candle under the crosshair (or of the newest), over the
        price pane's top left corner."""
        self.readout.move(6, 4)
        self.readout.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

        self.candles = CandleItem(palette.bid, palette.ask)
        """The candlesticks (their paint statistics tell what was drawn)."""
        self.volume = VolumeItem(
            blend(palette.bid, palette.background), blend(palette.ask, palette.background)
        )
        self.panes["price"].addItem(self.candles)
        self.panes["volume"].addItem(self.volume)
        self.mark_line = self._price_line(palette.mark, "Mark")
        self.oracle_line = self._price_line(palette.oracle, "Oracle")
        self.entry_line = self._price_line(palette.accent, "Entry")
        self.liquidation_line = self._price_line(palette.danger, "Liq.")
        self.fills = pg.ScatterPlotItem(size=13, pen=pg.mkPen(palette.text))
        """Own fills: a triangle up per buy, down per sell, at the fill's time and price."""
        self._fill_brushes = (pg.mkBrush(palette.bid), pg.mkBrush(palette.ask))
        self.panes["price"].addItem(self.fills, ignoreBounds=True)
        self._place_time_axis()
        view = self.panes["price"].getViewBox()
        view.sigXRangeChanged.connect(self._x_range_changed)

    def _pane(self, name: str) -> pg.PlotWidget:
        palette = self.palette
        axis = pg.DateAxisItem(orientation="bottom", utcOffset=0)
        pane = pg.PlotWidget(background=palette.background, axisItems={"bottom": axis})
        plot = pane.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.hideAxis("left")
        plot.showAxis("right")
        plot.showGrid(x=True, y=True)
        for side in ("right", "bottom"):
            item = plot.getAxis(side)
            # Opaque grid lines: blended ones cost the raster engine milliseconds each.
            item.setStyle(tickAlpha=255, maxTickLevel=0)
            item.setTickDensity(1.5)
            item.setZValue(-1)  # the grid under the candles, not over them
            item.setPen(pg.mkPen(palette.grid))
            item.setTextPen(pg.mkPen(palette.muted))
        plot.getAxis("right").setWidth(AXIS_WIDTH)
        view = plot.getViewBox()
        view.setMouseEnabled(x=True, y=False)
        view.disableAutoRange()
        pen = pg.mkPen(palette.muted, style=Qt.PenStyle.DashLine)
        vertical = pg.InfiniteLine(angle=90, pen=pen)
        horizontal = pg.InfiniteLine(angle=0, pen=pen)
        for line in (vertical, horizontal):
            line.hide()
            pane.addItem(line, ignoreBounds=True)
        self._crosshair[name] = (vertical, horizontal)
        return pane

    def _place_time_axis(self) -> None:
        """Time labels under the lowest pane shown only (the others keep its grid)."""
        shown = [name for name in PANES if not self.panes[name].isHidden()]
        for name in PANES:
            axis = self.panes[name].getPlotItem().getAxis("bottom")
            lowest = name == shown[-1]
            axis.setStyle(showValues=lowest)
            axis.setHeight(None if lowest else 0)

    def _price_line(self, colour: str, name: str) -> pg.InfiniteLine:
        line = pg.InfiniteLine(
            angle=0,
            pen=pg.mkPen(colour, style=Qt.PenStyle.DashLine),
            label=name,
            labelOpts={"position": 0.02, "color": colour, "anchors": [(0, 1), (0, 1)]},
        )
        line.setObjectName(name)
        line.hide()
        self.panes["price"].addItem(line, ignoreBounds=True)
        return line

    def _curves_for(self, study: Study) -> list[pg.PlotDataItem]:
        curves = []
        for index, name in enumerate(study.colours):
            colour = getattr(self.palette, name)
            if study.histogram and index == len(study.colours) - 1:
                style = {"pen": None, "fillLevel": 0.0, "brush": pg.mkBrush(colour)}
            else:
                style = {"pen": pg.mkPen(colour), "connect": "finite"}
            curve = pg.PlotDataItem(
                clipToView=True, autoDownsample=True, downsampleMethod="peak", **style
            )
            self.panes[study.pane].addItem(curve)
            curves.append(curve)
        return curves

    # -- the series ----------------------------------------------------------------------

    def _attach(self) -> None:
        """Follow the market's candles at the interval and draw them from scratch."""
        wanted = (self.market, self.interval)
        if self._followed != wanted:
            if self._followed is not None:
                self.store.unfollow("candles", *self._followed)
            self.store.follow("candles", *wanted)
            self._followed = wanted
        self.series = self.store.candle_series(*wanted)
        self.hovered_index = None
        self.candles.set_series(self.series)
        self.volume.set_series(self.series)
        self._seen.clear()
        self._seen["series"] = self.series.version
        self._known = (len(self.series), self._last_start())
        self._study_window = None
        self._show_latest()
        self.refresh()

    def _moved(self, key: str, version: int) -> bool:
        if self._seen.get(key) == version:
            return False
        self._seen[key] = version
        return True

    def _last_start(self) -> float | None:
        """The newest candle's start (epoch s), None if there are no candles."""
        return self.series.times[-1] / 1000.0 if len(self.series) else None

    def _series_moved(self) -> None:
        """New or changed candles: redraw them; keep following the newest if shown."""
        size, last = self._known
        x_end = self.panes["price"].getViewBox().viewRange()[0][1]
        following = last is not None and x_end >= last
        self.candles.sync()
        self.volume.sync()
        self._known = (len(self.series), self._last_start())
        new_last = self._known[1]
        self._study_window = None
        if new_last is None:
            self._show_readout()
            return
        if size == 0 or last is None:
            self._show_latest()
        else:
            self._update_limits()
            if following and new_last > last:
                left, right = self.panes["price"].getViewBox().viewRange()[0]
                self.panes["price"].setXRange(
                    left + new_last - last, right + new_last - last, padding=0
                )
        self._update_studies()
        self._fit_y()
        self._show_readout()

    def _show_latest(self) -> None:
        """View the newest `INITIAL_CANDLES` candles, with room on the right."""
        self._update_limits()
        self._show_readout()
        last = self._last_start()
        if last is None:
            return
        step = self.series.interval_ms / 1000.0
        right = last + (1 + RIGHT_MARGIN) * step
        self.panes["price"].setXRange(
            right - (INITIAL_CANDLES + RIGHT_MARGIN) * step, right, padding=0
        )
        self._update_studies()
        self._fit_y()

    def _update_limits(self) -> None:
        """Let the view pan a little past the series' ends and zoom out to `MAX_VISIBLE`."""
        if not len(self.series):
            return
        key = (int(self.series.times[0]), int(self.series.times[-1]), self.series.interval_ms)
        if key == self._limits:
            return
        self._limits = key
        step = self.series.interval_ms / 1000.0
        first = self.series.times[0] / 1000.0 - PAN_ROOM * step
        last = self.series.times[-1] / 1000.0 + PAN_ROOM * step
        for pane in self.panes.values():
            pane.getViewBox().setLimits(
                xMin=first, xMax=last, minXRange=10 * step, maxXRange=MAX_VISIBLE * step
            )

    def _shown(self) -> slice:
        """The candles in view."""
        left, right = self.panes["price"].getViewBox().viewRange()[0]
        return self.series.visible(math.floor(left * 1000.0), math.ceil(right * 1000.0))

    def _x_range_changed(self) -> None:
        self._update_studies()
        self._fit_y()

    def _fit_y(self) -> None:
        """Fit each pane's y range to what it shows of the visible candles."""
        shown = self._shown()
        if shown.start >= shown.stop:
            return
        rows = self.series.ohlcv[shown]
        low, high = float(rows[:, 2].min()), float(rows[:, 1].max())
        spans: dict[str, list[float]] = {"price": [low, high], "macd": []}
        window = self._study_window
        for name, lines in self._study_values.items():
            pane = STUDIES[name].pane
            if pane in spans and window is not None:
                part = slice(shown.start - window[0], shown.stop - window[0])
                seen = np.concatenate([line[part] for line in lines])
                if np.isfinite(seen).any():
                    spans[pane] += [float(np.nanmin(seen)), float(np.nanmax(seen))]
        for pane, values in spans.items():
            if values:
                bottom, top = min(values), max(values)
                room = (top - bottom) * 0.08 or abs(top) * 0.01 or 1.0
                self.panes[pane].setYRange(bottom - room, top + room, padding=0)
        self.panes["volume"].setYRange(0, float(rows[:, 4].max()) * 1.1 or 1.0, padding=0)

    def _update_studies(self) -> None:
        """Compute the indicators shown over the visible window (and a screen either
        side), unless the window computed last still covers the view."""
        series = self.series
        size = len(series)
        if not self.active_studies or not size:
            return
        shown = self._shown()
        window = self._study_window
        if window is not None and window[0] <= shown.start and shown.stop <= window[1]:
            return
        span = max(shown.stop - shown.start, 1)
        start, stop = max(0, shown.start - span), min(size, shown.stop + span)
        self._study_window = (start, stop)
        step = series.interval_ms / 1000.0
        x = series.times[start:stop] / 1000.0 + step / 2
        for name in self.active_studies:
            study = STUDIES[name]
            first = self._warm_start(study, start)
            lines = study.compute(series.times[first:stop], series.ohlcv[first:stop])
            lines = tuple(line[start - first :] for line in lines)
            self._study_values[name] = lines
            for curve, line in zip(self.study_curves[name], lines, strict=True):
                curve.setData(x, line)

    def _warm_start(self, study: Study, start: int) -> int:
        """Where to start computing ``study`` for values from ``start`` on."""
        if study.warmup is not None:
            return max(0, start - study.warmup)
        if self.series.interval_ms >= DAY_MS:
            return 0
        day = self.series.times[start] // DAY_MS * DAY_MS
        return int(np.searchsorted(self.series.times, day, side="left"))

    # -- prices, orders, position, fills -------------------------------------------------

    def _update_price_lines(self) -> None:
        prices = self.store.board.prices.get(self.market)
        for line, value in (
            (self.mark_line, prices and prices.mark),
            (self.oracle_line, prices and prices.oracle),
        ):
            self._set_level(line, value)

    def _set_level(self, line: pg.InfiniteLine, units: int | None) -> None:
        """Show ``line`` at ``units`` with its name and price, or hide it (None)."""
        line.setVisible(units is not None)
        if units is not None:
            line.setPos(units / PRICE_PRECISION)
            line.label.setFormat(f"{line.objectName()} {format_fixed(units, PRICE_PRECISION)}")

    def _update_order_lines(self) -> None:
        orders = {order.order_id: order for order in self.store.orders.in_market(self.market)}
        self._orders = orders
        for order_id in set(self.order_lines) - set(orders):
            self.panes["price"].removeItem(self.order_lines.pop(order_id))
        for order_id, order in orders.items():
            line = self.order_lines.get(order_id)
            if line is not None and line.movable != _resting(order):
                self.panes["price"].removeItem(self.order_lines.pop(order_id))
                line = None
            if line is None:
                line = self._order_line(order)
                self.order_lines[order_id] = line
            level = order.trigger_price if order.status == "pending" else order.price
            self._place_order_line(line, order, level if level is not None else order.price)

    def _order_line(self, order: OwnOrder) -> pg.InfiniteLine:
        """A line for ``order``: draggable if it rests on the book at a price."""
        colour = self.palette.own_order
        resting = _resting(order)
        style = Qt.PenStyle.SolidLine if resting else Qt.PenStyle.DashDotLine
        line = pg.InfiniteLine(
            angle=0,
            movable=resting,
            pen=pg.mkPen(colour, style=style),
            hoverPen=pg.mkPen(colour, width=3),
            label="",
            labelOpts={"position": 0.3, "color": colour, "anchors": [(0, 1), (0, 1)]},
        )
        if resting:
            line.sigPositionChanged.connect(partial(self._order_dragging, order.order_id))
            line.sigPositionChangeFinished.connect(
                lambda moved, order_id=order.order_id: self.drop_order(order_id, moved.value())
            )
        self.panes["price"].addItem(line, ignoreBounds=True)
        return line

    def _order_dragging(self, order_id: int, line: pg.InfiniteLine) -> None:
        order = self._orders.get(order_id)
        if order is not None and line.moving:
            self._label_order(line, order, self._snap(line.value()))

    def _place_order_line(self, line: pg.InfiniteLine, order: OwnOrder, units: int | None) -> None:
        line.setVisible(units is not None)
        if units is not None:
            line.setPos(units / PRICE_PRECISION)
            self._label_order(line, order, units)

    @staticmethod
    def _label_order(line: pg.InfiniteLine, order: OwnOrder, units: int) -> None:
        kind = "" if order.type == "limit" else f"{order.type.replace('_', ' ')} "
        size = format_fixed(order.remaining, BASE_PRECISION)
        price = format_fixed(units, PRICE_PRECISION)
        line.label.setFormat(f"{kind}{order.side} {size} @ {price}".upper())

    def _snap(self, price: float) -> int:
        """``price`` in price units, on the market's tick (if its spec is known)."""
        units = round(price * PRICE_PRECISION)
        spec = self.store.board.specs.get(self.market) or {}
        try:
            tick = parse_price(spec["tick_size"])
        except (KeyError, FixedPointError):
            return units
        if tick <= 0:
            return units
        return (units + tick // 2) // tick * tick

    def _update_positions(self) -> None:
        position = self.store.positions.positions.get(self.market)
        self._set_level(self.entry_line, position and position.entry_price)
        self._set_level(self.liquidation_line, position and position.liquidation_price)
        fills = self.store.positions.fills_in(self.market)
        bought, sold = self._fill_brushes
        self.fills.setData(
            x=[fill.time_ms / 1000.0 for fill in fills],
            y=[fill.price / PRICE_PRECISION for fill in fills],
            symbol=["t1" if fill.side == "buy" else "t" for fill in fills],
            brush=[bought if fill.side == "buy" else sold for fill in fills],
        )

    # -- crosshair -----------------------------------------------------------------------

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        """The mouse left a pane: hide the crosshair."""
        if event.type() == QtCore.QEvent.Type.Leave:
            self.hide_crosshair()
        return super().eventFilter(watched, event)

    def _mouse_moved(self, name: str, position: QtCore.QPointF) -> None:
        view = self.panes[name].getViewBox()
        if not view.sceneBoundingRect().contains(position):
            self.hide_crosshair()
            return
        point = view.mapSceneToView(position)
        self.show_crosshair(point.x(), point.y(), name)

    def _show_readout(self) -> None:
        series = self.series
        index = self.hovered_index
        if index is None or index >= len(series):
            index = len(series) - 1
        text, colour = f"{self.market} {self.interval}", self.palette.text
        if index >= 0:
            opens, high, low, close, volume = series.ohlcv[index]
            start = datetime.fromtimestamp(series.times[index] / 1000.0, tz=UTC)
            shape = "%Y-%m-%d %H:%M:%S" if series.interval_ms < 60_000 else "%Y-%m-%d %H:%M"
            text += (
                f"  {start.strftime(shape)}  O {_price(opens)}  H {_price(high)}  "
                f"L {_price(low)}  C {_price(close)}  "
                f"V {format_fixed(round(volume * BASE_PRECISION), BASE_PRECISION)}"
            )
            colour = self.palette.bid if close >= opens else self.palette.ask
        if colour != self._readout_colour:
            self._readout_colour = colour
            self.readout.setStyleSheet(
                f"color: {colour}; background: transparent; font-family: monospace;"
            )
        self.readout.setText(text)
        self.readout.adjustSize()


def _price(value: float) -> str:
    """A candle's price (a float) as exact decimal text."""
    return format_fixed(round(value * PRICE_PRECISION), PRICE_PRECISION)
