"""One recent blockhash serves every transaction until it is old or reported unknown."""

from __future__ import annotations

import asyncio

from backend.services.clock import ManualClock
from backend.services.solana.blockhash import BlockhashCache
from backend.services.solana.rpc import SolanaRpc
from tests.solana_rpc.server import SolanaRpcServer


def fetches(node: SolanaRpcServer) -> int:
    return [call.method for call in node.cluster.calls].count("getLatestBlockhash")


async def test_a_blockhash_is_reused_until_it_is_too_old(
    node: SolanaRpcServer, rpc: SolanaRpc
) -> None:
    clock = ManualClock(1_000_000)
    cache = BlockhashCache(rpc, "confirmed", max_age_ms=30_000, clock=clock)

    first = await cache.get()
    clock.advance(29_999)
    assert await cache.get() == first
    clock.advance(1)
    second = await cache.get()

    assert second != first and second.last_valid_block_height > first.last_valid_block_height
    assert fetches(node) == cache.fetches == 2


async def test_an_invalidated_blockhash_is_fetched_again_but_not_a_fresh_one(
    node: SolanaRpcServer, rpc: SolanaRpc
) -> None:
    cache = BlockhashCache(rpc, clock=ManualClock(0))
    stale = await cache.get()
    cache.invalidate(stale)
    fresh = await cache.get()

    cache.invalidate(stale)  # late news about the old one keeps the new one
    assert await cache.get() == fresh != stale
    cache.invalidate()
    await cache.get()
    assert fetches(node) == 3


async def test_concurrent_senders_share_one_fetch(node: SolanaRpcServer, rpc: SolanaRpc) -> None:
    cache = BlockhashCache(rpc, clock=ManualClock(0))

    got = await asyncio.gather(*(cache.get() for _ in range(8)))

    assert len(set(got)) == 1 and fetches(node) == 1
