"""The commands that change trading state, and their JSON form in the command log."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from typing import Any

from backend.domain.orders import (
    OrderRequest,
    OrderType,
    Side,
    TimeInForce,
    TriggerReference,
)


@dataclass(frozen=True, slots=True)
class Submit:
    """Place an order."""

    request: OrderRequest


@dataclass(frozen=True, slots=True)
class Cancel:
    """Cancel one of an account's orders."""

    account: str
    market: str
    order_id: int


@dataclass(frozen=True, slots=True)
class CancelAll:
    """Cancel an account's orders in one market, or everywhere (``market`` None)."""

    account: str
    market: str | None = None


@dataclass(frozen=True, slots=True)
class Modify:
    """Change a resting order's price and/or total size."""

    account: str
    market: str
    order_id: int
    price: int | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class SetPrices:
    """New mark, oracle and last prices of a market (price units; None = unchanged).

    With ``derive_mark`` the mark is computed from the book instead (see `mark_from_book`).
    """

    market: str
    mark: int | None = None
    oracle: int | None = None
    last: int | None = None
    derive_mark: bool = False
    source: str | None = None
    """Where the oracle price came from; given, the price is recorded in its history."""
    confidence: int = 0
    """The source's confidence interval (price units)."""
    publish_time_ms: int | None = None
    """When the source published the oracle price (None: when it arrived)."""
    ema_price: int | None = None
    """The source's moving average of the oracle price (Pyth's EMA), kept on record."""


@dataclass(frozen=True, slots=True)
class Tick:
    """The clock moved: expiries, TWAP slices, auction settlements, funding."""

    market: str | None = None
    """The one market whose clock moved (an engine ticks the markets it owns); None: all."""


@dataclass(frozen=True, slots=True)
class QuoteAuction:
    """A maker's offer to fill part of an open JIT auction (price and size units)."""

    account: str
    market: str
    auction_id: int
    price: int
    size: int


@dataclass(frozen=True, slots=True)
class SetMarketStatus:
    """Halt a market (only cancels work) or resume it; ``reason`` goes on record."""

    market: str
    halted: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SetPriceStatus:
    """A market's oracle changed status (`live`, `stale`, `fallback` or `halted`, see
    `oracle.validation.FeedStatus`). While `halted` only cancels and reduce-only orders
    are accepted; while `stale` or `halted` nobody is liquidated on the old price."""

    market: str
    status: str
    source: str | None = None
    """The source serving the price now (None when halted)."""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SetMarketParameters:
    """Change a running market's adjustable parameters (see `markets.ADJUSTABLE`)."""

    market: str
    changes: dict[str, int]


@dataclass(frozen=True, slots=True)
class Deposit:
    """Credit collateral (token units)."""

    account: str
    asset: str
    amount: int


@dataclass(frozen=True, slots=True)
class Withdraw:
    """Debit collateral (token units), subject to the margin check."""

    account: str
    asset: str
    amount: int


Command = (
    Submit
    | Cancel
    | CancelAll
    | Modify
    | SetPrices
    | Tick
    | QuoteAuction
    | SetMarketStatus
    | SetPriceStatus
    | SetMarketParameters
    | Deposit
    | Withdraw
)

_KINDS: dict[str, type] = {
    "submit": Submit,
    "cancel": Cancel,
    "cancel_all": CancelAll,
    "modify": Modify,
    "set_prices": SetPrices,
    "tick": Tick,
    "quote_auction": QuoteAuction,
    "set_market_status": SetMarketStatus,
    "set_price_status": SetPriceStatus,
    "set_market_parameters": SetMarketParameters,
    "deposit": Deposit,
    "withdraw": Withdraw,
}
_NAMES = {cls: name for name, cls in _KINDS.items()}
_REQUEST_ENUMS = {
    "side": Side,
    "type": OrderType,
    "time_in_force": TimeInForce,
    "trigger_reference": TriggerReference,
}


def kind_of(command: Command) -> str:
    """The command's name in the log."""
    return _NAMES[type(command)]


ACCOUNTS_LANE = "accounts"
"""The lane of commands that concern no single market (deposits, cancel-everywhere)."""


def lane_of(command: Command) -> str:
    """Which lane a command belongs to: its market, or `ACCOUNTS_LANE`. One process at a
    time carries out each lane's commands (see `backend.services.cluster`)."""
    return market_of(command) or ACCOUNTS_LANE


def market_of(command: Command) -> str | None:
    """The market a command concerns, if one."""
    if isinstance(command, Submit):
        return command.request.market
    return getattr(command, "market", None)


def encode(command: Command) -> str:
    """The JSON payload of a command (what `dataclasses.asdict` would give, encoded;
    dataclasses are expanded by the encoder as it meets them, which is several times
    cheaper than copying them into dicts first)."""
    return json.dumps(command, default=_plain, separators=(",", ":"), sort_keys=True)


def decode(kind: str, payload: str) -> Command:
    """A command back from the log."""
    data: dict[str, Any] = json.loads(payload)
    cls = _KINDS[kind]
    if cls is Submit:
        fields = data["request"]
        for name, enum in _REQUEST_ENUMS.items():
            fields[name] = enum(fields[name])
        return Submit(OrderRequest(**fields))
    return cls(**data)


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {name: getattr(value, name) for name in _field_names(type(value))}
    raise TypeError(f"cannot encode {value!r}")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))
