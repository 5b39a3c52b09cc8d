"""The depth ladder's rows: a book grouped into price rows around a centre, with cumulative
sizes, the account's own orders, spread and mid. Pure logic, no Qt: the ladder widget
paints what `LadderModel.compute` returns.

Grouping rounds each side away from the spread: a bid level belongs to the row at or
below its price, an ask level to the row at or above it. So a grouped row never shows a
better price than the book has, and the best bid row of an uncrossed book is always below
the best ask row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from quantdesk_desktop.state.book import BookState
from quantdesk_desktop.state.orders import OwnOrder

GROUPINGS = (1, 2, 5, 10, 25, 50, 100)
"""Row heights the ladder offers, in ticks."""
RESTING = frozenset({"open", "partially_filled"})
"""Own order statuses that rest in the book (a pending stop does not, yet)."""


def bid_row(price: int, step: int) -> int:
    """The row a bid price belongs to: rounded down to the step."""
    return price // step * step


def ask_row(price: int, step: int) -> int:
    """The row an ask price belongs to: rounded up to the step."""
    return -(-price // step) * step


@dataclass(frozen=True, slots=True)
class LadderRow:
    """One price row of the ladder (sizes in base units)."""

    price: int
    bid_size: int = 0
    ask_size: int = 0
    bid_cum: int = 0
    """Bid size from the best bid down to and including this row (0 above the best bid)."""
    ask_cum: int = 0
    """Ask size from the best ask up to and including this row (0 below the best ask)."""
    own_bid: int = 0
    """Remaining size of own buy orders in this row."""
    own_ask: int = 0
    own_bid_ids: tuple[int, ...] = ()
    own_ask_ids: tuple[int, ...] = ()
    best_bid: bool = False
    best_ask: bool = False
    in_spread: bool = False
    """Strictly between the best bid row and the best ask row."""


@dataclass(frozen=True, slots=True)
class LadderView:
    """What the ladder shows for one book version: rows from the highest price down."""

    rows: tuple[LadderRow, ...]
    step: int
    best_bid: int | None
    best_ask: int | None
    spread: int | None
    mid: int | None
    """Half way between best bid and ask, rounded down to a price unit."""
    max_cum: int
    """The largest cumulative size among the rows (both sides), for bar lengths."""
    book_version: int
    received_at: float


class LadderModel:
    """The ladder's grouping, centre and row count, and the rows they give over a book.

    Auto-centring keeps the centre still while the best bid and ask rows stay within the
    middle half of the rows, and moves it onto the mid when either leaves; scrolling turns
    auto-centring off until `recentre`.
    """

    def __init__(self, tick_size: int, grouping: int = 1, row_count: int = 30) -> None:
        if tick_size <= 0:
            raise ValueError(f"tick size must be positive, got {tick_size}")
        self.tick_size = tick_size
        self._grouping = _checked_grouping(grouping)
        self.row_count = max(1, row_count)
        self.centre: int | None = None
        """The price of the centre row (row ``row_count // 2``), on the step grid."""
        self.auto_centre = True
        self._recentre_now = True

    @property
    def grouping(self) -> int:
        """Ticks per row (one of `GROUPINGS`)."""
        return self._grouping

    @grouping.setter
    def grouping(self, grouping: int) -> None:
        self._grouping = _checked_grouping(grouping)
        self.recentre()

    @property
    def step(self) -> int:
        """Price units per row."""
        return self.tick_size * self._grouping

    def recentre(self) -> None:
        """Centre on the mid at the next `compute` and follow it again."""
        self.auto_centre = True
        self._recentre_now = True

    def scroll(self, rows: int) -> None:
        """Move the view ``rows`` rows up (towards higher prices; negative: down) and stop
        auto-centring."""
        if self.centre is None or rows == 0:
            return
        self.centre += rows * self.step
        self.auto_centre = False

    def top_price(self) -> int | None:
        """The price of the first (highest) row, once there is a centre."""
        if self.centre is None:
            return None
        return self.centre + (self.row_count // 2) * self.step

    def compute(self, book: BookState, orders: Iterable[OwnOrder] = ()) -> LadderView:
        """The rows over ``book`` now, with ``orders`` (the market's own orders) marked."""
        step = self.step
        best_bid, best_ask = book.best_bid(), book.best_ask()
        bb_row = None if best_bid is None else bid_row(best_bid, step)
        ba_row = None if best_ask is None else ask_row(best_ask, step)
        mid = None if best_bid is None or best_ask is None else (best_bid + best_ask) // 2
        spread = None if mid is None else best_ask - best_bid
        self._place_centre(bb_row, ba_row, mid)
        top = self.top_price()
        if top is None:
            return LadderView((), step, best_bid, best_ask, spread, mid, 0, book.version, 0.0)
        bottom = top - (self.row_count - 1) * step

        bids, bid_cum = _grouped(book.bids, step, bid_row, bottom, top, beyond_top=True)
        asks, ask_cum_below = _grouped(book.asks, step, ask_row, bottom, top, beyond_top=False)
        own = _own_by_row(orders, step, bottom, top)

        prices = [top - i * step for i in range(self.row_count)]
        bid_cums = []
        for price in prices:
            bid_cum += bids.get(price, 0)
            bid_cums.append(bid_cum)
        ask_cums = []
        ask_cum = ask_cum_below
        for price in reversed(prices):
            ask_cum += asks.get(price, 0)
            ask_cums.append(ask_cum)
        ask_cums.reverse()

        rows = []
        for price, b_cum, a_cum in zip(prices, bid_cums, ask_cums, strict=True):
            own_bid, own_bid_ids = own.get(("buy", price), (0, ()))
            own_ask, own_ask_ids = own.get(("sell", price), (0, ()))
            rows.append(
                LadderRow(
                    price=price,
                    bid_size=bids.get(price, 0),
                    ask_size=asks.get(price, 0),
                    bid_cum=b_cum,
                    ask_cum=a_cum,
                    own_bid=own_bid,
                    own_ask=own_ask,
                    own_bid_ids=own_bid_ids,
                    own_ask_ids=own_ask_ids,
                    best_bid=price == bb_row,
                    best_ask=price == ba_row,
                    in_spread=bb_row is not None and ba_row is not None and bb_row < price < ba_row,
                )
            )
        max_cum = max(*bid_cums, *ask_cums)
        return LadderView(
            rows=tuple(rows),
            step=step,
            best_bid=best_bid,
            best_ask=best_ask,
            spread=spread,
            mid=mid,
            max_cum=max_cum,
            book_version=book.version,
            received_at=book.received_at,
        )

    def _place_centre(self, bb_row: int | None, ba_row: int | None, mid: int | None) -> None:
        step = self.step
        if self.centre is not None and self.centre % step:
            self.centre = bid_row(self.centre, step)
        if mid is not None:
            target = bid_row(mid + step // 2, step)
        elif bb_row is not None:
            target = bb_row
        elif ba_row is not None:
            target = ba_row
        else:
            return
        if self.centre is None or self._recentre_now:
            self.centre, self._recentre_now = target, False
            return
        if not self.auto_centre:
            return
        top = self.top_price()
        assert top is not None
        band_low = self.row_count // 4
        band_high = self.row_count - 1 - self.row_count // 4
        inside = all(
            band_low <= (top - price) // step <= band_high
            for price in (bb_row, ba_row)
            if price is not None
        )
        if not inside:
            self.centre = target


def _checked_grouping(grouping: int) -> int:
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {GROUPINGS}, got {grouping!r}")
    return grouping


def _grouped(
    levels: dict[int, int],
    step: int,
    to_row: Callable[[int, int], int],
    bottom: int,
    top: int,
    *,
    beyond_top: bool,
) -> tuple[dict[int, int], int]:
    """Sizes by visible row, and the size of the rows beyond the view on the side the
    cumulative sum starts from (above the top for bids, below the bottom for asks)."""
    rows: dict[int, int] = {}
    beyond = 0
    for price, size in levels.items():
        row = to_row(price, step)
        if bottom <= row <= top:
            rows[row] = rows.get(row, 0) + size
        elif (row > top) if beyond_top else (row < bottom):
            beyond += size
    return rows, beyond


def _own_by_row(
    orders: Iterable[OwnOrder], step: int, bottom: int, top: int
) -> dict[tuple[str, int], tuple[int, tuple[int, ...]]]:
    """Own resting orders by (side, row): remaining size and order ids."""
    own: dict[tuple[str, int], tuple[int, tuple[int, ...]]] = {}
    for order in orders:
        if order.price is None or order.status not in RESTING:
            continue
        row = bid_row(order.price, step) if order.side == "buy" else ask_row(order.price, step)
        if bottom <= row <= top:
            size, ids = own.get((order.side, row), (0, ()))
            own[(order.side, row)] = (size + order.remaining, (*ids, order.order_id))
    return own
