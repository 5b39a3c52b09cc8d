"""The account health gauge: a 270° arc filled to the health, in the colour of the band it
is in (fine, warning, danger), with ticks at the two thresholds and the figure in the
middle. Painted by hand; repainted only when what it shows changes."""

from __future__ import annotations

from quantdesk_desktop import theme
from quantdesk_desktop.qt import Qt, QtCore, QtGui, QWidget
from quantdesk_desktop.state.alerts import Level, percent_text

START_DEG = 225.0
"""The arc starts at the bottom left (Qt angles: counter-clockwise from 3 o'clock)."""
SPAN_DEG = 270.0


def band_colour(level: Level) -> str:
    """The palette colour of a health band."""
    palette = theme.current()
    return {Level.OK: palette.bid, Level.WARNING: palette.warning, Level.DANGER: palette.danger}[
        level
    ]


class HealthGauge(QWidget):
    """Shows a health in ppm (None: not known yet)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.health: int | None = None
        self.warning = 300_000
        self.danger = 150_000
        self.level = Level.OK
        """The band the health is in (no hysteresis: what the colour says)."""
        self.caption = "Health"
        self.setMinimumSize(170, 150)
        self.setAccessibleName("Account health")

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802
        return QtCore.QSize(200, 176)

    def show_health(self, health: int | None, warning: int, danger: int, caption: str) -> None:
        """Show ``health`` against the thresholds (repaints only if something changed)."""
        if health is None:
            level = Level.OK
        elif health < danger:
            level = Level.DANGER
        elif health < warning:
            level = Level.WARNING
        else:
            level = Level.OK
        state = (health, warning, danger, caption, level)
        if state == (self.health, self.warning, self.danger, self.caption, self.level):
            return
        self.health, self.warning, self.danger, self.caption, self.level = state
        self.setToolTip(
            "Account health: 100 % is no risk, 0 % is at maintenance margin (liquidation).\n"
            f"Warning below {percent_text(warning, 0)}, danger below {percent_text(danger, 0)}."
        )
        self.update()

    def text(self) -> str:
        """The figure in the middle."""
        return "—" if self.health is None else percent_text(self.health)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        palette = theme.current()
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height() * 1.12) - 12
        thickness = max(6.0, side * 0.09)
        rect = QtCore.QRectF(
            (self.width() - side) / 2 + thickness / 2,
            6 + thickness / 2,
            side - thickness,
            side - thickness,
        )
        track = QtGui.QPen(QtGui.QColor(palette.grid), thickness)
        track.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(track)
        painter.drawArc(rect, int(START_DEG * 16), int(-SPAN_DEG * 16))
        if self.health is not None and self.health > 0:
            filled = QtGui.QPen(QtGui.QColor(band_colour(self.level)), thickness)
            filled.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(filled)
            span = SPAN_DEG * min(self.health, 1_000_000) / 1_000_000
            painter.drawArc(rect, int(START_DEG * 16), int(-span * 16))
        for threshold, colour in ((self.warning, palette.warning), (self.danger, palette.danger)):
            self._tick(painter, rect, thickness, threshold, colour)
        self._labels(painter, rect, palette)
        painter.end()

    def _tick(
        self,
        painter: QtGui.QPainter,
        rect: QtCore.QRectF,
        thickness: float,
        threshold: int,
        colour: str,
    ) -> None:
        """A short line across the arc where ``threshold`` is."""
        angle = START_DEG - SPAN_DEG * threshold / 1_000_000
        line = QtCore.QLineF.fromPolar(rect.width() / 2 + thickness * 0.9, angle)
        inner = QtCore.QLineF.fromPolar(rect.width() / 2 - thickness * 0.9, angle)
        centre = rect.center()
        painter.setPen(QtGui.QPen(QtGui.QColor(colour), 2))
        painter.drawLine(centre + inner.p2(), centre + line.p2())

    def _labels(self, painter: QtGui.QPainter, rect: QtCore.QRectF, palette: theme.Palette) -> None:
        """The figure in the middle, sized to sit inside the arc, and the caption."""
        inner = rect.width() * 0.72
        figure = QtGui.QFont(self.font())
        figure.setBold(True)
        figure.setPixelSize(max(12, int(rect.height() * 0.2)))
        while (
            figure.pixelSize() > 12
            and QtGui.QFontMetricsF(figure).horizontalAdvance(self.text()) > inner
        ):
            figure.setPixelSize(figure.pixelSize() - 1)
        painter.setFont(figure)
        colour = palette.muted if self.health is None else band_colour(self.level)
        painter.setPen(QtGui.QColor(colour))
        height = QtGui.QFontMetricsF(figure).height()
        middle = QtCore.QRectF(rect.left(), rect.center().y() - height * 0.7, rect.width(), height)
        painter.drawText(middle, Qt.AlignmentFlag.AlignCenter, self.text())
        small = QtGui.QFont(self.font())
        small.setPixelSize(max(10, int(rect.height() * 0.085)))
        painter.setFont(small)
        painter.setPen(QtGui.QColor(palette.muted))
        below = QtCore.QRectF(
            rect.left(), middle.bottom(), rect.width(), QtGui.QFontMetricsF(small).height() + 2
        )
        painter.drawText(below, Qt.AlignmentFlag.AlignCenter, self.caption)
