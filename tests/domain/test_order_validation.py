"""Every refusal of a bad order request, with its code and field."""

from __future__ import annotations

import pytest

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.order_validation import validate_order
from backend.domain.orders import TimeInForce
from tests.domain.order_factory import request

NOW = 1_700_000_000_000
MARK = parse_price("150")


def _rejects(catalog: MarketCatalog, order, code: RejectCode, field: str | None = None) -> None:
    with pytest.raises(OrderRejected) as raised:
        validate_order(order, catalog.market("SOL-PERP"), NOW, MARK)
    assert raised.value.code is code, raised.value.message
    if field is not None:
        assert raised.value.field == field
    assert raised.value.message


@pytest.mark.parametrize(
    "order",
    [
        request(),
        request(type="market", price=None),
        request(type="stop_market", price=None, side="sell", trigger_price="140"),
        request(type="stop_limit", side="buy", price="161", trigger_price="160"),
        request(type="take_profit_market", price=None, side="sell", trigger_price="170"),
        request(type="take_profit_limit", side="buy", price="140", trigger_price="140"),
        request(type="trailing_stop", price=None, side="sell", trailing_amount="2.5"),
        request(type="trailing_stop", price=None, side="buy", trailing_percent=10_000),
        request(type="iceberg", size="10", visible_size="1"),
        request(type="twap", price=None, size="10", twap_duration_s=600, twap_slices=10),
        request(type="bracket", take_profit_price="160", stop_loss_price="140"),
        request(
            type="bracket", price=None, side="sell", take_profit_price="140", stop_loss_price="160"
        ),
        request(post_only=True),
        request(time_in_force=TimeInForce.GTD, expire_at_ms=NOW + 1),
        request(type="market", price=None, time_in_force=TimeInForce.FOK),
    ],
)
def test_good_orders_pass(catalog: MarketCatalog, order) -> None:
    validate_order(order, catalog.market("SOL-PERP"), NOW, MARK)


