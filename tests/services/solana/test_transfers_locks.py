"""Submissions of one signature run one at a time (a double click must not send and
credit twice); different signatures do not wait for each other; no lock outlives use."""

from __future__ import annotations

import asyncio

from backend.services.solana.keyed_locks import KeyedLocks


async def test_holders_of_one_key_take_turns_and_the_lock_goes_when_unused() -> None:
    locks = KeyedLocks()
    inside: list[str] = []
    release = asyncio.Event()
    entered = {name: asyncio.Event() for name in "abc"}

    async def hold(key: str, name: str) -> None:
        async with locks.hold(key):
            inside.append(name)
            entered[name].set()
            await release.wait()
            inside.append(f"/{name}")

    first = asyncio.create_task(hold("sig", "a"))
    second = asyncio.create_task(hold("sig", "b"))
    other = asyncio.create_task(hold("other", "c"))
    await entered["a"].wait()
    await entered["c"].wait()  # another key: not held up by a
    assert sorted(inside) == ["a", "c"]  # b waits for a
    assert len(locks) == 2

    release.set()
    await asyncio.gather(first, second, other)

    assert inside.index("/a") < inside.index("b")
    assert len(locks) == 0
