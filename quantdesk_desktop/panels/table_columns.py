"""Columns declared as data, for the panels' table models: a new column is one line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quantdesk_desktop.qt import Qt, QtCore, QtGui

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True, slots=True)
class Column:
    """A title, how to get the cell's text from a row, and how to show it."""

    title: str
    text: Callable[[Any], str]
    align: Qt.AlignmentFlag = RIGHT
    colour: Callable[[Any], str | None] | None = None
    """The cell's text colour (``#rrggbb``) for a row, or None for the default."""
    sort_key: Callable[[Any], Any] | None = None


class ColumnsModel(QtCore.QAbstractTableModel):
    """A table of rows shown through `columns`: subclasses say how many rows there are
    (`row_count`), what object a row shows (`row_object`) and, if they keep texts,
    the text of a cell (`cell_text`, by default the column's text of the row object)."""

    columns: tuple[Column, ...] = ()

    def row_count(self) -> int:
        """How many rows there are."""
        raise NotImplementedError

    def row_object(self, row: int) -> Any:
        """The object row ``row`` shows."""
        raise NotImplementedError

    def cell_text(self, row: int, column: int) -> str:
        """The text of a cell."""
        return self.columns[column].text(self.row_object(row))

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            colour = column.colour(self.row_object(index.row()))
            return QtGui.QColor(colour) if colour else None
        return None
