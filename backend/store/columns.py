"""Column helpers: every amount is a 64-bit integer in fixed point, every time epoch ms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Integer
from sqlmodel import Field


def amount(*, index: bool = False, nullable: bool = False, default: Any = 0) -> Any:
    """A fixed-point integer column (price, size, quote amount, ratio)."""
    return Field(default=default, sa_column=Column(BigInteger, index=index, nullable=nullable))


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
