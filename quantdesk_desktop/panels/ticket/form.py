"""The ticket's input form: order type, size and its unit, leverage, the prices and
parameters the type needs (rows appear and disappear with it), time in force and flags,
each row with a place for the error that concerns it."""

from __future__ import annotations

import time

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
)
from backend.domain.markets import MarketSpec
from backend.domain.orders import OrderType, Side, TriggerReference
from quantdesk_desktop.panels.ticket.decimal_edit import DecimalEdit
from quantdesk_desktop.panels.ticket.draft import TicketDraft
from quantdesk_desktop.panels.ticket.field_row import FieldRow
from quantdesk_desktop.panels.ticket.order_types import ORDER_TYPES, TIF_LABELS, TIME_IN_FORCE
from quantdesk_desktop.panels.ticket.sizing import SIZE_UNITS
from quantdesk_desktop.qt import QLabel, QtCore, QtWidgets, QWidget, Signal

PERCENT_PRECISION = 10**4
"""Percentages are typed with four decimals: 1 unit is 1e-4 %, which is one ratio unit."""
_CENT = QUOTE_PRECISION // 100
DEFAULT_TWAP_S = 600
DEFAULT_TWAP_SLICES = 10
DEFAULT_EXPIRY_S = 24 * 3600

ROW_OF_FIELD = {
    "size": "size",
    "leverage": "leverage",
    "price": "price",
    "trigger_price": "trigger",
    "trigger_reference": "trigger",
    "trailing_amount": "trailing",
    "trailing_percent": "trailing",
    "visible_size": "visible_size",
    "twap_duration_s": "twap_duration_s",
    "twap_slices": "twap_slices",
    "take_profit_price": "take_profit_price",
    "stop_loss_price": "stop_loss_price",
    "time_in_force": "time_in_force",
    "expire_at_ms": "expire_at_ms",
    "post_only": "flags",
    "reduce_only": "flags",
    "type": "type",
}
"""Which row shows an error about a request field (the backend's field names)."""


