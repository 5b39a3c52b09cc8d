"""Jittered exponential backoff between reconnection attempts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    """Full jitter: a random wait up to ``base_s * 2**attempt``, capped at ``max_s``."""

    base_s: float = 0.25
    max_s: float = 10.0
    attempt: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_wait(self) -> float:
        """The wait before the next attempt."""
        ceiling = min(self.max_s, self.base_s * 2**self.attempt)
        self.attempt += 1
        return self.rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        """A connection worked: the next failure waits the least again."""
        self.attempt = 0
