"""A recent blockhash, fetched once and shared until it is old or reported unknown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from solders.hash import Hash

from backend.services.clock import Clock, SystemClock

if TYPE_CHECKING:
    from backend.services.solana.pending import Commitment
    from backend.services.solana.rpc import SolanaRpc

DEFAULT_MAX_AGE_MS = 45_000
"""Well inside a blockhash's life (150 blocks, about 60 s), leaving time to land."""


@dataclass(frozen=True, slots=True)
class RecentBlockhash:
    """A blockhash and the last block height at which a transaction using it may land."""

    blockhash: Hash
    last_valid_block_height: int


class BlockhashCache:
    """Hands out one recent blockhash until it is ``max_age_ms`` old or ``invalidate`` is
    called (the RPC reported it unknown, or a transaction using it expired)."""

    def __init__(
        self,
        rpc: SolanaRpc,
        commitment: Commitment = "confirmed",
        *,
        max_age_ms: int = DEFAULT_MAX_AGE_MS,
        clock: Clock | None = None,
    ) -> None:
        self.rpc = rpc
        self.commitment: Commitment = commitment
        self.max_age_ms = max_age_ms
        self.clock = clock or SystemClock()
        self.fetches = 0
        """How many times the RPC was asked (for metrics and tests)."""
        self._current: RecentBlockhash | None = None
        self._fetched_at_ms = 0
        self._lock = asyncio.Lock()

    async def get(self) -> RecentBlockhash:
        """The cached blockhash if still fresh, else a new one (one fetch for concurrent
        callers)."""
        async with self._lock:
            now = self.clock.now_ms()
            if self._current is None or now - self._fetched_at_ms >= self.max_age_ms:
                self._current = await self.rpc.latest_blockhash(self.commitment)
                self._fetched_at_ms = now
                self.fetches += 1
            return self._current

    def invalidate(self, stale: RecentBlockhash | None = None) -> None:
        """Forget the cached blockhash (only if it is ``stale``, when given, so that one
        caller's stale news does not throw away another's fresh fetch)."""
        if stale is None or stale == self._current:
            self._current = None
