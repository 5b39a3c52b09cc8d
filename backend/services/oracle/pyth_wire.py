"""Pyth Hermes v2 price updates: the JSON of `/v2/updates/price/latest` (and of each stream
event), read exactly and converted to our fixed point.

Hermes sends ``price`` and ``conf`` as decimal strings of integers with a shared ``expo``
(``"6553241000000", expo -8`` is 65532.41). Nothing goes through a float: the integers
are scaled by powers of ten. A price is rounded half-even to our 1e-6 precision; a
confidence interval is rounded up (never reported narrower than it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.domain.fixed_point import PRICE_PRECISION
from backend.services.oracle.feed_errors import FeedFormatError

PRICE_DECIMALS = len(str(PRICE_PRECISION)) - 1


class HermesFormatError(FeedFormatError):
    """A Hermes payload that does not have the documented shape."""


@dataclass(frozen=True, slots=True)
class PythPrice:
    """One feed's parsed update, in our price units (1e-6 USD)."""

    feed_id: str
    """64 lowercase hex digits, no 0x."""
    price: int
    conf: int
    publish_time: int
    """Unix seconds."""
    ema_price: int
    ema_conf: int
    raw_price: str
    """As sent (with ``expo``), for the record and for replay."""
    expo: int
    slot: int | None = None
    prev_publish_time: int | None = None


def to_fixed(mantissa: int, expo: int, round_up: bool = False) -> int:
    """``mantissa * 10**expo`` in price units: half-even, or up for ``round_up``."""
    shift = expo + PRICE_DECIMALS
    if shift >= 0:
        return mantissa * 10**shift
    divisor = 10**-shift
    quotient, remainder = divmod(mantissa, divisor)
    if remainder == 0:
        return quotient
    if round_up:
        return quotient + 1
    twice = 2 * remainder
    if twice > divisor or (twice == divisor and quotient % 2 == 1):
        return quotient + 1
    return quotient


def parse_updates(payload: Any) -> list[PythPrice]:
    """The ``parsed`` entries of a `/v2/updates/price/*` answer or stream event."""
    if not isinstance(payload, dict) or not isinstance(payload.get("parsed"), list):
        raise HermesFormatError('expected an object with a "parsed" list')
    return [parse_entry(entry) for entry in payload["parsed"]]


def parse_entry(entry: Any) -> PythPrice:
    """One ``parsed`` entry: ``{"id", "price", "ema_price", "metadata"}``."""
    if not isinstance(entry, dict):
        raise HermesFormatError("a parsed entry is not an object")
    feed_id = entry.get("id")
    if not isinstance(feed_id, str) or len(feed_id.removeprefix("0x")) != 64:
        raise HermesFormatError(f"bad feed id {feed_id!r}")
    price, conf, expo, publish_time = _price_block(entry.get("price"), "price")
    ema, ema_conf, ema_expo, _ = _price_block(entry.get("ema_price"), "ema_price")
    metadata = entry.get("metadata", {})
    if not isinstance(metadata, dict):
        raise HermesFormatError("metadata is not an object")
    return PythPrice(
        feed_id=feed_id.lower().removeprefix("0x"),
        price=to_fixed(price, expo),
        conf=to_fixed(conf, expo, round_up=True),
        publish_time=publish_time,
        ema_price=to_fixed(ema, ema_expo),
        ema_conf=to_fixed(ema_conf, ema_expo, round_up=True),
        raw_price=str(price),
        expo=expo,
        slot=_optional_int(metadata.get("slot"), "metadata.slot"),
        prev_publish_time=_optional_int(
            metadata.get("prev_publish_time"), "metadata.prev_publish_time"
        ),
    )


def _price_block(block: Any, name: str) -> tuple[int, int, int, int]:
    if not isinstance(block, dict):
        raise HermesFormatError(f"{name} is missing or not an object")
    try:
        price = int(_integer_text(block["price"], f"{name}.price"))
        conf = int(_integer_text(block["conf"], f"{name}.conf"))
        expo = block["expo"]
        publish_time = block["publish_time"]
    except KeyError as missing:
        raise HermesFormatError(f"{name} lacks {missing.args[0]}") from None
    if not isinstance(expo, int) or isinstance(expo, bool) or not -30 <= expo <= 30:
        raise HermesFormatError(f"{name}.expo must be an integer in [-30, 30]")
    if not isinstance(publish_time, int) or isinstance(publish_time, bool) or publish_time < 0:
        raise HermesFormatError(f"{name}.publish_time must be a non-negative integer")
    if conf < 0:
        raise HermesFormatError(f"{name}.conf is negative")
    return price, conf, expo, publish_time


def _integer_text(value: Any, name: str) -> str:
    """Hermes sends 64-bit integers as strings; accept only that (no floats, no '1e3')."""
    text = value if isinstance(value, str) else None
    if text is None or not text.lstrip("-").isdigit() or len(text) > 40:
        raise HermesFormatError(f"{name} must be an integer as a decimal string")
    return text


def _optional_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise HermesFormatError(f"{name} must be an integer")
    return value