class TicketForm(QWidget):
    """Every input of the ticket except market and side (the panel's header has those)."""

    changed = Signal()
    """Any input changed (the preview is due)."""
    size_unit_changed = Signal(str, str, object)
    """The size unit changed (from, to, the size typed in the old unit or None)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lot = 1
        self.type_box = QtWidgets.QComboBox()
        for kind, form in ORDER_TYPES.items():
            self.type_box.addItem(form.label, kind.value)

        self.size_edit = DecimalEdit(BASE_PRECISION, rounding="down")
        self.size_edit.setPlaceholderText("0")
        self.unit_box = QtWidgets.QComboBox()
        for unit, label in zip(SIZE_UNITS, ("Base", "USDC", "% free"), strict=True):
            self.unit_box.addItem(label, unit)
        self.unit_box.setToolTip(
            "Size in coins, in USDC notional at the order's price (the mark for market "
            "orders), or in % of free collateral times the leverage"
        )
        self._unit = "base"
        self.leverage_box = QtWidgets.QSpinBox()
        self.leverage_box.setRange(1, 1)
        self.leverage_box.setSuffix("×")
        self.leverage_box.setButtonSymbols(QtWidgets.QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.leverage_box.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        self.leverage_box.setFixedWidth(52)
        self.leverage_box.setToolTip(
            "Sizes “% free” orders; margin is cross: the backend asks the market's initial "
            "margin whatever is chosen here"
        )
        self.leverage_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.leverage_slider.setRange(1, 1)
        self.leverage_slider.valueChanged.connect(self.leverage_box.setValue)
        self.leverage_box.valueChanged.connect(self.leverage_slider.setValue)

        self.price_edit = DecimalEdit(PRICE_PRECISION)
        self.trigger_edit = DecimalEdit(PRICE_PRECISION)
        self.reference_box = QtWidgets.QComboBox()
        for reference in TriggerReference:
            self.reference_box.addItem(reference.value.capitalize(), reference.value)
        self.reference_box.setToolTip("The price the trigger watches")
        self.trailing_edit = DecimalEdit(PRICE_PRECISION)
        self.trailing_unit = QtWidgets.QComboBox()
        self.trailing_unit.addItem("USDC", "amount")
        self.trailing_unit.addItem("%", "percent")
        self.visible_edit = DecimalEdit(BASE_PRECISION, rounding="down")
        self.twap_duration = QtWidgets.QSpinBox()
        self.twap_duration.setRange(1, 7 * 24 * 3600)
        self.twap_duration.setSuffix(" s")
        self.twap_duration.setValue(DEFAULT_TWAP_S)
        self.twap_slices = QtWidgets.QSpinBox()
        self.twap_slices.setRange(2, 10_000)
        self.twap_slices.setValue(DEFAULT_TWAP_SLICES)
        for spin in (self.twap_duration, self.twap_slices):
            spin.setButtonSymbols(QtWidgets.QAbstractSpinBox.ButtonSymbols.NoButtons)
            spin.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
        self.take_profit_edit = DecimalEdit(PRICE_PRECISION)
        self.stop_loss_edit = DecimalEdit(PRICE_PRECISION)
        self.tif_box = QtWidgets.QComboBox()
        for tif in TIME_IN_FORCE:
            self.tif_box.addItem(TIF_LABELS[tif], tif)
        self.expiry_edit = QtWidgets.QDateTimeEdit()
        self.expiry_edit.setCalendarPopup(True)
        self.expiry_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.expiry_edit.setDateTime(
            QtCore.QDateTime.fromMSecsSinceEpoch(int((time.time() + DEFAULT_EXPIRY_S) * 1000))
        )
        self.post_only = QtWidgets.QCheckBox("Post-only")
        self.post_only.setToolTip("Refused rather than taking liquidity")
        self.reduce_only = QtWidgets.QCheckBox("Reduce-only")
        self.reduce_only.setToolTip("Never opens or increases a position")

        self.rows: dict[str, FieldRow] = {
            "type": FieldRow(self.type_box),
            "size": FieldRow(self.size_edit, self.unit_box),
            "leverage": FieldRow(self.leverage_slider, self.leverage_box),
            "trigger": FieldRow(self.trigger_edit, self.reference_box),
            "price": FieldRow(self.price_edit),
            "trailing": FieldRow(self.trailing_edit, self.trailing_unit),
            "visible_size": FieldRow(self.visible_edit),
            "twap_duration_s": FieldRow(self.twap_duration),
            "twap_slices": FieldRow(self.twap_slices),
            "take_profit_price": FieldRow(self.take_profit_edit),
            "stop_loss_price": FieldRow(self.stop_loss_edit),
            "time_in_force": FieldRow(self.tif_box),
            "expire_at_ms": FieldRow(self.expiry_edit),
            "flags": FieldRow(self.post_only, self.reduce_only, stretch=-1),
        }
        labels = {
            "type": "Type",
            "size": "Size",
            "leverage": "Leverage",
            "price": "Limit price",
            "trigger": "Trigger",
            "trailing": "Trail by",
            "visible_size": "Visible size",
            "twap_duration_s": "Duration",
            "twap_slices": "Slices",
            "take_profit_price": "Take profit",
            "stop_loss_price": "Stop loss",
            "time_in_force": "Time in force",
            "expire_at_ms": "Expires",
            "flags": "",
        }
        self.labels: dict[str, QLabel] = {}
        self.layout_ = QtWidgets.QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setHorizontalSpacing(8)
        self.layout_.setVerticalSpacing(5)
        self.layout_.setLabelAlignment(
            QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter
        )
        self.layout_.setFieldGrowthPolicy(
            QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        for name, row in self.rows.items():
            if not labels[name]:  # the flags span the label column too
                self.layout_.addRow(row)
                continue
            label = QLabel(labels[name])
            label.setObjectName("ticketLabel")
            self.labels[name] = label
            self.layout_.addRow(label, row)

        for edit in self._edits():
            edit.textChanged.connect(self.changed)
        for box in (self.reference_box, self.trailing_unit, self.tif_box):
            box.currentIndexChanged.connect(self.changed)
        for spin in (self.leverage_box, self.twap_duration, self.twap_slices):
            spin.valueChanged.connect(self.changed)
        self.expiry_edit.dateTimeChanged.connect(self.changed)
        for check in (self.post_only, self.reduce_only):
            check.toggled.connect(self.changed)
        self.type_box.currentIndexChanged.connect(self._on_type)
        self.tif_box.currentIndexChanged.connect(self._show_rows)
        self.trailing_unit.currentIndexChanged.connect(self._on_trailing_unit)
        self.unit_box.currentIndexChanged.connect(self._on_unit)
        self.set_spec(None)
        self._on_type()

    # -- reading -----------------------------------------------------------------------

    def order_type(self) -> OrderType:
        """The chosen order type."""
        return OrderType(self.type_box.currentData())

    def size_unit(self) -> str:
        """``base``, ``quote`` or ``percent``."""
        return self.unit_box.currentData()

    def trigger_reference(self) -> TriggerReference:
        """What the trigger watches."""
        return TriggerReference(self.reference_box.currentData())

    def time_in_force(self) -> str:
        """``gtc``, ``gtd``, ``ioc`` or ``fok``."""
        return self.tif_box.currentData()

    def expire_at_ms(self) -> int:
        """The GTD expiry, epoch milliseconds."""
        return self.expiry_edit.dateTime().toMSecsSinceEpoch()

    def trailing_in_percent(self) -> bool:
        """Whether the trailing distance is a percentage (else an amount)."""
        return self.trailing_unit.currentData() == "percent"

    def visible_rows(self) -> set[str]:
        """The rows shown now."""
        return {name for name, row in self.rows.items() if self.layout_.isRowVisible(row)}

    def missing(self) -> list[str]:
        """Required inputs the type shows that are still blank (size first)."""
        form = ORDER_TYPES[self.order_type()]
        blanks = []
        if not self.size_edit.value():
            blanks.append("size")
        required = {
            "price": form.price_required,
            "trigger": "trigger" in form.inputs,
            "trailing": "trailing" in form.inputs,
            "visible_size": "visible_size" in form.inputs,
            "take_profit_price": "bracket" in form.inputs,
            "stop_loss_price": "bracket" in form.inputs,
        }
        edits = {
            "price": self.price_edit,
            "trigger": self.trigger_edit,
            "trailing": self.trailing_edit,
            "visible_size": self.visible_edit,
            "take_profit_price": self.take_profit_edit,
            "stop_loss_price": self.stop_loss_edit,
        }
        blanks += [name for name, edit in edits.items() if required[name] and edit.value() is None]
        return blanks

    def draft(self, market: str, side: Side, size: int) -> TicketDraft:
        """The order as typed, ``size`` base units (only the inputs its type shows)."""
        kind = self.order_type()
        form = ORDER_TYPES[kind]
        shown = form.inputs
        trailing = self.trailing_edit.value() if "trailing" in shown else None
        percent = self.trailing_in_percent()
        tif = self.time_in_force()
        return TicketDraft(
            market=market,
            side=side,
            type=kind,
            size=size,
            price=self.price_edit.value() if "price" in shown else None,
            trigger_price=self.trigger_edit.value() if "trigger" in shown else None,
            trigger_reference=self.trigger_reference(),
            trailing_amount=None if percent else trailing,
            trailing_percent=trailing if percent else None,
            visible_size=self.visible_edit.value() if "visible_size" in shown else None,
            twap_duration_s=self.twap_duration.value() if "twap" in shown else None,
            twap_slices=self.twap_slices.value() if "twap" in shown else None,
            take_profit_price=self.take_profit_edit.value() if "bracket" in shown else None,
            stop_loss_price=self.stop_loss_edit.value() if "bracket" in shown else None,
            time_in_force=tif,
            expire_at_ms=self.expire_at_ms() if tif == "gtd" else None,
            post_only=self.post_only.isChecked() and form.post_only,
            reduce_only=self.reduce_only.isChecked(),
        )

    def own_price(self) -> int | None:
        """The order's own price if it has one: its limit, else its trigger."""
        shown = ORDER_TYPES[self.order_type()].inputs
        for name, edit in (("price", self.price_edit), ("trigger", self.trigger_edit)):
            if name in shown and edit.value():
                return edit.value()
        return None

    # -- changing ----------------------------------------------------------------------

    def clear_market_amounts(self) -> None:
        """Blank every price and base size (they mean nothing in another market); a size
        in USDC or % is kept."""
        for edit in (*self._price_edits(), self.trailing_edit, self.visible_edit):
            edit.set_value(None)
        if self.size_unit() == "base":
            self.size_edit.set_value(None)
        self.clear_errors()

    def set_spec(self, spec: MarketSpec | None) -> None:
        """Take the market's tick, lot and leverage limit (placeholders until known)."""
        tick = spec.tick_size if spec else 1
        lot = spec.lot_size if spec else 1
        for edit in self._price_edits():
            edit.set_grid(tick)
        if not self.trailing_in_percent():
            self.trailing_edit.set_grid(tick, PRICE_PRECISION)
        self.visible_edit.set_grid(lot)
        if self.size_unit() == "base":
            self.size_edit.set_grid(lot)
        maximum = spec.max_leverage if spec else 1
        chosen = self.leverage_box.value()
        for widget in (self.leverage_box, self.leverage_slider):
            widget.blockSignals(True)
            widget.setRange(1, maximum)
            widget.blockSignals(False)
        self.leverage_box.setValue(min(max(chosen, 1), maximum))
        self.leverage_slider.setValue(self.leverage_box.value())
        self._lot = lot

    def set_type(self, kind: OrderType) -> None:
        """Choose the order type."""
        self.type_box.setCurrentIndex(list(ORDER_TYPES).index(kind))

    def set_size_unit(self, unit: str) -> None:
        """Choose the size unit (the typed size is converted by the panel)."""
        self.unit_box.setCurrentIndex(SIZE_UNITS.index(unit))

    def set_time_in_force(self, tif: str) -> None:
        """Choose a time in force (if the type allows it)."""
        index = self.tif_box.findData(tif)
        if index >= 0 and self._tif_allowed(tif):
            self.tif_box.setCurrentIndex(index)

    def set_error(self, field: str, text: str) -> bool:
        """Show ``text`` under the row of request field ``field``; False when no shown row
        concerns it."""
        row = self.rows.get(ROW_OF_FIELD.get(field, ""))
        if row is None or not self.layout_.isRowVisible(row):
            return False
        marked = {"reduce_only": self.reduce_only, "trigger_reference": self.reference_box}
        row.set_error(text, marked.get(field))
        return True

    def clear_errors(self) -> None:
        """Remove every row's error."""
        for row in self.rows.values():
            row.set_error("")

    def error_text(self, field: str) -> str:
        """The error shown for request field ``field`` ("" when none)."""
        row = self.rows.get(ROW_OF_FIELD.get(field, ""))
        return row.error.text() if row is not None and row.error.isVisible() else ""

    # -- reactions ---------------------------------------------------------------------

    def _edits(self) -> list[DecimalEdit]:
        return [
            self.size_edit,
            self.price_edit,
            self.trigger_edit,
            self.trailing_edit,
            self.visible_edit,
            self.take_profit_edit,
            self.stop_loss_edit,
        ]

    def _price_edits(self) -> list[DecimalEdit]:
        return [self.price_edit, self.trigger_edit, self.take_profit_edit, self.stop_loss_edit]

    def _tif_allowed(self, tif: str) -> bool:
        return tif in ORDER_TYPES[self.order_type()].time_in_force

    def _on_type(self) -> None:
        form = ORDER_TYPES[self.order_type()]
        model = self.tif_box.model()
        for index in range(self.tif_box.count()):
            item = model.item(index)
            item.setEnabled(self._tif_allowed(self.tif_box.itemData(index)))
        if not self._tif_allowed(self.time_in_force()):
            self.tif_box.setCurrentIndex(0)
        if not form.post_only:
            self.post_only.setChecked(False)
        self.post_only.setEnabled(form.post_only)
        self.labels["price"].setText("Limit price" if form.price_required else "Limit (optional)")
        self.price_edit.setPlaceholderText(
            "required" if form.price_required else "blank: at market"
        )
        self._show_rows()
        self.changed.emit()

    def _show_rows(self) -> None:
        inputs = ORDER_TYPES[self.order_type()].inputs
        shown = {
            "price": "price" in inputs,
            "trigger": "trigger" in inputs,
            "trailing": "trailing" in inputs,
            "visible_size": "visible_size" in inputs,
            "twap_duration_s": "twap" in inputs,
            "twap_slices": "twap" in inputs,
            "take_profit_price": "bracket" in inputs,
            "stop_loss_price": "bracket" in inputs,
            "expire_at_ms": self.time_in_force() == "gtd",
        }
        for name, visible in shown.items():
            row = self.rows[name]
            if not visible:
                row.set_error("")
            self.layout_.setRowVisible(row, visible)

    def _on_trailing_unit(self) -> None:
        self.trailing_edit.setText("")
        if self.trailing_in_percent():
            self.trailing_edit.set_grid(1, PERCENT_PRECISION)
        else:
            self.trailing_edit.set_grid(self.price_edit.grid, PRICE_PRECISION)

    def _on_unit(self) -> None:
        before, self._unit = self._unit, self.size_unit()
        typed = self.size_edit.value()
        if self._unit == "base":
            self.size_edit.set_grid(self._lot, BASE_PRECISION)
        elif self._unit == "quote":
            self.size_edit.set_grid(_CENT, QUOTE_PRECISION)
        else:
            self.size_edit.set_grid(100, PERCENT_PRECISION)
        self.size_unit_changed.emit(before, self._unit, typed)
        self.changed.emit()
