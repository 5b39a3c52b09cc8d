"""A line edit for a fixed-point amount on a grid (tick, lot): typed freely as decimal
text, snapped onto the grid when editing finishes, stepped with the arrow keys and the
wheel. The value is an integer of units, so no float ever stands for a price or size."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from backend.domain.fixed_point import FixedPointError, format_fixed, parse_fixed
from quantdesk_desktop.qt import QtCore, QtGui, QtWidgets, QWidget, Signal

_TYPING = QtCore.QRegularExpression(r"^\d*\.?\d*$")


class DecimalEdit(QtWidgets.QLineEdit):
    """A non-negative amount in units of ``1 / precision``, on a grid of ``grid`` units.

    ``rounding`` is how typed text snaps: ``nearest`` (prices) or ``down`` (sizes: never
    more than was typed).
    """

    snapped = Signal()
    """Editing finished and the text was moved onto the grid (or was on it)."""

    def __init__(
        self,
        precision: int,
        grid: int = 1,
        rounding: str = "nearest",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.precision = precision
        self.grid = max(1, grid)
        self.rounding = rounding
        self.setValidator(QtGui.QRegularExpressionValidator(_TYPING, self))
        self.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        self.editingFinished.connect(self.snap)

    def set_grid(self, grid: int, precision: int | None = None) -> None:
        """Step and snap on ``grid`` units (of ``precision``, when it changes too)."""
        if precision is not None:
            self.precision = precision
        self.grid = max(1, grid)

    def decimals(self) -> int:
        """Decimal places the grid needs."""
        return len(format_fixed(self.grid, self.precision).partition(".")[2])

    def value(self) -> int | None:
        """The amount in units as typed (None when blank or not a number at this
        precision); not necessarily on the grid until editing finishes."""
        text = self.text().strip()
        if not text or text == ".":
            return None
        try:
            return parse_fixed(text, self.precision)
        except FixedPointError:
            return None

    def set_value(self, units: int | None) -> None:
        """Show ``units`` (None: blank) with the grid's decimal places."""
        if units is None:
            self.setText("")
            return
        text = format_fixed(units, self.precision)
        whole, _, frac = text.partition(".")
        places = self.decimals()
        if len(frac) < places:
            text = f"{whole}.{frac.ljust(places, '0')}"
        self.setText(text)

    def snap(self) -> None:
        """Move what was typed onto the grid."""
        text = self.text().strip()
        if not text or text == ".":
            self.snapped.emit()
            return
        try:
            units = Decimal(text) * self.precision / self.grid
        except InvalidOperation:
            return
        mode = ROUND_FLOOR if self.rounding == "down" else ROUND_HALF_UP
        steps = int(units.to_integral_value(rounding=mode))
        self.set_value(steps * self.grid)
        self.snapped.emit()

    def step(self, steps: int) -> None:
        """Move ``steps`` grid steps (never below one step)."""
        current = self.value()
        if current is None:
            return
        on_grid = current // self.grid * self.grid
        if steps < 0 and on_grid != current:
            steps += 1
        self.set_value(max(self.grid, on_grid + steps * self.grid))

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (QtCore.Qt.Key.Key_Up, QtCore.Qt.Key.Key_Down):
            self.step(1 if key == QtCore.Qt.Key.Key_Up else -1)
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QtGui.QWheelEvent) -> None:  # noqa: N802
        if self.hasFocus() and event.angleDelta().y():
            self.step(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)
