"""Per-feed price validation and the feed's status: no bad price moves money.

A price is refused when it is older than the market's maximum age, when its confidence
interval is wider than a set fraction of the price, when its publish time goes
backwards (or repeats: updates in the same second are ordered by a sequence such as
Pyth's slot), and when it jumps beyond a set bound from the last accepted
price unless the next update confirms the move. The status says where a market's price
comes from: `live` (the primary source, fresh), `stale` (the primary has been quiet past
the failover delay and no fallback is fresh: its last price still serves until it is
too old), `fallback` (the secondary source serves), `halted` (no valid price at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from backend.domain.fixed_point import RATIO_PRECISION


class FeedStatus(Enum):
    """Where a market's price comes from now."""

    LIVE = "live"
    STALE = "stale"
    FALLBACK = "fallback"
    HALTED = "halted"


@dataclass(frozen=True, slots=True)
class ValidationPolicy:
    """The bounds of a valid price (ratios in ppm: 1,000,000 = 100%)."""

    max_age_s: float
    max_confidence: int = 20_000
    """The widest confidence interval, as a share of the price (2%)."""
    max_jump: int = 100_000
    """The largest move from the last accepted price without confirmation (10%)."""
    confirm_within: int = 20_000
    """A held jump is confirmed by a next update within this share of it (2%)."""


@dataclass(frozen=True, slots=True)
class Check:
    """The verdict on one update: accepted, or refused with the reason."""

    accepted: bool
    reason: str | None = None


class PriceValidator:
    """One feed's checks, remembering the last accepted update and a held jump."""

    def __init__(self, policy: ValidationPolicy) -> None:
        self.policy = policy
        self.price: int | None = None
        self.publish_time: float | None = None
        self.sequence = 0
        self._held: tuple[int, float, int] | None = None

    def is_repeat(self, publish_time: float, sequence: int = 0) -> bool:
        """Whether the update is not newer than the accepted one (a source polled faster
        than it changes answers the same update again)."""
        return self.publish_time is not None and (publish_time, sequence) <= (
            self.publish_time,
            self.sequence,
        )

    def check(
        self, price: int, confidence: int, publish_time: float, now: float, sequence: int = 0
    ) -> Check:
        """Judge an update; an accepted one becomes the feed's price. ``sequence`` orders
        updates published in the same second (0 when the source has none)."""
        policy = self.policy
        if price <= 0:
            return Check(False, "price is not positive")
        if now - publish_time > policy.max_age_s:
            return Check(False, f"older than {policy.max_age_s:g} s")
        if confidence * RATIO_PRECISION > policy.max_confidence * price:
            return Check(False, "confidence interval too wide")
        if self.is_repeat(publish_time, sequence):
            return Check(False, "publish time did not move forward")
        last = self.price
        if last is not None and abs(price - last) * RATIO_PRECISION > policy.max_jump * last:
            held, self._held = self._held, (price, publish_time, sequence)
            if (
                held is None
                or (held[1], held[2]) >= (publish_time, sequence)
                or not _close(price, held[0], policy)
            ):
                return Check(False, "jump held until the next update confirms it")
        self._held = None
        self.price, self.publish_time, self.sequence = price, publish_time, sequence
        return Check(True)


def _close(price: int, other: int, policy: ValidationPolicy) -> bool:
    return abs(price - other) * RATIO_PRECISION <= policy.confirm_within * other


@dataclass(slots=True)
class _Quote:
    price: int
    publish_time: float


class FeedSupervisor:
    """Chooses a market's price between a primary and a fallback source."""

    def __init__(
        self,
        max_age_s: float,
        failover_after_s: float = 5.0,
        fallback_max_age_s: float | None = None,
        started: float | None = None,
    ) -> None:
        self.max_age_s = max_age_s
        self.failover_after_s = failover_after_s
        self.fallback_max_age_s = max_age_s if fallback_max_age_s is None else fallback_max_age_s
        """The fallback's own bound: a polled source refreshes less often than Pyth."""
        self._primary: _Quote | None = None
        self._primary_seen: float | None = started
        """When the primary last gave a valid price (from ``started``: the primary gets
        ``failover_after_s`` to give its first price before it counts as quiet)."""
        self._fallback: _Quote | None = None

    def primary(self, price: int, publish_time: float, now: float) -> None:
        """A validated primary (Pyth) price."""
        self._primary = _Quote(price, publish_time)
        self._primary_seen = now

    def fallback(self, price: int, publish_time: float) -> None:
        """A validated fallback (CoinGecko) price."""
        self._fallback = _Quote(price, publish_time)

    def status(self, now: float) -> tuple[FeedStatus, int | None]:
        """The status now and the price to use (None when halted)."""
        primary, fallback = self._primary, self._fallback
        primary_fresh = primary is not None and now - primary.publish_time <= self.max_age_s
        quiet = self._primary_seen is None or now - self._primary_seen > self.failover_after_s
        if primary_fresh and not quiet:
            return FeedStatus.LIVE, primary.price
        if fallback is not None and now - fallback.publish_time <= self.fallback_max_age_s:
            return FeedStatus.FALLBACK, fallback.price
        if primary_fresh:
            return FeedStatus.STALE, primary.price
        return FeedStatus.HALTED, None
