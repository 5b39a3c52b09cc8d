"""Checks an order request against its market before anything is changed.

Each refusal is an `OrderRejected` with a machine code, a sentence a trader can act on, and
the request field it concerns, so the ticket can mark that field red.

Time-in-force choices: a market order may say GTC (the ticket's default) but never rests:
the engine runs it as immediate-or-cancel; GTD is refused for it, since an expiry on an
order that cannot wait is a mistake. Post-only with IOC or FOK is refused (it could never
rest), and FOK applies to market and limit orders only.
"""

from __future__ import annotations

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
)
from backend.domain.markets import MarketSpec
from backend.domain.orders import OrderRequest, OrderType, Side, TimeInForce

MAX_CLIENT_ORDER_ID_LENGTH = 64
MAX_TRAILING_PERCENT = RATIO_PRECISION // 2
"""A trailing distance of more than 50% of the price is refused as a fat finger."""
MAX_TWAP_SLICES = 10_000
CHILD_ID_SEPARATOR = ":"
"""Joins a parent's client order id and a child's suffix; refused in client ids."""


def _price(value: int) -> str:
    return format_fixed(value, PRICE_PRECISION)


def _size(value: int) -> str:
    return format_fixed(value, BASE_PRECISION)


def _reject(code: RejectCode, message: str, field: str) -> OrderRejected:
    return OrderRejected(code, message, field)


def check_price(value: int | None, spec: MarketSpec, field: str, code: RejectCode) -> int:
    """A price that must be present, positive and on the tick grid."""
    if value is None:
        raise _reject(code, f"{field.replace('_', ' ')} is required for this order", field)
    if value <= 0:
        raise _reject(
            RejectCode.INVALID_PRICE, f"{field.replace('_', ' ')} must be positive", field
        )
    if value % spec.tick_size:
        raise _reject(
            RejectCode.PRICE_NOT_TICK_MULTIPLE,
            f"{field.replace('_', ' ')} {_price(value)} is not a multiple of the tick "
            f"{_price(spec.tick_size)}",
            field,
        )
    return value


def check_size(value: int, spec: MarketSpec, field: str = "size") -> None:
    """A size that is positive, at least the minimum, and a whole number of lots."""
    if value <= 0:
        raise _reject(RejectCode.INVALID_SIZE, f"{field.replace('_', ' ')} must be positive", field)
    if value < spec.min_size:
        raise _reject(
            RejectCode.SIZE_BELOW_MINIMUM,
            f"{field.replace('_', ' ')} {_size(value)} is below the minimum "
            f"{_size(spec.min_size)} for {spec.symbol}",
            field,
        )
    if value % spec.lot_size:
        raise _reject(
            RejectCode.SIZE_NOT_LOT_MULTIPLE,
            f"{field.replace('_', ' ')} {_size(value)} is not a multiple of the lot "
            f"{_size(spec.lot_size)}",
            field,
        )


def _check_client_order_id(request: OrderRequest) -> None:
    cid = request.client_order_id
    if not isinstance(cid, str) or not cid:
        raise _reject(
            RejectCode.INVALID_CLIENT_ORDER_ID, "client order id is required", "client_order_id"
        )
    if len(cid) > MAX_CLIENT_ORDER_ID_LENGTH:
        raise _reject(
            RejectCode.INVALID_CLIENT_ORDER_ID,
            f"client order id is longer than {MAX_CLIENT_ORDER_ID_LENGTH} characters",
            "client_order_id",
        )
    if not cid.isprintable() or cid.strip() != cid:
        raise _reject(
            RejectCode.INVALID_CLIENT_ORDER_ID,
            "client order id must be printable, with no leading or trailing spaces",
            "client_order_id",
        )
    if CHILD_ID_SEPARATOR in cid:
        # the engine names child orders "<parent id>:tp", ":sl", ":twap:<n>"; a user id of
        # that shape could answer as a duplicate of someone's leg instead of being placed
        raise _reject(
            RejectCode.INVALID_CLIENT_ORDER_ID,
            f"client order id may not contain {CHILD_ID_SEPARATOR!r}: it is reserved for the "
            "ids of bracket legs and TWAP slices",
            "client_order_id",
        )


def _check_time_in_force(request: OrderRequest, now_ms: int) -> None:
    tif = request.time_in_force
    if tif is TimeInForce.GTD:
        if request.expire_at_ms is None:
            raise _reject(
                RejectCode.INVALID_EXPIRY, "a GTD order needs an expiry time", "expire_at_ms"
            )
        if request.expire_at_ms <= now_ms:
            raise _reject(
                RejectCode.INVALID_EXPIRY, "the expiry time is already past", "expire_at_ms"
            )
    elif request.expire_at_ms is not None:
        raise _reject(
            RejectCode.INVALID_EXPIRY, "an expiry time needs time in force GTD", "expire_at_ms"
        )
    if request.post_only and tif in (TimeInForce.IOC, TimeInForce.FOK):
        raise _reject(
            RejectCode.INVALID_FLAGS,
            "post-only cannot be combined with IOC or FOK: it would never rest",
            "post_only",
        )
    if request.type is OrderType.MARKET and tif is TimeInForce.GTD:
        raise _reject(
            RejectCode.INVALID_TIME_IN_FORCE,
            "a market order executes at once and cannot be GTD",
            "time_in_force",
        )


