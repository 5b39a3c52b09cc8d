"""The Pyth Hermes v2 client: feed lookup, the latest prices, and the price stream.

`stream` keeps one Server-Sent Events connection to `/v2/updates/price/stream`. Hermes
closes streams after a while and networks drop them: the client reconnects with jittered
exponential backoff (a 429's `Retry-After` is honoured as the wait), fetches the latest
prices first so that nothing missed while away goes unseen, and drops updates it has
already passed on (a feed's publish time, then its slot, must move forward: Pyth
publishes several times a second and `publish_time` counts whole seconds). A gap that the
update's `prev_publish_time` reveals is counted and logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import httpx

from backend.services.oracle.feed_errors import FeedUnavailable, retry_after
from backend.services.oracle.pyth_wire import HermesFormatError, PythPrice, parse_updates
from backend.services.oracle.sse import SseParser

log = logging.getLogger("quantdesk.oracle.hermes")


class HermesUnavailable(FeedUnavailable):
    """Hermes did not answer usefully."""


@dataclass(slots=True)
class Backoff:
    """Full-jitter exponential backoff: a random wait up to ``base_s * 2**attempt``,
    capped at ``max_s``."""

    base_s: float = 0.5
    max_s: float = 30.0
    attempt: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_wait(self, at_least_s: float | None = None) -> float:
        """The wait before the next try (at least the server's `Retry-After`)."""
        ceiling = min(self.max_s, self.base_s * 2**self.attempt)
        self.attempt += 1
        wait = self.rng.uniform(0, ceiling)
        return max(wait, at_least_s) if at_least_s is not None else wait

    def reset(self) -> None:
        """A connection worked: start again from the shortest wait."""
        self.attempt = 0


@dataclass(slots=True)
class StreamStats:
    """What the stream has seen, for status and metrics."""

    connects: int = 0
    events: int = 0
    malformed: int = 0
    duplicates: int = 0
    gaps: int = 0


class HermesClient:
    """One Hermes endpoint (``base_url`` such as ``https://hermes.pyth.network``)."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient | None = None,
        api_key: str | None = None,
        backoff: Backoff | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = http or httpx.AsyncClient(timeout=timeout_s, headers=headers)
        self.backoff = backoff or Backoff()
        self.stats = StreamStats()
        self._last_publish: dict[str, tuple[int, int]] = {}

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.http.aclose()

    async def price_feeds(self, query: str | None = None) -> list[dict]:
        """`GET /v2/price_feeds`: feed ids with their attributes (symbol, base, quote)."""
        params = {"asset_type": "crypto"} | ({"query": query} if query else {})
        answer = await self._get("/v2/price_feeds", params)
        feeds = _json(answer)
        if not isinstance(feeds, list) or not all(
            isinstance(f, dict) and isinstance(f.get("id"), str) for f in feeds
        ):
            raise HermesFormatError("price_feeds: expected a list of objects with an id")
        return feeds

    async def latest(self, feed_ids: Sequence[str]) -> list[PythPrice]:
        """`GET /v2/updates/price/latest`: the newest price of each feed."""
        answer = await self._get("/v2/updates/price/latest", _ids(feed_ids))
        return parse_updates(_json(answer))

    async def stream(self, feed_ids: Sequence[str]) -> AsyncIterator[PythPrice]:
        """Every new price of ``feed_ids``, forever: reconnecting, never repeating one."""
        async for prices in self.batches(feed_ids):
            for price in prices:
                yield price

    async def batches(self, feed_ids: Sequence[str]) -> AsyncIterator[list[PythPrice]]:
        """As `stream`, one list per Hermes update (a snapshot, or one stream event:
        the feeds that moved in the same slot arrive together)."""
        while True:
            try:
                snapshot = [p for p in await self.latest(feed_ids) if self._is_new(p)]
                if snapshot:
                    yield snapshot
                async for prices in self._stream_once(feed_ids):
                    yield prices
                wait = self.backoff.next_wait()
                log.info("Hermes closed the stream; reconnecting in %.2f s", wait)
            except HermesUnavailable as error:
                wait = self.backoff.next_wait(error.retry_after_s)
                log.warning("Hermes unavailable (%s); retrying in %.2f s", error, wait)
            except HermesFormatError as error:
                wait = self.backoff.next_wait()
                log.warning("Hermes answered out of format (%s); retrying in %.2f s", error, wait)
            await asyncio.sleep(wait)

    async def _stream_once(self, feed_ids: Sequence[str]) -> AsyncIterator[list[PythPrice]]:
        """One connection's updates, until the server or the network ends it."""
        parser = SseParser()
        params = _ids(feed_ids)
        try:
            async with self.http.stream(
                "GET",
                f"{self.base_url}/v2/updates/price/stream",
                params=params,
                headers={"Accept": "text/event-stream"},
                timeout=httpx.Timeout(10.0, read=None),
            ) as answer:
                _check_status(answer)
                self.stats.connects += 1
                async for text in answer.aiter_text():
                    for event in parser.feed(text):
                        prices = self._event_prices(event.data)
                        if prices:
                            yield prices
        except (httpx.TransportError, httpx.StreamError) as error:
            raise HermesUnavailable(f"stream broke: {type(error).__name__}") from error

    def _event_prices(self, data: str) -> list[PythPrice]:
        try:
            prices = parse_updates(json.loads(data))
        except (json.JSONDecodeError, HermesFormatError) as error:
            self.stats.malformed += 1
            log.warning("skipped a malformed Hermes event: %s", error)
            return []
        self.stats.events += 1
        self.backoff.reset()
        return [price for price in prices if self._is_new(price)]

    def _is_new(self, price: PythPrice) -> bool:
        """Whether ``price`` moves its feed forward (and note a gap before it)."""
        last = self._last_publish.get(price.feed_id)
        key = (price.publish_time, price.slot or 0)
        if last is not None and key <= last:
            self.stats.duplicates += 1
            return False
        previous = price.prev_publish_time
        if last is not None and previous is not None and previous > last[0]:
            self.stats.gaps += 1
            log.warning(
                "feed %s: updates between %s and %s were not received",
                price.feed_id[:8],
                last[0],
                previous,
            )
        self._last_publish[price.feed_id] = key
        return True

    async def _get(self, path: str, params: list[tuple[str, str]] | dict) -> httpx.Response:
        try:
            answer = await self.http.get(f"{self.base_url}{path}", params=params)
        except httpx.TransportError as error:
            raise HermesUnavailable(f"{path}: {type(error).__name__}") from error
        _check_status(answer)
        return answer


def _ids(feed_ids: Sequence[str]) -> list[tuple[str, str]]:
    return [("ids[]", feed_id) for feed_id in feed_ids] + [("parsed", "true")]


def _check_status(answer: httpx.Response) -> None:
    if answer.status_code == 200:
        return
    if answer.status_code == 429:
        raise HermesUnavailable(
            "rate limited (429)", retry_after(answer.headers.get("retry-after"))
        )
    raise HermesUnavailable(f"HTTP {answer.status_code}")


def _json(answer: httpx.Response) -> object:
    try:
        return answer.json()
    except ValueError as error:
        raise HermesFormatError(f"not JSON: {error}") from None
