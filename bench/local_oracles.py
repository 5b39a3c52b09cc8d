"""Local stand-ins for Pyth Hermes and CoinGecko that publish fresh prices in their exact
wire formats (the shapes of the recorded payloads in tests/fixtures), under the control
of a test or a benchmark: silence a feed, move or widen its price, fail with an HTTP status.

`LocalHermes` streams one Server-Sent Event per slot with every feed that is not silent;
`LocalCoinGecko` answers `simple/price` with each coin's current price.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from backend.domain.markets import MarketCatalog

HERMES_EXPO = -8
FIRST_SLOT = 200_000_000


@dataclass
class HermesFeed:
    """One feed's current price as Hermes states it (an integer at ``HERMES_EXPO``)."""

    price: int
    conf: int
    symbol: str = ""
    last_publish: int | None = None


@dataclass
class LocalHermes:
    """A Hermes v2 endpoint publishing ``feeds`` every ``interval_s``."""

    feeds: dict[str, HermesFeed]
    interval_s: float = 0.2
    silent: set[str] = field(default_factory=set)
    """Feeds left out of every answer (as if Pyth stopped publishing them)."""
    failing: int | None = None
    """An HTTP status every request gets instead (None: answer normally)."""
    step: Callable[[str, HermesFeed], None] | None = None
    """Called for each feed before each event (to move its price)."""
    on_event: Callable[[int, list[str], float], None] | None = None
    """Called with (slot, feed ids, time sent) as each event leaves."""
    slot: int = FIRST_SLOT
    events_sent: int = 0

    def app(self) -> Starlette:
        """The ASGI app: `latest`, `stream` and `price_feeds`."""
        return Starlette(
            routes=[
                Route("/v2/updates/price/latest", self._latest),
                Route("/v2/updates/price/stream", self._stream),
                Route("/v2/price_feeds", self._price_feeds),
            ]
        )

    def update(self, feed_ids: list[str]) -> dict:
        """One Hermes update (``binary`` and ``parsed``) of the feeds that publish."""
        self.slot += 1
        now = int(time.time())
        parsed = []
        for feed_id in feed_ids:
            feed = self.feeds.get(feed_id)
            if feed is None or feed_id in self.silent:
                continue
            if self.step is not None:
                self.step(feed_id, feed)
            block = {
                "price": str(feed.price),
                "conf": str(feed.conf),
                "expo": HERMES_EXPO,
                "publish_time": now,
            }
            previous = feed.last_publish if feed.last_publish is not None else now - 1
            feed.last_publish = now
            parsed.append(
                {
                    "id": feed_id,
                    "price": block,
                    "ema_price": dict(block),
                    "metadata": {
                        "slot": self.slot,
                        "proof_available_time": now,
                        "prev_publish_time": previous,
                    },
                }
            )
        return {"binary": {"encoding": "hex", "data": ["504e4155"]}, "parsed": parsed}

    def _failure(self) -> Response | None:
        if self.failing is None:
            return None
        return PlainTextResponse("unavailable", self.failing)

    async def _latest(self, request: Request) -> Response:
        return self._failure() or JSONResponse(self.update(request.query_params.getlist("ids[]")))

    async def _price_feeds(self, _request: Request) -> Response:
        return self._failure() or JSONResponse(
            [
                {"id": feed_id, "attributes": {"symbol": feed.symbol, "asset_type": "Crypto"}}
                for feed_id, feed in self.feeds.items()
            ]
        )

    async def _stream(self, request: Request) -> Response:
        failure = self._failure()
        if failure is not None:
            return failure
        feed_ids = request.query_params.getlist("ids[]")

        async def events() -> AsyncIterator[bytes]:
            yield b": connected\n\n"
            next_at = time.monotonic()
            while self.failing is None:
                update = self.update(feed_ids)
                if update["parsed"]:
                    body = f"data:{json.dumps(update, separators=(',', ':'))}\n\n".encode()
                    if self.on_event is not None:
                        ids = [entry["id"] for entry in update["parsed"]]
                        self.on_event(self.slot, ids, time.time())
                    self.events_sent += 1
                    yield body
                next_at += self.interval_s
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

        return StreamingResponse(events(), media_type="text/event-stream")


@dataclass
class LocalCoinGecko:
    """A CoinGecko `simple/price` endpoint: ``prices`` in USD as decimal text by coin id."""

    prices: dict[str, str]
    failing: int | None = None
    requests: int = 0

    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(routes=[Route("/api/v3/simple/price", self._simple_price)])

    async def _simple_price(self, request: Request) -> Response:
        self.requests += 1
        if self.failing is not None:
            headers = {"Retry-After": "1"} if self.failing == 429 else {}
            return PlainTextResponse("unavailable", self.failing, headers)
        now = int(time.time())
        wanted = request.query_params.get("ids", "").split(",")
        # numbers as JSON numbers, written from the decimal text (as CoinGecko sends them)
        entries = [
            f'"{coin}": {{"usd": {self.prices[coin]}, "last_updated_at": {now}}}'
            for coin in wanted
            if coin in self.prices
        ]
        return Response("{" + ", ".join(entries) + "}", media_type="application/json")


def hermes_feeds(catalog: MarketCatalog, confidence: int = 500) -> dict[str, HermesFeed]:
    """A feed per market at its reference price, with a confidence of ``confidence``
    ppm of the price (the default is 0.05%)."""
    scale = 10 ** (-HERMES_EXPO) // PRICE_PRECISION
    return {
        spec.pyth_feed_id: HermesFeed(
            price=spec.reference_price * scale,
            conf=spec.reference_price * scale * confidence // 1_000_000,
            symbol=f"Crypto.{spec.base_asset}/USD",
        )
        for spec in catalog
    }


def coingecko_prices(catalog: MarketCatalog) -> dict[str, str]:
    """Each market's coin at its reference price, as CoinGecko's decimal text."""
    return {
        spec.coingecko_id: format_fixed(spec.reference_price, PRICE_PRECISION)
        for spec in catalog
        if spec.coingecko_id
    }
