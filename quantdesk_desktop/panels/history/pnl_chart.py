"""The History panel's realised PnL curve (net of fees, with funding) over the drawdown
below it: two x-linked pyqtgraph plots on a UTC time axis, or a line of text when the
filter has no fills."""

from __future__ import annotations

import math

from quantdesk_desktop.qt import QLabel, Qt, QtWidgets, QWidget  # before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg

from backend.domain.fixed_point import QUOTE_PRECISION
from quantdesk_desktop.cache.queries import HistorySummary
from quantdesk_desktop.panels.chart.panes import blend
from quantdesk_desktop.panels.history import cells
from quantdesk_desktop.panels.history.breakdown import funding_counted
from quantdesk_desktop.theme import Palette

EMPTY_TEXT = "No fills match the filter: choose a longer range or another market."
NO_CACHE_TEXT = "No local cache is open: the history shows once the account's cache is."
AXIS_WIDTH = 84
MARKERS_UP_TO = 60
"""Points are dotted while there are this few."""


class UsdcAxis(pg.AxisItem):
    """A value axis in USDC with thousands separators (``-12,500``), never in SI units."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        places = max(0, math.ceil(-math.log10(spacing * scale))) if spacing > 0 else 0
        return [f"{value * scale:,.{places}f}" for value in values]


def _plot(palette: Palette, time_axis: bool) -> pg.PlotWidget:
    """A plot without menus (cheaper to make, and nothing to configure), values on the
    right, an opaque grid under the curve, panned and zoomed in time only."""
    axes = {"right": UsdcAxis(orientation="right")}
    if time_axis:
        axes["bottom"] = pg.DateAxisItem(orientation="bottom", utcOffset=0)
    widget = pg.PlotWidget(background=palette.background, axisItems=axes, enableMenu=False)
    plot = widget.getPlotItem()
    plot.hideButtons()
    plot.hideAxis("left")
    plot.showAxis("right")
    plot.showGrid(x=True, y=True)
    for side in ("right", "bottom"):
        axis = plot.getAxis(side)
        # Opaque grid lines of the major ticks only, drawn under the curve (as the chart's).
        axis.setStyle(tickAlpha=255, maxTickLevel=0)
        axis.setZValue(-1)
    plot.getAxis("right").setWidth(AXIS_WIDTH)
    if not time_axis:
        plot.getAxis("bottom").setStyle(showValues=False)
        plot.getAxis("bottom").setHeight(4)
    view = plot.getViewBox()
    view.setMouseEnabled(x=True, y=False)
    view.setAutoVisible(y=True)
    return widget


def curve_points(summary: HistorySummary) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times (epoch s), net PnL and drawdown (USDC) to draw: from zero at the first
    bucket's start, and flat across buckets without fills (each bucket's sum moves the
    curve within that bucket only, never over the quiet days before it).

    Floats only place pixels: every figure shown as text is exact."""
    ends = np.asarray(summary.curve_times, dtype=np.int64)
    bucket = summary.bucket_ms
    pnl = np.concatenate(([0], summary.curve))
    drawdown = np.concatenate(([0], summary.drawdown))
    starts = ends - bucket
    # before each bucket, the level the curve had at the end of the last one
    quiet = np.concatenate(([False], starts[1:] > ends[:-1]))
    times = np.empty(len(ends) + quiet.sum() + 1, dtype=np.int64)
    levels = np.empty(len(times), dtype=np.int64)
    depths = np.empty(len(times), dtype=np.int64)
    times[0], levels[0], depths[0] = starts[0], 0, 0
    at = 1
    for i in range(len(ends)):
        if quiet[i]:
            times[at], levels[at], depths[at] = starts[i], pnl[i], drawdown[i]
            at += 1
        times[at], levels[at], depths[at] = ends[i], pnl[i + 1], drawdown[i + 1]
        at += 1
    return times / 1000.0, levels / QUOTE_PRECISION, depths / QUOTE_PRECISION


