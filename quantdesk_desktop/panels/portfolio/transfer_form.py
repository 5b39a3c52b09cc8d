"""The deposit and withdraw form: which of the two, an asset, an amount typed as decimal
text on the asset's own precision, and a send button. Under the amount, the pre-check
(`transfer_check`) before sending and the server's refusal after it; what was typed stays
until it succeeds."""

from __future__ import annotations

from backend.domain.markets import MarketCatalog
from quantdesk_desktop.panels.portfolio.transfer_check import TransferCheck
from quantdesk_desktop.panels.ticket.decimal_edit import DecimalEdit
from quantdesk_desktop.panels.ticket.field_row import FieldRow
from quantdesk_desktop.panels.ticket.preview_view import PreviewView
from quantdesk_desktop.qt import QLabel, QtWidgets, QWidget, Signal

KINDS = ("deposit", "withdraw")


class TransferForm(QWidget):
    """Deposit or Withdraw, the asset, the amount and the send button."""

    send_clicked = Signal()
    changed = Signal()
    """The kind, the asset or the amount changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_buttons: dict[str, QtWidgets.QPushButton] = {}
        kinds = QtWidgets.QHBoxLayout()
        kinds.setContentsMargins(0, 0, 0, 0)
        kinds.setSpacing(0)
        group = QtWidgets.QButtonGroup(self)
        group.setExclusive(True)
        for kind in KINDS:
            button = QtWidgets.QPushButton(kind.capitalize())
            button.setObjectName("portfolioKind")
            button.setCheckable(True)
            group.addButton(button)
            kinds.addWidget(button)
            self.kind_buttons[kind] = button
        self.kind_buttons["deposit"].setChecked(True)
        group.buttonToggled.connect(lambda _button, on: on and self._kind_changed())
        self.asset_box = QtWidgets.QComboBox()
        self.asset_box.setToolTip("Collateral asset")
        self.amount_edit = DecimalEdit(10**6)
        self.amount_edit.setPlaceholderText("Amount")
        self.amount_edit.setMinimumWidth(110)
        self.send_button = QtWidgets.QPushButton("Deposit")
        self.send_button.setObjectName("portfolioSend")
        self.send_button.setMinimumWidth(120)
        self.row = FieldRow(self.asset_box, self.amount_edit, self.send_button, stretch=1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(kinds)
        layout.addWidget(self.row)
        layout.addWidget(self.status)
        self.send_button.clicked.connect(self.send_clicked)
        self.amount_edit.returnPressed.connect(self.send_clicked)
        self.asset_box.currentTextChanged.connect(self._asset_changed)
        self.amount_edit.textEdited.connect(lambda _: self._changed())
        self._catalog: MarketCatalog | None = None
        self._kind_changed()

    def set_assets(self, catalog: MarketCatalog, chosen: str | None = None) -> None:
        """Offer ``catalog``'s collateral assets (keeping the one chosen)."""
        self._catalog = catalog
        keep = chosen or self.asset()
        symbols = list(catalog.collateral)
        if [self.asset_box.itemText(i) for i in range(self.asset_box.count())] != symbols:
            self.asset_box.blockSignals(True)
            self.asset_box.clear()
            self.asset_box.addItems(symbols)
            self.asset_box.blockSignals(False)
        if keep in symbols:
            self.asset_box.setCurrentText(keep)
        self._asset_changed(self.asset())

    def kind(self) -> str:
        """``deposit`` or ``withdraw``."""
        return next(kind for kind, button in self.kind_buttons.items() if button.isChecked())

    def set_kind(self, kind: str) -> None:
        """Choose ``deposit`` or ``withdraw``."""
        self.kind_buttons[kind].setChecked(True)

    def asset(self) -> str:
        """The asset chosen."""
        return self.asset_box.currentText()

    def amount(self) -> int | None:
        """The amount typed, in the asset's token units (None: blank or not a number)."""
        return self.amount_edit.value()

    def amount_text(self) -> str:
        """The amount as typed."""
        return self.amount_edit.text().strip()

    def show_check(self, check: TransferCheck) -> None:
        """The pre-check under the amount: a refusal as an error, else a hint."""
        if check.refused:
            self.row.set_hint("")
            self.row.set_error(check.text, self.amount_edit)
        else:
            self.row.set_error("")
            self.row.set_hint(check.text)

    def show_refusal(self, field: str | None, text: str) -> None:
        """The server's refusal at the field it concerns (the amount when it names none)."""
        self.row.set_hint("")
        self.row.set_error(text, self.asset_box if field == "asset" else self.amount_edit)

    def error_text(self) -> str:
        """The error shown under the row ("" when none)."""
        return self.row.error.text() if self.row.error.isVisible() else ""

    def hint_text(self) -> str:
        """The hint shown under the row ("" when none)."""
        return self.row.hint.text() if self.row.hint.isVisible() else ""

    def set_sending(self, sending: bool) -> None:
        """The send button off while a transfer is on its way."""
        self.send_button.setEnabled(not sending)
        if sending:
            self.send_button.setText("Sending…")
        else:
            self._label_send()

    def set_status(self, text: str, tone: str) -> None:
        """The line under the form (sent, done, refused)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))
        PreviewView.set_tone(self.status, tone)

    def _asset_changed(self, symbol: str) -> None:
        asset = self._catalog.collateral.get(symbol) if self._catalog else None
        if asset is not None:
            self.amount_edit.set_grid(1, asset.precision)
        self._changed()

    def _kind_changed(self) -> None:
        kind = self.kind()
        button = self.send_button
        if button.property("kind") != kind:
            button.setProperty("kind", kind)
            button.style().unpolish(button)
            button.style().polish(button)
        self._changed()

    def _changed(self) -> None:
        self._label_send()
        self.changed.emit()

    def _label_send(self) -> None:
        text, verb = self.amount_text(), self.kind().capitalize()
        self.send_button.setText(f"{verb} {text} {self.asset()}" if self.amount() else verb)
