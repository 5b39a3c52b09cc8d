"""The hotkeys' parts without a window: the key map refuses clashes and keys it cannot
read (keeping what was there), sizes step along 1-2-5 multiples of the market minimum,
and each trading key plans the order a trader expects, or says why it does nothing."""

from __future__ import annotations

import pytest

from backend.domain.fixed_point import parse_base, parse_price
from quantdesk_desktop.hotkeys.actions import ACTIONS
from quantdesk_desktop.hotkeys.keymap import Keymap, KeymapError, normalised_key
from quantdesk_desktop.hotkeys.plans import HotkeyRefused, plan
from quantdesk_desktop.hotkeys.sizes import HotkeySizes
from quantdesk_desktop.panels.ticket.guards import Guards
from quantdesk_desktop.state.store import MarketStore

SOL = {"symbol": "SOL-PERP", "tick_size": "0.001", "lot_size": "0.01", "min_size": "0.1"}
BTC = {"symbol": "BTC-PERP", "tick_size": "0.1", "lot_size": "0.0001", "min_size": "0.001"}


def test_default_keys_are_distinct_and_every_action_has_one() -> None:
    keymap = Keymap()
    keys = [keymap.key_of(action.name) for action in ACTIONS]
    assert all(keys) and len(set(keys)) == len(keys)
    assert keymap.action_for("F3") == "buy_bid"


def test_a_clash_is_refused_and_changes_nothing(qapp) -> None:
    keymap = Keymap()
    with pytest.raises(KeymapError, match="F1 is already bound to Buy at market"):
        keymap.rebind("sell_market", "f1")
    assert keymap.key_of("sell_market") == "F2" and keymap.key_of("buy_market") == "F1"
    with pytest.raises(KeymapError, match="kept for saving the workspace"):
        keymap.rebind("flatten", "Ctrl+S")
    with pytest.raises(KeymapError, match="not a key"):
        keymap.rebind("flatten", "Ctrl+")
    with pytest.raises(KeymapError, match="sequence of keys"):
        keymap.rebind("flatten", "Ctrl+K, Ctrl+C")
    with pytest.raises(KeymapError, match="unknown action"):
        keymap.rebind("buy_everything", "F12")
    assert keymap.key_of("flatten") == "F8"
    keymap.rebind("flatten", "shift+f12")
    assert keymap.key_of("flatten") == "Shift+F12" and keymap.action_for("F8") is None
    keymap.rebind("flatten", "")
    assert keymap.key_of("flatten") == ""
    assert normalised_key(" alt+up ") == "Alt+Up"


def test_saved_keys_swap_and_bad_entries_keep_their_defaults(qapp) -> None:
    saved = {"buy_market": "F2", "sell_market": "F1", "flatten": "nonsense+", "who": "F12",
             "reverse": "F3", "buy_bid": 7}  # fmt: skip
    keymap, problems = Keymap.from_settings(saved)
    assert keymap.key_of("buy_market") == "F2" and keymap.key_of("sell_market") == "F1"
    assert keymap.key_of("flatten") == "F8"  # unreadable: back on its default
    # buy_bid's saved key is junk, so it keeps F3, which reverse then cannot take
    assert keymap.key_of("buy_bid") == "F3" and keymap.key_of("reverse") == "F9"
    assert len(problems) == 4
    assert any("nonsense" in p for p in problems) and any("'who'" in p for p in problems)
    assert any("F3 is already bound to Buy at the bid" in p for p in problems)
    assert any("buy_bid: 7 is not a key" in p for p in problems)
    assert Keymap.from_settings(None)[1] == []
    assert Keymap.from_settings("junk")[1] == ["hotkeys: not a mapping, defaults"]


def test_sizes_step_along_one_two_five_multiples_of_the_minimum() -> None:
    sizes = HotkeySizes()
    assert sizes.size("SOL-PERP", SOL) == parse_base("0.1")
    steps = [sizes.step("SOL-PERP", SOL, up=True) for _ in range(4)]
    assert steps == [parse_base(t) for t in ("0.2", "0.5", "1", "2")]
    assert sizes.step("SOL-PERP", SOL, up=False) == parse_base("1")
    for _ in range(10):
        sizes.step("SOL-PERP", SOL, up=False)
    assert sizes.size("SOL-PERP", SOL) == parse_base("0.1")  # never below the minimum
    sizes.sizes["BTC-PERP"] = parse_base("0.003")  # off the series: to the next one
    assert sizes.step("BTC-PERP", BTC, up=True) == parse_base("0.005")
    saved, problems = HotkeySizes.from_settings({"SOL-PERP": "1.5", "BTC-PERP": "-1", "X": 3})
    assert saved.as_settings() == {"SOL-PERP": "1.5"} and len(problems) == 2


