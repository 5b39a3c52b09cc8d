"""One row of the ticket's form: its inputs on a line, a muted hint and an error below."""

from __future__ import annotations

from quantdesk_desktop.qt import QLabel, QtWidgets, QWidget


class FieldRow(QWidget):
    """One input row: its widgets on a line, and an error line below them when needed."""

    def __init__(self, *widgets: QWidget, stretch: int = 0) -> None:
        super().__init__()
        line = QtWidgets.QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(4)
        for index, widget in enumerate(widgets):
            line.addWidget(widget, 1 if index == stretch else 0)
        self.error = QLabel()
        self.error.setObjectName("ticketFieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.hint = QLabel()
        self.hint.setObjectName("ticketHint")
        self.hint.hide()
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addLayout(line)
        column.addWidget(self.hint)
        column.addWidget(self.error)
        self.inputs = widgets

    def set_error(self, text: str, marked: QWidget | None = None) -> None:
        """Show ``text`` under the row (blank: none) and outline the input it concerns
        (``marked``, else the row's first)."""
        self.error.setText(text)
        self.error.setVisible(bool(text))
        marked = marked or self.inputs[0]
        for widget in self.inputs:
            wrong = bool(text) and widget is marked
            if widget.property("error") != wrong:
                widget.setProperty("error", wrong)
                widget.style().unpolish(widget)
                widget.style().polish(widget)

    def set_hint(self, text: str) -> None:
        """A muted line under the row (blank: none)."""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
