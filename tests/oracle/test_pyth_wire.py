"""Hermes prices read exactly: string integers with an exponent, to our 1e-6 units."""

from __future__ import annotations

import copy

import pytest

from backend.domain.fixed_point import parse_price
from backend.services.oracle.pyth_wire import HermesFormatError, parse_updates, to_fixed
from tests.oracle.hermes_server import recorded_latest

ETH = "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace"


def test_the_documented_example_converts_exactly() -> None:
    eth, btc = parse_updates(recorded_latest())
    assert eth.feed_id == ETH and eth.publish_time == 1692110601
    # 184136023127e-8 = 1841.36023127 -> 1841.360231 (half-even at 1e-6)
    assert eth.price == parse_price("1841.360231")
    # 177166324e-8 = 1.77166324 -> rounded up: never narrower than sent
    assert eth.conf == parse_price("1.771664")
    assert eth.ema_price == parse_price("1841.00641")
    assert (eth.raw_price, eth.expo, eth.slot, eth.prev_publish_time) == (
        "184136023127",
        -8,
        102000000,
        1692110600,
    )
    assert btc.price == parse_price("65532.41")


@pytest.mark.parametrize(
    ("mantissa", "expo", "up", "units"),
    [
        (15, -7, False, 2),  # 1.5 units: half-even rounds to 2
        (25, -7, False, 2),  # 2.5 units: half-even rounds to 2
        (25, -7, True, 3),  # confidence: up
        (-15, -7, False, -2),
        (7, 0, False, 7_000_000),
        (3, 2, False, 300_000_000),
        (123456, -6, False, 123456),
    ],
)
def test_scaling_by_the_exponent(mantissa, expo, up, units) -> None:
    assert to_fixed(mantissa, expo, round_up=up) == units


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("price", "price"), 184136023127, "decimal string"),  # a JSON number, not text
        (("price", "price"), "1.5", "decimal string"),
        (("price", "expo"), "-8", "expo"),
        (("price", "conf"), "-1", "negative"),
        (("price", "publish_time"), -5, "publish_time"),
        (("id",), "abc", "feed id"),
        (("metadata",), [], "metadata"),
    ],
)
def test_malformed_entries_are_refused_with_the_field(path, value, message) -> None:
    payload = copy.deepcopy(recorded_latest())
    target = payload["parsed"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(HermesFormatError, match=message):
        parse_updates(payload)


def test_a_missing_field_or_list_is_refused() -> None:
    payload = copy.deepcopy(recorded_latest())
    del payload["parsed"][0]["ema_price"]["expo"]
    with pytest.raises(HermesFormatError, match="ema_price lacks expo"):
        parse_updates(payload)
    with pytest.raises(HermesFormatError, match="parsed"):
        parse_updates({"binary": {}})
