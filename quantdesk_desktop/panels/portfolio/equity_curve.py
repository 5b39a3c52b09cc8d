"""The account's equity over time: a line on a time axis (pyqtgraph, as the chart uses it),
or a line of text while there are no points yet."""

from __future__ import annotations

from collections.abc import Sequence

from quantdesk_desktop.qt import QLabel, Qt, QtWidgets, QWidget  # before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg

from backend.domain.fixed_point import QUOTE_PRECISION
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.state.portfolio import EquityPoint
from quantdesk_desktop.theme import Palette

EMPTY_TEXT = (
    "No equity points yet: the server records the account's equity every minute while it "
    "holds a position or its equity moves, and after each deposit or withdrawal."
)
MARKERS_UP_TO = 60
"""Points are marked with a dot while there are this few (one point is a dot alone)."""
AXIS_WIDTH = 80


class EquityCurve(QWidget):
    """Equity (USDC) against time, fitted to the points."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        axis = pg.DateAxisItem(orientation="bottom")
        self.plot = pg.PlotWidget(axisItems={"bottom": axis})
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.hideAxis("left")
        item.showAxis("right")
        item.showGrid(x=True, y=True)
        item.getAxis("right").setWidth(AXIS_WIDTH)
        item.getAxis("right").enableAutoSIPrefix(False)
        item.getViewBox().setMouseEnabled(x=True, y=False)
        self.curve = pg.PlotDataItem()
        self.plot.addItem(self.curve)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setMargin(16)
        self.stack = QtWidgets.QStackedLayout(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.plot)
        self.points: Sequence[EquityPoint] = ()
        self.palette = palette
        self.use_palette(palette)

    def use_palette(self, palette: Palette) -> None:
        """Draw in ``palette``'s colours."""
        self.palette = palette
        self.plot.setBackground(palette.background)
        item = self.plot.getPlotItem()
        for side in ("right", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(palette.grid))
            axis.setTextPen(pg.mkPen(palette.muted))
        self.empty.setStyleSheet(f"color: {palette.muted};")
        self._draw()

    def show_points(self, points: Sequence[EquityPoint]) -> None:
        """Draw ``points`` (oldest first) and fit the view to them."""
        self.points = points
        self._draw()
        if points:
            self.plot.getPlotItem().getViewBox().autoRange(padding=0.05)

    def is_empty(self) -> bool:
        """Whether the empty-state text shows instead of a curve."""
        return self.stack.currentWidget() is self.empty

    def _draw(self) -> None:
        points = self.points
        if not points:
            self.curve.setData([], [])
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.plot)
        x = np.fromiter((p.time_ms / 1000 for p in points), float, len(points))
        # floats only to place pixels; every figure shown as text is exact
        y = np.fromiter((p.equity / QUOTE_PRECISION for p in points), float, len(points))
        colour = self.palette.accent
        marked = len(points) <= MARKERS_UP_TO
        self.curve.setData(
            x,
            y,
            pen=pg.mkPen(colour, width=2),
            symbol="o" if marked else None,
            symbolSize=5,
            symbolPen=pg.mkPen(colour),
            symbolBrush=pg.mkBrush(colour),
        )
        newest = points[-1]
        self.plot.getPlotItem().setTitle(
            f"Equity {amounts.usdc(newest.equity)} USDC",
            color=self.palette.muted,
            size="9pt",
        )
