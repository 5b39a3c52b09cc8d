"""The cumulative depth chart: bids as a stepped area left of the mid, asks to the right,
painted with QPainter from the few arrays `depth_steps` computes once per book version."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION
from quantdesk_desktop import theme
from quantdesk_desktop.panels.number_text import fixed_text
from quantdesk_desktop.qt import Qt, QtCore, QtGui, QWidget
from quantdesk_desktop.state.book import BookState

DEPTH_LEVELS = 100
"""Levels per side the chart considers."""


@dataclass(frozen=True, slots=True)
class DepthSteps:
    """Cumulative size per price on each side, from the best price outward, cut to a
    price range symmetric around the mid so both sides reach the chart's edges."""

    bids: tuple[tuple[int, int], ...]
    """(price, cumulative size), best bid first."""
    asks: tuple[tuple[int, int], ...]
    low: int
    high: int
    mid: int
    max_cum: int


def depth_steps(book: BookState, levels: int = DEPTH_LEVELS) -> DepthSteps | None:
    """The chart's steps over ``book`` (None while either side is empty)."""
    if not book.bids or not book.asks:
        return None
    # The best few levels without sorting the whole book.
    bids = heapq.nlargest(levels, book.bids.items())
    asks = heapq.nsmallest(levels, book.asks.items())
    mid = (bids[0][0] + asks[0][0]) // 2
    half = max(1, min(mid - bids[-1][0], asks[-1][0] - mid))
    low, high = mid - half, mid + half
    bid_steps = _cumulative(p_s for p_s in bids if p_s[0] >= low)
    ask_steps = _cumulative(p_s for p_s in asks if p_s[0] <= high)
    max_cum = max(bid_steps[-1][1] if bid_steps else 0, ask_steps[-1][1] if ask_steps else 0)
    return DepthSteps(bid_steps, ask_steps, low, high, mid, max_cum)


def _cumulative(levels: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    total, steps = 0, []
    for price, size in levels:
        total += size
        steps.append((price, total))
    return tuple(steps)


class DepthChart(QWidget):
    """The chart widget: `set_book`, then `rebuild` whenever the book moved."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.book: BookState | None = None
        self.steps: DepthSteps | None = None
        self.price_decimals = 0
        self.size_decimals = 0
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumHeight(60)

    def set_book(self, book: BookState) -> None:
        """Chart ``book`` from now on."""
        self.book = book
        self.steps = None

    def rebuild(self) -> None:
        """Recompute the steps from the book and schedule a paint."""
        self.steps = None if self.book is None else depth_steps(self.book)
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        palette = theme.current()
        painter = QtGui.QPainter(self)
        try:
            painter.fillRect(self.rect(), QtGui.QColor(palette.background))
            if self.steps is None or self.steps.max_cum == 0:
                painter.setPen(QtGui.QColor(palette.muted))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no depth yet")
                return
            self._paint(painter, self.steps, palette)
        finally:
            painter.end()

    def _paint(self, painter: QtGui.QPainter, steps: DepthSteps, palette: theme.Palette) -> None:
        metrics = QtGui.QFontMetricsF(self.font())
        text_h = metrics.height()
        plot = QtCore.QRectF(self.rect()).adjusted(1, text_h + 4, -1, -(text_h + 4))
        span = steps.high - steps.low
        top_cum = steps.max_cum * 1.08

        def x_of(price: int) -> float:
            return plot.left() + (price - steps.low) * plot.width() / span

        def y_of(cum: int) -> float:
            return plot.bottom() - cum * plot.height() / top_cum

        grid = QtGui.QColor(palette.grid)
        painter.setPen(grid)
        for fraction in (0.25, 0.5, 0.75):
            y = plot.bottom() - plot.height() * fraction
            painter.drawLine(QtCore.QLineF(plot.left(), y, plot.right(), y))
        # The steps are axis-aligned: no antialiasing needed, so edges stay crisp and cheap.
        for side, edge, line, fill in (
            (steps.bids, plot.left(), palette.bid, palette.bid_bar),
            (steps.asks, plot.right(), palette.ask, palette.ask_bar),
        ):
            outline = _step_line(side, edge, plot.bottom(), x_of, y_of)
            if not outline:
                continue
            area = QtGui.QPolygonF(outline)
            area.append(QtCore.QPointF(edge, plot.bottom()))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QtGui.QColor(fill))
            painter.drawPolygon(area)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QtGui.QPen(QtGui.QColor(line), 1))
            painter.drawPolyline(QtGui.QPolygonF(outline))

        muted = QtGui.QColor(palette.muted)
        mid_x = x_of(steps.mid)
        painter.setPen(QtGui.QPen(muted, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QtCore.QLineF(mid_x, plot.top(), mid_x, plot.bottom()))

        painter.setPen(muted)
        below = QtCore.QRectF(plot.left(), plot.bottom() + 2, plot.width(), text_h)
        price = self._price_text
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft, price(steps.low))
        painter.drawText(below, Qt.AlignmentFlag.AlignHCenter, price(steps.mid))
        painter.drawText(below, Qt.AlignmentFlag.AlignRight, price(steps.high))
        above = QtCore.QRectF(plot.left() + 2, 1, plot.width() - 4, text_h)
        for side, align, colour in (
            (steps.bids, Qt.AlignmentFlag.AlignLeft, palette.bid),
            (steps.asks, Qt.AlignmentFlag.AlignRight, palette.ask),
        ):
            if side:
                painter.setPen(QtGui.QColor(colour))
                total = fixed_text(side[-1][1], BASE_PRECISION, self.size_decimals)
                painter.drawText(above, align, f"Σ {total}")

    def _price_text(self, price: int) -> str:
        return fixed_text(price, PRICE_PRECISION, self.price_decimals)


def _step_line(
    steps: tuple[tuple[int, int], ...],
    edge: float,
    base: float,
    x_of: Callable[[int], float],
    y_of: Callable[[int], float],
) -> list[QtCore.QPointF]:
    """The stepped outline from the best price (on the base line) out to ``edge``."""
    if not steps:
        return []
    point = QtCore.QPointF
    level = base
    points = []
    for price, cum in steps:
        x = x_of(price)
        points.append(point(x, level))
        level = y_of(cum)
        points.append(point(x, level))
    points.append(point(edge, level))
    return points
