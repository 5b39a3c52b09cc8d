"""The dialog that edits the ticket's fat-finger guards."""

from __future__ import annotations

from backend.domain.fixed_point import BASE_PRECISION, QUOTE_PRECISION
from quantdesk_desktop.panels.ticket.decimal_edit import DecimalEdit
from quantdesk_desktop.panels.ticket.form import PERCENT_PRECISION
from quantdesk_desktop.panels.ticket.guards import GUARD_MODES, Guards
from quantdesk_desktop.qt import QtWidgets, QWidget


class GuardsDialog(QtWidgets.QDialog):
    """Max size (for the ticket's market), max notional, price band and mode; a blank
    limit is no limit."""

    def __init__(self, guards: Guards, market: str, lot: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Order guards")
        self._guards = guards.copy()
        self._market = market
        self.max_size = DecimalEdit(BASE_PRECISION, lot, rounding="down")
        self.max_size.set_value(guards.max_size.get(market))
        self.max_notional = DecimalEdit(QUOTE_PRECISION, QUOTE_PRECISION // 100)
        self.max_notional.set_value(guards.max_notional)
        self.band = DecimalEdit(PERCENT_PRECISION, 100)
        self.band.set_value(None if guards.price_band is None else guards.price_band)
        self.mode = QtWidgets.QComboBox()
        for mode in GUARD_MODES:
            self.mode.addItem("Ask to confirm" if mode == "confirm" else "Refuse to send", mode)
        self.mode.setCurrentIndex(GUARD_MODES.index(guards.mode))
        for edit in (self.max_size, self.max_notional, self.band):
            edit.setPlaceholderText("no limit")
        form = QtWidgets.QFormLayout()
        form.addRow(f"Max size ({market})", self.max_size)
        form.addRow("Max notional (USDC)", self.max_notional)
        form.addRow("Price band around oracle (%)", self.band)
        form.addRow("Beyond a guard", self.mode)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def guards(self) -> Guards:
        """The guards as edited."""
        guards = self._guards.copy()
        size = self.max_size.value()
        if size:
            guards.max_size[self._market] = size
        else:
            guards.max_size.pop(self._market, None)
        guards.max_notional = self.max_notional.value() or None
        guards.price_band = self.band.value() or None
        guards.mode = self.mode.currentData()
        return guards
