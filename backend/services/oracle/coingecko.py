"""The CoinGecko fallback: `GET /api/v3/simple/price`, polled within the free tier's limit.

The answer is ``{"bitcoin": {"usd": 67187.33, "last_updated_at": 1711356300}, ...}``.
Prices are JSON numbers; they are read as the decimal text sent (never through a binary
float) and rounded half-even to our 1e-6 price units. A 429 is answered by waiting its
`Retry-After` (or the pacing interval), never by retrying in a loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import httpx

from backend.domain.fixed_point import PRICE_PRECISION
from backend.services.oracle.feed_errors import FeedFormatError, FeedUnavailable, retry_after

log = logging.getLogger("quantdesk.oracle.coingecko")

FREE_TIER_CALLS_PER_MINUTE = 10
"""A conservative pace for the keyless public API (its documented limit varies)."""


@dataclass(frozen=True, slots=True)
class CoinGeckoPrice:
    """One coin's USD price in our price units, and when CoinGecko last updated it."""

    coin_id: str
    price: int
    last_updated_at: int
    """Unix seconds."""


class CoinGeckoClient:
    """One CoinGecko endpoint (``base_url`` such as ``https://api.coingecko.com``)."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient | None = None,
        api_key: str | None = None,
        calls_per_minute: float = FREE_TIER_CALLS_PER_MINUTE,
        timeout_s: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"x-cg-demo-api-key": api_key} if api_key else {}
        self.http = http or httpx.AsyncClient(timeout=timeout_s, headers=headers)
        self.min_interval_s = 60.0 / calls_per_minute

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.http.aclose()

    async def prices(self, coin_ids: Sequence[str]) -> dict[str, CoinGeckoPrice]:
        """The USD price of each coin CoinGecko knows (an unknown id is left out)."""
        params = {
            "ids": ",".join(coin_ids),
            "vs_currencies": "usd",
            "include_last_updated_at": "true",
        }
        try:
            answer = await self.http.get(f"{self.base_url}/api/v3/simple/price", params=params)
        except httpx.TransportError as error:
            raise FeedUnavailable(f"CoinGecko: {type(error).__name__}") from error
        if answer.status_code == 429:
            wait = retry_after(answer.headers.get("retry-after"))
            raise FeedUnavailable("CoinGecko rate limit (429)", wait)
        if answer.status_code != 200:
            raise FeedUnavailable(f"CoinGecko: HTTP {answer.status_code}")
        try:
            payload = json.loads(answer.text, parse_float=Decimal, parse_int=Decimal)
        except ValueError as error:
            raise FeedFormatError(f"CoinGecko: not JSON: {error}") from None
        return parse_simple_price(payload, coin_ids)

    async def poll(self, coin_ids: Sequence[str]) -> AsyncIterator[dict[str, CoinGeckoPrice]]:
        """Prices at the allowed pace, forever; an error waits for the next turn (or the
        server's `Retry-After`, when longer) and is logged, not raised."""
        while True:
            started = time.monotonic()
            wait_at_least = 0.0
            try:
                yield await self.prices(coin_ids)
            except FeedUnavailable as error:
                wait_at_least = error.retry_after_s or 0.0
                log.warning("CoinGecko unavailable (%s)", error)
            except FeedFormatError as error:
                log.warning("CoinGecko answered out of format (%s)", error)
            elapsed = time.monotonic() - started
            await asyncio.sleep(max(self.min_interval_s - elapsed, wait_at_least))


def parse_simple_price(payload: object, coin_ids: Sequence[str]) -> dict[str, CoinGeckoPrice]:
    """The ``simple/price`` answer read exactly (numbers parsed as `Decimal`)."""
    if not isinstance(payload, dict):
        raise FeedFormatError("CoinGecko: expected an object keyed by coin id")
    prices = {}
    for coin_id in coin_ids:
        entry = payload.get(coin_id)
        if entry is None:
            continue  # CoinGecko leaves out ids it does not know
        if not isinstance(entry, dict):
            raise FeedFormatError(f"CoinGecko: {coin_id} is not an object")
        usd, updated = entry.get("usd"), entry.get("last_updated_at")
        if not isinstance(usd, Decimal) or not usd.is_finite() or usd <= 0:
            raise FeedFormatError(f"CoinGecko: {coin_id}.usd must be a positive number")
        if not isinstance(updated, Decimal) or updated != updated.to_integral_value():
            raise FeedFormatError(f"CoinGecko: {coin_id}.last_updated_at must be an integer")
        try:
            units = (usd * PRICE_PRECISION).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        except InvalidOperation:
            raise FeedFormatError(f"CoinGecko: {coin_id}.usd is out of range") from None
        prices[coin_id] = CoinGeckoPrice(coin_id, int(units), int(updated))
    return prices
