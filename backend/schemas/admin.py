"""Operator requests: halting a market and changing its parameters."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backend.domain.errors import MarketRejected, RejectCode
from backend.domain.fixed_point import FixedPointError, parse_base, parse_ratio
from backend.schemas.orders import DecimalText


class HaltBody(BaseModel):
    """Why the market is halted (kept in the system events)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=500)


class MarketParametersBody(BaseModel):
    """The parameters to change; ratios and fees as decimals ("0.0005"), sizes in base."""

    model_config = ConfigDict(extra="forbid")

    min_size: DecimalText | None = Field(default=None, max_length=40)
    max_leverage: int | None = Field(default=None, ge=1, le=1_000)
    initial_margin_ratio: DecimalText | None = Field(default=None, max_length=40)
    maintenance_margin_ratio: DecimalText | None = Field(default=None, max_length=40)
    maker_fee: DecimalText | None = Field(default=None, max_length=40)
    taker_fee: DecimalText | None = Field(default=None, max_length=40)
    liquidation_fee: DecimalText | None = Field(default=None, max_length=40)
    liquidator_fee_share: DecimalText | None = Field(default=None, max_length=40)
    max_funding_rate: DecimalText | None = Field(default=None, max_length=40)
    auction_threshold: DecimalText | None = Field(default=None, max_length=40)
    auction_duration_ms: int | None = Field(default=None, ge=1, le=60_000)
    auction_start_offset: DecimalText | None = Field(default=None, max_length=40)
    max_oracle_age_s: int | None = Field(default=None, ge=1, le=3_600)


_SIZES = {"min_size", "auction_threshold"}
_WHOLE = {"max_leverage", "auction_duration_ms", "max_oracle_age_s"}


def parameter_changes(body: MarketParametersBody) -> dict[str, int]:
    """The fixed-point changes of ``body``, or `MarketRejected` naming the field."""
    changes: dict[str, int] = {}
    for name, value in body.model_dump(exclude_none=True).items():
        if name in _WHOLE:
            changes[name] = value
            continue
        parse = parse_base if name in _SIZES else parse_ratio
        try:
            changes[name] = parse(value)
        except FixedPointError as error:
            raise MarketRejected(RejectCode.INVALID_PARAMETER, f"{name}: {error}", name) from None
        if not 0 <= changes[name] < 2**63:
            raise MarketRejected(RejectCode.INVALID_PARAMETER, f"{name} is out of range", name)
    if not changes:
        raise MarketRejected(RejectCode.INVALID_PARAMETER, "give at least one parameter")
    return changes


class SystemEventOut(BaseModel):
    """Something on the operators' record."""

    id: int
    kind: str
    market: str | None
    message: str
    created_at_ms: int
