"""Stop, take-profit and trailing-stop triggers."""

from __future__ import annotations

import pytest

from backend.domain.orders import Side, TriggerReference
from backend.domain.triggers import PendingTrigger, ReferencePrices, TriggerBook, TriggerKind

MARK = TriggerReference.MARK


def _book(*triggers: PendingTrigger, current: int | None = None) -> TriggerBook:
    book = TriggerBook()
    for trigger in triggers:
        book.add(trigger, current)
    return book


@pytest.mark.parametrize(
    ("side", "kind", "trigger", "quiet", "fires"),
    [
        (Side.BUY, TriggerKind.STOP, 110, 109, 110),
        (Side.SELL, TriggerKind.STOP, 90, 91, 90),
        (Side.BUY, TriggerKind.TAKE_PROFIT, 90, 91, 89),
        (Side.SELL, TriggerKind.TAKE_PROFIT, 110, 109, 111),
    ],
)
def test_fixed_triggers_fire_on_their_side(side, kind, trigger, quiet, fires) -> None:
    book = _book(PendingTrigger(1, side, kind, MARK, trigger))
    assert book.on_price(ReferencePrices(mark=quiet)) == []
    assert book.on_price(ReferencePrices(mark=fires)) == [1]
    assert 1 not in book


def test_trigger_watches_its_own_reference_price() -> None:
    book = _book(PendingTrigger(1, Side.SELL, TriggerKind.STOP, TriggerReference.ORACLE, 90))
    assert book.on_price(ReferencePrices(mark=80, oracle=95, last=70)) == []
    assert book.on_price(ReferencePrices(mark=100, oracle=90)) == [1]


def test_sell_trailing_stop_follows_the_high_by_amount() -> None:
    book = _book(
        PendingTrigger(1, Side.SELL, TriggerKind.TRAILING, MARK, trailing_amount=5), current=100
    )
    assert book.get(1).trigger_price == 95
    assert book.on_price(ReferencePrices(mark=120)) == []
    assert book.get(1).trigger_price == 115
    assert book.on_price(ReferencePrices(mark=117)) == []  # falling does not lower the stop
    assert book.get(1).trigger_price == 115
    assert book.on_price(ReferencePrices(mark=115)) == [1]


def test_buy_trailing_stop_follows_the_low_by_percent() -> None:
    # 10% of the best (lowest) price, rounded down
    trailing = PendingTrigger(1, Side.BUY, TriggerKind.TRAILING, MARK, trailing_percent=100_000)
    book = _book(trailing, current=1_000)
    assert book.get(1).trigger_price == 1_100
    assert book.on_price(ReferencePrices(mark=800)) == []
    assert book.get(1).trigger_price == 880
    assert book.on_price(ReferencePrices(mark=879)) == []
    assert book.on_price(ReferencePrices(mark=880)) == [1]


def test_unknown_prices_fire_nothing_and_duplicates_are_refused() -> None:
    book = _book(PendingTrigger(1, Side.BUY, TriggerKind.STOP, MARK, 100))
    assert book.on_price(ReferencePrices()) == []
    with pytest.raises(ValueError, match="already waiting"):
        book.add(PendingTrigger(1, Side.BUY, TriggerKind.STOP, MARK, 100))
    assert book.remove(1) is not None and book.remove(1) is None


def test_several_fire_in_placement_order() -> None:
    book = _book(
        PendingTrigger(3, Side.SELL, TriggerKind.STOP, MARK, 90),
        PendingTrigger(1, Side.SELL, TriggerKind.STOP, MARK, 95),
        PendingTrigger(2, Side.BUY, TriggerKind.STOP, MARK, 200),
    )
    assert book.on_price(ReferencePrices(mark=80)) == [3, 1]
    assert len(book) == 1
