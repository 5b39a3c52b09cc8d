"""Orders on the wire: decimal strings in, exact fixed point out, clear refusals."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.markets import MarketCatalog
from backend.domain.matching_engine import MatchingEngine
from backend.domain.orders import OrderType, Side, TimeInForce
from backend.schemas.orders import OrderBody, OrderOut, to_request


def _body(**fields) -> OrderBody:
    base = {
        "market": "SOL-PERP",
        "side": "buy",
        "type": "limit",
        "size": "1.5",
        "price": "150.25",
        "client_order_id": "c1",
    }
    return OrderBody.model_validate(base | fields)


def test_body_becomes_an_exact_domain_request(catalog: MarketCatalog) -> None:
    request = to_request(_body(time_in_force="ioc", trailing_percent=None), "alice", catalog)
    assert request.size == 1_500_000_000 and request.price == 150_250_000
    assert (request.side, request.type, request.time_in_force) == (
        Side.BUY,
        OrderType.LIMIT,
        TimeInForce.IOC,
    )
    assert request.account == "alice"


def test_trailing_percent_is_a_fraction(catalog: MarketCatalog) -> None:
    body = _body(type="trailing_stop", price=None, trailing_percent="0.015")
    assert to_request(body, "alice", catalog).trailing_percent == 15_000


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"market": "XRP-PERP"}, RejectCode.UNKNOWN_MARKET, "market"),
        ({"size": "abc"}, RejectCode.INVALID_SIZE, "size"),
        ({"size": "0.0000000001"}, RejectCode.INVALID_SIZE, "size"),
        ({"price": "1e400"}, RejectCode.INVALID_PRICE, "price"),
        ({"price": "NaN"}, RejectCode.INVALID_PRICE, "price"),
        ({"stop_loss_price": "x"}, RejectCode.INVALID_BRACKET, "stop_loss_price"),
    ],
)
def test_bad_numbers_are_refused_naming_the_field(catalog, fields, code, field) -> None:
    with pytest.raises(OrderRejected) as raised:
        to_request(_body(**fields), "alice", catalog)
    assert raised.value.code is code and raised.value.field == field


@pytest.mark.parametrize(
    "fields",
    [
        {"side": "long"},
        {"type": "moon"},
        {"size": 1.5},
        {"unknown": 1},
        {"time_in_force": "day"},
        {"client_order_id": ""},
        {"twap_slices": 0},
    ],
)
def test_malformed_bodies_fail_validation(fields) -> None:
    with pytest.raises(ValidationError):
        _body(**fields)


def test_order_out_shows_decimals_and_the_average_price(catalog: MarketCatalog) -> None:
    engine = MatchingEngine(catalog.market("SOL-PERP"))
    engine.submit(
        to_request(_body(side="sell", client_order_id="m1", price="150"), "bob", catalog), 0
    )
    engine.submit(
        to_request(_body(side="sell", client_order_id="m2", price="151"), "bob", catalog), 0
    )
    taker = engine.submit(
        to_request(_body(size="3", price="151", client_order_id="t"), "alice", catalog), 0
    ).order
    out = OrderOut.of(taker)
    assert out.size == "3" and out.filled == "3" and out.status == "filled"
    assert out.average_price == "150.5"  # 1.5 at 150 and 1.5 at 151
    assert out.price == "151" and out.fees_paid == "0.22575"  # 5 bps of 451.5