_OPTIONAL_FIELDS = {
    "price": RejectCode.UNEXPECTED_PRICE,
    "trigger_price": RejectCode.INVALID_TRIGGER_PRICE,
    "trailing_amount": RejectCode.INVALID_TRAILING,
    "trailing_percent": RejectCode.INVALID_TRAILING,
    "visible_size": RejectCode.INVALID_ICEBERG,
    "twap_duration_s": RejectCode.INVALID_TWAP,
    "twap_slices": RejectCode.INVALID_TWAP,
    "take_profit_price": RejectCode.INVALID_BRACKET,
    "stop_loss_price": RejectCode.INVALID_BRACKET,
}


def _check_unexpected(request: OrderRequest, forbidden: tuple[tuple[str, RejectCode], ...]) -> None:
    """Refuse parameters the order type does not use, so nothing is silently ignored."""
    for name, code in forbidden:
        if getattr(request, name) is not None:
            raise _reject(
                code,
                f"{name.replace('_', ' ')} does not apply to a {request.type.value} order",
                name,
            )


def _check_trigger_side(request: OrderRequest, reference_price: int | None) -> None:
    """A stop must sit on the losing side of the current price, a take-profit on the
    winning side, or it would fire at once; skipped when no price is known yet."""
    if reference_price is None or request.trigger_price is None:
        return
    is_stop = request.type in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)
    buy = request.side is Side.BUY
    # A buy stop fires on a rise, a buy take-profit on a fall (and mirrored for sells).
    fires_above = buy == is_stop
    if fires_above and request.trigger_price <= reference_price:
        where = "above"
    elif not fires_above and request.trigger_price >= reference_price:
        where = "below"
    else:
        return
    raise _reject(
        RejectCode.INVALID_TRIGGER_PRICE,
        f"the trigger price of a {request.side.value} {request.type.value.replace('_', ' ')} "
        f"must be {where} the current price {_price(reference_price)}",
        "trigger_price",
    )


def check_bracket(request: OrderRequest, spec: MarketSpec, reference_price: int | None) -> None:
    """Take-profit and stop-loss present, on tick, and on their sides of the entry price
    (the limit price, else ``reference_price``; unchecked when neither is known)."""
    take_profit = check_price(
        request.take_profit_price, spec, "take_profit_price", RejectCode.INVALID_BRACKET
    )
    stop_loss = check_price(
        request.stop_loss_price, spec, "stop_loss_price", RejectCode.INVALID_BRACKET
    )
    entry = request.price if request.price is not None else reference_price
    if entry is None:
        return
    if request.side is Side.BUY and not stop_loss < entry < take_profit:
        raise _reject(
            RejectCode.INVALID_BRACKET,
            f"for a buy bracket the stop loss must be below and the take profit above the "
            f"entry {_price(entry)}",
            "take_profit_price" if take_profit <= entry else "stop_loss_price",
        )
    if request.side is Side.SELL and not take_profit < entry < stop_loss:
        raise _reject(
            RejectCode.INVALID_BRACKET,
            f"for a sell bracket the take profit must be below and the stop loss above the "
            f"entry {_price(entry)}",
            "take_profit_price" if take_profit >= entry else "stop_loss_price",
        )


def _check_trailing(request: OrderRequest, spec: MarketSpec) -> None:
    amount, percent = request.trailing_amount, request.trailing_percent
    if (amount is None) == (percent is None):
        raise _reject(
            RejectCode.INVALID_TRAILING,
            "a trailing stop needs exactly one of a trailing amount or percent",
            "trailing_amount",
        )
    if amount is not None:
        check_price(amount, spec, "trailing_amount", RejectCode.INVALID_TRAILING)
    elif not 0 < percent <= MAX_TRAILING_PERCENT:
        raise _reject(
            RejectCode.INVALID_TRAILING,
            "the trailing percent must be above 0 and at most 50%",
            "trailing_percent",
        )


def _check_iceberg(request: OrderRequest, spec: MarketSpec) -> None:
    if request.visible_size is None:
        raise _reject(RejectCode.INVALID_ICEBERG, "an iceberg needs a visible size", "visible_size")
    check_size(request.visible_size, spec, "visible_size")
    if request.visible_size >= request.size:
        raise _reject(
            RejectCode.INVALID_ICEBERG,
            "the visible size of an iceberg must be smaller than its total size",
            "visible_size",
        )


