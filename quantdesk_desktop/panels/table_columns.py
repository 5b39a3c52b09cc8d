"""Columns declared as data, for the panels' table models: a new column is one line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quantdesk_desktop.qt import Qt

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
