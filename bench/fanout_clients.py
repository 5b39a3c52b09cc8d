"""One client process of `bench fanout`: many sockets on one market's book channel."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
import time
from array import array
from collections import Counter
from multiprocessing.connection import Connection

from bench.ws_reader import WsReader, open_reader

CONNECT_BATCH = 50
FINISH_DEADLINE_S = 30.0
BUCKET_MS = 0.1


SEQ = re.compile(rb'"seq":(\d+)')
PREV_SEQ = re.compile(rb'"prev_seq":(\d+)')


class BookClient:
    """One subscriber: checks the sequence and notes when each delta arrived. Messages
    are compact JSON from the hub; the numbers are read without parsing the whole
    message (the load generator must stay cheaper than the server it loads)."""

    def __init__(self) -> None:
        self.last = 0
        self.seqs = array("q")
        self.arrivals = array("d")
        self.dropped = 0
        self.out_of_order = 0
        self.disconnected = False
        self.subscribed = asyncio.get_running_loop().create_future()
        self.final_seq: int | None = None
        self.finished = asyncio.Event()
        self.reader: WsReader | None = None

    async def open(self, ws_url: str, market: str) -> None:
        """Connect, subscribe and wait for the snapshot."""
        self.reader = await open_reader(ws_url, self.on_text)
        self.reader.closed.add_done_callback(self._closed)
        self.reader.send_json({"op": "subscribe", "channel": "book", "market": market})
        await self.subscribed

    def on_text(self, payload: bytes) -> None:
        """One message from the server."""
        arrived = time.monotonic()
        if b'"type":"delta"' in payload:
            prev_seq = int(PREV_SEQ.search(payload)[1])
            self._delta(prev_seq, int(SEQ.search(payload)[1]), arrived)
        elif b'"type":"snapshot"' in payload:
            self.last = int(SEQ.search(payload)[1])
            self.subscribed.set_result(None)
        if self.final_seq is not None and self.last >= self.final_seq:
            self.finished.set()

    def _delta(self, prev_seq: int, seq: int, arrived: float) -> None:
        if seq <= self.last:
            self.out_of_order += 1
            return
        if prev_seq > self.last:
            self.dropped += prev_seq - self.last
        self.last = seq
        self.seqs.append(seq)
        self.arrivals.append(arrived)

    def _closed(self, _: asyncio.Future) -> None:
        if not self.finished.is_set():
            self.disconnected = True  # cut off by the server (a slow consumer)
            self.finished.set()

    def finish_at(self, final_seq: int) -> None:
        """Stop once ``final_seq`` has been seen."""
        self.final_seq = final_seq
        if self.last >= final_seq:
            self.finished.set()


async def _main(ws_url: str, market: str, count: int, pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    clients = [BookClient() for _ in range(count)]
    for first in range(0, count, CONNECT_BATCH):
        await asyncio.gather(
            *(c.open(ws_url, market) for c in clients[first : first + CONNECT_BATCH])
        )
    pipe.send("ready")
    final_seq, delta_due = await loop.run_in_executor(None, pipe.recv)
    for client in clients:
        client.finish_at(final_seq)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*(c.finished.wait() for c in clients)), FINISH_DEADLINE_S
        )
    for client in clients:
        client.reader.close()
    pipe.send(_tally(clients, delta_due))


def _tally(clients: list[BookClient], delta_due: dict[int, list[float]]) -> dict:
    """Latency buckets of the driver's deltas on every client, and the miss counts."""
    buckets: Counter[int] = Counter()
    dropped = out_of_order = disconnected = 0
    for client in clients:
        for seq, arrived in zip(client.seqs, client.arrivals, strict=True):
            for due in delta_due.get(seq, ()):
                buckets[round((arrived - due) * 1000 / BUCKET_MS)] += 1
        dropped += client.dropped
        out_of_order += client.out_of_order
        if client.disconnected:
            disconnected += 1
            dropped += sum(len(dues) for seq, dues in delta_due.items() if seq > client.last)
    return {
        "latency_buckets": buckets,
        "dropped": dropped,
        "out_of_order": out_of_order,
        "disconnected": disconnected,
    }


def run_clients(ws_url: str, market: str, count: int, pipe: Connection) -> None:
    """Process entry point: ``count`` subscribers, driven through ``pipe``. The collector
    is off: a client process must not add pauses of its own to the latencies."""
    gc.disable()
    asyncio.run(_main(ws_url, market, count, pipe))
