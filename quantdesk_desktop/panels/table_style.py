"""The look every read-only table of the panels shares: whole-row selection, no editing,
no grid, alternating rows, fixed row height, no row numbers."""

from __future__ import annotations

from quantdesk_desktop.qt import QtWidgets


def style_table(view: QtWidgets.QTableView, row_height: int) -> None:
    """Give ``view`` the panels' table look, rows ``row_height`` pixels high."""
    view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setCornerButtonEnabled(False)
    vertical = view.verticalHeader()
    vertical.hide()
    vertical.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(row_height)
