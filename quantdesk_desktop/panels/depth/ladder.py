"""The price ladder (DOM): a custom-painted column of price rows with bid and ask sizes,
cumulative size bars and the account's own orders, to trade from with the mouse.

It paints the rows `LadderModel.compute` gave it at the last `rebuild`; it never reads
the book while painting, so a repaint costs the same however fast the book moves.
"""

from __future__ import annotations

import math

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION
from quantdesk_desktop import theme
from quantdesk_desktop.panels.depth.ladder_model import (
    LadderModel,
    LadderRow,
    LadderView,
)
from quantdesk_desktop.panels.number_text import fixed_text
from quantdesk_desktop.qt import QApplication, Qt, QtCore, QtGui, QWidget, Signal
from quantdesk_desktop.state.book import BookState
from quantdesk_desktop.state.orders import OrdersState

COLUMNS = ("own_bid", "bid", "price", "ask", "own_ask")
"""The ladder's columns, left to right."""
_WIDTHS = (0.15, 0.23, 0.24, 0.23, 0.15)
"""Each column's share of the width."""
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ALIGN_CENTRE = Qt.AlignmentFlag.AlignCenter


class DepthLadder(QWidget):
    """The ladder widget. Clicks become intents for the panel to complete and emit:
    `limit_clicked(side, price units)` on a size cell, `cancel_clicked(order id)` for each
    own order in a clicked own-order cell."""

    limit_clicked = Signal(str, object)
    cancel_clicked = Signal(object)
    painted = Signal(float)
    """A book version was painted for the first time (its `received_at`)."""

    def __init__(self, model: LadderModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.book: BookState | None = None
        self.orders: OrdersState | None = None
        self.market = ""
        self.view: LadderView | None = None
        self.rows: tuple[LadderRow, ...] = ()
        """The rows of the last `rebuild`, top (highest price) first."""
        self.price_decimals = 0
        self.size_decimals = 0
        self.paint_count = 0
        self._reported_version: tuple[int, int] | None = None
        self._wheel_rest = 0
        self._row_height = 1
        self._bold = QtGui.QFont()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(160, 80)
        self._measure()

    def set_source(self, book: BookState, orders: OrdersState, market: str) -> None:
        """Read ``market``'s book and own orders from now on."""
        self.book, self.orders, self.market = book, orders, market
        self._reported_version = None
        self.model.centre = None
        self.model.recentre()

    def set_decimals(self, price_decimals: int, size_decimals: int) -> None:
        """Show prices and sizes with the market's tick and lot decimals."""
        self.price_decimals, self.size_decimals = price_decimals, size_decimals

    def rebuild(self) -> None:
        """Compute the rows over the book as it is now (the next paint shows them)."""
        if self.book is None:
            self.view, self.rows = None, ()
            return
        orders = self.orders.in_market(self.market) if self.orders is not None else ()
        self.view = self.model.compute(self.book, orders)
        self.rows = self.view.rows

    @property
    def row_height(self) -> int:
        """Height of one row in pixels, from the font."""
        return self._row_height

    def row_at(self, y: float) -> int | None:
        """The index in `rows` of the row at ``y`` (widget coordinates), if any."""
        if y < 0:
            return None
        index = int(y // self._row_height)
        return index if index < len(self.rows) else None

    def column_at(self, x: float) -> str | None:
        """The column (one of `COLUMNS`) at ``x``, if any."""
        for name, left, width in self._columns():
            if left <= x < left + width:
                return name
        return None

    def cell_rect(self, index: int, column: str) -> QtCore.QRect:
        """Where row ``index``'s ``column`` cell is, in widget coordinates."""
        for name, left, width in self._columns():
            if name == column:
                return QtCore.QRect(left, index * self._row_height, width, self._row_height)
        raise ValueError(f"unknown column {column!r}; one of {', '.join(COLUMNS)}")

    # -- Qt events ---------------------------------------------------------------------

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._measure()
            self._fit_rows()
        super().changeEvent(event)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        self._fit_rows()
        super().resizeEvent(event)

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802
        # High-resolution wheels send fractions of a notch (120); keep the remainder.
        self._wheel_rest += event.angleDelta().y()
        notches = int(self._wheel_rest / 120)
        if notches:
            self._wheel_rest -= notches * 120
            self.model.scroll(notches * QApplication.wheelScrollLines())
            self.rebuild()
            self.update()
        event.accept()

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        position = event.position()
        index, column = self.row_at(position.y()), self.column_at(position.x())
        if index is None or column is None:
            return
        row = self.rows[index]
        if column == "bid":
            self.limit_clicked.emit("buy", row.price)
        elif column == "ask":
            self.limit_clicked.emit("sell", row.price)
        elif column == "own_bid":
            for order_id in row.own_bid_ids:
                self.cancel_clicked.emit(order_id)
        elif column == "own_ask":
            for order_id in row.own_ask_ids:
                self.cancel_clicked.emit(order_id)
        event.accept()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        palette = theme.current()
        painter = QtGui.QPainter(self)
        try:
            painter.fillRect(self.rect(), QtGui.QColor(palette.background))
            columns = self._columns()
            self._paint_columns(painter, columns, palette)
            self._paint_rows(painter, columns, palette)
        finally:
            painter.end()
        self.paint_count += 1
        view = self.view
        if view is not None and view.received_at > 0:
            painted = (id(self.book), view.book_version)
            if painted != self._reported_version:
                self._reported_version = painted
                self.painted.emit(view.received_at)

    # -- painting ----------------------------------------------------------------------

    def _paint_columns(
        self, painter: QtGui.QPainter, columns: list[tuple[str, int, int]], palette: theme.Palette
    ) -> None:
        _, price_left, price_width = columns[2]
        painter.fillRect(
            QtCore.QRect(price_left, 0, price_width, self.height()), QtGui.QColor(palette.surface)
        )
        painter.setPen(QtGui.QColor(palette.grid))
        for _, left, _ in columns[1:]:
            painter.drawLine(left, 0, left, self.height())

    def _paint_rows(
        self, painter: QtGui.QPainter, columns: list[tuple[str, int, int]], palette: theme.Palette
    ) -> None:
        view = self.view
        if view is None or not view.rows:
            painter.setPen(QtGui.QColor(palette.muted))
            painter.drawText(self.rect(), _ALIGN_CENTRE, "no book yet")
            return
        height = self._row_height
        pad = max(2, height // 5)
        (_, ob_x, ob_w), (_, b_x, b_w), (_, p_x, p_w), (_, a_x, a_w), (_, oa_x, oa_w) = columns
        colours = _Colours(palette)
        bar_scale = 1.0 / view.max_cum if view.max_cum else 0.0
        font = self.font()
        price_of = self._price_text
        size_of = self._size_text
        for index, row in enumerate(view.rows):
            y = index * height
            if row.in_spread:
                painter.fillRect(ob_x, y, oa_x + oa_w - ob_x, height, colours.spread)
            elif row.best_bid:
                painter.fillRect(ob_x, y, a_x - ob_x, height, colours.best_bid)
            elif row.best_ask:
                painter.fillRect(b_x + b_w, y, oa_x + oa_w - b_x - b_w, height, colours.best_ask)
            if row.bid_cum:
                width = max(1, round(b_w * row.bid_cum * bar_scale))
                painter.fillRect(b_x + b_w - width, y + 1, width, height - 2, colours.bid_bar)
            if row.ask_cum:
                width = max(1, round(a_w * row.ask_cum * bar_scale))
                painter.fillRect(a_x, y + 1, width, height - 2, colours.ask_bar)
            if row.bid_size:
                painter.setPen(colours.bid)
                painter.drawText(b_x, y, b_w - pad, height, _ALIGN_RIGHT, size_of(row.bid_size))
            if row.ask_size:
                painter.setPen(colours.ask)
                painter.drawText(
                    a_x + pad, y, a_w - pad, height, _ALIGN_LEFT, size_of(row.ask_size)
                )
            best = row.best_bid or row.best_ask
            if best:
                painter.setFont(self._bold)
            painter.setPen(colours.muted if row.in_spread else colours.text)
            painter.drawText(p_x, y, p_w, height, _ALIGN_CENTRE, price_of(row.price))
            if best:
                painter.setFont(font)
            if row.own_bid:
                self._paint_own(painter, ob_x, y, ob_w, height, pad, size_of(row.own_bid), colours)
            if row.own_ask:
                self._paint_own(painter, oa_x, y, oa_w, height, pad, size_of(row.own_ask), colours)

    @staticmethod
    def _paint_own(
        painter: QtGui.QPainter,
        x: int,
        y: int,
        width: int,
        height: int,
        pad: int,
        text: str,
        colours: _Colours,
    ) -> None:
        box = QtCore.QRectF(x + 2.5, y + 1.5, width - 5, height - 3)
        painter.setPen(colours.own)
        painter.setBrush(colours.own_fill)
        painter.drawRoundedRect(box, 3, 3)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawText(x + pad, y, width - 2 * pad, height, _ALIGN_CENTRE, text)

    def _price_text(self, price: int) -> str:
        return fixed_text(price, PRICE_PRECISION, self.price_decimals)

    def _size_text(self, size: int) -> str:
        return fixed_text(size, BASE_PRECISION, self.size_decimals)

    # -- geometry ----------------------------------------------------------------------

    def _measure(self) -> None:
        metrics = QtGui.QFontMetrics(self.font())
        self._row_height = max(1, math.ceil(metrics.height() * 1.4))
        self._bold = QtGui.QFont(self.font())
        self._bold.setBold(True)

    def _fit_rows(self) -> None:
        count = max(1, math.ceil(self.height() / self._row_height))
        if count != self.model.row_count:
            self.model.row_count = count
            self.rebuild()

    def _columns(self) -> list[tuple[str, int, int]]:
        """(name, left, width) of each column, in pixels."""
        total = self.width()
        columns, left = [], 0
        for index, (name, share) in enumerate(zip(COLUMNS, _WIDTHS, strict=True)):
            right = total if index == len(COLUMNS) - 1 else left + round(total * share)
            columns.append((name, left, right - left))
            left = right
        return columns


class _Colours:
    """The palette as QColors, made once per paint."""

    __slots__ = (
        "ask",
        "ask_bar",
        "best_ask",
        "best_bid",
        "bid",
        "bid_bar",
        "muted",
        "own",
        "own_fill",
        "spread",
        "text",
    )

    def __init__(self, palette: theme.Palette) -> None:
        self.bid = QtGui.QColor(palette.bid)
        self.ask = QtGui.QColor(palette.ask)
        self.bid_bar = QtGui.QColor(palette.bid_bar)
        self.ask_bar = QtGui.QColor(palette.ask_bar)
        self.text = QtGui.QColor(palette.text)
        self.muted = QtGui.QColor(palette.muted)
        self.own = QtGui.QColor(palette.own_order)
        self.own_fill = QtGui.QColor(palette.own_order)
        self.own_fill.setAlpha(40)
        self.best_bid = QtGui.QColor(palette.bid)
        self.best_bid.setAlpha(45)
        self.best_ask = QtGui.QColor(palette.ask)
        self.best_ask.setAlpha(45)
        self.spread = QtGui.QColor(palette.surface)