@pytest.mark.parametrize(
    ("order", "code", "field"),
    [
        (request(market="BTC-PERP"), RejectCode.UNKNOWN_MARKET, "market"),
        (request(size="0"), RejectCode.INVALID_SIZE, "size"),
        (request(size="-1"), RejectCode.INVALID_SIZE, "size"),
        (request(size="0.001"), RejectCode.SIZE_BELOW_MINIMUM, "size"),
        (request(size="1.005"), RejectCode.SIZE_NOT_LOT_MULTIPLE, "size"),
        (request(price=None), RejectCode.MISSING_PRICE, "price"),
        (request(price="0"), RejectCode.INVALID_PRICE, "price"),
        (request(price="150.0005"), RejectCode.PRICE_NOT_TICK_MULTIPLE, "price"),
        (request(type="market", price="150"), RejectCode.UNEXPECTED_PRICE, "price"),
        (
            request(type="stop_market", price=None),
            RejectCode.MISSING_TRIGGER_PRICE,
            "trigger_price",
        ),
        (
            request(type="stop_market", price=None, side="sell", trigger_price="155"),
            RejectCode.INVALID_TRIGGER_PRICE,
            "trigger_price",
        ),
        (
            request(type="take_profit_market", price=None, side="sell", trigger_price="145"),
            RejectCode.INVALID_TRIGGER_PRICE,
            "trigger_price",
        ),
        (request(type="trailing_stop", price=None), RejectCode.INVALID_TRAILING, "trailing_amount"),
        (
            request(type="trailing_stop", price=None, trailing_amount="1", trailing_percent=10),
            RejectCode.INVALID_TRAILING,
            "trailing_amount",
        ),
        (
            request(type="trailing_stop", price=None, trailing_percent=600_000),
            RejectCode.INVALID_TRAILING,
            "trailing_percent",
        ),
        (
            request(type="trailing_stop", price=None, trailing_amount="0.0005"),
            RejectCode.PRICE_NOT_TICK_MULTIPLE,
            "trailing_amount",
        ),
        (request(type="iceberg", size="10"), RejectCode.INVALID_ICEBERG, "visible_size"),
        (
            request(type="iceberg", size="10", visible_size="10"),
            RejectCode.INVALID_ICEBERG,
            "visible_size",
        ),
        (
            request(type="iceberg", size="10", visible_size="0.005"),
            RejectCode.SIZE_BELOW_MINIMUM,
            "visible_size",
        ),
        (
            request(type="twap", price=None, twap_slices=4),
            RejectCode.INVALID_TWAP,
            "twap_duration_s",
        ),
        (
            request(type="twap", price=None, twap_duration_s=60, twap_slices=1),
            RejectCode.INVALID_TWAP,
            "twap_slices",
        ),
        (
            request(type="twap", price=None, size="0.05", twap_duration_s=60, twap_slices=10),
            RejectCode.INVALID_TWAP,
            "twap_slices",
        ),
        (
            request(type="bracket", take_profit_price="140", stop_loss_price="130"),
            RejectCode.INVALID_BRACKET,
            "take_profit_price",
        ),
        (
            request(
                type="bracket",
                side="sell",
                take_profit_price="140",
                stop_loss_price="145",
                price="150.5",
            ),
            RejectCode.INVALID_BRACKET,
            None,
        ),
        (
            request(type="bracket", take_profit_price="160"),
            RejectCode.INVALID_BRACKET,
            "stop_loss_price",
        ),
        (request(time_in_force=TimeInForce.GTD), RejectCode.INVALID_EXPIRY, "expire_at_ms"),
        (
            request(time_in_force=TimeInForce.GTD, expire_at_ms=NOW),
            RejectCode.INVALID_EXPIRY,
            "expire_at_ms",
        ),
        (request(expire_at_ms=NOW + 5), RejectCode.INVALID_EXPIRY, "expire_at_ms"),
        (
            request(post_only=True, time_in_force=TimeInForce.IOC),
            RejectCode.INVALID_FLAGS,
            "post_only",
        ),
        (request(type="market", price=None, post_only=True), RejectCode.INVALID_FLAGS, "post_only"),
        (
            request(type="iceberg", size="10", visible_size="1", time_in_force=TimeInForce.FOK),
            RejectCode.INVALID_TIME_IN_FORCE,
            "time_in_force",
        ),
        (request(client_order_id=""), RejectCode.INVALID_CLIENT_ORDER_ID, "client_order_id"),
        (request(client_order_id="x" * 65), RejectCode.INVALID_CLIENT_ORDER_ID, "client_order_id"),
        (request(client_order_id="bad\nid"), RejectCode.INVALID_CLIENT_ORDER_ID, "client_order_id"),
        (request(visible_size="1"), RejectCode.INVALID_ICEBERG, "visible_size"),
        (request(client_order_id=" x"), RejectCode.INVALID_CLIENT_ORDER_ID, "client_order_id"),
        (request(client_order_id="a:tp"), RejectCode.INVALID_CLIENT_ORDER_ID, "client_order_id"),
        (request(client_order_id="a\x00b"), RejectCode.INVALID_CLIENT_ORDER_ID, "client_order_id"),
        # parameters of other order types are refused, not silently ignored
        (request(trigger_price="140"), RejectCode.INVALID_TRIGGER_PRICE, "trigger_price"),
        (request(trailing_percent=10_000), RejectCode.INVALID_TRAILING, "trailing_percent"),
        (request(twap_slices=4), RejectCode.INVALID_TWAP, "twap_slices"),
        (request(stop_loss_price="140"), RejectCode.INVALID_BRACKET, "stop_loss_price"),
        (
            request(type="stop_limit", price=None, trigger_price="160"),
            RejectCode.MISSING_PRICE,
            "price",
        ),
        (
            request(type="stop_market", price=None, trigger_price="160.0001"),
            RejectCode.PRICE_NOT_TICK_MULTIPLE,
            "trigger_price",
        ),
        # a buy stop below the mark, or a buy take-profit above it, would fire at once
        (
            request(type="stop_market", price=None, trigger_price="150"),
            RejectCode.INVALID_TRIGGER_PRICE,
            "trigger_price",
        ),
        (
            request(type="take_profit_limit", price="160", trigger_price="155"),
            RejectCode.INVALID_TRIGGER_PRICE,
            "trigger_price",
        ),
        (
            request(type="trailing_stop", price=None, trailing_percent=0),
            RejectCode.INVALID_TRAILING,
            "trailing_percent",
        ),
        (
            request(type="iceberg", size="10", visible_size="1.005"),
            RejectCode.SIZE_NOT_LOT_MULTIPLE,
            "visible_size",
        ),
        (
            request(type="twap", price=None, twap_duration_s=0, twap_slices=4),
            RejectCode.INVALID_TWAP,
            "twap_duration_s",
        ),
        (
            request(type="twap", price=None, size="1000", twap_duration_s=60, twap_slices=10_001),
            RejectCode.INVALID_TWAP,
            "twap_slices",
        ),
        (
            request(type="twap", price="150.0005", twap_duration_s=60, twap_slices=2),
            RejectCode.PRICE_NOT_TICK_MULTIPLE,
            "price",
        ),
        (
            request(
                type="twap",
                price=None,
                twap_duration_s=60,
                twap_slices=2,
                time_in_force=TimeInForce.IOC,
            ),
            RejectCode.INVALID_TIME_IN_FORCE,
            "time_in_force",
        ),
        (
            request(type="bracket", stop_loss_price="140"),
            RejectCode.INVALID_BRACKET,
            "take_profit_price",
        ),
        (
            request(type="bracket", take_profit_price="160.0005", stop_loss_price="140"),
            RejectCode.PRICE_NOT_TICK_MULTIPLE,
            "take_profit_price",
        ),
        # a market bracket is checked around the current price (the mark, 150)
        (
            request(type="bracket", price=None, take_profit_price="160", stop_loss_price="151"),
            RejectCode.INVALID_BRACKET,
            "stop_loss_price",
        ),
        (
            request(type="market", price=None, time_in_force=TimeInForce.GTD, expire_at_ms=NOW + 1),
            RejectCode.INVALID_TIME_IN_FORCE,
            "time_in_force",
        ),
        (
            request(post_only=True, time_in_force=TimeInForce.FOK),
            RejectCode.INVALID_FLAGS,
            "post_only",
        ),
        (
            request(type="stop_limit", trigger_price="160", price="161", post_only=True),
            RejectCode.INVALID_FLAGS,
            "post_only",
        ),
        (
            request(
                type="stop_market",
                price=None,
                trigger_price="160",
                time_in_force=TimeInForce.FOK,
            ),
            RejectCode.INVALID_TIME_IN_FORCE,
            "time_in_force",
        ),
    ],
)
def test_bad_orders_are_refused_precisely(catalog, order, code, field) -> None:
    _rejects(catalog, order, code, field)


