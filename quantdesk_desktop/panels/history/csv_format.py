"""The History panel's CSV files: which columns a fills or an orders export has, how each
cache value is written (amounts as exact decimals, times as ISO 8601 UTC to the
millisecond) and how each text is read back, with a reason a user can act on when it
cannot be. Written and read by `csv_exchange`; no Qt here."""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    FixedPointError,
    format_fixed,
    parse_fixed,
)
from backend.domain.orders import OrderStatus, OrderType, Side, TimeInForce
from quantdesk_desktop.cache import queries

TIME_EXAMPLE = "2026-01-31T23:59:59.000Z"
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z")
_WHOLE = re.compile(r"-?\d{1,19}")


class BadValue(ValueError):
    """A cell that cannot be read (the message says why, without saying where)."""


# -- writing ---------------------------------------------------------------------------


def iso_time(time_ms: int) -> str:
    """Epoch ms as ``2026-01-31T23:59:59.000Z`` (exact to the millisecond)."""
    seconds, millis = divmod(time_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _amount(precision: int) -> Callable[[int | None], str]:
    def write(value: int | None) -> str:
        return "" if value is None else format_fixed(value, precision)

    return write


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _flag(value: Any) -> str:
    return "true" if value else "false"


# -- reading ---------------------------------------------------------------------------


def read_time(text: str) -> int:
    """``2026-01-31T23:59:59.000Z`` as epoch ms."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise BadValue(f"{text!r} is not a UTC time like {TIME_EXAMPLE}")
    year, month, day, hour, minute, second, millis = (int(part) for part in match.groups())
    try:
        datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise BadValue(f"{text!r} is not a date and time that exists") from None
    return calendar.timegm((year, month, day, hour, minute, second)) * 1000 + millis


def read_whole(text: str) -> int:
    """A whole number (an id)."""
    text = text.strip()
    if _WHOLE.fullmatch(text) is None:
        raise BadValue(f"{text!r} is not a whole number")
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise BadValue(f"{text!r} is too large")
    return value


def read_id(text: str) -> int:
    """A positive whole number."""
    value = read_whole(text)
    if value <= 0:
        raise BadValue(f"{text!r} is not a positive id")
    return value


def _decimal(precision: int, positive: bool = False) -> Callable[[str], int]:
    def read(text: str) -> int:
        try:
            value = parse_fixed(text.strip(), precision, "")
        except FixedPointError as error:
            raise BadValue(str(error).strip()) from None
        if positive and value <= 0:
            raise BadValue(f"{text!r} is not above zero")
        if not -(2**63) <= value < 2**63:
            raise BadValue(f"{text!r} is too large")
        return value

    return read


def _values(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in vocabulary)


def _choice(values: tuple[str, ...], what: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        if text.strip() not in values:
            raise BadValue(f"{text!r} is not {what} ({', '.join(values)})")
        return text.strip()

    return read


def read_text(text: str) -> str:
    """Text that may not be empty."""
    if not text.strip():
        raise BadValue("it is empty")
    return text.strip()


def read_flag(text: str) -> bool:
    """``true`` or ``false``."""
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise BadValue(f"{text!r} is not true or false")
    return value == "true"


def read_any_text(text: str) -> str:
    """Text as it is (may be empty)."""
    return text


# -- the columns -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvColumn:
    """A column of an export: its name, the cache column it holds, how its value is
    written and read back (an empty cell is None when the column is ``optional``)."""

    name: str
    cache_column: str
    write: Callable[[Any], str]
    read: Callable[[str], Any]
    optional: bool = False

    def value(self, text: str) -> Any:
        """The cache value of a cell's text (`BadValue` when it has none)."""
        if self.optional and not text.strip():
            return None
        return self.read(text)


@dataclass(frozen=True, slots=True)
class CsvKind:
    """A kind of export: its columns in file order and the cache table they fill."""

    name: str
    table: str
    key: str
    """The primary key: a row whose key the cache holds already is skipped."""
    columns: tuple[CsvColumn, ...]
    row_columns: tuple[str, ...]
    """The cache columns in the order the page queries give them (for writing)."""

    @property
    def names(self) -> tuple[str, ...]:
        """The header, in file order."""
        return tuple(column.name for column in self.columns)

    def texts(self, row: tuple) -> list[str]:
        """A page row (in ``row_columns`` order) as the cells of a CSV line."""
        values = dict(zip(self.row_columns, row, strict=True))
        return [column.write(values[column.cache_column]) for column in self.columns]

    def insert_sql(self) -> str:
        """Adds a row (``?`` per column in file order) unless its key is there already."""
        names = ", ".join(column.cache_column for column in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        return (
            f"INSERT INTO {self.table} ({names}) VALUES ({marks})"
            f" ON CONFLICT ({self.key}) DO NOTHING"
        )


_price, _base, _quote = _amount(PRICE_PRECISION), _amount(BASE_PRECISION), _amount(QUOTE_PRECISION)

FILLS = CsvKind(
    name="fills",
    table="fills",
    key="trade_id",
    columns=(
        CsvColumn("time", "time_ms", iso_time, read_time),
        CsvColumn("market", "market", _plain, read_text),
        CsvColumn("side", "side", _plain, _choice(_values(Side), "a side")),
        CsvColumn("role", "role", _plain, read_text),
        CsvColumn("price", "price", _price, _decimal(PRICE_PRECISION, positive=True)),
        CsvColumn("size", "size", _base, _decimal(BASE_PRECISION, positive=True)),
        CsvColumn("fee", "fee", _quote, _decimal(QUOTE_PRECISION)),
        CsvColumn("realised_pnl", "realised_pnl", _quote, _decimal(QUOTE_PRECISION)),
        CsvColumn("trade_id", "trade_id", _plain, read_id),
        CsvColumn("order_id", "order_id", _plain, read_id, optional=True),
    ),
    row_columns=tuple(queries.FILL_COLUMNS.replace("fills.", "").replace(",", " ").split()),
)
"""A fills export (its rows as `queries.fills_page` gives them)."""

ORDERS = CsvKind(
    name="orders",
    table="orders",
    key="order_id",
    columns=(
        CsvColumn("created_at", "created_at_ms", iso_time, read_time),
        CsvColumn("market", "market", _plain, read_text),
        CsvColumn("side", "side", _plain, _choice(_values(Side), "a side")),
        CsvColumn("type", "type", _plain, _choice(_values(OrderType), "an order type")),
        CsvColumn("status", "status", _plain, _choice(_values(OrderStatus), "an order status")),
        CsvColumn("size", "size", _base, _decimal(BASE_PRECISION, positive=True)),
        CsvColumn("filled", "filled", _base, _decimal(BASE_PRECISION)),
        CsvColumn("average_price", "average_price", _price, _decimal(PRICE_PRECISION), True),
        CsvColumn("price", "price", _price, _decimal(PRICE_PRECISION), optional=True),
        CsvColumn("trigger_price", "trigger_price", _price, _decimal(PRICE_PRECISION), True),
        CsvColumn("fees_paid", "fees_paid", _quote, _decimal(QUOTE_PRECISION)),
        CsvColumn(
            "time_in_force",
            "time_in_force",
            _plain,
            _choice(_values(TimeInForce), "a time in force"),
        ),
        CsvColumn("post_only", "post_only", _flag, read_flag),
        CsvColumn("reduce_only", "reduce_only", _flag, read_flag),
        CsvColumn("order_id", "order_id", _plain, read_id),
        CsvColumn("client_order_id", "client_order_id", _plain, read_any_text),
        CsvColumn("parent_id", "parent_id", _plain, read_id, optional=True),
        CsvColumn("reject_reason", "reject_reason", _plain, read_any_text, optional=True),
        CsvColumn("updated_at", "updated_at_ms", iso_time, read_time),
    ),
    row_columns=tuple(queries.ORDER_COLUMNS.replace(",", " ").split()),
)
"""An orders export (its rows as `queries.orders_page` gives them)."""

KINDS = (FILLS, ORDERS)