def _check_twap(request: OrderRequest, spec: MarketSpec) -> None:
    duration, slices = request.twap_duration_s, request.twap_slices
    if duration is None or duration <= 0:
        raise _reject(
            RejectCode.INVALID_TWAP,
            "a TWAP needs a positive duration in seconds",
            "twap_duration_s",
        )
    if slices is None or not 2 <= slices <= MAX_TWAP_SLICES:
        raise _reject(
            RejectCode.INVALID_TWAP,
            f"a TWAP needs from 2 to {MAX_TWAP_SLICES} slices",
            "twap_slices",
        )
    slice_size = spec.snap_size(request.size // slices)
    if slice_size < spec.min_size:
        raise _reject(
            RejectCode.INVALID_TWAP,
            f"{slices} slices of {_size(request.size)} are below the minimum size "
            f"{_size(spec.min_size)} each; use fewer slices",
            "twap_slices",
        )
    if request.price is not None:
        check_price(request.price, spec, "price", RejectCode.MISSING_PRICE)
    if request.time_in_force is not TimeInForce.GTC:
        raise _reject(
            RejectCode.INVALID_TIME_IN_FORCE,
            "a TWAP runs for its duration: its time in force is GTC",
            "time_in_force",
        )


_ALLOWED_FIELDS: dict[OrderType, set[str]] = {
    OrderType.MARKET: set(),
    OrderType.LIMIT: {"price"},
    OrderType.STOP_MARKET: {"trigger_price"},
    OrderType.STOP_LIMIT: {"trigger_price", "price"},
    OrderType.TAKE_PROFIT_MARKET: {"trigger_price"},
    OrderType.TAKE_PROFIT_LIMIT: {"trigger_price", "price"},
    OrderType.TRAILING_STOP: {"trailing_amount", "trailing_percent"},
    OrderType.ICEBERG: {"price", "visible_size"},
    OrderType.TWAP: {"twap_duration_s", "twap_slices", "price"},
    OrderType.BRACKET: {"price", "take_profit_price", "stop_loss_price"},
}


_FORBIDDEN_FIELDS = {
    kind: tuple((name, code) for name, code in _OPTIONAL_FIELDS.items() if name not in allowed)
    for kind, allowed in _ALLOWED_FIELDS.items()
}


def validate_order(
    request: OrderRequest, spec: MarketSpec, now_ms: int, reference_price: int | None = None
) -> None:
    """Raise `OrderRejected` for the first thing wrong with ``request``; return if it is good.

    ``reference_price`` is the price triggers watch now (mark by default), used to refuse
    a stop or take-profit that would fire immediately and a bracket around the wrong side.
    """
    if request.market != spec.symbol:
        raise _reject(
            RejectCode.UNKNOWN_MARKET, f"order is for {request.market}, not {spec.symbol}", "market"
        )
    if not isinstance(request.side, Side):
        raise _reject(RejectCode.INVALID_SIDE, "side must be buy or sell", "side")
    if not isinstance(request.type, OrderType):
        raise _reject(RejectCode.INVALID_ORDER_TYPE, "unknown order type", "type")
    _check_client_order_id(request)
    check_size(request.size, spec)
    _check_unexpected(request, _FORBIDDEN_FIELDS[request.type])
    _check_time_in_force(request, now_ms)
    kind = request.type
    if kind.needs_limit_price:
        check_price(request.price, spec, "price", RejectCode.MISSING_PRICE)
    if kind in (
        OrderType.STOP_MARKET,
        OrderType.STOP_LIMIT,
        OrderType.TAKE_PROFIT_MARKET,
        OrderType.TAKE_PROFIT_LIMIT,
    ):
        check_price(request.trigger_price, spec, "trigger_price", RejectCode.MISSING_TRIGGER_PRICE)
        _check_trigger_side(request, reference_price)
    if kind is OrderType.TRAILING_STOP:
        _check_trailing(request, spec)
    if kind is OrderType.ICEBERG:
        _check_iceberg(request, spec)
    if kind is OrderType.TWAP:
        _check_twap(request, spec)
    if kind is OrderType.BRACKET:
        if request.price is not None:
            check_price(request.price, spec, "price", RejectCode.MISSING_PRICE)
        check_bracket(request, spec, reference_price)
    if request.post_only and kind not in (OrderType.LIMIT, OrderType.ICEBERG):
        raise _reject(
            RejectCode.INVALID_FLAGS,
            "post-only applies to limit and iceberg orders only",
            "post_only",
        )
    if request.time_in_force is TimeInForce.FOK and kind not in (OrderType.MARKET, OrderType.LIMIT):
        raise _reject(
            RejectCode.INVALID_TIME_IN_FORCE,
            "fill-or-kill applies to market and limit orders only",
            "time_in_force",
        )
