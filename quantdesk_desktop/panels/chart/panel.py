"""The chart panel: candles, volume and indicators of one market, with its mark and oracle
prices, own orders (drag one to move it), position entry and liquidation, and own fills.

The panel wires its parts: the toolbar (`toolbar`), the panes (`panes`), the candle and
volume items (`candle_item`), the indicators (`studies`), own trading (`trade_lines`), the
crosshair and readout (`readout`), and follows the series with the view (`view_range`).
Each refresh redraws only what moved since the last one; each pan fits the y ranges to
the visible candles.
"""

from __future__ import annotations

import math
from functools import partial
from operator import attrgetter

from quantdesk_desktop.qt import QtCore, QtWidgets, QWidget  # before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg

from quantdesk_desktop import theme
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.chart.candle_item import CandleItem, VolumeItem
from quantdesk_desktop.panels.chart.panes import (
    AXIS_WIDTH,
    PANES,
    blend,
    make_pane,
    place_time_axis,
    stack_panes,
)
from quantdesk_desktop.panels.chart.readout import CandleReadout, Crosshair
from quantdesk_desktop.panels.chart.studies import DAY_MS, STUDIES, Study, StudyCurves
from quantdesk_desktop.panels.chart.toolbar import ChartToolbar
from quantdesk_desktop.panels.chart.trade_lines import TradeLines, snap_to_tick
from quantdesk_desktop.panels.chart.view_range import (
    INITIAL_CANDLES,
    MAX_VISIBLE,
    PAN_ROOM,
    RIGHT_MARGIN,
    fitted_y_range,
    latest_x_range,
    view_limits,
)
from quantdesk_desktop.state.candles import CandleSeries
from quantdesk_desktop.state.store import MarketStore

__all__ = [
    # Names that lived here before the panel was split stay importable from here.
    "AXIS_WIDTH",
    "DAY_MS",
    "DEFAULT_INTERVAL",
    "INITIAL_CANDLES",
    "INTERVAL_CHOICES",
    "MAX_VISIBLE",
    "PANES",
    "PAN_ROOM",
    "RIGHT_MARGIN",
    "STUDIES",
    "ChartPanel",
    "Study",
    "blend",
]

INTERVAL_CHOICES = ("1s", "1m", "5m", "15m", "1h", "4h", "1d")
DEFAULT_INTERVAL = "1m"


