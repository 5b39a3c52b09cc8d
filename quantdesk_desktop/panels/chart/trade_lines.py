"""Own trading drawn over the price pane: the mark and oracle prices, the position's entry
and liquidation, a line per own working order (drag a resting one to move it, on the
tick) and a marker per own fill."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from quantdesk_desktop.qt import Qt  # before pyqtgraph: it binds to PySide6

# isort: split
import pyqtgraph as pg

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    FixedPointError,
    format_fixed,
    parse_price,
)
from quantdesk_desktop.state.markets import MarketPrices
from quantdesk_desktop.state.orders import OwnOrder
from quantdesk_desktop.state.positions import OwnFill, PositionView
from quantdesk_desktop.theme import Palette


def resting(order: OwnOrder) -> bool:
    """Whether ``order`` rests on the book at a price (only those can be moved)."""
    return order.status != "pending" and order.price is not None


def snap_to_tick(price: float, spec: dict | None) -> int:
    """``price`` in price units, on the tick of the market ``spec`` (if it is known)."""
    units = round(price * PRICE_PRECISION)
    try:
        tick = parse_price((spec or {})["tick_size"])
    except (KeyError, FixedPointError):
        return units
    if tick <= 0:
        return units
    return (units + tick // 2) // tick * tick


class TradeLines:
    """The price pane's lines and markers of own trading, updated when the panel asks."""

    def __init__(
        self,
        pane: pg.PlotWidget,
        palette: Palette,
        snap: Callable[[float], int],
        modify: Callable[[int, int], None],
    ) -> None:
        """``snap`` puts a dragged price on the tick; ``modify`` asks to move an order
        (order id, price units)."""
        self._pane = pane
        self._palette = palette
        self._snap = snap
        self._modify = modify
        self.order_lines: dict[int, pg.InfiniteLine] = {}
        """A line per own working order, by order id."""
        self._spare: dict[bool, list[pg.InfiniteLine]] = {True: [], False: []}
        """Hidden lines of orders gone, by whether they can be dragged, to reuse."""
        self._orders: dict[int, OwnOrder] = {}
        self.mark_line = self._price_line(palette.mark, "Mark")
        self.oracle_line = self._price_line(palette.oracle, "Oracle")
        self.entry_line = self._price_line(palette.accent, "Entry")
        self.liquidation_line = self._price_line(palette.danger, "Liq.")
        self.fills = pg.ScatterPlotItem(size=13, pen=pg.mkPen(palette.text))
        """Own fills: a triangle up per buy, down per sell, at the fill's time and price."""
        self._fill_brushes = (pg.mkBrush(palette.bid), pg.mkBrush(palette.ask))
        pane.addItem(self.fills, ignoreBounds=True)

    @property
    def dragging(self) -> bool:
        """Whether an order line is being dragged."""
        return any(line.moving for line in self.order_lines.values())

    def show_prices(self, prices: MarketPrices | None) -> None:
        """Put the mark and oracle lines at the market's prices (hidden if unknown)."""
        for line, value in (
            (self.mark_line, prices and prices.mark),
            (self.oracle_line, prices and prices.oracle),
        ):
            self._set_level(line, value)

    def show_orders(self, orders: Iterable[OwnOrder]) -> None:
        """Draw a line per order of ``orders`` (the market's working ones), at its price,
        or at its trigger while it waits; drop the lines of orders gone."""
        self._orders = {order.order_id: order for order in orders}
        for order_id in set(self.order_lines) - set(self._orders):
            self._retire(order_id)
        for order_id, order in self._orders.items():
            line = self.order_lines.get(order_id)
            if line is not None and line.movable != resting(order):
                self._retire(order_id)
                line = None
            if line is None:
                line = self._order_line(order)
                self.order_lines[order_id] = line
            level = order.trigger_price if order.status == "pending" else order.price
            self._place_order_line(line, order, level if level is not None else order.price)

    def show_position(self, position: PositionView | None, fills: Sequence[OwnFill]) -> None:
        """Put the entry and liquidation lines at ``position``'s (hidden without one) and a
        marker at each of ``fills``."""
        self._set_level(self.entry_line, position and position.entry_price)
        self._set_level(self.liquidation_line, position and position.liquidation_price)
        bought, sold = self._fill_brushes
        self.fills.setData(
            x=[fill.time_ms / 1000.0 for fill in fills],
            y=[fill.price / PRICE_PRECISION for fill in fills],
            symbol=["t1" if fill.side == "buy" else "t" for fill in fills],
            brush=[bought if fill.side == "buy" else sold for fill in fills],
        )

    def drop_order(self, order_id: int, price: float) -> None:
        """An order line was dropped at ``price``: ask to move the order there, on the tick."""
        order = self._orders.get(order_id)
        line = self.order_lines.get(order_id)
        if order is None or line is None or order.price is None:
            return
        units = self._snap(price)
        if units <= 0 or units == order.price:
            self._place_order_line(line, order, order.price)
            return
        self._place_order_line(line, order, units)
        self._modify(order_id, units)

    def _price_line(self, colour: str, name: str) -> pg.InfiniteLine:
        line = pg.InfiniteLine(
            angle=0,
            pen=pg.mkPen(colour, style=Qt.PenStyle.DashLine),
            label=name,
            labelOpts={"position": 0.02, "color": colour, "anchors": [(0, 1), (0, 1)]},
        )
        line.setObjectName(name)
        line.hide()
        self._pane.addItem(line, ignoreBounds=True)
        return line

    @staticmethod
    def _set_level(line: pg.InfiniteLine, units: int | None) -> None:
        """Show ``line`` at ``units`` with its name and price, or hide it (None)."""
        line.setVisible(units is not None)
        if units is not None:
            line.setPos(units / PRICE_PRECISION)
            line.label.setFormat(f"{line.objectName()} {format_fixed(units, PRICE_PRECISION)}")

    def _order_line(self, order: OwnOrder) -> pg.InfiniteLine:
        """A line for ``order``: draggable if it rests on the book at a price (a spare one
        when there is: making a line costs milliseconds, on every order placed)."""
        movable = resting(order)
        spares = self._spare[movable]
        line = spares.pop() if spares else self._new_order_line(movable)
        line.order_id = order.order_id
        return line

    def _retire(self, order_id: int) -> None:
        """The order is gone: its line hides and waits for the next order."""
        line = self.order_lines.pop(order_id)
        line.hide()
        self._spare[line.movable].append(line)

    def _new_order_line(self, movable: bool) -> pg.InfiniteLine:
        colour = self._palette.own_order
        style = Qt.PenStyle.SolidLine if movable else Qt.PenStyle.DashDotLine
        line = pg.InfiniteLine(
            angle=0,
            movable=movable,
            pen=pg.mkPen(colour, style=style),
            hoverPen=pg.mkPen(colour, width=3),
            label="",
            labelOpts={"position": 0.3, "color": colour, "anchors": [(0, 1), (0, 1)]},
        )
        if movable:
            line.sigPositionChanged.connect(self._order_dragging)
            line.sigPositionChangeFinished.connect(
                lambda moved: self.drop_order(moved.order_id, moved.value())
            )
        self._pane.addItem(line, ignoreBounds=True)
        return line

    def _order_dragging(self, line: pg.InfiniteLine) -> None:
        order = self._orders.get(line.order_id)
        if order is not None and line.moving:
            self._label_order(line, order, self._snap(line.value()))

    def _place_order_line(self, line: pg.InfiniteLine, order: OwnOrder, units: int | None) -> None:
        line.setVisible(units is not None)
        if units is not None:
            line.setPos(units / PRICE_PRECISION)
            self._label_order(line, order, units)

    @staticmethod
    def _label_order(line: pg.InfiniteLine, order: OwnOrder, units: int) -> None:
        kind = "" if order.type == "limit" else f"{order.type.replace('_', ' ')} "
        size = format_fixed(order.remaining, BASE_PRECISION)
        price = format_fixed(units, PRICE_PRECISION)
        line.label.setFormat(f"{kind}{order.side} {size} @ {price}".upper())