class PnlChart(QWidget):
    """Cumulative net PnL against time, and how far below its peak it is."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.palette = palette
        self.pnl = _plot(palette, time_axis=False)
        self.drawdown = _plot(palette, time_axis=True)
        self.drawdown.setXLink(self.pnl)
        self.pnl_curve = pg.PlotDataItem()
        self.pnl_curve.setClipToView(True)
        self.drawdown_curve = pg.PlotDataItem()
        self.drawdown_curve.setClipToView(True)
        self.pnl.addItem(self.pnl_curve)
        self.drawdown.addItem(self.drawdown_curve)
        self.zero = pg.InfiniteLine(0, angle=0)
        self.pnl.addItem(self.zero, ignoreBounds=True)
        self.pnl_title = QLabel()
        self.drawdown_title = QLabel()
        for title in (self.pnl_title, self.drawdown_title):
            title.setObjectName("historyChartTitle")
        plots = QWidget()
        column = QtWidgets.QVBoxLayout(plots)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.pnl_title)
        column.addWidget(self.pnl, 3)
        column.addWidget(self.drawdown_title)
        column.addWidget(self.drawdown, 1)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("historyEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setMargin(16)
        self.stack = QtWidgets.QStackedLayout(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(plots)
        self.summary: HistorySummary | None = None
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.dd = np.zeros(0)
        self.use_palette(palette)

    def use_palette(self, palette: Palette) -> None:
        """Draw in ``palette``'s colours."""
        self.palette = palette
        for widget in (self.pnl, self.drawdown):
            widget.setBackground(palette.background)
            plot = widget.getPlotItem()
            for side in ("right", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(palette.grid))
                axis.setTextPen(pg.mkPen(palette.muted))
        self.zero.setPen(pg.mkPen(palette.muted, style=Qt.PenStyle.DotLine))
        self._draw()

    def show_summary(self, summary: HistorySummary | None, empty_text: str = EMPTY_TEXT) -> None:
        """Draw ``summary``'s curve and fit the view to it (None, or no points: the
        ``empty_text``)."""
        self.summary = summary
        self.empty.setText(empty_text)
        if summary is None or not summary.curve:
            self.x = self.y = self.dd = np.zeros(0)
        else:
            self.x, self.y, self.dd = curve_points(summary)
        self._draw()
        if len(self.x):
            for widget in (self.pnl, self.drawdown):
                widget.getPlotItem().getViewBox().autoRange(padding=0.04)

    def is_empty(self) -> bool:
        """Whether the text shows instead of the curve."""
        return self.stack.currentWidget() is self.empty

    def _draw(self) -> None:
        palette = self.palette
        self.empty.setStyleSheet(f"color: {palette.muted};")
        if not len(self.x):
            self.pnl_curve.setData([], [])
            self.drawdown_curve.setData([], [])
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(1)
        marked = len(self.x) <= MARKERS_UP_TO
        self.pnl_curve.setData(
            self.x,
            self.y,
            pen=pg.mkPen(palette.accent, width=2),
            symbol="o" if marked else None,
            symbolSize=4,
            symbolPen=pg.mkPen(palette.accent),
            symbolBrush=pg.mkBrush(palette.accent),
        )
        self.drawdown_curve.setData(
            self.x,
            self.dd,
            pen=pg.mkPen(palette.ask, width=1),
            fillLevel=0,
            brush=pg.mkBrush(blend(palette.ask, palette.background, 0.35)),
        )
        summary = self.summary
        assert summary is not None
        net = summary.curve[-1]
        colour = cells.signed_colour(net) or palette.text
        what = "Net PnL with funding" if funding_counted(summary) else "Net PnL"
        self.pnl_title.setText(f"{what} <span style='color:{colour}'>{cells.usdc(net)}</span> USDC")
        deepest = summary.max_drawdown
        self.drawdown_title.setText(
            f"Drawdown, deepest <span style='color:{palette.ask if deepest else palette.text}'>"
            f"{cells.usdc(deepest)}</span> USDC"
        )
