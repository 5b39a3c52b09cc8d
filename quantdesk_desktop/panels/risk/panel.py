"""The Risk panel: the account's health gauge, its margin figures, the cross-collateral
breakdown, each position's distance to liquidation and next funding, and the last alert.
Account-wide (the panel's market is not used); repainted only when the polled risk
figures or the alerts moved."""

from __future__ import annotations

from quantdesk_desktop import theme
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.risk.figures import RiskFigures
from quantdesk_desktop.panels.risk.gauge import HealthGauge
from quantdesk_desktop.panels.risk.tables import (
    COLLATERAL_COLUMNS,
    FiguresModel,
    PositionCells,
    clock_text,
    collateral_key,
    exact_usdc,
    position_columns,
    position_key,
    signed_colour,
    usdc,
)
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.qt import QLabel, Qt, QtGui, QtWidgets, QWidget
from quantdesk_desktop.state.alerts import Level, percent_text
from quantdesk_desktop.state.store import MarketStore

WAITING = "Waiting for the first risk figures…"
MAX_ROWS_SHOWN = 8
"""Rows a table shows before it scrolls."""
WIDE = 660
"""From this width (px) the figures sit in two columns beside the gauge."""

FIGURES = (
    ("margin_ratio", "Margin ratio", "Maintenance requirement over maintenance collateral"),
    ("equity", "Equity", "Collateral at full oracle value plus unrealised PnL"),
    ("free_collateral", "Free collateral", "Initial collateral less requirements and orders"),
    ("leverage", "Leverage", "Notional over equity"),
    ("initial_requirement", "Initial requirement", "Initial margin the positions need"),
    ("maintenance_requirement", "Maint. requirement", "Below this, liquidation"),
    ("collateral_initial", "Initial collateral", "Weighted collateral plus unrealised PnL"),
    ("collateral_maintenance", "Maint. collateral", "At maintenance weights"),
    ("unrealised_pnl", "Unrealised PnL", "At the mark"),
    ("reserved_for_orders", "Held for orders", "Initial margin resting orders hold"),
    ("funding_due", "Funding due", "At the next settlements, at the running rates"),
    ("funding_paid", "Funding paid", "Lifetime (negative: received)"),
)
"""(figure, label, tooltip), laid out in two columns."""


