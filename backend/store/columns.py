"""Column helpers: every amount is an integer in fixed point, every time epoch ms.

Per-row amounts (a price, an order size, a balance) fit a signed 64-bit integer and use
BIGINT. Running totals and indices that grow without bound (the cumulative funding index,
lifetime volumes) use `WideInteger`: NUMERIC(38, 0) on PostgreSQL, exact decimal text on
SQLite, which has no integer wider than 64 bits and would silently turn one into a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Dialect, ForeignKey, Integer, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Field

WIDE_DIGITS = 38
"""Decimal digits of a `WideInteger` (as PostgreSQL NUMERIC(38, 0), about 2^126)."""


class WideInteger(TypeDecorator[int]):
    """An exact integer of up to 38 digits, read and written as a Python ``int``.

    On SQLite the value is kept as decimal text, so SQL arithmetic and ordering on such a
    column are not numeric there: sum and compare in Python.
    """

    impl = Numeric(WIDE_DIGITS, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """NUMERIC(38, 0) where the database has it, text (one sign + 38 digits) on SQLite."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(WIDE_DIGITS + 1))
        return dialect.type_descriptor(Numeric(WIDE_DIGITS, 0, asdecimal=True))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        """Refuse what does not fit, and write text on SQLite."""
        if value is None:
            return None
        if not isinstance(value, int):
            raise TypeError(f"a fixed-point amount must be an int, not {type(value).__name__}")
        if len(str(abs(value))) > WIDE_DIGITS:
            raise ValueError(f"{value} has more than {WIDE_DIGITS} digits")
        return str(value) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        """Back to an exact ``int``."""
        return None if value is None else int(value)


def amount(*, index: bool = False, nullable: bool = False, default: Any = 0) -> Any:
    """A fixed-point integer column (price, size, quote amount, ratio)."""
    return Field(default=default, sa_column=Column(BigInteger, index=index, nullable=nullable))


def wide_amount() -> Any:
    """A fixed-point total or index that may outgrow 64 bits (see `WideInteger`)."""
    return Field(default=0, sa_column=Column(WideInteger(), nullable=False))


def optional_amount() -> Any:
    """A fixed-point integer column that may be empty."""
    return Field(default=None, sa_column=Column(BigInteger, nullable=True))


def epoch_ms(*, index: bool = False) -> Any:
    """A timestamp in milliseconds since the epoch (the domain passes time in)."""
    return Field(sa_column=Column(BigInteger, index=index, nullable=False))


def engine_id(*, primary_key: bool = False, index: bool = False, nullable: bool = False) -> Any:
    """An order or trade id assigned by the matching engine (64-bit, never generated here)."""
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            BigInteger, primary_key=primary_key, index=index, nullable=nullable, autoincrement=False
        ),
    )


def serial_id() -> Any:
    """An autoincrementing 64-bit primary key (SQLite's INTEGER rowid, PostgreSQL BIGSERIAL)."""
    return Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )


def reference(target: str, *, index: bool = False, primary_key: bool = False) -> Any:
    """A 64-bit foreign key to ``target`` (``"users.id"``), matching `serial_id`."""
    return Field(
        default=None if primary_key else ...,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"),
            ForeignKey(target),
            index=index,
            primary_key=primary_key,
            nullable=False,
        ),
    )
