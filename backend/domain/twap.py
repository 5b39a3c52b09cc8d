"""A TWAP scheduler: splits a parent order into equal slices spread over a duration.

Slice ``k`` (0-based) is due at ``start + k * duration / slices``. Every slice is a whole
number of lots; what rounding leaves over goes into the last slice. The scheduler aims at
the parent's total *filled* size: a slice that fills only partly leaves the rest to the
next one, and after a time jump every slice already due is sent at once (catch-up).
`due_slices` gives the plain slice sizes for a caller that does not track fills.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TwapSchedule:
    """The plan of one TWAP parent order. Time is passed in (milliseconds)."""

    total: int
    slices: int
    start_ms: int
    duration_ms: int
    lot_size: int
    issued: int = 0
    """How many slices `due_slices` has handed out so far."""

    def __post_init__(self) -> None:
        if self.total <= 0 or self.slices < 1 or self.duration_ms <= 0 or self.lot_size <= 0:
            raise ValueError("a TWAP needs a positive size, duration, lot and at least 1 slice")

    @property
    def slice_size(self) -> int:
        """The size of every slice but the last, on lots."""
        return (self.total // self.slices) // self.lot_size * self.lot_size

    @property
    def end_ms(self) -> int:
        """When the last slice is due."""
        return self.slice_due_ms(self.slices - 1)

    def slice_due_ms(self, k: int) -> int:
        """When slice ``k`` is due."""
        return self.start_ms + k * self.duration_ms // self.slices

    def slices_due(self, now_ms: int) -> int:
        """How many slices are due by ``now_ms``."""
        if now_ms < self.start_ms:
            return 0
        # slice k is due when k * duration // slices <= elapsed, i.e. k < (elapsed + 1) *
        # slices / duration: the count of such k is that bound rounded up.
        elapsed = now_ms - self.start_ms
        count = -(-(elapsed + 1) * self.slices // self.duration_ms)
        return min(count, self.slices)

    def size_of(self, k: int) -> int:
        """The size of slice ``k``: the common slice size, the last one taking the rest."""
        if k == self.slices - 1:
            return self.total - (self.slices - 1) * self.slice_size
        return self.slice_size

    def due_slices(self, now_ms: int) -> list[int]:
        """The sizes of the slices that fell due since the last call (several after a time
        jump, none before the next due time), marking them handed out."""
        due = self.slices_due(now_ms)
        sizes = [self.size_of(k) for k in range(self.issued, due)]
        self.issued = max(self.issued, due)
        return sizes

    def target(self, now_ms: int) -> int:
        """The cumulative size that should be filled by ``now_ms``."""
        due = self.slices_due(now_ms)
        return self.total if due >= self.slices else due * self.slice_size

    def due_size(self, now_ms: int, filled: int) -> int:
        """The size to send now, given what has filled so far."""
        return max(0, self.target(now_ms) - filled)

    def next_due_ms(self, now_ms: int) -> int | None:
        """When the next slice after ``now_ms`` is due, or None after the last."""
        due = self.slices_due(now_ms)
        return None if due >= self.slices else self.slice_due_ms(due)

    def progress(self, filled: int) -> int:
        """Filled fraction in ppm (1_000_000 = done)."""
        return filled * 1_000_000 // self.total
