"""Funding: the periodic payment between longs and shorts that ties mark to oracle.

* Premium: time-weighted averages over the period, ``(mark_twap - oracle_twap) /
  oracle_twap``, read as a daily rate and paid pro rata each period:
  ``rate = premium * period_s / 86_400`` in `FUNDING_RATE_PRECISION` (1e9 = 100%),
  rounded towards zero and clamped to the market's ``max_funding_rate``.
* Index: each period the market's cumulative funding index grows by
  ``rate * oracle_twap`` (quote units per whole coin, times 1e9). A positive rate makes
  longs pay shorts.
* Payment of a position of ``base`` for an index move ``delta``: the exact amount owed is
  ``base * delta / 1e18`` quote units; the balance changes by ``floor(-base * delta /
  1e18)`` (payers round up, receivers down). Every position is settled at every period,
  so the exact amounts sum to zero and the integer dust ``-sum(changes)`` (never
  negative) goes to the insurance fund: payments + dust == 0 exactly.
  (`settle_positions` returns both; the ledger credits the dust to its insurance fund.)

Why the daily read of the premium: a 1% premium held for a day costs a long 1% over that
day, whatever the period; ``max_funding_rate`` caps one period's payment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backend.domain.fixed_point import (
    BASE_PRECISION,
    FUNDING_INDEX_PRECISION,
    FUNDING_RATE_PRECISION,
    RATIO_PRECISION,
)
from backend.domain.positions import Position

SECONDS_PER_DAY = 86_400
PAYMENT_SCALE = BASE_PRECISION * FUNDING_INDEX_PRECISION


@dataclass(slots=True)
class PriceAccumulator:
    """Integrates mark and oracle prices over time for their time-weighted averages.

    Each sample's prices hold from its time until the next sample.
    """

    start_ms: int
    mark_area: int = 0
    oracle_area: int = 0
    last_ms: int | None = None
    last_mark: int = 0
    last_oracle: int = 0

    def add_sample(self, mark: int, oracle: int, now_ms: int) -> None:
        """Record the prices at ``now_ms`` (times must not go backwards, prices positive)."""
        if mark <= 0 or oracle <= 0:
            raise ValueError("funding samples need positive mark and oracle prices")
        if self.last_ms is not None:
            if now_ms < self.last_ms:
                raise ValueError("funding samples must not go back in time")
            self._integrate_to(now_ms)
        else:
            self.start_ms = now_ms
        self.last_ms, self.last_mark, self.last_oracle = now_ms, mark, oracle

    def _integrate_to(self, now_ms: int) -> None:
        elapsed = now_ms - self.last_ms
        self.mark_area += self.last_mark * elapsed
        self.oracle_area += self.last_oracle * elapsed
        self.last_ms = now_ms

    def twaps(self, now_ms: int) -> tuple[int, int] | None:
        """(mark TWAP, oracle TWAP) from the first sample to ``now_ms``; None if no time
        has passed. Rounded down."""
        if self.last_ms is None:
            return None
        self._integrate_to(max(now_ms, self.last_ms))
        span = self.last_ms - self.start_ms
        if span <= 0:
            return self.last_mark, self.last_oracle
        return self.mark_area // span, self.oracle_area // span

    def restart(self, now_ms: int) -> None:
        """Begin a new period at ``now_ms``, carrying the current prices."""
        self.start_ms = now_ms
        self.mark_area = self.oracle_area = 0
        if self.last_ms is not None:
            self.last_ms = now_ms


def funding_rate(mark_twap: int, oracle_twap: int, period_s: int, max_funding_rate_ppm: int) -> int:
    """The period's funding rate in 1e9 units, rounded towards zero, clamped:
    ``clamp(trunc((mark - oracle) * 1e9 * period_s / (oracle * 86_400)), ±max * 1e3)``."""
    if oracle_twap <= 0:
        raise ValueError("the oracle TWAP must be positive")
    if period_s <= 0:
        raise ValueError("the funding period must be positive")
    numerator = (mark_twap - oracle_twap) * FUNDING_RATE_PRECISION * period_s
    denominator = oracle_twap * SECONDS_PER_DAY
    rate = abs(numerator) // denominator * (1 if numerator >= 0 else -1)
    cap = max_funding_rate_ppm * (FUNDING_RATE_PRECISION // RATIO_PRECISION)
    return max(-cap, min(cap, rate))


def index_delta(rate: int, oracle_twap: int) -> int:
    """How far the cumulative funding index moves for ``rate`` at ``oracle_twap``: exactly
    ``rate * oracle_twap`` (quote units per coin = rate * price / 1e9; times 1e9)."""
    return rate * oracle_twap


def funding_payment(base: int, delta: int) -> int:
    """The change of a position's quote balance for an index move ``delta`` (floor)."""
    return (-base * delta) // PAYMENT_SCALE


def settle_position(position: Position, index: int) -> int:
    """Settle ``position`` up to the market's cumulative ``index``: returns the change of
    its quote balance, ``floor(-base * (index - last_funding_index) / 1e18)``, and moves
    ``last_funding_index`` to ``index``. A flat position pays nothing but is moved too."""
    change = funding_payment(position.base, index - position.last_funding_index)
    position.last_funding_index = index
    return change


@dataclass(frozen=True, slots=True)
class FundingPayments:
    """One market's settlement: each holder's balance change and the rounding dust."""

    payments: dict[str, int]
    """Quote balance change by account id (negative: paid)."""
    dust: int
    """``-sum(payments)``: what rounding kept back, for the insurance fund."""


def settle_positions(positions: Mapping[str, Position], index: int) -> FundingPayments:
    """Settle every open position of one market (by account id) up to ``index``.

    ``sum(payments) + dust == 0`` by construction. When all positions are settled together
    (same ``last_funding_index``, base summing to zero) the exact amounts cancel, so each
    floor can only lose: ``0 <= dust < number of positions``.
    """
    payments = {
        account_id: settle_position(position, index)
        for account_id, position in positions.items()
        if position.base
    }
    return FundingPayments(payments, -sum(payments.values()))
