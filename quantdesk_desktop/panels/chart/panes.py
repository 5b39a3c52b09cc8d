"""The chart's plot panes: price, volume, RSI and MACD, stacked in a splitter, x-linked,
x in epoch seconds, with one time axis under the lowest pane shown."""

from __future__ import annotations

from quantdesk_desktop.qt import Qt, QtGui, QtWidgets  # before pyqtgraph: it binds to PySide6

# isort: split
import pyqtgraph as pg

from quantdesk_desktop.theme import Palette

PANES = ("price", "volume", "rsi", "macd")
PANE_STRETCH = (5, 1, 2, 2)
"""Each pane's share of the splitter's height, in `PANES` order."""
AXIS_WIDTH = 72
RSI_GUIDES = (30, 70)


def blend(colour: str, background: str, share: float = 0.5) -> str:
    """``colour`` laid at ``share`` opacity over ``background``, as an opaque colour (the
    raster engine draws opaque shapes many times faster than translucent ones)."""
    top, bottom = QtGui.QColor(colour), QtGui.QColor(background)
    mixed = [
        round(share * a + (1 - share) * b)
        for a, b in zip(top.getRgb()[:3], bottom.getRgb()[:3], strict=True)
    ]
    return QtGui.QColor(*mixed).name()


def make_pane(palette: Palette) -> pg.PlotWidget:
    """An empty pane: values on the right, an opaque grid, panned by x only, no auto range."""
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
    return pane


def stack_panes(panes: dict[str, pg.PlotWidget], palette: Palette) -> QtWidgets.QSplitter:
    """A splitter of ``panes`` (keyed by `PANES`), x-linked to the price pane, with the
    indicator panes hidden until an indicator shows them."""
    splitter = QtWidgets.QSplitter(Qt.Orientation.Vertical)
    for name in PANES:
        splitter.addWidget(panes[name])
        if name != "price":
            panes[name].setXLink(panes["price"])
    for index, stretch in enumerate(PANE_STRETCH):
        splitter.setStretchFactor(index, stretch)
    panes["rsi"].hide()
    panes["macd"].hide()
    panes["rsi"].setYRange(0, 100, padding=0.05)
    guide = pg.mkPen(palette.muted, style=Qt.PenStyle.DotLine)
    for level in RSI_GUIDES:
        panes["rsi"].addItem(pg.InfiniteLine(level, angle=0, pen=guide), ignoreBounds=True)
    return splitter


def place_time_axis(panes: dict[str, pg.PlotWidget]) -> None:
    """Time labels under the lowest pane shown only (the others keep its grid)."""
    shown = [name for name in PANES if not panes[name].isHidden()]
    for name in PANES:
        axis = panes[name].getPlotItem().getAxis("bottom")
        lowest = name == shown[-1]
        axis.setStyle(showValues=lowest)
        axis.setHeight(None if lowest else 0)
