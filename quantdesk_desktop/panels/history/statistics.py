"""The History panel's statistics: a grid of tiles, a caption over a figure, gains in the
bid colour and losses in the ask colour (by a ``tone`` property the panel's style sheet
colours)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quantdesk_desktop.cache.queries import HistorySummary
from quantdesk_desktop.panels.history import cells
from quantdesk_desktop.panels.history.breakdown import funding_counted
from quantdesk_desktop.qt import QLabel, Qt, QtCore, QtWidgets, QWidget

MOST_COLUMNS = 4
FEWEST_COLUMNS = 2
MARGINS = 16


@dataclass(frozen=True, slots=True)
class Statistic:
    """A tile: its caption, its text for a summary, the amount its colour follows (None:
    plain) and what it means (the tooltip)."""

    caption: str
    text: Callable[[HistorySummary], str]
    signed: Callable[[HistorySummary], int | None]
    tip: str


def _none(_summary: HistorySummary) -> None:
    return None


def _net(s: HistorySummary) -> int:
    return s.net_with_funding if funding_counted(s) else s.totals.net


def _funding(s: HistorySummary) -> int | None:
    return s.funding if funding_counted(s) else None


def _loss(s: HistorySummary) -> int | None:
    worst = s.totals.worst
    return worst if worst is not None and worst < 0 else None


def _win_rate(s: HistorySummary) -> str:
    wins, closes = s.totals.win_rate()
    if not closes:
        return cells.NONE
    return f"{cells.share(wins, closes)}  ({wins:,} of {closes:,})"


def _profit_factor(s: HistorySummary) -> str:
    factor = s.totals.profit_factor()
    if factor is None:
        return "∞" if s.totals.win_sum > 0 else cells.NONE
    return cells.ratio(factor)


STATISTICS = (
    Statistic(
        "Net PnL",
        lambda s: cells.usdc(_net(s)),
        _net,
        "Realised PnL less fees, plus funding (without funding when a side or order type "
        "is chosen)",
    ),
    Statistic(
        "Realised PnL",
        lambda s: cells.usdc(s.totals.realised),
        lambda s: s.totals.realised,
        "PnL realised by reducing or closing positions, before fees",
    ),
    Statistic("Fees", lambda s: cells.usdc(s.totals.fees), _none, "Trading fees paid"),
    Statistic(
        "Funding",
        lambda s: cells.usdc(_funding(s)),
        _funding,
        "Funding received (negative: paid); funding has no side or order type",
    ),
    Statistic("Trades", lambda s: f"{s.totals.fills:,}", _none, "Fills in the range"),
    Statistic(
        "Win rate",
        _win_rate,
        _none,
        "Closing fills (those that realised PnL) whose PnL beat their fee",
    ),
    Statistic(
        "Average win",
        lambda s: cells.usdc(s.totals.average_win()),
        lambda s: s.totals.average_win(),
        "Mean net PnL of the winning closes",
    ),
    Statistic(
        "Average loss",
        lambda s: cells.usdc(s.totals.average_loss()),
        lambda s: s.totals.average_loss(),
        "Mean net PnL of the losing closes",
    ),
    Statistic("Profit factor", _profit_factor, _none, "Gross wins over gross losses (net of fees)"),
    Statistic(
        "Largest loss",
        lambda s: cells.usdc(_loss(s)),
        _loss,
        "The worst net PnL of a single closing fill",
    ),
    Statistic(
        "Max drawdown",
        lambda s: cells.usdc(s.max_drawdown or None),
        lambda s: s.max_drawdown,
        "The deepest fall of the PnL curve below its running peak",
    ),
    Statistic(
        "Closing trades",
        lambda s: f"{s.totals.closes:,}",
        _none,
        "Fills that reduced or closed a position",
    ),
)


def _set_tone(label: QLabel, tone: str) -> None:
    """Colour a figure by its ``tone`` property (the panel's style sheet has the colours)."""
    if label.property("tone") != tone:
        label.setProperty("tone", tone)
        label.style().unpolish(label)
        label.style().polish(label)


class StatisticsGrid(QWidget):
    """The statistics of a summary, four tiles a row (fewer in a narrow dock)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyStats")
        self.values: dict[str, QLabel] = {}
        self.tiles: list[QWidget] = []
        self.grid = QtWidgets.QGridLayout(self)
        # the widget's minimum is this class's (see minimumSizeHint), not the layout's
        self.grid.setSizeConstraint(QtWidgets.QLayout.SizeConstraint.SetNoConstraint)
        self.grid.setContentsMargins(8, 6, 8, 6)
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(6)
        for statistic in STATISTICS:
            caption = QLabel(statistic.caption)
            caption.setObjectName("historyCaption")
            value = QLabel(cells.NONE)
            value.setObjectName("historyFigure")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            tile = QWidget()
            tile.setToolTip(statistic.tip)
            column = QtWidgets.QVBoxLayout(tile)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            column.addWidget(caption)
            column.addWidget(value)
            self.tiles.append(tile)
            self.values[statistic.caption] = value
        self.columns = 0
        self._place(MOST_COLUMNS)
        self.summary: HistorySummary | None = None

    def _place(self, columns: int) -> None:
        """Lay the tiles out ``columns`` a row."""
        if columns == self.columns:
            return
        self.columns = columns
        for tile in self.tiles:
            self.grid.removeWidget(tile)
        for i, tile in enumerate(self.tiles):
            self.grid.addWidget(tile, i // columns, i % columns)
        for column in range(MOST_COLUMNS):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        self.updateGeometry()  # the height changes with the rows

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._fit(event.size().width())
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802
        # as narrow as the fewest tiles a row need; as tall as the rows laid out now
        return QtCore.QSize(self._width(FEWEST_COLUMNS), self.grid.totalMinimumSize().height())

    def _fit(self, width: int) -> None:
        """As many tiles a row as fit in ``width`` (a narrow dock has fewer: no figure is
        ever clipped)."""
        columns = MOST_COLUMNS
        while columns > FEWEST_COLUMNS and self._width(columns) > width:
            columns -= 1
        self._place(columns)

    def _width(self, columns: int) -> int:
        """How wide the tiles are laid ``columns`` a row."""
        hints = [tile.sizeHint().width() for tile in self.tiles]
        widest = [max(hints[column::columns]) for column in range(columns)]
        return sum(widest) + self.grid.horizontalSpacing() * (columns - 1) + MARGINS

    def show_summary(self, summary: HistorySummary | None) -> None:
        """Show ``summary``'s figures (None: dashes)."""
        self.summary = summary
        for statistic in STATISTICS:
            label = self.values[statistic.caption]
            if summary is None:
                label.setText(cells.NONE)
                _set_tone(label, "")
                continue
            label.setText(statistic.text(summary))
            _set_tone(label, cells.tone(statistic.signed(summary)))
        self._fit(self.width())  # wider figures may need fewer tiles a row

    def texts(self) -> dict[str, str]:
        """Each statistic's text, by caption."""
        return {caption: label.text() for caption, label in self.values.items()}
