"""The blotter's table model: rows held in a Python list, shown through declarative
`Column`s, changed by inserting, removing or replacing rows with only those rows (or
cells) signalled, and sorted here rather than in the proxy.

Why sort here: `QSortFilterProxyModel` sorts by calling ``data()`` twice per comparison,
and each call crosses into Python; 50,000 rows took 3.7 s that way. Python's own sort of
the same rows by a key takes a few tens of milliseconds. So the proxy (`RowsProxy`) keeps
the source order and only filters, and its ``sort`` hands the work to `RowsModel.sort`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from quantdesk_desktop.panels.table_columns import Column
from quantdesk_desktop.qt import Qt, QtCore, QtGui

SEARCH_ROLE = Qt.ItemDataRole.UserRole.value + 1
"""A row's text in every column, lower case (what the filter box matches)."""
VALUE_ROLE = Qt.ItemDataRole.UserRole.value + 2
"""A cell's value for a delegate that paints it (the progress bar's fraction)."""
BULK = 256
"""More rows than this added to a sorted table are put on top and sorted in one pass
(one layout change) instead of being placed one by one."""
TEXTS_KEPT = 4_000
"""Rows whose cell texts are kept for painting (the ones on screen, and some)."""

# Roles arrive as plain ints; comparing with these is far cheaper than looking the enum up.
DISPLAY = Qt.ItemDataRole.DisplayRole.value
EDIT = Qt.ItemDataRole.EditRole.value
FONT = Qt.ItemDataRole.FontRole.value
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
FOREGROUND = Qt.ItemDataRole.ForegroundRole.value

_NO_PARENT = QtCore.QModelIndex()
_colours: dict[str, QtGui.QColor] = {}


def _colour(name: str) -> QtGui.QColor:
    colour = _colours.get(name)
    if colour is None:
        colour = _colours[name] = QtGui.QColor(name)
    return colour


class _Reversed(Sequence):
    """A descending list seen ascending, for `bisect`."""

    def __init__(self, items: list) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):  # type: ignore[override]
        return self.items[len(self.items) - 1 - i]


