"""Keeping the cache in step with the backend: on connect (and after every reconnect, and
now and then for funding, which has no private channel) each stream is fetched from its
saved cursor to the end, page by page, every page written with its cursor; meanwhile the
private channels' updates are written as they come. Writes run on one worker thread, in
order, never on the UI thread."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from quantdesk_desktop.cache import rows
from quantdesk_desktop.cache.database import CacheDatabase
from quantdesk_desktop.cache.offline import save_market_specs
from quantdesk_desktop.cache.writer import CacheWriter
from quantdesk_desktop.client.rest import RestClient

log = logging.getLogger("quantdesk.cache")

PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Stream:
    """One catch-up feed: how to fetch a page after a cursor, where its rows are, how a
    row is stored."""

    name: str
    fetch: Callable[[RestClient, str | None, int], Awaitable[dict]]
    rows_key: str
    to_row: Callable[[dict], dict]
    write: Callable[[CacheWriter, list[dict], tuple[str, str]], None]


def _int(cursor: str | None) -> int:
    return int(cursor) if cursor else 0


STREAMS = (
    Stream(
        "fills",
        lambda rest, cursor, limit: rest.fills_after(_int(cursor), limit),
        "trades",
        rows.fill_row,
        CacheWriter.fills,
    ),
    Stream(
        "orders",
        lambda rest, cursor, limit: rest.order_changes(cursor, limit),
        "orders",
        rows.order_row,
        CacheWriter.orders,
    ),
    Stream(
        "funding",
        lambda rest, cursor, limit: rest.funding_after(_int(cursor), limit),
        "payments",
        rows.funding_row,
        CacheWriter.funding,
    ),
    Stream(
        "transfers",
        lambda rest, cursor, limit: rest.transfers_after(_int(cursor), limit),
        "transfers",
        rows.transfer_row,
        CacheWriter.transfers,
    ),
    Stream(
        "liquidations",
        lambda rest, cursor, limit: rest.liquidations_after(_int(cursor), limit),
        "liquidations",
        rows.liquidation_row,
        CacheWriter.liquidations,
    ),
)


class CacheSync:
    """The cache of one signed-in account."""

    def __init__(
        self, database: CacheDatabase, rest: RestClient, page_size: int = PAGE_SIZE
    ) -> None:
        self.database = database
        self.writer = CacheWriter(database)
        self.rest = rest
        self.page_size = page_size
        self.synced_at_ms: int | None = None
        """When the last catch-up reached the end of every stream."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")
        self._catching_up: asyncio.Lock | None = None

    async def _on_writer(self, work: Callable, *args) -> object:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    async def catch_up(self) -> int:
        """Fetch every stream from its cursor to its end; how many rows came."""
        if self._catching_up is None:
            self._catching_up = asyncio.Lock()
        async with self._catching_up:  # one catch-up at a time: the cursors stay in step
            fetched = 0
            for stream in STREAMS:
                fetched += await self._catch_up(stream)
            self.synced_at_ms = int(time.time() * 1000)
            return fetched

    async def _catch_up(self, stream: Stream) -> int:
        cursor = await self._on_writer(self.writer.cursor, stream.name)
        fetched = 0
        while True:
            page = await stream.fetch(self.rest, cursor, self.page_size)
            batch = [stream.to_row(row) for row in page[stream.rows_key]]
            if not batch:
                return fetched
            cursor = str(page["next_cursor"])
            await self._on_writer(stream.write, self.writer, batch, (stream.name, cursor))
            fetched += len(batch)

    def live(self, channel: str, message: dict) -> None:
        """Write a private channel update (fills, orders, positions snapshots)."""
        if channel == "fills":
            work, batch = self.writer.fills, [rows.fill_row(message["fill"], message["market"])]
        elif channel == "orders":
            work, batch = self.writer.orders, [rows.order_row(message["order"])]
        elif channel == "positions":
            now = int(time.time() * 1000)
            batch = [rows.position_row(p, now) for p in message.get("positions", [])]
            work = self.writer.positions
        else:
            return
        self._executor.submit(work, batch).add_done_callback(_report)

    def save_markets(self, specs: list[dict]) -> None:
        """Keep the market specs for an offline start."""
        self._executor.submit(save_market_specs, self.database, specs).add_done_callback(_report)

    def candles(self, market: str, interval: str, candles: list[dict]) -> None:
        """Keep candles the workstation loaded or updated."""
        batch = [rows.candle_row(market, interval, candle) for candle in candles]
        self._executor.submit(self.writer.candles, batch).add_done_callback(_report)

    def close(self) -> None:
        """Finish the queued writes."""
        self._executor.shutdown(wait=True)


def _report(future) -> None:
    if future.exception() is not None:
        log.error("a cache write failed", exc_info=future.exception())
