"""One blotter tab: a tool row (a filter box, the tab's buttons, Export CSV) over a table
that sorts by its headers, copies the selected rows with Ctrl+C as tab-separated text and
exports the rows it shows to CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from quantdesk_desktop.panels.blotter.rows_model import RowsModel, RowsProxy
from quantdesk_desktop.panels.table_style import style_table
from quantdesk_desktop.qt import QApplication, Qt, QtCore, QtGui, QtWidgets, QWidget, Signal

FILTER_DELAY_MS = 200
"""The filter applies this long after the last key (each pass reads every row)."""
ROW_HEIGHT = 20


class BlotterView(QtWidgets.QTableView):
    """A table of whole rows: Ctrl+C copies them, Delete asks to cancel them."""

    delete_pressed = Signal()
    copy_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style_table(self, ROW_HEIGHT)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        header.setResizeContentsPrecision(200)
        header.setHighlightSections(False)
        self.setHorizontalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setStyleSheet("QTableView::item { padding: 0px 6px; }")  # numbers off the text

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        if event.matches(QtGui.QKeySequence.StandardKey.Copy):
            self.copy_pressed.emit()
            event.accept()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
            self.delete_pressed.emit()
            event.accept()
        else:
            super().keyPressEvent(event)


class TableTab(QWidget):
    """A filterable, sortable, copyable, exportable table over a `RowsModel`."""

    name = ""
    """The tab's title."""
    notice = Signal(str, bool)
    """Something to tell the user (text, whether it is an error)."""

    def __init__(self, model: RowsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = RowsProxy(model)
        self.view = BlotterView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.copy_pressed.connect(self.copy_selection)
        self.filter_box = QtWidgets.QLineEdit()
        self.filter_box.setPlaceholderText("Filter")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setMaximumWidth(220)
        self._filter_timer = QtCore.QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_box.textChanged.connect(self._filter_timer.start)
        self.filter_box.returnPressed.connect(self.apply_filter)
        self.export_button = QtWidgets.QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the rows shown (filtered and sorted) as CSV")
        self.export_button.clicked.connect(self._export_chosen)
        self.tools = QtWidgets.QHBoxLayout()
        self.tools.setContentsMargins(0, 0, 0, 0)
        self.tools.setSpacing(4)
        self.tools.addWidget(self.filter_box)
        self._tools_end = QtWidgets.QHBoxLayout()
        self._tools_end.setSpacing(4)
        self.tools.addStretch(1)
        self.tools.addLayout(self._tools_end)
        self._tools_end.addWidget(self.export_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(self.tools)
        layout.addWidget(self.view)
        copy = QtGui.QAction("Copy rows", self.view)
        copy.triggered.connect(self.copy_selection)
        self.add_context_action(copy)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._sized = False

    # -- tool row and menu --------------------------------------------------------------

    def add_tool(self, widget: QWidget) -> None:
        """Put ``widget`` in the tool row, before Export."""
        self._tools_end.insertWidget(self._tools_end.count() - 1, widget)

    def add_context_action(self, action: QtGui.QAction) -> None:
        """Offer ``action`` on the table's context menu."""
        self.view.addAction(action)

    def fit_columns(self) -> None:
        """Size the columns to their text once, when the first rows arrive."""
        if self._sized or not self.model.rows:
            return
        self._sized = True
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for column in range(self.model.columnCount()):
            header.resizeSection(column, header.sectionSize(column) + 8)

    # -- what the table shows -----------------------------------------------------------

    def apply_filter(self) -> None:
        """Filter by the text in the filter box now."""
        self._filter_timer.stop()
        self.proxy.set_filter(self.filter_box.text())

    def set_filter(self, text: str) -> None:
        """Type ``text`` into the filter box and apply it."""
        self.filter_box.setText(text)
        self.apply_filter()

    def visible_rows(self) -> list[int]:
        """The model's rows as the table shows them (filtered, in display order)."""
        proxy = self.proxy
        return [proxy.mapToSource(proxy.index(r, 0)).row() for r in range(proxy.rowCount())]

    def selected_rows(self) -> list[int]:
        """The model's rows selected, top to bottom."""
        proxy = self.proxy
        chosen = sorted(
            row
            for span in self.view.selectionModel().selection()
            for row in range(span.top(), span.bottom() + 1)
        )
        return [proxy.mapToSource(proxy.index(row, 0)).row() for row in dict.fromkeys(chosen)]

    def selected_objects(self) -> list:
        """The row objects selected, top to bottom."""
        return [self.model.rows[r] for r in self.selected_rows()]

    def row_texts(self, row: int) -> list[str] | tuple[str, ...]:
        """A model row's cell texts."""
        return self.model.row_texts(row)

    def copy_selection(self) -> str:
        """Put the selected rows on the clipboard as tab-separated text; the text."""
        text = "".join("\t".join(self.row_texts(r)) + "\n" for r in self.selected_rows())
        if text:
            QApplication.clipboard().setText(text)
        return text

    def export_csv(self, path: str | Path) -> int:
        """Write the rows shown (filtered, in display order) with a header line to
        ``path`` as CSV; the number of rows written."""
        rows = self.visible_rows()
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([column.title for column in self.model.columns])
            for row in rows:
                writer.writerow(self.row_texts(row))
        return len(rows)

    def choose_export_path(self) -> str:
        """Ask where to save the CSV ("" if the user gave up)."""
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, f"Export {self.name}", f"{self.name.lower().replace(' ', '-')}.csv", "CSV (*.csv)"
        )
        return path

    def _export_chosen(self) -> None:
        path = self.choose_export_path()
        if not path:
            return
        try:
            count = self.export_csv(path)
        except OSError as error:
            self.notice.emit(f"not exported: {error}", True)
        else:
            self.notice.emit(f"{count} rows exported to {path}", False)

    def refresh(self) -> None:
        """Once a frame: take what changed in the store."""
