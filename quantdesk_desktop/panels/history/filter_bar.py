"""The History panel's filter: a UTC date range (two dates with calendar popups, or a quick
range counted from the review's clock), a market, a side and an order type. Any change
the user makes is announced at once as a new `HistoryFilter`."""

from __future__ import annotations

import time
from collections.abc import Callable

from backend.domain.orders import OrderType, Side
from quantdesk_desktop.cache.queries import DAY_MS, HistoryFilter
from quantdesk_desktop.qt import QLabel, QtCore, QtWidgets, QWidget, Signal

QUICK_RANGES = (
    ("today", "Today", "Today (UTC)"),
    ("7d", "7D", "The last 7 days, today included (UTC)"),
    ("30d", "30D", "The last 30 days, today included (UTC)"),
    ("90d", "90D", "The last 90 days, today included (UTC)"),
    ("ytd", "YTD", "This year to date (UTC)"),
    ("all", "All", "Every fill in the cache"),
)
"""Each quick range's name (saved in workspaces), its button's text and tooltip."""
_DAYS = {"today": 1, "7d": 7, "30d": 30, "90d": 90}
_EPOCH = QtCore.QDate(1970, 1, 1)


def quick_range(name: str, now_ms: int) -> tuple[int | None, int | None]:
    """The [start, end) of a quick range at ``now_ms``: whole UTC days up to the end of
    today (``all``: no bounds)."""
    if name == "all":
        return None, None
    end = now_ms // DAY_MS * DAY_MS + DAY_MS
    if name == "ytd":
        year = time.gmtime(now_ms // 1000).tm_year
        start = _EPOCH.daysTo(QtCore.QDate(year, 1, 1)) * DAY_MS
        return start, end
    if name not in _DAYS:
        raise ValueError(f"unknown range {name!r}; one of {', '.join(r[0] for r in QUICK_RANGES)}")
    return end - _DAYS[name] * DAY_MS, end


def day_of(time_ms: int) -> QtCore.QDate:
    """The UTC date of ``time_ms``."""
    return _EPOCH.addDays(time_ms // DAY_MS)


def start_of(date: QtCore.QDate) -> int:
    """The epoch ms at which the UTC ``date`` starts."""
    return _EPOCH.daysTo(date) * DAY_MS


def _combo(entries: list[tuple[str, str | None]]) -> QtWidgets.QComboBox:
    combo = QtWidgets.QComboBox()
    combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
    for text, value in entries:
        combo.addItem(text, value)
    return combo


def _select(combo: QtWidgets.QComboBox, value: str | None) -> None:
    index = combo.findData(value)
    if index < 0:  # a value the list does not have yet (a market before the list loads)
        combo.addItem(str(value), value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


class FilterBar(QWidget):
    """Dates, quick ranges, market, side and order type; `changed` on every user change."""

    changed = Signal(object)
    """The user changed the filter (the new `HistoryFilter`)."""

    def __init__(self, clock: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.range_name: str | None = "all"
        """The quick range chosen (None: the dates as set)."""
        self.span: tuple[int, int] | None = None
        """The oldest and newest fill's times (shown as the dates of ``all``)."""
        self.from_date = self._date_edit("First day of the range (UTC)")
        self.to_date = self._date_edit("Last day of the range, included (UTC)")
        self.quick = QtWidgets.QButtonGroup(self)
        self.quick.setExclusive(True)
        self.quick_buttons: dict[str, QtWidgets.QToolButton] = {}
        for name, text, tip in QUICK_RANGES:
            button = QtWidgets.QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setObjectName("historyQuick")
            button.clicked.connect(lambda _checked=False, n=name: self.choose_range(n))
            self.quick.addButton(button)
            self.quick_buttons[name] = button
        self.quick_buttons["all"].setChecked(True)
        self.market = _combo([("All markets", None)])
        self.side = _combo([("Both sides", None)] + [(s.value.title(), s.value) for s in Side])
        self.order_type = _combo(
            [("All order types", None)]
            + [(t.value.replace("_", " ").capitalize(), t.value) for t in OrderType]
        )
        self.market.setToolTip("Market")
        self.side.setToolTip("Side of the fills and orders")
        self.order_type.setToolTip("Type of the order a fill belongs to")
        for combo in (self.market, self.side, self.order_type):
            combo.currentIndexChanged.connect(self._announce)
        self.from_date.dateChanged.connect(self._dates_changed)
        self.to_date.dateChanged.connect(self._dates_changed)

        dates = QtWidgets.QHBoxLayout()
        dates.setSpacing(4)
        dates.addWidget(self.from_date)
        dates.addWidget(QLabel("–"))
        dates.addWidget(self.to_date)
        dates.addSpacing(6)
        for button in self.quick_buttons.values():
            dates.addWidget(button)
        dates.addStretch(1)
        self.choices = QtWidgets.QHBoxLayout()
        self.choices.setSpacing(4)
        for combo in (self.market, self.side, self.order_type):
            self.choices.addWidget(combo)
        self.choices.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(dates)
        layout.addLayout(self.choices)
        self._show_dates(*quick_range("all", clock()))

    def _date_edit(self, tip: str) -> QtWidgets.QDateEdit:
        edit = QtWidgets.QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setToolTip(tip)
        edit.setKeyboardTracking(False)  # typed dates apply when complete, not per digit
        return edit

    def add_tool(self, widget: QWidget) -> None:
        """Put ``widget`` at the end of the second row (the panel's buttons)."""
        self.choices.addWidget(widget)

    # -- what the user chose ------------------------------------------------------------

    def current_filter(self) -> HistoryFilter:
        """The filter the widgets show (a quick range counted from now)."""
        if self.range_name is not None:
            start, end = quick_range(self.range_name, self.clock())
        else:
            start = start_of(self.from_date.date())
            end = max(start_of(self.to_date.date()) + DAY_MS, start + DAY_MS)
        market = self.market.currentData()
        return HistoryFilter(
            start_ms=start,
            end_ms=end,
            markets=() if market is None else (market,),
            side=self.side.currentData(),
            order_type=self.order_type.currentData(),
        )

    def choose_range(self, name: str) -> None:
        """Use the quick range ``name`` (as its button does)."""
        self.range_name = name
        self.quick_buttons[name].setChecked(True)
        self._show_dates(*quick_range(name, self.clock()))
        self._announce()

    def _dates_changed(self) -> None:
        self.range_name = None
        self._uncheck_quick()
        self._announce()

    def _announce(self, *_changed) -> None:
        self.changed.emit(self.current_filter())

    # -- showing a filter ---------------------------------------------------------------

    def show_filter(self, f: HistoryFilter) -> None:
        """Make the widgets show ``f`` (announcing nothing)."""
        now = self.clock()
        self.range_name = next(
            (name for name, *_ in QUICK_RANGES if quick_range(name, now) == (f.start_ms, f.end_ms)),
            None,
        )
        if self.range_name is None:
            self._uncheck_quick()
        else:
            self.quick_buttons[self.range_name].setChecked(True)
        self._show_dates(f.start_ms, f.end_ms)
        for combo, value in (
            (self.market, f.markets[0] if f.markets else None),
            (self.side, f.side),
            (self.order_type, f.order_type),
        ):
            blocked = combo.blockSignals(True)
            _select(combo, value)
            combo.blockSignals(blocked)

    def set_markets(self, markets: list[str]) -> None:
        """Offer ``markets`` (by name) besides All, keeping the one chosen."""
        chosen = self.market.currentData()
        blocked = self.market.blockSignals(True)
        self.market.clear()
        self.market.addItem("All markets", None)
        for market in sorted(markets):
            self.market.addItem(market, market)
        _select(self.market, chosen)
        self.market.blockSignals(blocked)

    def set_span(self, span: tuple[int, int] | None) -> None:
        """The cache's oldest and newest fill times (the dates ``all`` shows)."""
        self.span = span
        if self.range_name == "all":
            self._show_dates(None, None)

    def _show_dates(self, start: int | None, end: int | None) -> None:
        now = self.clock()
        if start is None:
            start = self.span[0] if self.span else now
        if end is None:
            end = (self.span[1] if self.span else now) + 1
        for edit, time_ms in ((self.from_date, start), (self.to_date, max(start, end - 1))):
            blocked = edit.blockSignals(True)
            edit.setDate(day_of(time_ms))
            edit.blockSignals(blocked)

    def _uncheck_quick(self) -> None:
        self.quick.setExclusive(False)
        for button in self.quick_buttons.values():
            button.setChecked(False)
        self.quick.setExclusive(True)

    # -- settings ---------------------------------------------------------------------

    def settings(self) -> dict:
        """The range (a quick range's name, or the dates), market, side and type."""
        f = self.current_filter()
        saved: dict = {"market": self.market.currentData(), "side": f.side, "type": f.order_type}
        if self.range_name is not None:
            saved["range"] = self.range_name
        else:
            saved["from"] = self.from_date.date().toString("yyyy-MM-dd")
            saved["to"] = self.to_date.date().toString("yyyy-MM-dd")
        return saved

    def filter_from(self, settings: dict) -> HistoryFilter | None:
        """The filter ``settings`` describe (None: they describe none; bad values are
        left out)."""
        now = self.clock()
        names = {name for name, *_ in QUICK_RANGES}
        if settings.get("range") in names:
            start, end = quick_range(settings["range"], now)
        else:
            first = QtCore.QDate.fromString(str(settings.get("from")), "yyyy-MM-dd")
            last = QtCore.QDate.fromString(str(settings.get("to")), "yyyy-MM-dd")
            if not (first.isValid() and last.isValid()):
                return None
            start, end = start_of(first), max(start_of(last), start_of(first)) + DAY_MS
        market = settings.get("market")
        side = settings.get("side")
        order_type = settings.get("type")
        return HistoryFilter(
            start_ms=start,
            end_ms=end,
            markets=(market,) if isinstance(market, str) and market else (),
            side=side if side in {s.value for s in Side} else None,
            order_type=order_type if order_type in {t.value for t in OrderType} else None,
        )
