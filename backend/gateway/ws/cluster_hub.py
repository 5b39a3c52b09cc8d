"""The hub of a gateway in a deployment of several: the engines' stream messages come
from Redis, already numbered, and go to this gateway's sockets as they are.

Before a socket subscribes to an engine channel (see `bus.BUS_CHANNELS`), the gateway
subscribes to the topic's Redis channel and reads the topic's current number, so that
the snapshot it sends carries the number the next message follows. Messages of a topic
arrive in order; a gap (a dropped Redis connection) is filled from the topic's history
before anything after it is sent. The book and candle channels are made by this gateway
from its own copy of the state, numbered by the base `Hub`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis

from backend.gateway.ws.hub import Hub, Topic
from backend.services.cluster.bus import (
    BUS_CHANNELS,
    PREFIX,
    history_key,
    seq_key,
    topic_channel,
    topic_name,
)

log = logging.getLogger("quantdesk.cluster")


def message_seq(text: str) -> int:
    """The sequence number of an engine's message (its JSON ends with ``"seq":N}``)."""
    return int(text[text.rindex(":") + 1 : -1])


class ClusterHub(Hub):
    """A `Hub` fed by Redis for the engines' channels."""

    def __init__(self, redis: Redis) -> None:
        super().__init__()
        self._redis = redis
        self._pubsub = redis.pubsub()
        self._topics: dict[str, Topic] = {}
        """Followed topics by Redis channel."""
        self._preparing: dict[Topic, asyncio.Future[None]] = {}
        self._held: dict[Topic, list[str]] = {}
        """Messages of a topic that arrived while its number was being read or a gap
        filled: sent after that."""

    async def ready(self, topic: Topic) -> None:
        """Follow ``topic`` from Redis (once) before a socket subscribes to it."""
        if topic[0] not in BUS_CHANNELS:
            return
        preparing = self._preparing.get(topic)
        if preparing is not None:
            await preparing
            return
        self._follow(topic)
        self._preparing[topic] = asyncio.get_running_loop().create_future()
        name = topic_name(topic)
        channel = topic_channel(name)
        self._topics[channel] = topic
        self._held[topic] = []
        try:
            await self._pubsub.subscribe(channel)
            self._seq[topic] = int(await self._redis.get(seq_key(name)) or 0)
            await self._release(topic)
        finally:
            self._preparing[topic].set_result(None)

    async def _release(self, topic: Topic) -> None:
        """Send the messages held for ``topic`` in order, filling a gap from its history."""
        while self._held.get(topic):
            held = sorted(self._held[topic], key=message_seq)
            self._held[topic] = []
            first = message_seq(held[0])
            if first > self._seq[topic] + 1:
                missing = await self._redis.xrange(
                    history_key(topic_name(topic)), f"{self._seq[topic] + 1}-0", f"{first - 1}-0"
                )
                held = [fields["m"] for _, fields in missing] + held
            for text in held:
                self._send(topic, text)
        self._held.pop(topic, None)

    def _send(self, topic: Topic, text: str) -> None:
        seq = message_seq(text)
        if seq <= self._seq[topic]:
            return
        self._seq[topic] = seq
        kept = self._history.get(topic)
        if kept is not None:
            kept.append((seq, text))
        for subscriber in list(self._subscribers.get(topic, ())):
            subscriber.send(text)

    async def resume(self, topic: Topic, since: int) -> list[str] | None:
        """The messages after ``since``: from this gateway's recent ones, else from the
        topic's history in Redis (plus what arrived meanwhile); None when Redis no longer
        keeps them either."""
        recent = self._recent(topic, since)
        if recent is not None or topic[0] not in BUS_CHANNELS:
            return recent
        upto = self._seq[topic]
        stored = await self._redis.xrange(
            history_key(topic_name(topic)), f"{since + 1}-0", f"{upto}-0"
        )
        if not stored or message_seq(stored[0][1]["m"]) != since + 1:
            return None
        arrived = self._recent(topic, upto)  # forwarded while Redis answered
        if arrived is None:
            return None
        return [fields["m"] for _, fields in stored] + arrived

    def _forgotten(self, topic: Topic) -> None:
        """Stop following a topic nobody subscribed to for long (its Redis channel too)."""
        if topic[0] not in BUS_CHANNELS or topic in self._held:
            return
        channel = topic_channel(topic_name(topic))
        self._topics.pop(channel, None)
        self._preparing.pop(topic, None)
        self._seq.pop(topic, None)
        task = asyncio.get_running_loop().create_task(self._pubsub.unsubscribe(channel))
        task.add_done_callback(_log_failure)

    def _receive(self, channel: str, text: str) -> None:
        topic = self._topics.get(channel)
        if topic is None:
            return
        if topic in self._held:
            self._held[topic].append(text)
            return
        if message_seq(text) > self._seq[topic] + 1:
            self._held[topic] = [text]  # a gap: fill it before going on
            task = asyncio.get_running_loop().create_task(self._release(topic))
            task.add_done_callback(_log_failure)
            return
        self._send(topic, text)

    async def run(self, stop: asyncio.Event) -> None:
        """Forward Redis messages to the sockets until ``stop`` is set."""
        await self._pubsub.psubscribe(PREFIX + "nothing")  # listen() needs one subscription
        reader = asyncio.create_task(self._read())
        try:
            await stop.wait()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            await self._pubsub.aclose()

    async def _read(self) -> None:
        async for message in self._pubsub.listen():
            if message.get("type") == "message":
                self._receive(message["channel"], message["data"])


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a stream gap was not filled", exc_info=task.exception())
