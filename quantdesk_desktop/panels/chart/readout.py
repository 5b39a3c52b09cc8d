"""What the mouse points at on the chart: the crosshair through it and the OHLCV readout
of the candle under it."""

from __future__ import annotations

from datetime import UTC, datetime

from quantdesk_desktop.qt import QLabel, Qt, QWidget  # before pyqtgraph: it binds to PySide6

# isort: split
import pyqtgraph as pg

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION, format_fixed
from quantdesk_desktop.state.candles import CandleSeries
from quantdesk_desktop.theme import Palette


class Crosshair:
    """Dashed lines through the mouse: a vertical one in every pane, a horizontal one in
    the pane it is over."""

    def __init__(self, palette: Palette) -> None:
        self._palette = palette
        self._lines: dict[str, tuple[pg.InfiniteLine, pg.InfiniteLine]] = {}

    def add_to(self, name: str, pane: pg.PlotWidget) -> None:
        """Give the pane ``name`` its (hidden) crosshair lines."""
        pen = pg.mkPen(self._palette.muted, style=Qt.PenStyle.DashLine)
        vertical = pg.InfiniteLine(angle=90, pen=pen)
        horizontal = pg.InfiniteLine(angle=0, pen=pen)
        for line in (vertical, horizontal):
            line.hide()
            pane.addItem(line, ignoreBounds=True)
        self._lines[name] = (vertical, horizontal)

    def move_to(self, x: float, y: float | None, pane: str) -> None:
        """Cross at time ``x`` in every pane and, in ``pane``, at value ``y``."""
        for name, (vertical, horizontal) in self._lines.items():
            vertical.setPos(x)
            vertical.show()
            horizontal.setVisible(name == pane and y is not None)
            if y is not None and name == pane:
                horizontal.setPos(y)

    def hide(self) -> None:
        """Hide the lines in every pane."""
        for vertical, horizontal in self._lines.values():
            vertical.hide()
            horizontal.hide()


class CandleReadout(QLabel):
    """The OHLCV of one candle as a line of text, over the price pane's top left corner,
    in the colour of the candle's direction."""

    def __init__(self, palette: Palette, parent: QWidget) -> None:
        super().__init__(parent)
        self._theme = palette
        self._colour = ""
        self.move(6, 4)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def show_candle(self, title: str, series: CandleSeries, index: int | None) -> None:
        """Show ``title`` and the candle ``index`` of ``series`` (None or past the end:
        the newest; no candles: the title alone)."""
        if index is None or index >= len(series):
            index = len(series) - 1
        text, colour = title, self._theme.text
        if index >= 0:
            opens, high, low, close, volume = series.ohlcv[index]
            start = datetime.fromtimestamp(series.times[index] / 1000.0, tz=UTC)
            shape = "%Y-%m-%d %H:%M:%S" if series.interval_ms < 60_000 else "%Y-%m-%d %H:%M"
            text += (
                f"  {start.strftime(shape)}  O {_price(opens)}  H {_price(high)}  "
                f"L {_price(low)}  C {_price(close)}  "
                f"V {format_fixed(round(volume * BASE_PRECISION), BASE_PRECISION)}"
            )
            colour = self._theme.bid if close >= opens else self._theme.ask
        if colour != self._colour:
            self._colour = colour
            self.setStyleSheet(f"color: {colour}; background: transparent; font-family: monospace;")
        self.setText(text)
        self.adjustSize()


def _price(value: float) -> str:
    """A candle's price (a float) as exact decimal text."""
    return format_fixed(round(value * PRICE_PRECISION), PRICE_PRECISION)
