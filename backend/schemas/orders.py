"""Orders on the wire: the body of ``POST /api/orders`` and the order as answered.

Prices and sizes travel as decimal strings ("150.25"), never floats; they become
fixed-point integers here, exactly, or the order is refused naming the field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    PRICE_TIMES_BASE_TO_QUOTE,
    QUOTE_PRECISION,
    FixedPointError,
    format_fixed,
    parse_base,
    parse_price,
    parse_ratio,
)
from backend.domain.markets import MarketCatalog
from backend.domain.orders import (
    Order,
    OrderRequest,
    OrderType,
    Side,
    TimeInForce,
    TriggerReference,
)

DecimalText = str
MAX_FIXED = 2**63
"""Every fixed-point amount fits a signed 64-bit integer (the store's and the program's)."""


class OrderBody(BaseModel):
    """A new order. Only the fields its type needs may be set."""

    model_config = ConfigDict(extra="forbid")

    market: str = Field(max_length=32, examples=["SOL-PERP"])
    side: Literal["buy", "sell"]
    type: Literal[
        "market",
        "limit",
        "stop_market",
        "stop_limit",
        "take_profit_market",
        "take_profit_limit",
        "trailing_stop",
        "iceberg",
        "twap",
        "bracket",
    ]
    size: DecimalText = Field(max_length=40, examples=["1.5"])
    client_order_id: str = Field(min_length=1, max_length=64)
    price: DecimalText | None = Field(default=None, max_length=40, examples=["150.25"])
    trigger_price: DecimalText | None = Field(default=None, max_length=40)
    trigger_reference: Literal["mark", "oracle", "last"] = "mark"
    trailing_amount: DecimalText | None = Field(default=None, max_length=40)
    trailing_percent: DecimalText | None = Field(
        default=None, max_length=40, description="a fraction: 0.01 is 1%"
    )
    visible_size: DecimalText | None = Field(default=None, max_length=40)
    twap_duration_s: int | None = Field(default=None, ge=1, le=7 * 24 * 3600)
    twap_slices: int | None = Field(default=None, ge=1, le=10_000)
    take_profit_price: DecimalText | None = Field(default=None, max_length=40)
    stop_loss_price: DecimalText | None = Field(default=None, max_length=40)
    time_in_force: Literal["gtc", "gtd", "ioc", "fok"] = "gtc"
    expire_at_ms: int | None = Field(default=None, ge=0)
    post_only: bool = False
    reduce_only: bool = False


def fixed_value(value: str | None, parse, field: str, code: RejectCode) -> int | None:
    """``value`` parsed exactly, or `OrderRejected` with ``code`` naming ``field``."""
    if value is None:
        return None
    try:
        parsed = parse(value)
    except FixedPointError as error:
        raise OrderRejected(code, f"{field.replace('_', ' ')}: {error}", field) from None
    if abs(parsed) >= MAX_FIXED:
        raise OrderRejected(code, f"{field.replace('_', ' ')} {value} is too large", field)
    return parsed


def to_request(body: OrderBody, account: str, catalog: MarketCatalog) -> OrderRequest:
    """The domain request of ``body`` for ``account``, or `OrderRejected` naming the field."""
    if body.market not in catalog.markets:
        known = ", ".join(catalog.markets)
        raise OrderRejected(
            RejectCode.UNKNOWN_MARKET,
            f"unknown market {body.market}; markets are {known}",
            "market",
        )
    price_code = RejectCode.INVALID_PRICE
    return OrderRequest(
        account=account,
        market=body.market,
        side=Side(body.side),
        type=OrderType(body.type),
        size=fixed_value(body.size, parse_base, "size", RejectCode.INVALID_SIZE),
        client_order_id=body.client_order_id,
        price=fixed_value(body.price, parse_price, "price", price_code),
        trigger_price=fixed_value(
            body.trigger_price, parse_price, "trigger_price", RejectCode.INVALID_TRIGGER_PRICE
        ),
        trigger_reference=TriggerReference(body.trigger_reference),
        trailing_amount=fixed_value(
            body.trailing_amount, parse_price, "trailing_amount", RejectCode.INVALID_TRAILING
        ),
        trailing_percent=fixed_value(
            body.trailing_percent, parse_ratio, "trailing_percent", RejectCode.INVALID_TRAILING
        ),
        visible_size=fixed_value(
            body.visible_size, parse_base, "visible_size", RejectCode.INVALID_ICEBERG
        ),
        twap_duration_s=body.twap_duration_s,
        twap_slices=body.twap_slices,
        take_profit_price=fixed_value(
            body.take_profit_price, parse_price, "take_profit_price", RejectCode.INVALID_BRACKET
        ),
        stop_loss_price=fixed_value(
            body.stop_loss_price, parse_price, "stop_loss_price", RejectCode.INVALID_BRACKET
        ),
        time_in_force=TimeInForce(body.time_in_force),
        expire_at_ms=body.expire_at_ms,
        post_only=body.post_only,
        reduce_only=body.reduce_only,
    )


class OrderOut(BaseModel):
    """An order as the server holds it."""

    order_id: int
    client_order_id: str
    market: str
    side: str
    type: str
    status: str
    size: DecimalText
    filled: DecimalText
    average_price: DecimalText | None
    fees_paid: DecimalText
    price: DecimalText | None
    trigger_price: DecimalText | None
    time_in_force: str
    post_only: bool
    reduce_only: bool
    parent_id: int | None
    created_at_ms: int
    reject_reason: str | None
    updated_at_ms: int | None = None
    """When the order last changed (epoch ms), where the server knows it: stored orders
    and live updates; the sync feed's cursor orders by it."""

    @classmethod
    def of(cls, order: Order, updated_at_ms: int | None = None) -> OrderOut:
        """The wire form of a domain order."""
        request = order.request
        return cls.from_units(
            order_id=order.order_id,
            client_order_id=request.client_order_id,
            market=request.market,
            side=request.side.value,
            type=request.type.value,
            status=order.status.value,
            size=request.size,
            filled=order.filled,
            filled_quote=order.filled_quote,
            fees_paid=order.fees_paid,
            price=request.price,
            trigger_price=request.trigger_price,
            time_in_force=request.time_in_force.value,
            post_only=request.post_only,
            reduce_only=request.reduce_only,
            parent_id=order.parent_id,
            created_at_ms=order.created_at_ms,
            reject_reason=order.reject_reason,
            updated_at_ms=updated_at_ms,
        )

    @classmethod
    def from_units(
        cls,
        *,
        size: int,
        filled: int,
        filled_quote: int,
        fees_paid: int,
        price: int | None,
        trigger_price: int | None,
        **fields: object,
    ) -> OrderOut:
        """The wire form from amounts in fixed-point units (a live order's or a stored
        row's): sizes, prices and fees as decimal text, and the average fill price."""

        def price_text(value: int | None) -> str | None:
            return None if value is None else format_fixed(value, PRICE_PRECISION)

        average = None
        if filled:
            average = price_text(filled_quote * PRICE_TIMES_BASE_TO_QUOTE // filled)
        return cls(
            size=format_fixed(size, BASE_PRECISION),
            filled=format_fixed(filled, BASE_PRECISION),
            average_price=average,
            fees_paid=format_fixed(fees_paid, QUOTE_PRECISION),
            price=price_text(price),
            trigger_price=price_text(trigger_price),
            **fields,
        )


class ModifyBody(BaseModel):
    """A new price and/or total size (fills included) for a resting order."""

    model_config = ConfigDict(extra="forbid")

    price: DecimalText | None = Field(default=None, max_length=40)
    size: DecimalText | None = Field(default=None, max_length=40)


def modify_values(body: ModifyBody) -> tuple[int | None, int | None]:
    """The fixed-point price and size of a modify body, or `OrderRejected`."""
    if body.price is None and body.size is None:
        raise OrderRejected(
            RejectCode.INVALID_PRICE, "give a new price, a new size or both", "price"
        )
    price = fixed_value(body.price, parse_price, "price", RejectCode.INVALID_PRICE)
    size = fixed_value(body.size, parse_base, "size", RejectCode.INVALID_SIZE)
    return price, size


class TradeOut(BaseModel):
    """One of the user's fills."""

    trade_id: int
    market: str
    side: str
    role: str
    price: DecimalText
    size: DecimalText
    fee: DecimalText
    realised_pnl: DecimalText
    """PnL the fill realised for the user (reducing or closing a position), before the
    fee; 0 when it only opened or added."""
    order_id: int | None
    time_ms: int


class TradePage(BaseModel):
    """A page of fills and the cursor for the next one."""

    trades: list[TradeOut]
    next_cursor: int


class OrderPage(BaseModel):
    """A page of finished orders, newest first, and the cursor of the next page."""

    orders: list[OrderOut]
    next_cursor: str | None
    """Pass back as ``cursor``; None when this was the last page."""