def test_messages_speak_in_market_units(catalog: MarketCatalog) -> None:
    with pytest.raises(OrderRejected, match=r"size 0\.001 is below the minimum 0\.01"):
        validate_order(request(size="0.001"), catalog.market("SOL-PERP"), NOW, MARK)
    with pytest.raises(OrderRejected, match=r"150\.0005 is not a multiple of the tick 0\.001"):
        validate_order(request(price="150.0005"), catalog.market("SOL-PERP"), NOW, MARK)


def test_side_and_type_must_be_known(catalog: MarketCatalog) -> None:
    # requests built by hand (not through the wire schema) can carry any string
    bad_side = request()
    bad_side.side = "long"
    _rejects(catalog, bad_side, RejectCode.INVALID_SIDE, "side")
    bad_type = request()
    bad_type.type = "stop"
    _rejects(catalog, bad_type, RejectCode.INVALID_ORDER_TYPE, "type")


def test_boundaries_that_are_allowed(catalog: MarketCatalog) -> None:
    spec = catalog.market("SOL-PERP")
    for order in (
        request(client_order_id="x" * 64),
        request(type="trailing_stop", price=None, side="sell", trailing_percent=500_000),
        # market GTC is accepted and works as immediate-or-cancel: it never rests
        request(type="market", price=None, time_in_force=TimeInForce.GTC),
        request(type="market", price=None, time_in_force=TimeInForce.IOC),
        request(type="twap", price="151", size="0.02", twap_duration_s=1, twap_slices=2),
    ):
        validate_order(order, spec, NOW, MARK)
    # without a known price, trigger and bracket sides cannot be checked yet
    validate_order(request(type="stop_market", price=None, trigger_price="100"), spec, NOW, None)