class RiskPanel(Panel):
    """The account's margin state at a glance, and what is closest to liquidation."""

    kind = "risk"
    title = "Risk"

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.figures: RiskFigures | None = None
        self._seen: tuple = ()
        self._theme = ""
        self.waiting = QLabel(WAITING)
        self.waiting.setObjectName("riskWaiting")
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.waiting.setWordWrap(True)
        self.gauge = HealthGauge()
        self.values: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self.pairs = 0
        """Label and value pairs side by side in the figures grid (1 when narrow)."""
        self.status = QLabel()
        self.status.setObjectName("riskStatus")
        self.alert_line = QLabel()
        self.alert_line.setObjectName("riskAlert")
        self.alert_line.setWordWrap(True)
        self.alert_line.hide()
        self.sound = QtWidgets.QCheckBox("Alert sound")
        self.sound.setToolTip("Play a sound with each alert (saved in the settings)")
        self.sound.toggled.connect(self.store.alerts.set_sound)
        self.collateral = FiguresModel(COLLATERAL_COLUMNS, collateral_key)
        self.cells = PositionCells(store.board)
        self.positions = FiguresModel(position_columns(self.cells), position_key)
        self.collateral_view = _table(self.collateral)
        self.positions_view = _table(self.positions)
        self.collateral_sum = QLabel()
        self.collateral_sum.setObjectName("riskHint")
        self.collateral_sum.setWordWrap(True)
        self.no_positions = QLabel("No open positions")
        self.no_positions.setObjectName("riskHint")
        self.pages = QtWidgets.QStackedWidget()
        self.pages.addWidget(self.waiting)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setWidget(self._content())
        self.pages.addWidget(scroll)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._restyle()
        self.refresh()

    def _content(self) -> QWidget:
        content = QWidget()
        column = QtWidgets.QVBoxLayout(content)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(6)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.sound)
        column.addLayout(top)
        column.addWidget(self.alert_line)
        summary = QtWidgets.QHBoxLayout()
        summary.setSpacing(16)
        summary.addWidget(self.gauge, 0, Qt.AlignmentFlag.AlignTop)
        self.grid = QtWidgets.QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(3)
        for name, label_text, tip in FIGURES:
            label = QLabel(label_text)
            label.setObjectName("riskLabel")
            label.setToolTip(tip)
            value = QLabel(amounts.DASH)
            value.setObjectName("riskValue")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setToolTip(tip)
            self.labels[name] = label
            self.values[name] = value
        self._arrange(2)
        summary.addLayout(self.grid, 1)
        column.addLayout(summary)
        column.addWidget(_heading("Collateral"))
        column.addWidget(self.collateral_view)
        column.addWidget(self.collateral_sum)
        column.addWidget(_heading("Positions"))
        column.addWidget(self.no_positions)
        column.addWidget(self.positions_view)
        column.addStretch(1)
        return content

    def _arrange(self, pairs: int) -> None:
        """Lay the figures out in ``pairs`` label-value columns."""
        if pairs == self.pairs:
            return
        self.pairs = pairs
        for label in self.labels.values():
            self.grid.removeWidget(label)
        for value in self.values.values():
            self.grid.removeWidget(value)
        rows = -(-len(FIGURES) // pairs)
        for index, (name, _, _) in enumerate(FIGURES):
            row, pair = index % rows, index // rows
            self.grid.addWidget(self.labels[name], row, pair * 2)
            self.grid.addWidget(self.values[name], row, pair * 2 + 1)
        for column in range(4):
            self.grid.setColumnStretch(column, 1 if column % 2 and column // 2 < pairs else 0)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        """Two columns of figures when there is room, one when narrow."""
        super().resizeEvent(event)
        self._arrange(2 if event.size().width() >= WIDE else 1)

    # -- Panel -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Repaint when the risk figures or the alerts moved (or the theme changed)."""
        alerts = self.store.alerts
        seen = (self.store.account.version, alerts.version)
        name = theme.current().name
        if name != self._theme:
            self._restyle()
        elif seen == self._seen:
            return
        self._seen = seen
        self.sound.blockSignals(True)
        self.sound.setChecked(alerts.sound)
        self.sound.blockSignals(False)
        self._show_alert()
        figures = RiskFigures.of(self.store.account.risk)
        self.figures = figures
        if figures is None:
            self.pages.setCurrentIndex(0)
            self.gauge.show_health(None, alerts.warning, alerts.danger, "Health")
            return
        self.pages.setCurrentIndex(1)
        caption = "Liquidatable" if figures.liquidatable else "Health"
        self.gauge.show_health(figures.health, alerts.warning, alerts.danger, caption)
        self._show_figures(figures)
        self.collateral.sync(list(figures.collateral))
        self.positions.sync(list(figures.positions))
        _fit_height(self.collateral_view)
        _fit_height(self.positions_view)
        self.positions_view.setVisible(bool(figures.positions))
        self.no_positions.setVisible(not figures.positions)
        self.collateral_sum.setText(_collateral_sum(figures))
        self.collateral_sum.setVisible(bool(figures.collateral))
        self.status.setText(_status_text(figures, alerts.level))

    def settings(self) -> dict:
        """Nothing of its own (thresholds and sound are workstation settings)."""
        return {}

    # -- painting ------------------------------------------------------------------------

    def _show_figures(self, figures: RiskFigures) -> None:
        texts = {
            "margin_ratio": amounts.percent(figures.margin_ratio, 2),
            "equity": usdc(figures.equity),
            "free_collateral": usdc(figures.free_collateral),
            "leverage": _times(figures.leverage),
            "initial_requirement": usdc(figures.initial_requirement),
            "maintenance_requirement": usdc(figures.maintenance_requirement),
            "collateral_initial": usdc(figures.collateral_initial),
            "collateral_maintenance": usdc(figures.collateral_maintenance),
            "unrealised_pnl": usdc(figures.unrealised_pnl),
            "reserved_for_orders": usdc(figures.reserved_for_orders),
            "funding_due": exact_usdc(figures.funding_due),
            "funding_paid": exact_usdc(figures.funding_paid),
        }
        for name, text in texts.items():
            self.values[name].setText(text)
        free = figures.free_collateral
        colours = {
            "free_collateral": theme.current().danger if free is not None and free < 0 else None,
            "unrealised_pnl": signed_colour(figures.unrealised_pnl),
            "funding_due": signed_colour(figures.funding_due),
        }
        for name, colour in colours.items():
            self.values[name].setStyleSheet(f"color: {colour}" if colour else "")

    def _show_alert(self) -> None:
        latest = self.store.alerts.latest
        if latest is None:
            self.alert_line.hide()
            return
        palette = theme.current()
        colour = palette.danger if latest.level is Level.DANGER else palette.warning
        self.alert_line.setText(f"{clock_text(latest.time_ms)}  {latest.title}: {latest.body}")
        self.alert_line.setStyleSheet(f"color: {colour}; font-weight: bold")
        self.alert_line.show()

    def _restyle(self) -> None:
        palette = theme.current()
        self._theme = palette.name
        self._seen = ()
        self.setStyleSheet(
            f"QLabel#riskLabel, QLabel#riskHint, QLabel#riskStatus {{ color: {palette.muted}; }}"
            f"QLabel#riskHeading {{ color: {palette.text}; font-weight: bold; }}"
            f"QLabel#riskValue {{ color: {palette.text}; }}"
            f"QLabel#riskWaiting {{ color: {palette.muted}; font-size: 11pt; }}"
        )
        self.collateral.restyle()
        self.positions.restyle()
        self.gauge.update()


def _table(model: FiguresModel) -> QtWidgets.QTableView:
    view = QtWidgets.QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(20)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    view.setStyleSheet("QTableView::item { padding: 0px 6px; }")
    view.horizontalScrollBar().rangeChanged.connect(lambda *_: _fit_height(view))
    return view


def _fit_height(view: QtWidgets.QTableView) -> None:
    """As tall as its rows (up to ``MAX_ROWS_SHOWN``; more scroll), and its horizontal
    scroll bar when it has one."""
    rows = view.model().rowCount()
    shown = min(max(rows, 1), MAX_ROWS_SHOWN)
    header = view.horizontalHeader().sizeHint().height()
    scroller = view.horizontalScrollBar()
    bar = scroller.sizeHint().height() if scroller.maximum() > 0 else 0
    view.setFixedHeight(
        header + shown * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth() + bar
    )


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("riskHeading")
    return label


def _times(ratio: int | None) -> str:
    """Leverage as a multiple, rounded down to hundredths (1_153_332 -> "1.15×")."""
    if ratio is None:
        return amounts.DASH
    step = 10_000
    return f"{amounts.fixed(ratio // step * step, 1_000_000, 2)}×"


def _collateral_sum(figures: RiskFigures) -> str:
    """How the collateral figures are made: the weighted values plus unrealised PnL."""
    weighted = [row.weighted_initial for row in figures.collateral]
    if any(value is None for value in weighted) or figures.unrealised_pnl is None:
        return ""
    total = sum(value for value in weighted if value is not None)
    pnl = figures.unrealised_pnl
    sign = "+" if pnl >= 0 else "−"
    return (
        f"Initial collateral {usdc(figures.collateral_initial)} = weighted "
        f"{usdc(total)} {sign} unrealised PnL {usdc(abs(pnl))} USDC"
    )


def _status_text(figures: RiskFigures, level: Level) -> str:
    if figures.liquidatable:
        return "Below maintenance margin: liquidation under way or imminent"
    words = {Level.OK: "Healthy", Level.WARNING: "Warning", Level.DANGER: "Danger"}
    return f"{words[level]} · health {percent_text(figures.health)} · all figures in USDC"