class RowsModel(QtCore.QAbstractTableModel):
    """Rows of any objects, shown by ``columns``.

    ``natural`` is the order the rows come in (newest first, or by a stable key) and is what
    an unsorted table shows; once sorted by a column, ``rows`` is its own list in that
    order with each row's sort key beside it in ``_keys``, so a new row finds its place by
    bisection."""

    def __init__(self, columns: Sequence[Column]) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self._alignments = tuple(int(column.align) for column in self.columns)
        self.natural: list = []
        self.rows: list = self.natural
        """The rows in display order (``natural`` itself while unsorted)."""
        self.sort_column: int | None = None
        self.descending = False
        self._keys: list = []
        # Rows are snapshots that never change (a change is a new row object), so their
        # texts are kept, by id with the row itself (which keeps the id from being reused).
        self._texts: dict[int, tuple[Any, tuple[str, ...]]] = {}
        self._search: dict[int, tuple[Any, str]] = {}
        self.changed_cells = 0
        """Cells signalled as changed by the last `sync` (for tests and measurements)."""

    # -- Qt's table API -----------------------------------------------------------------

    def rowCount(self, parent=_NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == DISPLAY:
            return self.columns[section].title
        if role == ALIGNMENT:  # titles line up with their numbers
            return self._alignments[section]
        return None

    def data(self, index, role=DISPLAY):
        r = index.row()
        if r < 0:
            return None
        if role == DISPLAY:
            return self.texts(self.rows[r])[index.column()]
        if role == ALIGNMENT:
            return self._alignments[index.column()]
        if role == FOREGROUND:
            colour = self.columns[index.column()].colour
            name = colour(self.rows[r]) if colour is not None else None
            return _colour(name) if name else None
        if role == SEARCH_ROLE:
            return self.search_text(self.rows[r])
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Show the rows sorted by ``column`` (below 0: in their natural order)."""
        self.layoutAboutToBeChanged.emit()
        before = self.rows
        persistent = self.persistentIndexList()
        self.descending = order == Qt.SortOrder.DescendingOrder
        if column < 0 or column >= len(self.columns):
            self.sort_column, self.rows, self._keys = None, self.natural, []
        else:
            self.sort_column = column
            self._order_rows()
        if persistent:
            where = {id(row): i for i, row in enumerate(self.rows)}
            moved = [
                self.index(where[id(before[p.row()])], p.column()) if p.isValid() else p
                for p in persistent
            ]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # -- reading ------------------------------------------------------------------------

    def text(self, row_index: int, column_index: int) -> str:
        """A cell's text."""
        return self.texts(self.rows[row_index])[column_index]

    def texts(self, row: Any) -> tuple[str, ...]:
        """The row's cell texts."""
        kept = self._texts.get(id(row))
        if kept is not None:
            return kept[1]
        if len(self._texts) >= TEXTS_KEPT:
            self._texts.clear()
        texts = tuple([column.text(row) for column in self.columns])
        self._texts[id(row)] = (row, texts)
        return texts

    def row_texts(self, row_index: int) -> tuple[str, ...] | list[str]:
        """A row's cell texts, read without keeping them (for copying and exporting)."""
        row = self.rows[row_index]
        kept = self._texts.get(id(row))
        return kept[1] if kept is not None else [column.text(row) for column in self.columns]

    def search_text(self, row: Any) -> str:
        """The row's text in every column, lower case (kept while filtering)."""
        kept = self._search.get(id(row))
        if kept is not None:
            return kept[1]
        if len(self._search) > 2 * len(self.rows) + 1_000:
            self._search.clear()
        kept = self._texts.get(id(row))
        texts = kept[1] if kept is not None else [column.text(row) for column in self.columns]
        text = "\t".join(texts).lower()
        self._search[id(row)] = (row, text)
        return text

    def _forget(self, rows: Iterable) -> None:
        """Drop what is kept of rows that left."""
        for row in rows:
            self._texts.pop(id(row), None)
            self._search.pop(id(row), None)

    def sort_key(self, row: Any) -> Any:
        """``row``'s key in the column sorted by."""
        assert self.sort_column is not None
        column = self.columns[self.sort_column]
        return column.sort_key(row) if column.sort_key is not None else column.text(row)

    # -- changing -----------------------------------------------------------------------

    def reset(self, natural: Iterable) -> None:
        """Show exactly these rows (in their natural order)."""
        self.beginResetModel()
        self.natural = list(natural)
        self._texts.clear()
        self._search.clear()
        if self.sort_column is None:
            self.rows = self.natural
        else:
            self._order_rows()
        self.endResetModel()

    def add(self, new: list, at_top: bool) -> None:
        """Add rows (in natural order) above or below the natural order's rows."""
        if not new:
            return
        if self.sort_column is None:
            first = 0 if at_top else len(self.rows)
            self.beginInsertRows(_NO_PARENT, first, first + len(new) - 1)
            if at_top:
                self.natural[:0] = new
            else:
                self.natural.extend(new)
            self.endInsertRows()
            return
        if at_top:
            self.natural[:0] = new
        else:
            self.natural.extend(new)
        if len(new) > BULK:
            self.beginInsertRows(_NO_PARENT, 0, len(new) - 1)
            self.rows[:0] = new
            self._keys[:0] = [None] * len(new)
            self.endInsertRows()
            self.sort(self.sort_column, self._order())
            return
        for row in new:
            self._place(row)

    def insert_natural(self, position: int, row: Any) -> None:
        """Insert one row at ``position`` of the natural order."""
        if self.sort_column is None:
            self.beginInsertRows(_NO_PARENT, position, position)
            self.natural.insert(position, row)
            self.endInsertRows()
        else:
            self.natural.insert(position, row)
            self._place(row)

    def remove(self, doomed: Iterable) -> None:
        """Remove these row objects (each contiguous run of them signalled once)."""
        doomed = list(doomed)
        ids = {id(row) for row in doomed}
        if not ids:
            return
        self._forget(doomed)
        if self.sort_column is not None:
            self.natural[:] = [row for row in self.natural if id(row) not in ids]
        positions = [i for i, row in enumerate(self.rows) if id(row) in ids]
        for first, last in reversed(_runs(positions)):
            self.beginRemoveRows(_NO_PARENT, first, last)
            del self.rows[first : last + 1]
            if self.sort_column is not None:
                del self._keys[first : last + 1]
            self.endRemoveRows()

    def trim(self, count: int) -> None:
        """Remove the last ``count`` rows of the natural order."""
        count = min(count, len(self.natural))
        if count <= 0:
            return
        if self.sort_column is None:
            first = len(self.rows) - count
            self.beginRemoveRows(_NO_PARENT, first, len(self.rows) - 1)
            self._forget(self.rows[first:])
            del self.rows[first:]
            self.endRemoveRows()
        else:
            self.remove(self.natural[-count:])

    def sync(self, fresh: list, key: Callable[[Any], Hashable]) -> None:
        """Become ``fresh`` (the rows in natural order, each known by ``key``): rows gone
        are removed, new ones inserted, and of the others only the cells whose text
        changed are signalled. For tables of working orders and positions, where rows
        are few and change in place."""
        self.changed_cells = 0
        wanted = {key(row): row for row in fresh}
        gone = [row for row in self.natural if key(row) not in wanted]
        self.remove(gone)
        natural_at = {key(row): i for i, row in enumerate(self.natural)}
        shown_at = {key(row): i for i, row in enumerate(self.rows)}
        resort = False
        for k, row in wanted.items():
            if k not in natural_at:
                continue
            old = self.natural[natural_at[k]]
            if old == row:
                continue
            self.natural[natural_at[k]] = row
            r = shown_at[k]
            if self.rows is not self.natural:
                self.rows[r] = row
                new_key = self.sort_key(row)
                resort = resort or new_key != self._keys[r]
                self._keys[r] = new_key
            self._signal_changed(r, old, row)
        for position, row in enumerate(fresh):
            if key(row) not in natural_at:
                self.insert_natural(position, row)
        if resort:
            self.sort(self.sort_column if self.sort_column is not None else -1, self._order())

    # -- inside -------------------------------------------------------------------------

    def _order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder

    def _order_rows(self) -> None:
        keys = [self.sort_key(row) for row in self.natural]
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=self.descending)
        self.rows = [self.natural[i] for i in order]
        self._keys = [keys[i] for i in order]

    def _place(self, row: Any) -> None:
        """Insert ``row`` where the sort puts it."""
        key = self.sort_key(row)
        if self.descending:
            position = len(self._keys) - bisect_left(_Reversed(self._keys), key)
        else:
            position = bisect_right(self._keys, key)
        self.beginInsertRows(_NO_PARENT, position, position)
        self.rows.insert(position, row)
        self._keys.insert(position, key)
        self.endInsertRows()

    def _signal_changed(self, r: int, old: Any, new: Any) -> None:
        before, after = self.texts(old), self.texts(new)
        self._forget((old,))
        changed = [c for c in range(len(self.columns)) if before[c] != after[c]]
        if changed:
            self.changed_cells += len(changed)
            self.dataChanged.emit(self.index(r, min(changed)), self.index(r, max(changed)))


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as (first, last) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


class RowsProxy(QtCore.QSortFilterProxyModel):
    """Filters a `RowsModel` by the text typed in a filter box (any column containing it,
    case aside); sorting is passed on to the model (see the module's docstring).

    A new filter is applied as one layout change: Qt's own incremental filtering signals
    each run of rows that goes or comes, and with rows interleaved (every third a BTC fill)
    that is thousands of signals, most of a second for 50,000 rows."""

    def __init__(self, model: RowsModel) -> None:
        super().__init__()
        self.model = model
        self.needle = ""
        self.setSourceModel(model)

    def set_filter(self, text: str) -> None:
        """Keep the rows whose text contains ``text`` ("" keeps every row)."""
        needle = text.strip().lower()
        if needle != self.needle:
            self.needle = needle
            self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        needle = self.needle
        return not needle or needle in self.model.search_text(self.model.rows[source_row])

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.model.sort(column, order)
