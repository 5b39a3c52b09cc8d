"""Values that can be taken once before they expire: login nonces and refresh tokens.

One process keeps them in memory; the gateways of a deployment of several keep them in
Redis, so that a nonce asked from one gateway can be spent on another, and a refresh
token works wherever the client's next request lands. Taking is atomic in both (Redis
``GETDEL``): two gateways can never both spend one nonce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from backend.services.cluster.bus import PREFIX

if TYPE_CHECKING:
    from redis.asyncio import Redis  # only a deployment of several needs the driver


class OneUseStore(Protocol):
    """Keys with a value, each taken at most once, gone after its expiry."""

    async def put(self, key: str, value: str, expires_at_ms: int, now_ms: int) -> None:
        """Keep ``value`` under ``key`` until ``expires_at_ms``."""
        ...

    async def take(self, key: str, now_ms: int) -> str | None:
        """Remove and return ``key``'s value; None when unknown or taken (an expired one
        may be gone: the caller checks expiry itself)."""
        ...


class MemoryOneUse:
    """A `OneUseStore` in this process's memory, bounded to ``max_entries`` (expired
    entries are dropped when it is full)."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[str, tuple[str, int]] = {}

    async def put(self, key: str, value: str, expires_at_ms: int, now_ms: int) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries = {k: e for k, e in self._entries.items() if e[1] > now_ms}
        self._entries[key] = (value, expires_at_ms)

    async def take(self, key: str, now_ms: int) -> str | None:
        entry = self._entries.pop(key, None)
        return None if entry is None else entry[0]

    def __len__(self) -> int:
        return len(self._entries)


class RedisOneUse:
    """A `OneUseStore` in Redis under ``qd:<kind>:``, shared by every gateway."""

    def __init__(self, redis: Redis, kind: str) -> None:
        self._redis = redis
        self._prefix = f"{PREFIX}{kind}:"

    async def put(self, key: str, value: str, expires_at_ms: int, now_ms: int) -> None:
        await self._redis.set(self._prefix + key, value, px=max(1, expires_at_ms - now_ms))

    async def take(self, key: str, now_ms: int) -> str | None:
        return await self._redis.getdel(self._prefix + key)
