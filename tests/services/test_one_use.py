"""Login nonces and refresh tokens kept in memory or in Redis: each taken once, and in
Redis shared by every gateway and gone after its expiry."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from solders.keypair import Keypair

from backend.services.auth.errors import AuthCode, AuthError
from backend.services.auth.login import LoginService
from backend.services.auth.nonces import NonceBook
from backend.services.auth.one_use import MemoryOneUse, RedisOneUse
from backend.services.auth.sessions import SessionIssuer

NOW = 1_790_000_000_000
SECRET = b"s" * 32


def _gateway(redis: Redis) -> LoginService:
    """The login service of one gateway of a deployment (its own memory, shared Redis)."""
    return LoginService(
        NonceBook("quantdesk.local", "https://quantdesk.local", store=RedisOneUse(redis, "nonce")),
        SessionIssuer(SECRET, refresh_tokens=RedisOneUse(redis, "refresh")),
    )


async def test_a_nonce_asked_on_one_gateway_is_spent_on_another_once(redis: Redis) -> None:
    first, second = _gateway(redis), _gateway(redis)
    key = Keypair()
    message = (await first.challenge(str(key.pubkey()), NOW)).text()
    signature = str(key.sign_message(message.encode()))
    tokens = await second.verify(str(key.pubkey()), message, signature, NOW)
    assert first.sessions.subject(tokens.access_token, NOW) == str(key.pubkey())
    with pytest.raises(AuthError) as again:
        await first.verify(str(key.pubkey()), message, signature, NOW)
    assert again.value.code is AuthCode.UNKNOWN_NONCE
    # the refresh token works on the other gateway, once
    renewed = await first.sessions.refresh(tokens.refresh_token, NOW + 1_000)
    assert second.sessions.subject(renewed.access_token, NOW + 2_000) == str(key.pubkey())
    with pytest.raises(AuthError):
        await second.sessions.refresh(tokens.refresh_token, NOW + 3_000)


async def test_two_gateways_racing_for_one_nonce_spend_it_once(redis: Redis) -> None:
    store = RedisOneUse(redis, "nonce")
    await store.put("n1", "message", NOW + 60_000, NOW)
    taken = await asyncio.gather(*(store.take("n1", NOW) for _ in range(20)))
    assert taken.count("message") == 1 and taken.count(None) == 19


async def test_redis_forgets_a_value_at_its_expiry(redis: Redis) -> None:
    store = RedisOneUse(redis, "nonce")
    await store.put("short", "value", NOW + 5_000, NOW)
    ttl_ms = await redis.pttl("qd:nonce:short")
    assert 0 < ttl_ms <= 5_000


async def test_memory_drops_expired_values_when_full() -> None:
    store = MemoryOneUse(max_entries=2)
    await store.put("old", "a", NOW + 10, NOW)
    await store.put("live", "b", NOW + 60_000, NOW)
    await store.put("new", "c", NOW + 60_000, NOW + 100)  # full: "old" has expired
    assert len(store) == 2
    assert await store.take("old", NOW + 100) is None
    assert await store.take("live", NOW + 100) == "b"
    assert await store.take("live", NOW + 100) is None
