"""Tiered rate limits: token buckets per client address (public routes) and per account
(private routes). A request over the limit gets 429 with Retry-After and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field


class RateLimited(Exception):
    """Too many requests; ``retry_after_s`` says when the next one is allowed."""

    def __init__(self, retry_after_s: int, scope: str) -> None:
        super().__init__(f"too many {scope} requests; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(slots=True)
class TokenBucket:
    """``rate`` requests per second on average, bursts up to ``burst``, per key."""

    rate: float
    burst: int
    max_keys: int = 100_000
    _levels: dict[str, tuple[float, int]] = field(default_factory=dict, repr=False)

    def take(self, key: str, now_ms: int) -> int | None:
        """Spend one token of ``key``; None when allowed, else seconds to wait."""
        tokens, last = self._levels.get(key, (float(self.burst), now_ms))
        tokens = min(float(self.burst), tokens + (now_ms - last) / 1000 * self.rate)
        if tokens < 1:
            self._levels[key] = (tokens, now_ms)
            return max(1, int((1 - tokens) / self.rate + 0.999))
        if len(self._levels) >= self.max_keys and key not in self._levels:
            self._levels.clear()  # bounded memory under a flood of new addresses
        self._levels[key] = (tokens - 1, now_ms)
        return None


@dataclass(slots=True)
class RateLimits:
    """The two tiers."""

    public: TokenBucket = field(default_factory=lambda: TokenBucket(rate=20, burst=40))
    private: TokenBucket = field(default_factory=lambda: TokenBucket(rate=50, burst=100))
