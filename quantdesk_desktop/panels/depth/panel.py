"""The Depth panel: a header (market, spread, mid, grouping, order size, Centre), the price
ladder to trade from, and the cumulative depth chart below it in a splitter."""

from __future__ import annotations

import time
from collections.abc import Callable

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    FixedPointError,
    format_fixed,
    parse_base,
    parse_price,
)
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.depth.depth_chart import DepthChart
from quantdesk_desktop.panels.depth.ladder import DepthLadder
from quantdesk_desktop.panels.depth.ladder_model import (
    GROUPINGS,
    LadderModel,
)
from quantdesk_desktop.panels.number_text import decimals_of, fixed_text
from quantdesk_desktop.qt import QLabel, Qt, QtGui, QtWidgets, QWidget
from quantdesk_desktop.state.store import MarketStore

CHART_EVERY_S = 0.1
"""The depth chart redraws at most ten times a second; the ladder every frame."""
_NO_TICK = 1
"""Price units per tick until the market's spec arrives."""
_NO_LOT = 1


class LotSpinBox(QtWidgets.QSpinBox):
    """An order size editor that counts whole lots, shown as a size in coins: the value is
    an integer, so no float ever stands for a size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lot = _NO_LOT
        self.decimals = 0
        self.setRange(1, 2**31 - 1)
        self.setAccelerated(True)

    def set_lot(self, lot: int, minimum: int) -> None:
        """Step in lots of ``lot`` base units, from ``minimum`` base units up."""
        self.lot = max(1, lot)
        self.decimals = decimals_of(self.lot, BASE_PRECISION)
        self.setMinimum(max(1, -(-minimum // self.lot)))

    def size_units(self) -> int:
        """The size in base units."""
        return self.value() * self.lot

    def set_size_units(self, size: int) -> bool:
        """Show ``size`` base units; False (and no change) if it is not a whole number of
        lots within range."""
        lots, rest = divmod(size, self.lot)
        if rest or not self.minimum() <= lots <= self.maximum():
            return False
        self.setValue(lots)
        return True

    def textFromValue(self, value: int) -> str:  # noqa: N802
        return fixed_text(value * self.lot, BASE_PRECISION, self.decimals)

    def valueFromText(self, text: str) -> int:  # noqa: N802
        lots = self._lots_of(text)
        return self.value() if lots is None else lots

    def validate(self, text: str, pos: int) -> QtGui.QValidator.State:
        lots = self._lots_of(text)
        if lots is not None and self.minimum() <= lots <= self.maximum():
            return QtGui.QValidator.State.Acceptable
        stripped = text.strip()
        if stripped == "" or all(c.isdigit() or c == "." for c in stripped):
            return QtGui.QValidator.State.Intermediate
        return QtGui.QValidator.State.Invalid

    def _lots_of(self, text: str) -> int | None:
        try:
            size = parse_base(text.strip())
        except FixedPointError:
            return None
        lots, rest = divmod(size, self.lot)
        return None if rest or size <= 0 else lots


class DepthPanel(Panel):
    """A market's ladder and depth chart. Clicking a size cell places a limit order of
    the header's size at the row's price; clicking an own-order cell cancels those."""

    kind = "depth"
    title = "Depth"

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.last_tick_to_screen_ms: float | None = None
        """Book receipt to painted ladder, for the last book version painted."""
        self.on_painted: Callable[[float, float], None] | None = None
        """Called with (received_at, painted_at) after each new book version is painted."""
        self._followed: str | None = None
        self._spec: dict | None = None
        self._painted_key: tuple[int, int, int] | None = None
        self._pending_size: int | None = None
        self._chart_at = 0.0
        self._chart_key: tuple[int, int] | None = None
        self._grouping_chosen = False
        """Whether the grouping was chosen (by the user or a workspace); if not, the
        first book picks one that shows the spread with levels around it."""

        self.model = LadderModel(_NO_TICK)
        self.ladder = DepthLadder(self.model)
        self.chart = DepthChart()
        self._build()
        self.ladder.limit_clicked.connect(self._on_limit_clicked)
        self.ladder.cancel_clicked.connect(self.cancel_order.emit)
        self.ladder.painted.connect(self._on_ladder_painted)
        self._follow(market)

    # -- Panel -------------------------------------------------------------------------

    def show_market(self, market: str) -> None:
        """Follow ``market``'s book instead of the last market's."""
        self._follow(market)

    def refresh(self) -> None:
        """Repaint when the book or own orders moved since the last paint (or the market's
        spec arrived); does nothing while the panel is hidden."""
        spec = self.store.board.specs.get(self.market)
        if spec is not self._spec:
            self._configure(spec)
        if not self.isVisible():
            return
        book = self.store.book(self.market)
        self._refresh_chart(book)
        key = (id(book), book.version, self.store.orders.version)
        if key == self._painted_key:
            return
        if not self._grouping_chosen:
            self._choose_grouping(book)
        self._painted_key = key
        self.ladder.rebuild()
        self.ladder.repaint()
        self._show_touch()

    def _refresh_chart(self, book) -> None:
        """Redraw the depth chart if its book moved, at most every `CHART_EVERY_S` (the
        ladder is the fast view)."""
        key = (id(book), book.version)
        now = time.perf_counter()
        if key != self._chart_key and now - self._chart_at >= CHART_EVERY_S:
            self._chart_key, self._chart_at = key, now
            self.chart.rebuild()

    def settings(self) -> dict:
        """The grouping and the order size (decimal text)."""
        size = self.size_units()
        return {
            "grouping": self.model.grouping,
            "size": None if size is None else format_fixed(size, BASE_PRECISION),
        }

    def restore(self, settings: dict) -> None:
        """Take back a grouping and size; a bad or unknown value is ignored."""
        grouping = settings.get("grouping")
        if type(grouping) is int and grouping in GROUPINGS:
            self.grouping_box.setCurrentIndex(GROUPINGS.index(grouping))
            self._grouping_chosen = True
        size = settings.get("size")
        if isinstance(size, str):
            try:
                units = parse_base(size)
            except FixedPointError:
                return
            if units <= 0:
                return
            if self._spec is None:
                self._pending_size = units
            else:
                self.size_box.set_size_units(units)

    def close_panel(self) -> None:
        """Stop following the book."""
        if self._followed is not None:
            self.store.unfollow("book", self._followed)
            self._followed = None

    # -- public helpers ----------------------------------------------------------------

    def size_units(self) -> int | None:
        """The order size clicks place, in base units (None before the market's spec)."""
        if self._spec is None:
            return self._pending_size
        return self.size_box.size_units()

    def centre(self) -> None:
        """Centre the ladder on the mid and follow it again."""
        self.model.recentre()
        self.ladder.rebuild()
        self.ladder.update()

    # -- building and configuring ------------------------------------------------------

    def _build(self) -> None:
        self.market_label = QLabel()
        font = self.market_label.font()
        font.setBold(True)
        self.market_label.setFont(font)
        self.spread_label = QLabel()
        self.mid_label = QLabel()
        for label in (self.spread_label, self.mid_label):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.grouping_box = QtWidgets.QComboBox()
        self.grouping_box.setToolTip("Row height (price step)")
        for grouping in GROUPINGS:
            self.grouping_box.addItem(f"×{grouping}", grouping)
        self.grouping_box.currentIndexChanged.connect(self._on_grouping)
        self.size_box = LotSpinBox()
        self.size_box.setToolTip("Order size placed by a click on a size cell")
        self.centre_button = QtWidgets.QPushButton("Centre")
        self.centre_button.setToolTip("Centre the ladder on the mid and follow it")
        self.centre_button.clicked.connect(self.centre)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.market_label)
        top.addStretch(1)
        top.addWidget(self.spread_label)
        top.addSpacing(12)
        top.addWidget(self.mid_label)
        controls = QtWidgets.QHBoxLayout()
        controls.addWidget(self.grouping_box)
        controls.addWidget(self.size_box, 1)
        controls.addWidget(self.centre_button)

        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.ladder)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(controls)
        layout.addWidget(self.splitter, 1)

    def _follow(self, market: str) -> None:
        if self._followed == market:
            return
        if self._followed is not None:
            self.store.unfollow("book", self._followed)
        self.store.follow("book", market)
        self._followed = market
        self._grouping_chosen = False
        self._spec = None
        self.market_label.setText(market)
        book = self.store.book(market)
        self.ladder.set_source(book, self.store.orders, market)
        self.chart.set_book(book)
        self._painted_key = None
        self._configure(self.store.board.specs.get(market))

    def _configure(self, spec: dict | None) -> None:
        """Take the market's tick, lot and minimum size (or placeholders until known),
        keeping the order size when it still fits."""
        kept_size = self.size_box.size_units() if self._spec is not None else None
        self._spec = spec
        tick, lot, minimum = _NO_TICK, _NO_LOT, None
        if spec is not None:
            tick = _units(spec.get("tick_size"), parse_price) or _NO_TICK
            lot = _units(spec.get("lot_size"), parse_base) or _NO_LOT
            minimum = _units(spec.get("min_size"), parse_base)
        if tick != self.model.tick_size:
            self.model.tick_size = tick
            self.model.recentre()
        price_decimals = decimals_of(tick, PRICE_PRECISION)
        size_decimals = decimals_of(lot, BASE_PRECISION)
        self.ladder.set_decimals(price_decimals, size_decimals)
        self.chart.price_decimals, self.chart.size_decimals = price_decimals, size_decimals
        for index, grouping in enumerate(GROUPINGS):
            step = format_fixed(tick * grouping, PRICE_PRECISION)
            self.grouping_box.setItemText(index, step if spec is not None else f"×{grouping}")
        self.size_box.set_lot(lot, minimum or lot)
        self.size_box.setEnabled(spec is not None)
        default = minimum * 10 if minimum else lot
        for size in (self._pending_size, kept_size, default):
            if size is not None and self.size_box.set_size_units(size):
                break
        if spec is not None:
            self._pending_size = None
        self._painted_key = None

    # -- reactions ---------------------------------------------------------------------

    def _choose_grouping(self, book) -> None:
        """The finest grouping whose rows show the spread in a third of the ladder."""
        bid, ask = book.best_bid(), book.best_ask()
        if bid is None or ask is None or self._spec is None:
            return
        rows_for_spread = max(3, self.model.row_count // 3)
        index = next(
            (
                i
                for i, grouping in enumerate(GROUPINGS)
                if ask - bid <= rows_for_spread * self.model.tick_size * grouping
            ),
            len(GROUPINGS) - 1,
        )
        self.grouping_box.setCurrentIndex(index)
        self._grouping_chosen = True
        self.model.recentre()

    def _on_grouping(self, index: int) -> None:
        self._grouping_chosen = True
        self.model.grouping = GROUPINGS[index]
        self.ladder.rebuild()
        self.ladder.update()

    def _on_limit_clicked(self, side: str, price: int) -> None:
        size = self.size_units()
        if self._spec is None or size is None:
            return
        self.place_limit.emit(self.market, side, price, size)

    def _on_ladder_painted(self, received_at: float) -> None:
        painted_at = time.perf_counter()
        self.last_tick_to_screen_ms = (painted_at - received_at) * 1000.0
        if self.on_painted is not None:
            self.on_painted(received_at, painted_at)

    def _show_touch(self) -> None:
        view = self.ladder.view
        decimals = self.ladder.price_decimals
        if view is None or view.spread is None or view.mid is None:
            self.spread_label.setText("Spread –")
            self.mid_label.setText("Mid –")
            return
        self.spread_label.setText(f"Spread {fixed_text(view.spread, PRICE_PRECISION, decimals)}")
        self.mid_label.setText(f"Mid {fixed_text(view.mid, PRICE_PRECISION, decimals)}")


def _units(text: object, parse: Callable[[str], int]) -> int | None:
    """A spec's decimal text in our units, or None if missing or unreadable."""
    if not isinstance(text, str):
        return None
    try:
        units = parse(text)
    except FixedPointError:
        return None
    return units if units > 0 else None