class ChartPanel(Panel):
    """Candlestick chart of one market at one interval, with indicators and own trading."""

    kind = "chart"
    title = "Chart"

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.palette = theme.current()
        self.interval = DEFAULT_INTERVAL
        self.hovered_index: int | None = None
        """The candle under the mouse (None: the readout shows the newest)."""
        self._followed: tuple[str, str] | None = None
        self._seen: dict[str, int] = {}
        self._limits: tuple[int, int, int] | None = None
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
        if shown:
            self.studies.show(name)
        else:
            self.studies.hide(name)
        pane = STUDIES[name].pane
        if pane != "price":
            self.panes[pane].setVisible(shown)
            place_time_axis(self.panes)
        self.studies.forget_window()
        self._update_studies()
        self._fit_y()

    def refresh(self) -> None:
        """Redraw what moved in the store since the last refresh."""
        store = self.store
        if self._moved("series", self.series.version):
            self._series_moved()
        if self._moved("board", store.board.version):
            self.trade_lines.show_prices(store.board.prices.get(self.market))
        if not self.trade_lines.dragging and self._moved("orders", store.orders.version):
            self.trade_lines.show_orders(store.orders.in_market(self.market))
        if self._moved("positions", store.positions.version):
            self.trade_lines.show_position(
                store.positions.positions.get(self.market), store.positions.fills_in(self.market)
            )

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
        self.crosshair.move_to(x, y, pane)
        times = self.series.times
        index = int(np.searchsorted(times, math.floor(x * 1000.0), side="right")) - 1
        self.hovered_index = index if 0 <= index < len(times) else None
        self._show_readout()

    def hide_crosshair(self) -> None:
        """The mouse left: no crosshair, the readout shows the newest candle."""
        self.crosshair.hide()
        self.hovered_index = None
        self._show_readout()

    def drop_order(self, order_id: int, price: float) -> None:
        """An order line was dropped at ``price``: ask to move the order there, on the tick."""
        self.trade_lines.drop_order(order_id, price)

    # -- the parts' items, by the names the panel has always had (tests and tools read them)

    interval_box = property(attrgetter("toolbar.interval_box"), doc="The interval choice.")
    study_buttons = property(
        attrgetter("toolbar.study_buttons"), doc="A toggle per indicator, by `STUDIES` key."
    )
    active_studies = property(
        attrgetter("studies.active"), doc="The indicators shown, in `STUDIES` order."
    )
    study_curves = property(
        attrgetter("studies.curves"), doc="Each indicator's lines, in `Study.colours` order."
    )
    order_lines = property(
        attrgetter("trade_lines.order_lines"), doc="A line per own working order, by id."
    )
    mark_line = property(attrgetter("trade_lines.mark_line"), doc="The mark price.")
    oracle_line = property(attrgetter("trade_lines.oracle_line"), doc="The oracle price.")
    entry_line = property(attrgetter("trade_lines.entry_line"), doc="The position's entry.")
    liquidation_line = property(
        attrgetter("trade_lines.liquidation_line"), doc="The position's liquidation price."
    )
    fills = property(attrgetter("trade_lines.fills"), doc="Own fills: a marker per fill.")

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        palette = self.palette
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.toolbar = ChartToolbar(
            INTERVAL_CHOICES, self.interval, self.set_interval, self.set_study
        )
        layout.addLayout(self.toolbar)

        self.panes: dict[str, pg.PlotWidget] = {}
        """The price pane, the volume pane and one per sub-pane indicator."""
        self.crosshair = Crosshair(palette)
        for name in PANES:
            pane = make_pane(palette)
            self.crosshair.add_to(name, pane)
            self.panes[name] = pane
            pane.scene().sigMouseMoved.connect(partial(self._mouse_moved, name))
            pane.viewport().installEventFilter(self)
        self.splitter = stack_panes(self.panes, palette)
        layout.addWidget(self.splitter, 1)
        self.readout = CandleReadout(palette, self.panes["price"])
        """The OHLCV of the candle under the crosshair (or of the newest), over the
        price pane's top left corner."""

        self.candles = CandleItem(palette.bid, palette.ask)
        """The candlesticks (their paint statistics tell what was drawn)."""
        self.volume = VolumeItem(
            blend(palette.bid, palette.background), blend(palette.ask, palette.background)
        )
        self.panes["price"].addItem(self.candles)
        self.panes["volume"].addItem(self.volume)
        self.trade_lines = TradeLines(
            self.panes["price"], palette, snap=self._snap, modify=self.modify_order.emit
        )
        """Mark, oracle, entry and liquidation lines, own order lines and fill markers."""
        self.studies = StudyCurves(self.panes, palette)
        """The indicators shown and their curves."""
        place_time_axis(self.panes)
        view = self.panes["price"].getViewBox()
        view.sigXRangeChanged.connect(self._x_range_changed)

    def _snap(self, price: float) -> int:
        """``price`` in price units, on the market's tick (if its spec is known)."""
        return snap_to_tick(price, self.store.board.specs.get(self.market))

    # -- the series and the view ---------------------------------------------------------

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
        self.studies.forget_window()
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
        self.studies.forget_window()
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
        if not len(self.series):
            return
        self.panes["price"].setXRange(*latest_x_range(self.series), padding=0)
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
        limits = view_limits(self.series)
        for pane in self.panes.values():
            pane.getViewBox().setLimits(**limits)

    def _shown(self) -> slice:
        """The candles in view."""
        left, right = self.panes["price"].getViewBox().viewRange()[0]
        return self.series.visible(math.floor(left * 1000.0), math.ceil(right * 1000.0))

    def _x_range_changed(self) -> None:
        self._update_studies()
        self._fit_y()
        # pyqtgraph applies a range to the view's transform only when it paints, and that
        # change schedules a second paint; applying it now leaves one paint per pane
        for pane in self.panes.values():
            pane.getViewBox().updateMatrix()

    def _fit_y(self) -> None:
        """Fit each pane's y range to what it shows of the visible candles."""
        shown = self._shown()
        if shown.start >= shown.stop:
            return
        rows = self.series.ohlcv[shown]
        low, high = float(rows[:, 2].min()), float(rows[:, 1].max())
        spans: dict[str, list[float]] = {"price": [low, high], "macd": []}
        for pane, values in self.studies.spans(shown, spans).items():
            spans[pane] += values
        for pane, values in spans.items():
            if values:
                self.panes[pane].setYRange(*fitted_y_range(values), padding=0)
        self.panes["volume"].setYRange(0, float(rows[:, 4].max()) * 1.1 or 1.0, padding=0)

    def _update_studies(self) -> None:
        """Compute the indicators shown for the view (see `StudyCurves.update`)."""
        if self.studies.active and len(self.series):
            self.studies.update(self.series, self._shown())

    # -- the mouse -----------------------------------------------------------------------

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
        self.readout.show_candle(f"{self.market} {self.interval}", self.series, self.hovered_index)
