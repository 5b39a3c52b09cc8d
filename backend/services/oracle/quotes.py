"""Prices from outside sources as one shape, and the adapters that turn each client's
output into it: Pyth (Hermes) updates and CoinGecko polls."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from backend.services.oracle.coingecko import CoinGeckoClient
from backend.services.oracle.feed_errors import FeedFormatError, FeedUnavailable
from backend.services.oracle.hermes import HermesClient
from backend.services.oracle.pyth_wire import PythPrice
from backend.services.oracle.replay import hermes_entry, pyth_entry

log = logging.getLogger("quantdesk.oracle")


@dataclass(frozen=True, slots=True)
class Quote:
    """One market's price from a source, in our units, before validation."""

    market: str
    price: int
    confidence: int
    publish_time: int
    """Unix seconds, as the source published it."""
    sequence: int = 0
    """Orders updates published in the same second (Pyth's slot; 0 when none)."""
    ema_price: int | None = None
    """The source's moving average of the price (Pyth's EMA), when it gives one."""
    entry: dict = field(default_factory=dict, compare=False)
    """The update in Hermes shape, for recording."""


async def pyth_quotes(
    client: HermesClient, markets_by_feed: Mapping[str, str]
) -> AsyncIterator[list[Quote]]:
    """Each Hermes update of the markets' feeds, as quotes (forever, reconnecting).
    First, the feed ids are looked up: one Hermes does not list is logged as an error."""
    await _check_feeds(client, markets_by_feed)
    async for prices in client.batches(list(markets_by_feed)):
        quotes = [
            _from_pyth(markets_by_feed[p.feed_id], p)
            for p in prices
            if p.feed_id in markets_by_feed
        ]
        if quotes:
            yield quotes


async def _check_feeds(client: HermesClient, markets_by_feed: Mapping[str, str]) -> None:
    try:
        listed = {feed["id"].removeprefix("0x").lower() for feed in await client.price_feeds()}
    except (FeedUnavailable, FeedFormatError) as error:
        log.warning("could not list the Pyth feeds (%s); streaming anyway", error)
        return
    for feed_id, market in sorted(markets_by_feed.items(), key=lambda item: item[1]):
        if feed_id not in listed:
            log.error("Pyth does not list %s's feed %s: check the markets file", market, feed_id)


def _from_pyth(market: str, price: PythPrice) -> Quote:
    return Quote(
        market,
        price.price,
        price.conf,
        price.publish_time,
        price.slot or 0,
        price.ema_price,
        pyth_entry(price),
    )


async def coingecko_quotes(
    client: CoinGeckoClient,
    markets_by_coin: Mapping[str, str],
    feed_ids: Mapping[str, str],
) -> AsyncIterator[list[Quote]]:
    """Each CoinGecko poll of the markets' coins, as quotes; ``feed_ids`` names each
    market's Pyth feed so that recordings keep one id per market whatever the source."""
    async for prices in client.poll(list(markets_by_coin)):
        quotes = []
        for coin_id, price in prices.items():
            market = markets_by_coin[coin_id]
            entry = hermes_entry(feed_ids[market], price.price, 0, price.last_updated_at)
            quotes.append(Quote(market, price.price, 0, price.last_updated_at, entry=entry))
        if quotes:
            yield quotes
