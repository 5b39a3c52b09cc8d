"""The blotter's working orders: the Open orders tab (every working order, price and size
edited in place, cancel one, cancel all) and the Working parents tab (TWAP and iceberg
parents with their progress and children)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.fixed_point import FixedPointError, parse_base, parse_price
from quantdesk_desktop import theme
from quantdesk_desktop.panels.blotter.cells import (
    optional_key,
    price_text,
    side_colour,
    size_text,
    time_text,
)
from quantdesk_desktop.panels.blotter.rows_model import (
    DISPLAY,
    EDIT,
    FONT,
    VALUE_ROLE,
    RowsModel,
)
from quantdesk_desktop.panels.blotter.table_tab import TableTab
from quantdesk_desktop.panels.table_columns import LEFT, Column
from quantdesk_desktop.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from quantdesk_desktop.state.orders import OwnOrder
from quantdesk_desktop.state.store import MarketStore

RESTING = frozenset({"open", "partially_filled"})
"""Statuses of an order on the book: only those can be modified."""
PARENT_TYPES = frozenset({"twap", "iceberg"})


@dataclass(frozen=True, slots=True)
class WorkingRow:
    """A working order as a row: the order, when it was placed and its children seen."""

    order: OwnOrder
    created_at_ms: int | None = None
    children: int = 0

    @property
    def editable(self) -> bool:
        """Whether its price and size can be changed (it rests on the book)."""
        return self.order.status in RESTING and self.order.price is not None

    @property
    def progress(self) -> float:
        """Filled as a fraction of the size (for a bar; amounts stay integers)."""
        return self.order.filled / self.order.size if self.order.size else 0.0


def _status(row: WorkingRow) -> str:
    return row.order.status.replace("_", " ")


def _status_colour(row: WorkingRow) -> str | None:
    return theme.current().muted if row.order.status == "pending" else None


def _side(row: WorkingRow) -> str:
    return side_colour(row.order.side)


MARKET = Column("Market", lambda r: r.order.market, LEFT)
SIDE = Column("Side", lambda r: r.order.side, LEFT, colour=_side)
TYPE = Column("Type", lambda r: r.order.type.replace("_", " "), LEFT)
PRICE = Column(
    "Price", lambda r: price_text(r.order.price), sort_key=lambda r: optional_key(r.order.price)
)
TRIGGER = Column(
    "Trigger",
    lambda r: price_text(r.order.trigger_price),
    sort_key=lambda r: optional_key(r.order.trigger_price),
)
SIZE = Column("Size", lambda r: size_text(r.order.size), sort_key=lambda r: r.order.size)
FILLED = Column("Filled", lambda r: size_text(r.order.filled), sort_key=lambda r: r.order.filled)
STATUS = Column("Status", _status, LEFT, colour=_status_colour)
TIME = Column(
    "Time", lambda r: time_text(r.created_at_ms), LEFT, sort_key=lambda r: r.created_at_ms or 0
)
CLIENT_ID = Column("Client id", lambda r: r.order.client_order_id, LEFT)

OPEN_COLUMNS = (MARKET, SIDE, TYPE, PRICE, TRIGGER, SIZE, FILLED, STATUS, TIME, CLIENT_ID)
PARENT_COLUMNS = (
    MARKET,
    SIDE,
    TYPE,
    PRICE,
    SIZE,
    FILLED,
    Column(
        "Progress",
        lambda r: f"{r.order.filled * 100 // r.order.size if r.order.size else 0}%",
        sort_key=lambda r: r.progress,
    ),
    Column("Children", lambda r: str(r.children), sort_key=lambda r: r.children),
    STATUS,
    TIME,
    CLIENT_ID,
)
PROGRESS = PARENT_COLUMNS.index(next(c for c in PARENT_COLUMNS if c.title == "Progress"))


class EditRefused(ValueError):
    """An edited price or size that cannot be sent; the message says why."""


def _units(text: str, parse, what: str, step_text: str | None, step_name: str) -> int:
    try:
        value = parse(text)
    except FixedPointError as error:
        raise EditRefused(str(error)) from None
    if value <= 0:
        raise EditRefused(f"the {what} must be above zero")
    if step_text:
        step = parse(step_text)
        if step > 0 and value % step:
            raise EditRefused(f"{what} {text} is not a multiple of the {step_name} {step_text}")
    return value


def parse_edit(row: WorkingRow, column: Column, text: str, spec: dict | None) -> int | None:
    """The units an edited cell asks for (None: unchanged), or `EditRefused`."""
    text = text.strip()
    spec = spec or {}
    if column is PRICE:
        price = _units(text, parse_price, "price", spec.get("tick_size"), "tick")
        return None if price == row.order.price else price
    size = _units(text, parse_base, "size", spec.get("lot_size"), "lot")
    if size <= row.order.filled:
        raise EditRefused(
            f"the new size must be larger than what already filled ({size_text(row.order.filled)})"
        )
    return None if size == row.order.size else size


class WorkingOrdersModel(RowsModel):
    """Working orders; the price and size of an order on the book are edited in place.

    An accepted edit is shown until the next change of the orders (which carries the new
    value, or, if the server refused it, brings the old one back)."""

    amend_requested = Signal(object, object, object)
    """(order id, price units or None, size units or None)"""
    edit_refused = Signal(str)

    def __init__(self, store: MarketStore, columns=OPEN_COLUMNS) -> None:
        super().__init__(columns)
        self.store = store
        self.pending: dict[tuple[int, int], str] = {}
        """Edited text shown until the orders change, by (order id, column)."""

    def flags(self, index):
        flags = super().flags(index)
        column = self.columns[index.column()]
        if index.isValid() and column in (PRICE, SIZE) and self.rows[index.row()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index, role=DISPLAY):
        if self.pending and role in (DISPLAY, EDIT, FONT) and index.isValid():
            key = (self.rows[index.row()].order.order_id, index.column())
            if key in self.pending:
                if role == FONT:
                    font = QtGui.QFont()
                    font.setItalic(True)
                    return font
                return self.pending[key]
        if role == EDIT and index.isValid():
            return self.text(index.row(), index.column())
        return super().data(index, role)

    def setData(self, index, value, role=EDIT) -> bool:  # noqa: N802
        if role != EDIT or not index.isValid():
            return False
        row: WorkingRow = self.rows[index.row()]
        column = self.columns[index.column()]
        if column not in (PRICE, SIZE) or not row.editable:
            return False
        spec = self.store.board.specs.get(row.order.market)
        try:
            units = parse_edit(row, column, str(value), spec)
        except EditRefused as refused:
            self.edit_refused.emit(f"order {row.order.order_id}: {refused}")
            return False
        if units is None:
            return False
        price, size = (units, None) if column is PRICE else (None, units)
        self.pending[(row.order.order_id, index.column())] = str(value).strip()
        self.dataChanged.emit(index, index)
        self.amend_requested.emit(row.order.order_id, price, size)
        return True

    def clear_pending(self) -> None:
        """Forget the edits shown (the orders changed); their cells repaint."""
        if not self.pending:
            return
        where = {row.order.order_id: r for r, row in enumerate(self.rows)}
        pending, self.pending = self.pending, {}
        for order_id, column in pending:
            if order_id in where:
                cell = self.index(where[order_id], column)
                self.dataChanged.emit(cell, cell)


class ProgressDelegate(QtWidgets.QStyledItemDelegate):
    """Paints a cell's `VALUE_ROLE` fraction as a bar under its text."""

    def paint(self, painter: QtGui.QPainter, option, index) -> None:
        fraction = index.data(VALUE_ROLE) or 0.0
        self.initStyleOption(option, index)
        text, option.text = option.text, ""
        widget = option.widget
        style = widget.style() if widget is not None else QtWidgets.QApplication.style()
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        palette = theme.current()
        track = option.rect.adjusted(4, 4, -4, -4)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor(palette.grid))
        painter.drawRoundedRect(track, 2, 2)
        done = QtCore.QRect(track)
        done.setWidth(round(track.width() * min(1.0, max(0.0, fraction))))
        if done.width() > 0:
            painter.setBrush(QtGui.QColor(palette.accent))
            painter.drawRoundedRect(done, 2, 2)
        painter.setPen(QtGui.QColor(palette.text))
        painter.drawText(track, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()


class ParentsModel(WorkingOrdersModel):
    """TWAP and iceberg parents; the progress column gives its fraction to the delegate."""

    def __init__(self, store: MarketStore) -> None:
        super().__init__(store, PARENT_COLUMNS)

    def flags(self, index):
        return RowsModel.flags(self, index)

    def data(self, index, role=DISPLAY):
        if role == VALUE_ROLE and index.isValid():
            return self.rows[index.row()].progress
        return RowsModel.data(self, index, role)


class _WorkingTab(TableTab):
    """What the two tabs of working orders share: rows from the store, cancelling."""

    cancel_order = Signal(object)
    cancel_all = Signal(object)

    def __init__(self, store: MarketStore, market: str, model: WorkingOrdersModel) -> None:
        super().__init__(model)
        self.store = store
        self.market = market
        self._seen: tuple = ()
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the selected orders (Delete)")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.view.delete_pressed.connect(self.cancel_selected)
        cancel = QtGui.QAction("Cancel selected", self.view)
        cancel.triggered.connect(self.cancel_selected)
        self.add_context_action(cancel)

    def cancel_selected(self) -> None:
        """Ask to cancel every selected order."""
        for row in self.selected_objects():
            self.cancel_order.emit(row.order.order_id)

    def wanted(self, order: OwnOrder) -> bool:
        """Whether the tab lists ``order``."""
        return True

    def refresh(self) -> None:
        """Follow the working orders (and the records that tell their time)."""
        history = self.store.history
        seen = (self.store.orders.version, history.version, self.market, self._scope())
        if seen == self._seen:
            return
        self._seen = seen
        self.model.clear_pending()
        orders = sorted(
            (o for o in self.store.orders.working.values() if self.wanted(o)),
            key=lambda o: o.order_id,
            reverse=True,
        )
        rows = []
        for order in orders:
            record = history.working.get(order.order_id)
            rows.append(
                WorkingRow(
                    order,
                    record.created_at_ms if record is not None else None,
                    history.child_count(order.order_id),
                )
            )
        self.model.sync(rows, key=lambda row: row.order.order_id)
        self.fit_columns()

    def _scope(self) -> object:
        return None


class OpenOrdersTab(_WorkingTab):
    """Every working order, with a toggle for the panel's market only."""

    name = "Open orders"
    amend_order = Signal(object, object, object)

    def __init__(self, store: MarketStore, market: str) -> None:
        model = WorkingOrdersModel(store)
        super().__init__(store, market, model)
        model.amend_requested.connect(self.amend_order)
        model.edit_refused.connect(lambda text: self.notice.emit(text, True))
        self.view.setEditTriggers(
            QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked
            | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.market_only = QtWidgets.QPushButton("This market only")
        self.market_only.setCheckable(True)
        self.market_only.setToolTip("List the working orders of the panel's market only")
        self.market_only.toggled.connect(lambda _: self.refresh())
        self.cancel_market_button = QtWidgets.QPushButton()
        self.cancel_market_button.clicked.connect(lambda: self.cancel_all.emit(self.market))
        self.cancel_everywhere_button = QtWidgets.QPushButton("Cancel all")
        self.cancel_everywhere_button.setToolTip("Cancel every working order in every market")
        self.cancel_everywhere_button.clicked.connect(lambda: self.cancel_all.emit(None))
        for widget in (
            self.market_only,
            self.cancel_button,
            self.cancel_market_button,
            self.cancel_everywhere_button,
        ):
            self.add_tool(widget)
        self.cancel_market_action = QtGui.QAction(self.view)
        self.cancel_market_action.triggered.connect(lambda: self.cancel_all.emit(self.market))
        self.add_context_action(self.cancel_market_action)
        everywhere = QtGui.QAction("Cancel all everywhere", self.view)
        everywhere.triggered.connect(lambda: self.cancel_all.emit(None))
        self.add_context_action(everywhere)
        self.show_market(market)

    def show_market(self, market: str) -> None:
        """Cancel-all-in-market (and the market-only toggle) now mean ``market``."""
        self.market = market
        self.cancel_market_button.setText(f"Cancel all {market}")
        self.cancel_market_button.setToolTip(f"Cancel every working order in {market}")
        self.cancel_market_action.setText(f"Cancel all in {market}")
        self.refresh()

    def wanted(self, order: OwnOrder) -> bool:
        return not self.market_only.isChecked() or order.market == self.market

    def _scope(self) -> object:
        return self.market_only.isChecked()


class ParentsTab(_WorkingTab):
    """Working TWAP and iceberg parents with their progress and children seen."""

    name = "Working parents"

    def __init__(self, store: MarketStore, market: str) -> None:
        super().__init__(store, market, ParentsModel(store))
        self.add_tool(self.cancel_button)
        self.view.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self.view))

    def show_market(self, market: str) -> None:
        """Parents of every market are listed; nothing to change."""
        self.market = market

    def wanted(self, order: OwnOrder) -> bool:
        return order.type in PARENT_TYPES
