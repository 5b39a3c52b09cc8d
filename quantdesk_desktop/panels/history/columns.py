"""The History panel's table models and their columns: cells answered quickly (a view
asks ``data()`` for every role of every visible cell at each paint, a call into Python
each), titles aligned as their cells are (a number's title over the right edge of its
numbers), and widths fitted to a sample of rows measured with the view's font.

Why not `QTableView.resizeColumnsToContents`: it asks for every sampled cell through
``data()``, and a page of fills took about 100 ms that way."""

from __future__ import annotations

from quantdesk_desktop.panels.table_columns import ColumnsModel
from quantdesk_desktop.qt import Qt, QtGui, QtWidgets

ROW_HEIGHT = 20
"""Every table's rows are this tall (fixed: Qt never measures them)."""
TEXTS_KEPT = 4_000
"""Rows whose texts are kept (those on screen, and some)."""
FIT_SAMPLE = 40
"""Rows measured (the first ones, and a totals row at the end)."""
CELL_ROOM = 20
"""Room beside a cell's text (its padding)."""
TITLE_ROOM = 28
"""Room beside a title (its padding and the sort arrow)."""


# Roles arrive as plain ints; comparing with these is far cheaper than with the enum.
DISPLAY = Qt.ItemDataRole.DisplayRole.value
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
FONT = Qt.ItemDataRole.FontRole.value
HORIZONTAL = Qt.Orientation.Horizontal
_colours: dict[str, QtGui.QColor] = {}


def _colour(name: str) -> QtGui.QColor:
    colour = _colours.get(name)
    if colour is None:
        colour = _colours[name] = QtGui.QColor(name)
    return colour


class TableModel(ColumnsModel):
    """Rows shown through `columns`, each row's texts made once (`forget_texts` when the
    rows change), and titles aligned as their cells."""

    def __init__(self) -> None:
        super().__init__()
        self._texts: dict[int, tuple[str, ...]] = {}

    def forget_texts(self) -> None:
        """The rows changed: make their texts again."""
        self._texts.clear()

    def row_texts(self, row: int) -> tuple[str, ...]:
        """Row ``row``'s cell texts."""
        texts = self._texts.get(row)
        if texts is None:
            if len(self._texts) >= TEXTS_KEPT:  # a table scrolled far: keep the ones near
                self._texts.clear()
            shown = self.row_object(row)
            texts = self._texts[row] = tuple([c.text(shown) for c in self.columns])
        return texts

    def cell_text(self, row: int, column: int) -> str:
        return self.row_texts(row)[column]

    def font(self, row: int) -> QtGui.QFont | None:
        """Row ``row``'s font (None: the view's)."""
        return None

    def data(self, index, role=DISPLAY):
        if role == DISPLAY:
            return self.row_texts(index.row())[index.column()]
        if role == ALIGNMENT:
            return int(self.columns[index.column()].align)
        if role == FOREGROUND:
            colour = self.columns[index.column()].colour
            name = colour(self.row_object(index.row())) if colour is not None else None
            return _colour(name) if name else None
        if role == FONT:
            return self.font(index.row())
        return None

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802
        if role == ALIGNMENT and orientation == HORIZONTAL:
            return int(self.columns[section].align)
        return super().headerData(section, orientation, role)


def fit_columns(view: QtWidgets.QTableView, model: TableModel) -> None:
    """Size each column to its title and to the texts of the first rows and of a last
    row in its own (bold) font, a totals row."""
    count = model.row_count()
    if not count:
        return
    view.ensurePolished()  # the style sheet's font, not the default one
    plain = view.fontMetrics()
    bold_font = QtGui.QFont(view.font())
    bold_font.setBold(True)
    bold = QtGui.QFontMetrics(bold_font)
    titles = view.horizontalHeader().fontMetrics()
    rows = list(range(min(count, FIT_SAMPLE)))
    if count > FIT_SAMPLE and model.font(count - 1) is not None:
        rows.append(count - 1)  # a totals row
    header = view.horizontalHeader()
    for index, column in enumerate(model.columns):
        width = titles.horizontalAdvance(column.title) + TITLE_ROOM
        for row in rows:
            metrics = bold if model.font(row) is not None else plain
            width = max(width, metrics.horizontalAdvance(model.cell_text(row, index)) + CELL_ROOM)
        header.resizeSection(index, width)
