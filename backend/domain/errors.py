"""The domain's errors: one exception family, each carrying a machine code and a sentence.

The gateway maps ``DomainError.code`` to an HTTP status in one place; the desktop shows
``str(error)`` next to the field named by ``error.field``.
"""

from __future__ import annotations

from enum import StrEnum


class RejectCode(StrEnum):
    """Machine-readable reasons an order or an account operation is refused."""

    UNKNOWN_MARKET = "unknown_market"
    INVALID_SIDE = "invalid_side"
    INVALID_ORDER_TYPE = "invalid_order_type"
    INVALID_SIZE = "invalid_size"
    SIZE_BELOW_MINIMUM = "size_below_minimum"
    SIZE_NOT_LOT_MULTIPLE = "size_not_lot_multiple"
    INVALID_PRICE = "invalid_price"
    PRICE_NOT_TICK_MULTIPLE = "price_not_tick_multiple"
    MISSING_PRICE = "missing_price"
    UNEXPECTED_PRICE = "unexpected_price"
    MISSING_TRIGGER_PRICE = "missing_trigger_price"
    INVALID_TRIGGER_PRICE = "invalid_trigger_price"
    INVALID_TRAILING = "invalid_trailing"
    INVALID_ICEBERG = "invalid_iceberg"
    INVALID_TWAP = "invalid_twap"
    INVALID_BRACKET = "invalid_bracket"
    INVALID_TIME_IN_FORCE = "invalid_time_in_force"
    INVALID_EXPIRY = "invalid_expiry"
    INVALID_FLAGS = "invalid_flags"
    INVALID_CLIENT_ORDER_ID = "invalid_client_order_id"
    INVALID_LEVERAGE = "invalid_leverage"
    POST_ONLY_WOULD_TAKE = "post_only_would_take"
    FOK_NOT_FILLABLE = "fok_not_fillable"
    REDUCE_ONLY_WOULD_INCREASE = "reduce_only_would_increase"
    NO_LIQUIDITY = "no_liquidity"
    INSUFFICIENT_MARGIN = "insufficient_margin"
    INSUFFICIENT_COLLATERAL = "insufficient_collateral"
    UNKNOWN_ASSET = "unknown_asset"
    INVALID_AMOUNT = "invalid_amount"
    ORDER_NOT_FOUND = "order_not_found"
    ORDER_NOT_OPEN = "order_not_open"
    MARKET_HALTED = "market_halted"
    NO_VALID_PRICE = "no_valid_price"
    AUCTION_CLOSED = "auction_closed"
    AUCTION_NOT_FOUND = "auction_not_found"
    INVALID_QUOTE = "invalid_quote"
    ILLEGAL_TRANSITION = "illegal_transition"
    INVALID_PARAMETER = "invalid_parameter"
    INVALID_RANGE = "invalid_range"
    MARKET_STATUS_UNCHANGED = "market_status_unchanged"


class DomainError(Exception):
    """Base class of every refusal by the trading core."""

    def __init__(self, code: RejectCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code.value!r}, {self.message!r})"


class OrderRejected(DomainError):
    """An order that the core refuses; nothing was changed."""


class AccountRejected(DomainError):
    """A deposit, withdrawal or other account change that the core refuses."""


class MarketRejected(DomainError):
    """A market operation (halt, resume, parameter change) that cannot be done."""


class IllegalTransition(DomainError):
    """An order status change that the order lifecycle does not allow."""

    def __init__(self, message: str) -> None:
        super().__init__(RejectCode.ILLEGAL_TRANSITION, message)