def _store() -> MarketStore:
    store = MarketStore()
    store.board.load_specs([SOL, BTC])
    store.board.apply_prices(
        {"market": "SOL-PERP", "type": "snapshot", "mark": "150", "oracle": "150"}
    )
    book = {"type": "snapshot", "seq": 1, "bids": [["149.9", "5"], ["149.8", "9"]],
            "asks": [["150.1", "4"], ["150.2", "8"]]}  # fmt: skip
    store.book("SOL-PERP").apply(book)
    return store


@pytest.mark.parametrize(
    ("action", "side", "price"),
    [
        ("buy_bid", "buy", "149.9"),
        ("sell_ask", "sell", "150.1"),
        ("buy_ask", "buy", "150.1"),
        ("sell_bid", "sell", "149.9"),
    ],
)
def test_join_and_cross_keys_use_the_touch(action: str, side: str, price: str) -> None:
    chosen = plan(action, "SOL-PERP", parse_base("2"), _store(), Guards())
    (order,) = chosen.orders
    assert order == {"market": "SOL-PERP", "side": side, "type": "limit", "size": "2",
                     "price": price}  # fmt: skip
    assert price in chosen.what


def test_market_keys_and_cancels() -> None:
    store = _store()
    (order,) = plan("sell_market", "SOL-PERP", parse_base("0.5"), store, Guards()).orders
    assert order == {"market": "SOL-PERP", "side": "sell", "type": "market", "size": "0.5"}
    cancel = plan("cancel_market", "SOL-PERP", 1, store, Guards())
    assert cancel.cancel and cancel.cancel_market == "SOL-PERP" and not cancel.orders
    everywhere = plan("cancel_everywhere", "SOL-PERP", 1, store, Guards())
    assert everywhere.cancel and everywhere.cancel_market is None


def test_keys_that_cannot_act_say_why() -> None:
    store = _store()
    with pytest.raises(HotkeyRefused, match="no bid in the BTC-PERP book"):
        plan("buy_bid", "BTC-PERP", 1, store, Guards())
    with pytest.raises(HotkeyRefused, match="no SOL-PERP position to flatten"):
        plan("flatten", "SOL-PERP", 1, store, Guards())
    with pytest.raises(HotkeyRefused, match="no open positions"):
        plan("flatten_all", "SOL-PERP", 1, store, Guards())
    guards = Guards(max_size={"SOL-PERP": parse_base("1")}, mode="confirm")
    with pytest.raises(HotkeyRefused, match="beyond the guards: size 2 is above"):
        plan("buy_ask", "SOL-PERP", parse_base("2"), store, guards)
    with pytest.raises(HotkeyRefused, match="notional 3002 USDC is above"):
        plan(
            "buy_market",
            "SOL-PERP",
            parse_base("20"),
            store,
            Guards(max_notional=parse_price("3000")),
        )


def test_flatten_and_reverse_close_the_position() -> None:
    store = _store()
    rows = [{"market": "SOL-PERP", "size": "-3", "entry_price": "150", "mark_price": "150",
             "unrealised_pnl": "0", "liquidation_price": "190"},
            {"market": "BTC-PERP", "size": "0.01", "entry_price": "60000", "mark_price": "60000",
             "unrealised_pnl": "0", "liquidation_price": None}]  # fmt: skip
    store.positions.apply_positions({"positions": rows})
    (close,) = plan("flatten", "SOL-PERP", 1, store, Guards()).orders
    assert close == {"market": "SOL-PERP", "side": "buy", "type": "market", "size": "3",
                     "reduce_only": True}  # fmt: skip
    (flip,) = plan("reverse", "SOL-PERP", 1, store, Guards()).orders
    assert flip["side"] == "buy" and flip["size"] == "6" and flip["reduce_only"] is False
    every = plan("flatten_all", "SOL-PERP", 1, store, Guards())
    assert [o["market"] for o in every.orders] == ["BTC-PERP", "SOL-PERP"]
    assert [o["side"] for o in every.orders] == ["sell", "buy"]
