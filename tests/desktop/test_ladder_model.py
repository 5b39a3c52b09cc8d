"""The ladder's rows with worked numbers: grouping, cumulative sizes, own orders, spread,
mid and auto-centring. Tick 0.001 (1,000 price units); sizes in base units (1e-9)."""

from __future__ import annotations

import pytest

from backend.domain.fixed_point import parse_base, parse_price
from quantdesk_desktop.panels.depth.ladder_model import LadderModel
from quantdesk_desktop.panels.number_text import decimals_of, fixed_text
from quantdesk_desktop.state.book import BookState
from quantdesk_desktop.state.orders import OwnOrder

TICK = parse_price("0.001")


def book_of(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> BookState:
    book = BookState("SOL-PERP")
    book.apply(
        {
            "channel": "book",
            "market": "SOL-PERP",
            "type": "snapshot",
            "seq": 1,
            "bids": [list(level) for level in bids],
            "asks": [list(level) for level in asks],
        },
        received_at=12.5,
    )
    return book


def standard_book() -> BookState:
    return book_of(
        bids=[("149.999", "0.5"), ("149.998", "1.2"), ("149.995", "2"), ("149.990", "3")],
        asks=[("150.001", "0.7"), ("150.002", "1.5"), ("150.004", "2.5"), ("150.010", "4")],
    )


def order(order_id: int, side: str, price: str, size: str, filled: str = "0", **kw) -> OwnOrder:
    row = {
        "order_id": order_id,
        "client_order_id": f"c{order_id}",
        "market": "SOL-PERP",
        "side": side,
        "type": "limit",
        "status": "open",
        "price": price,
        "trigger_price": None,
        "size": size,
        "filled": filled,
    }
    row.update(kw)
    return OwnOrder.of(row)


def by_price(view) -> dict[str, object]:
    return {fixed_text(row.price, 10**6, 3): row for row in view.rows}


def test_grouping_merges_bids_down_and_asks_up_into_rows() -> None:
    model = LadderModel(TICK, grouping=5, row_count=5)
    view = model.compute(standard_book())

    rows = by_price(view)
    assert list(rows) == ["150.010", "150.005", "150.000", "149.995", "149.990"]
    # 149.999 + 149.998 + 149.995 round down to 149.995; 150.001..150.004 round up to 150.005.
    assert rows["149.995"].bid_size == parse_base("3.7")
    assert rows["149.990"].bid_size == parse_base("3")
    assert rows["150.005"].ask_size == parse_base("4.7")
    assert rows["150.010"].ask_size == parse_base("4")
    assert rows["150.000"].bid_size == rows["150.000"].ask_size == 0
    assert rows["149.995"].best_bid and rows["150.005"].best_ask
    assert [row.in_spread for row in view.rows] == [False, False, True, False, False]


def test_cumulative_sizes_run_outward_from_the_best_prices() -> None:
    view = LadderModel(TICK, grouping=5, row_count=5).compute(standard_book())

    rows = by_price(view)
    assert [rows[p].bid_cum for p in ("150.000", "149.995", "149.990")] == [
        0,
        parse_base("3.7"),
        parse_base("6.7"),
    ]
    assert [rows[p].ask_cum for p in ("150.010", "150.005", "150.000")] == [
        parse_base("8.7"),
        parse_base("4.7"),
        0,
    ]
    assert view.max_cum == parse_base("8.7")


def test_cumulative_sizes_include_levels_scrolled_out_of_view() -> None:
    model = LadderModel(TICK, grouping=1, row_count=3)
    book = standard_book()
    assert [fixed_text(r.price, 10**6, 3) for r in model.compute(book).rows] == [
        "150.001",
        "150.000",
        "149.999",
    ]

    model.scroll(-3)
    rows = by_price(model.compute(book))
    assert list(rows) == ["149.998", "149.997", "149.996"]
    # 149.999 (0.5) is above the view but still counts from the best bid outward.
    assert [row.bid_cum for row in rows.values()] == [parse_base("1.7")] * 3
    assert rows["149.998"].bid_size == parse_base("1.2")

    model.scroll(7)
    rows = by_price(model.compute(book))
    assert list(rows) == ["150.005", "150.004", "150.003"]
    assert [row.ask_cum for row in rows.values()] == [
        parse_base("4.7"),
        parse_base("4.7"),
        parse_base("2.2"),
    ]


def test_own_orders_add_remaining_size_per_row_and_side() -> None:
    orders = [
        order(7, "buy", "149.998", "1", filled="0.25"),
        order(8, "buy", "149.996", "2", status="partially_filled"),
        order(9, "sell", "150.003", "1"),
        order(10, "sell", "150.003", "5", type="stop_limit", status="pending"),
        order(11, "buy", "149.000", "1"),
    ]
    view = LadderModel(TICK, grouping=5, row_count=5).compute(standard_book(), orders)

    rows = by_price(view)
    assert rows["149.995"].own_bid == parse_base("2.75")
    assert rows["149.995"].own_bid_ids == (7, 8)
    assert rows["150.005"].own_ask == parse_base("1")
    assert rows["150.005"].own_ask_ids == (9,)
    assert sum(row.own_bid for row in view.rows) == parse_base("2.75")
    assert all(row.own_ask == 0 for row in view.rows if row.price != parse_price("150.005"))


def test_spread_and_mid_come_from_the_best_prices() -> None:
    view = LadderModel(TICK).compute(standard_book())
    assert view.spread == parse_price("0.002")
    assert view.mid == parse_price("150")
    assert view.best_bid == parse_price("149.999")
    assert view.best_ask == parse_price("150.001")
    assert view.received_at == 12.5

    odd = book_of(bids=[("149.999", "1")], asks=[("150.002", "1")])
    assert LadderModel(TICK).compute(odd).mid == parse_price("150.0005")


def test_a_one_sided_book_has_no_spread_and_centres_on_its_best_price() -> None:
    model = LadderModel(TICK, row_count=5)
    view = model.compute(book_of(bids=[("149.990", "1")], asks=[]))
    assert view.spread is None and view.mid is None
    assert model.centre == parse_price("149.990")
    assert view.rows[2].best_bid and view.rows[2].bid_size == parse_base("1")


def test_an_empty_book_gives_no_rows_until_it_has_prices() -> None:
    view = LadderModel(TICK).compute(BookState("SOL-PERP"))
    assert view.rows == ()
    assert view.spread is None


def test_centre_stays_while_the_touch_is_in_the_middle_band_and_follows_when_it_leaves() -> None:
    model = LadderModel(TICK, row_count=20)
    model.compute(standard_book())
    assert model.centre == parse_price("150")
    # Rows 150.010 (index 0) .. 149.991 (index 19); the band is indexes 5..14.

    model.compute(book_of(bids=[("150.002", "1")], asks=[("150.004", "1")]))
    assert model.centre == parse_price("150")  # indexes 8 and 6: inside, no jump

    model.compute(book_of(bids=[("150.008", "1")], asks=[("150.010", "1")]))
    assert model.centre == parse_price("150.009")  # the ask at index 0 left the band

    model.compute(book_of(bids=[("149.990", "1")], asks=[("149.992", "1")]))
    assert model.centre == parse_price("149.991")


def test_scrolling_stops_auto_centring_until_recentred() -> None:
    model = LadderModel(TICK, row_count=20)
    model.compute(standard_book())
    model.scroll(4)
    assert model.centre == parse_price("150.004")
    assert not model.auto_centre

    far = book_of(bids=[("150.020", "1")], asks=[("150.022", "1")])
    model.compute(far)
    assert model.centre == parse_price("150.004")

    model.recentre()
    model.compute(far)
    assert model.centre == parse_price("150.021")
    assert model.auto_centre


def test_changing_the_grouping_recentres_on_the_new_grid() -> None:
    model = LadderModel(TICK, row_count=10)
    book = standard_book()
    model.compute(book)
    model.scroll(3)
    model.grouping = 10
    view = model.compute(book)
    assert model.centre == parse_price("150")
    assert all(row.price % parse_price("0.01") == 0 for row in view.rows)
    with pytest.raises(ValueError, match="grouping"):
        model.grouping = 3


def test_prices_and_sizes_are_shown_with_the_market_decimals() -> None:
    assert decimals_of(parse_price("0.001"), 10**6) == 3
    assert decimals_of(parse_base("0.01"), 10**9) == 2
    assert decimals_of(parse_base("1"), 10**9) == 0
    assert fixed_text(parse_price("150"), 10**6, 3) == "150.000"
    assert fixed_text(parse_price("150.0005"), 10**6, 3) == "150.0005"
    assert fixed_text(parse_base("2"), 10**9, 0) == "2"
