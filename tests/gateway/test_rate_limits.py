"""Rate limits: token buckets per address and per account, 429 with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.gateway.context import make_context
from backend.gateway.rate_limit import RateLimits, TokenBucket
from backend.services.clock import ManualClock
from tests.gateway.test_gateway_trading import sign_in

NOW = 1_790_000_000_000


def test_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=2, burst=3)
    assert [bucket.take("a", 0) for _ in range(3)] == [None, None, None]
    assert bucket.take("a", 0) == 1  # empty: wait a second (half a second, rounded up)
    assert bucket.take("b", 0) is None  # another key has its own bucket
    assert bucket.take("a", 500) is None  # half a second refills one token at 2/s
    assert bucket.take("a", 500) == 1


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def http(catalog: MarketCatalog, clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    context = make_context(catalog, "quantdesk.test", b"k" * 32, clock)
    context.limits = RateLimits(
        public=TokenBucket(rate=1, burst=5), private=TokenBucket(rate=1, burst=2)
    )
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


async def test_public_routes_answer_429_with_retry_after(http, clock) -> None:
    answers = [await http.get("/api/markets") for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    limited = answers[5]
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "1"
    clock.advance(1_000)
    assert (await http.get("/api/markets")).status_code == 200


async def test_private_limits_are_per_account(http, clock) -> None:
    clock.advance(10_000)  # refill the address bucket used by sign-in
    alice = await sign_in(http)
    clock.advance(10_000)
    bob = await sign_in(http)
    codes = [(await alice.get("/api/positions")).status_code for _ in range(3)]
    assert codes[:2] == [503, 503]  # trading is off here: the limit runs first anyway
    assert codes[2] == 429
    assert (await bob.get("/api/positions")).status_code == 503
