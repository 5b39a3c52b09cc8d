"""The Hermes client against a local Hermes speaking the v2 wire format: snapshots, feed
lookup, errors with their reasons, and a stream that is cut, closed and refused."""

from __future__ import annotations

import json
import random

import pytest

from backend.services.oracle.hermes import Backoff, HermesClient, HermesUnavailable
from backend.services.oracle.pyth_wire import HermesFormatError
from tests.loopback_server import LoopbackServer
from tests.oracle.hermes_server import (
    HermesScript,
    StreamPlan,
    hermes_app,
    recorded_stream,
)

ETH = "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace"
BTC = "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43"


@pytest.fixture
async def hermes():
    script = HermesScript()
    async with LoopbackServer(hermes_app(script)) as server:
        client = HermesClient(server.url, backoff=Backoff(base_s=0.0, rng=random.Random(1)))
        yield script, client
        await client.aclose()


async def test_latest_and_feed_lookup(hermes) -> None:
    script, client = hermes
    prices = await client.latest([ETH, BTC])
    assert [p.feed_id for p in prices] == [ETH, BTC]
    assert "ids%5B%5D=" + ETH in script.requests[0] and "parsed=true" in script.requests[0]
    feeds = await client.price_feeds("BTC")
    assert feeds[0]["attributes"]["symbol"] == "Crypto.BTC/USD"


@pytest.mark.parametrize(
    ("status", "body", "error", "retry_after"),
    [
        (500, "boom", HermesUnavailable, None),
        (429, "slow down", HermesUnavailable, 7.0),
        (200, "{not json", HermesFormatError, None),
        (200, '{"parsed": [{"id": "short"}]}', HermesFormatError, None),
    ],
)
async def test_latest_errors_say_why(hermes, status, body, error, retry_after) -> None:
    script, client = hermes
    script.latest.append((status, body))
    with pytest.raises(error) as raised:
        await client.latest([ETH])
    if retry_after is not None:
        assert raised.value.retry_after_s == retry_after


async def _take(client: HermesClient, feed_ids: list[str], count: int) -> list:
    prices = []
    async for price in client.stream(feed_ids):
        prices.append(price)
        if len(prices) == count:
            return prices
    raise AssertionError("the stream ended")


async def test_stream_reconnects_after_a_close_and_a_cut_without_repeats(hermes) -> None:
    script, client = hermes
    events = recorded_stream()
    script.streams = [
        StreamPlan(events[:3]),  # the server closes after three events
        StreamPlan(events[2:5], cut_after=f"data:{events[5][:40]}"),  # a repeat, then a cut
        StreamPlan(["{not json", *events[5:8]]),  # a malformed event is skipped
    ]
    prices = await _take(client, [ETH], 2 + 8)
    times = [p.publish_time for p in prices if p.feed_id == ETH]
    # the snapshot (...601, BTC beside it), then 602..609: nothing twice, none out of order
    assert times == list(range(1692110601, 1692110610))
    assert client.stats.connects == 3 and client.stats.malformed == 1
    assert client.stats.duplicates >= 1  # event 604 came again after the reconnect
    assert client.stats.gaps == 0
    streams = [r for r in script.requests if r.startswith("/v2/updates/price/stream")]
    latests = [r for r in script.requests if r.startswith("/v2/updates/price/latest")]
    assert len(streams) == 3 and len(latests) == 3  # a snapshot before every connection


async def test_a_refused_stream_is_retried_and_a_gap_is_counted(hermes) -> None:
    script, client = hermes
    events = recorded_stream()
    script.streams = [
        StreamPlan(status=429, retry_after="0"),
        StreamPlan(status=500),
        StreamPlan([events[0], events[4]]),  # 603..605 never arrive
    ]
    prices = await _take(client, [ETH], 2 + 2)
    assert [p.publish_time for p in prices[-2:]] == [1692110602, 1692110606]
    assert client.stats.gaps == 1 and client.stats.connects == 1


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    backoff = Backoff(base_s=0.5, max_s=4.0, rng=random.Random(3))
    waits = [backoff.next_wait() for _ in range(6)]
    assert all(0 <= w <= min(4.0, 0.5 * 2**i) for i, w in enumerate(waits))
    assert len(set(waits)) == 6  # jittered: no two clients retry in step
    assert backoff.next_wait(at_least_s=7.0) >= 7.0
    backoff.reset()
    assert backoff.next_wait() <= 0.5


def test_recorded_stream_events_are_hermes_updates() -> None:
    first = json.loads(recorded_stream()[0])
    assert first["parsed"][0]["id"] == ETH and "binary" in first
