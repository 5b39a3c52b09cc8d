"""The one WebSocket to the backend's `/ws`: subscriptions that survive reconnects,
sequence checks per subscription, and the round-trip latency.

After a drop the socket reconnects with jittered backoff (to the same server, or through
a load balancer to another gateway of the deployment), authenticates again and
re-subscribes to everything: each subscription resumes from the last `seq` it saw (the
server sends what was missed), or, where the server no longer has that, starts again
from a snapshot where the channel has one. A message whose `seq` does not follow the
last one of its subscription is a gap: that subscription is re-made so that a fresh
snapshot replaces what was missed. Book deltas are checked by the book itself (their
`prev_seq`); the caller asks for a re-snapshot with `resubscribe`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from quantdesk_desktop.client.backoff import Backoff

log = logging.getLogger("quantdesk.stream")

Subscription = tuple[str, str | None, str | None]
"""(channel, market or None for private channels, candle interval or None)."""

PRIVATE = frozenset({"orders", "fills", "positions", "account", "alerts"})
SNAPSHOT_ONLY = frozenset({"book", "candles"})
"""Channels that always start from a snapshot (the server does not resume them)."""
PING_EVERY_S = 2.0


def subscription_of(message: dict) -> Subscription | None:
    """The subscription a channel message belongs to (None for answers and pongs)."""
    channel = message.get("channel")
    if channel is None or message.get("type") == "ack":
        return None
    market = None if channel in PRIVATE else message.get("market")
    return (channel, market, message.get("interval"))


class StreamClient:
    """Keeps one socket and its subscriptions; hands every channel message on."""

    def __init__(
        self,
        ws_url: str,
        on_message: Callable[[dict, float], None],
        on_state: Callable[[str, str], None],
        token: Callable[[], Awaitable[str | None]],
        backoff: Backoff | None = None,
        on_latency: Callable[[float], None] | None = None,
    ) -> None:
        self.ws_url = ws_url
        self.on_message = on_message
        """Called with each channel message and its arrival (`time.perf_counter`)."""
        self.on_state = on_state
        """Called with (state, detail): connecting, online, reconnecting."""
        self.token = token
        self.on_latency = on_latency
        """Called with each ping's round trip (ms)."""
        self.backoff = backoff or Backoff()
        self.subscriptions: set[Subscription] = set()
        self.latency_ms: float | None = None
        self.gaps = 0
        """Sequence gaps seen (each answered by a re-snapshot)."""
        self.connects = 0
        self.resumed = 0
        """Subscriptions the server resumed from their last number after a reconnect."""
        self._seq: dict[Subscription, int] = {}
        self._socket: ClientConnection | None = None
        self._ping_sent: float | None = None
        self._request_ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict]] = {}

    @property
    def connected(self) -> bool:
        """Whether the socket is up and authenticated."""
        return self._socket is not None

    async def run(self) -> None:
        """Connect and read until cancelled, reconnecting after every drop."""
        self.on_state("connecting", self.ws_url)
        while True:
            try:
                async with connect(self.ws_url, max_queue=None, open_timeout=10) as socket:
                    await self._open(socket)
                    await self._read(socket)
                reason = "the server closed the stream"
            except (OSError, WebSocketException, TimeoutError) as error:
                reason = f"{type(error).__name__}: {error}"
            finally:
                self._socket = None
                self._fail_answers()
            wait = self.backoff.next_wait()
            log.warning("stream lost (%s); reconnecting in %.2f s", reason, wait)
            self.on_state("reconnecting", reason)
            await asyncio.sleep(wait)

    async def _open(self, socket: ClientConnection) -> None:
        token = await self.token()
        if token:
            await socket.send(json.dumps({"op": "auth", "token": token}))
            answer = json.loads(await socket.recv())
            if answer.get("type") != "ack":
                raise WebSocketException(f"authentication refused: {answer.get('message')}")
        # resume where a number is known; the others start from a snapshot
        self._seq = {
            subscription: seq
            for subscription, seq in self._seq.items()
            if subscription in self.subscriptions and subscription[0] not in SNAPSHOT_ONLY
        }
        for subscription in sorted(self.subscriptions, key=repr):
            op = _op("subscribe", subscription)
            if subscription in self._seq:
                op["since"] = self._seq[subscription]
            await socket.send(json.dumps(op))
        self._socket = socket
        self.connects += 1
        self.backoff.reset()
        self.on_state("online", self.ws_url)

    async def _read(self, socket: ClientConnection) -> None:
        pinger = asyncio.create_task(self._ping(socket))
        try:
            async for text in socket:
                received = time.perf_counter()
                message = json.loads(text)
                self._dispatch(message, received)
        finally:
            pinger.cancel()

    def _dispatch(self, message: dict, received: float) -> None:
        kind = message.get("type")
        if kind == "pong":
            if self._ping_sent is not None:
                self.latency_ms = (time.perf_counter() - self._ping_sent) * 1000
                self._ping_sent = None
                if self.on_latency is not None:
                    self.on_latency(self.latency_ms)
            return
        request_id = message.get("request_id")
        if request_id in self._answers:
            answer = self._answers.pop(request_id)
            if not answer.done():
                answer.set_result(message)
            return
        if kind == "ack" and message.get("op") == "subscribe" and "resumed" in message:
            self._resume_answered(message)
            return
        subscription = subscription_of(message)
        if subscription is None:
            if kind == "error":
                log.warning("stream refused an op: %s", message.get("message"))
            return
        if not self._in_sequence(subscription, message):
            self.resubscribe(subscription)
            return
        try:
            self.on_message(message, received)
        except Exception:  # one bad message must not end the stream
            log.exception("a %s message could not be applied; re-subscribing", subscription[0])
            self.resubscribe(subscription)

    def _resume_answered(self, ack: dict) -> None:
        """A resumed subscription goes on counting; one the server could not resume
        starts its count again with its next message."""
        channel = ack.get("channel")
        market = None if channel in PRIVATE else ack.get("market")
        subscription = (channel, market, ack.get("interval"))
        if ack["resumed"]:
            self.resumed += 1
        else:
            self._seq.pop(subscription, None)

    def _in_sequence(self, subscription: Subscription, message: dict) -> bool:
        """Whether ``message`` follows the subscription's last one (a snapshot, and the
        first message of a channel without snapshots, start the count)."""
        seq = message.get("seq")
        if seq is None:
            return True
        last = self._seq.get(subscription)
        self._seq[subscription] = seq
        if message.get("type") == "snapshot" or last is None:
            return True
        if subscription[0] == "book":
            return True  # the book checks `prev_seq` (frames may span several changes)
        if seq != last + 1:
            self.gaps += 1
            log.warning("gap on %s: %s after %s; re-subscribing", subscription, seq, last)
            return False
        return True

    async def _ping(self, socket: ClientConnection) -> None:
        while True:
            self._ping_sent = time.perf_counter()
            with contextlib.suppress(WebSocketException):
                await socket.send('{"op":"ping"}')
            await asyncio.sleep(PING_EVERY_S)

    def subscribe(self, subscription: Subscription) -> None:
        """Follow a channel (now, and after every reconnect)."""
        if subscription in self.subscriptions:
            return
        self.subscriptions.add(subscription)
        self._send(_op("subscribe", subscription))

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop following a channel."""
        if subscription not in self.subscriptions:
            return
        self.subscriptions.discard(subscription)
        self._seq.pop(subscription, None)
        self._send(_op("unsubscribe", subscription))

    def resubscribe(self, subscription: Subscription) -> None:
        """Start a subscription again from a fresh snapshot (after a gap)."""
        self._seq.pop(subscription, None)
        self._send(_op("unsubscribe", subscription))
        self._send(_op("subscribe", subscription))

    async def request(self, op: dict, timeout_s: float = 10.0) -> dict:
        """Send a trading op (`place`, `cancel`) and wait for its answer."""
        if self._socket is None:
            raise ConnectionError("the stream is not connected")
        request_id = next(self._request_ids)
        answer = asyncio.get_running_loop().create_future()
        self._answers[request_id] = answer
        await self._socket.send(json.dumps(op | {"request_id": request_id}))
        try:
            return await asyncio.wait_for(answer, timeout_s)
        finally:
            self._answers.pop(request_id, None)

    def _send(self, op: dict) -> None:
        socket = self._socket
        if socket is not None:
            task = asyncio.ensure_future(socket.send(json.dumps(op)))
            task.add_done_callback(_ignore_closed)

    def _fail_answers(self) -> None:
        for answer in self._answers.values():
            if not answer.done():
                answer.set_exception(ConnectionError("the stream dropped before the answer"))
        self._answers.clear()


def _op(op: str, subscription: Subscription) -> dict:
    channel, market, interval = subscription
    message: dict = {"op": op, "channel": channel}
    if market is not None:
        message["market"] = market
    if interval is not None:
        message["interval"] = interval
    return message


def _ignore_closed(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.debug("a stream op was not sent: %s", task.exception())
