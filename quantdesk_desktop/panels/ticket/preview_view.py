"""The ticket's preview box: expected fill, costs and the account after, and the verdict
(ready, incomplete, would be refused, or beyond a guard)."""

from __future__ import annotations

from backend.domain.markets import MarketSpec
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.panels.ticket.preview import Preview
from quantdesk_desktop.qt import QLabel, Qt, QtWidgets, QWidget

ROWS = (
    ("fill_price", "Est. fill price"),
    ("slippage", "Slippage vs mid"),
    ("notional", "Notional"),
    ("fee", "Fee"),
    ("initial_margin", "Initial margin"),
    ("free_after", "Free collateral after"),
    ("health_after", "Health after"),
    ("liquidation_after", "Liq. price after"),
    ("position_after", "Position after"),
)


class PreviewView(QtWidgets.QFrame):
    """Labelled figures in two columns and a verdict line under them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketPreview")
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(4)
        grid = QtWidgets.QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        for row, (name, title) in enumerate(ROWS):
            label = QLabel(title)
            label.setObjectName("ticketLabel")
            value = QLabel(amounts.DASH)
            value.setObjectName("ticketValue")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(label, row, 0)
            grid.addWidget(value, row, 1)
            self.values[name] = value
        self.notes = QLabel()
        self.notes.setObjectName("ticketHint")
        self.notes.setWordWrap(True)
        self.notes.hide()
        self.verdict = QLabel()
        self.verdict.setObjectName("ticketVerdict")
        self.verdict.setWordWrap(True)
        grid.setColumnStretch(1, 1)
        column.addLayout(grid)
        column.addWidget(self.notes)
        column.addWidget(self.verdict)

    def show_preview(self, preview: Preview | None, spec: MarketSpec | None) -> None:
        """Fill the figures from ``preview`` (dashes where unknown)."""
        if preview is None or spec is None:
            for value in self.values.values():
                value.setText(amounts.DASH)
            self.notes.setText("")
            self.notes.hide()
            return
        estimate = preview.estimate
        unit = spec.base_asset or ""
        position = preview.position_after
        texts = {
            "fill_price": amounts.price(estimate.price, spec.tick_size),
            "slippage": amounts.percent(preview.slippage, 3),
            "notional": _usdc(estimate.notional if estimate.price is not None else None),
            "fee": _with_unit(amounts.fee(estimate.fee if estimate.price is not None else None)),
            "initial_margin": _usdc(preview.initial_margin),
            "free_after": _usdc(preview.free_collateral_after),
            "health_after": amounts.percent(preview.health_after, 1),
            "liquidation_after": _liquidation(preview, spec.tick_size),
            "position_after": _signed(amounts.size(position, spec.lot_size), unit)
            if position is not None
            else amounts.DASH,
        }
        for name, text in texts.items():
            self.values[name].setText(text)
        low_health = preview.health_after is not None and preview.health_after < 200_000
        self.set_tone(self.values["health_after"], "warn" if low_health else "")
        free = preview.free_collateral_after
        self.set_tone(self.values["free_after"], "bad" if free is not None and free < 0 else "")
        self.notes.setText(" · ".join(preview.notes))
        self.notes.setVisible(bool(preview.notes))

    def set_verdict(self, text: str, tone: str) -> None:
        """The verdict line; ``tone`` is ``ok``, ``muted``, ``warn`` or ``bad``."""
        self.verdict.setText(text)
        self.set_tone(self.verdict, tone)

    @staticmethod
    def set_tone(label: QLabel, tone: str) -> None:
        """Colour ``label`` by ``tone`` (the ticket style sheet maps tones to colours)."""
        if label.property("tone") != tone:
            label.setProperty("tone", tone)
            label.style().unpolish(label)
            label.style().polish(label)


def _liquidation(preview: Preview, tick: int) -> str:
    """The liquidation price after; "none" when the account is known and no positive
    price liquidates it."""
    price = preview.liquidation_price_after
    if price is None:
        return "none" if preview.health_after is not None else amounts.DASH
    # on the tick grid, still early: up for a long (liquidated below), down for a short
    long = (preview.position_after or 0) > 0
    snapped = -(-price // tick) * tick if long else price // tick * tick
    return amounts.price(snapped, tick)


def _usdc(value: int | None) -> str:
    return _with_unit(amounts.usdc(value))


def _with_unit(text: str) -> str:
    return text if text == amounts.DASH else f"{text} USDC"


def _signed(text: str, unit: str) -> str:
    if not text.startswith("-") and text.strip("0.") != "":
        text = "+" + text
    return f"{text} {unit}".strip()
