"""A banner across the top of the main window that flashes in the alert's colour, stays a
while and can be closed: what the user sees of an alert whatever panels are open."""

from __future__ import annotations

from quantdesk_desktop import theme
from quantdesk_desktop.qt import QLabel, Qt, QtCore, QtGui, QtWidgets, QWidget
from quantdesk_desktop.state.alerts import Alert, Level

FLASH_MS = 220
FLASHES = 8
"""Colour changes of the flash (an even number ends on the alert's colour)."""
SHOW_MS = {Level.WARNING: 15_000, Level.DANGER: 60_000}
"""How long the banner stays (a danger stays a minute, or until closed)."""
MAX_WIDTH = 960
MARGIN = 8


class AlertBanner(QtWidgets.QFrame):
    """Floats over the top of ``window``'s docks; hidden until an alert comes."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("alertBanner")
        self.setAutoFillBackground(True)
        self.icon = QLabel()
        self.title = QLabel()
        self.title.setObjectName("alertTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        words = QtWidgets.QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title)
        words.addWidget(self.text)
        self.close_button = QtWidgets.QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(12, 8, 6, 8)
        row.setSpacing(10)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.alert: Alert | None = None
        self._flashes_left = 0
        self._flash_timer = QtCore.QTimer(self)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self._flash)
        self._hide_timer = QtCore.QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.hide)
        window.installEventFilter(self)
        self.hide()

    def show_alert(self, alert: Alert, more: int = 0) -> None:
        """Show ``alert`` (and say how many others came with it), flashing."""
        self.alert = alert
        extra = f"  (+{more} more)" if more else ""
        self.title.setText(f"{alert.title}{extra}")
        self.text.setText(alert.body)
        self.setToolTip(f"{alert.title}: {alert.body}")
        self._flashes_left = FLASHES
        self._paint(bright=True)
        self._flash_timer.start()
        self._hide_timer.start(SHOW_MS.get(alert.level, SHOW_MS[Level.WARNING]))
        self.place()
        self.show()
        self.raise_()

    def colour(self) -> str:
        """The shown alert's colour (``#rrggbb``)."""
        palette = theme.current()
        if self.alert is not None and self.alert.level is Level.DANGER:
            return palette.danger
        return palette.warning

    def _flash(self) -> None:
        self._flashes_left -= 1
        self._paint(bright=self._flashes_left % 2 == 0)
        if self._flashes_left <= 0:
            self._flash_timer.stop()

    def _paint(self, bright: bool) -> None:
        base = QtGui.QColor(self.colour())
        fill = base if bright else base.lighter(140)
        ink = "#ffffff" if fill.lightness() < 150 else "#15191e"
        self.icon.setPixmap(_mark(ink))
        self.setStyleSheet(
            f"QFrame#alertBanner {{ background-color: {fill.name()}; border-radius: 4px; }}"
            f"QFrame#alertBanner QLabel {{ color: {ink}; background: transparent; }}"
            "QFrame#alertBanner QLabel#alertTitle { font-weight: bold; font-size: 11pt; }"
            f"QFrame#alertBanner QToolButton {{ color: {ink}; background: transparent;"
            " border: none; }"
        )

    def place(self) -> None:
        """Across the top of the window, under its menu bar."""
        window = self.parentWidget()
        if window is None:
            return
        top = MARGIN
        if isinstance(window, QtWidgets.QMainWindow) and window.menuWidget() is not None:
            top += window.menuWidget().geometry().bottom() + 1
        width = max(200, min(MAX_WIDTH, window.width() - 2 * MARGIN))
        height = self.heightForWidth(width) if self.hasHeightForWidth() else -1
        height = max(height, self.sizeHint().height())
        self.setGeometry((window.width() - width) // 2, top, width, height)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if watched is self.parentWidget() and event.type() == QtCore.QEvent.Type.Resize:
            self.place()
        return False


def _mark(ink: str) -> QtGui.QPixmap:
    """An exclamation mark in a ring, in the banner's ink (visible on any alert colour)."""
    ratio = 2
    pixmap = QtGui.QPixmap(22 * ratio, 22 * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    pen = QtGui.QPen(QtGui.QColor(ink), 2)
    painter.setPen(pen)
    painter.drawEllipse(QtCore.QRectF(2, 2, 18, 18))
    pen.setWidthF(2.4)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawLine(QtCore.QPointF(11, 6.5), QtCore.QPointF(11, 12.5))
    painter.drawPoint(QtCore.QPointF(11, 16))
    painter.end()
    return pixmap
