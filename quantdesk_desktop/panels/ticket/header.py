"""The ticket's header: the market picker with its mark, the guards button, and the
buy/sell toggle."""

from __future__ import annotations

from backend.domain.orders import Side
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.qt import QLabel, Qt, QtWidgets, QWidget, Signal
from quantdesk_desktop.state.markets import MarketPrices


class TicketHeader(QWidget):
    """Market, mark price, guards and side."""

    market_picked = Signal(str)
    """The user chose another market in the picker."""
    side_changed = Signal()
    guards_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._price_texts: list[str] = []
        self.market_box = QtWidgets.QComboBox()
        self.market_box.setToolTip("The market (its link group follows)")
        self.market_box.activated.connect(self._on_picked)
        self.price_label = QLabel()
        self.price_label.setObjectName("ticketHint")
        self.price_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.price_label.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.guards_button = QtWidgets.QToolButton()
        self.guards_button.setText("Guards")
        self.guards_button.setToolTip("Fat-finger guards: max size, max notional, price band")
        self.guards_button.clicked.connect(self.guards_clicked)
        self.buy_button = QtWidgets.QPushButton("Buy")
        self.buy_button.setObjectName("ticketBuy")
        self.sell_button = QtWidgets.QPushButton("Sell")
        self.sell_button.setObjectName("ticketSell")
        self.side_group = QtWidgets.QButtonGroup(self)
        for button in (self.buy_button, self.sell_button):
            button.setCheckable(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            self.side_group.addButton(button)
        self.buy_button.setChecked(True)
        self.side_group.buttonToggled.connect(self._on_side)

        top = QtWidgets.QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.market_box)
        top.addWidget(self.price_label, 1)
        top.addWidget(self.guards_button)
        sides = QtWidgets.QHBoxLayout()
        sides.setContentsMargins(0, 0, 0, 0)
        sides.setSpacing(0)
        sides.addWidget(self.buy_button)
        sides.addWidget(self.sell_button)
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addLayout(top)
        column.addLayout(sides)

    def side(self) -> Side:
        """The chosen side."""
        return Side.BUY if self.buy_button.isChecked() else Side.SELL

    def set_side(self, side: Side) -> None:
        """Choose the side."""
        (self.buy_button if side is Side.BUY else self.sell_button).setChecked(True)

    def set_markets(self, symbols: list[str], current: str) -> None:
        """List ``symbols`` with ``current`` chosen (no signal)."""
        box = self.market_box
        box.blockSignals(True)
        box.clear()
        box.addItems(symbols)
        box.setCurrentText(current)
        box.blockSignals(False)

    def show_prices(self, prices: MarketPrices | None, tick: int) -> None:
        """The mark (the oracle until there is one) and a non-live oracle status."""
        if prices is None or (prices.mark is None and prices.oracle is None):
            self._price_texts = []
            self._fit_price()
            self.price_label.setToolTip("")
            return
        price = amounts.price(prices.mark or prices.oracle, tick)
        status = "" if prices.status == "live" else f" · {prices.status.upper()}"
        self._price_texts = [f"Mark {price}{status}", f"{price}{status}", price]
        self._fit_price()
        self.price_label.setToolTip(
            f"Mark {amounts.price(prices.mark, tick)}, oracle "
            f"{amounts.price(prices.oracle, tick)} ({prices.status})"
        )

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_price()

    def _fit_price(self) -> None:
        """The longest price text that fits (a narrow dock drops the words first)."""
        room = self.price_label.width()
        metrics = self.price_label.fontMetrics()
        fitting = [text for text in self._price_texts if metrics.horizontalAdvance(text) <= room]
        self.price_label.setText(fitting[0] if fitting else "")

    def _on_picked(self, index: int) -> None:
        symbol = self.market_box.itemText(index)
        if symbol:
            self.market_picked.emit(symbol)

    def _on_side(self, _button: QtWidgets.QAbstractButton, checked: bool) -> None:
        if checked:
            self.side_changed.emit()
