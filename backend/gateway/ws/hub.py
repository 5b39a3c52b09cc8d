"""Fan-out of stream messages to subscribed connections, each numbered per channel.

Every message is encoded once and queued to every subscriber. A subscriber whose queue
is full is disconnected with a `slow_consumer` error rather than silently missing
messages: a client that stays connected has seen every message, in order.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Hashable
from typing import Any

MAX_QUEUED = 10_000
"""Messages waiting for one slow client before it is cut off."""


class Subscriber:
    """One connection's outgoing queue."""

    def __init__(self, max_queued: int = MAX_QUEUED) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(max_queued)
        self.user: str | None = None
        self.overflowed = False

    def send(self, text: str) -> None:
        """Queue one encoded message (or mark the subscriber overflowed)."""
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.overflowed = True
            self.queue = asyncio.Queue(1)
            self.queue.put_nowait(None)  # wakes the writer, which closes the socket


Topic = tuple[str, Hashable]
"""(channel, market or user)."""


class Hub:
    """Subscriptions by topic and the next sequence number of each."""

    def __init__(self) -> None:
        self._subscribers: dict[Topic, set[Subscriber]] = defaultdict(set)
        self._seq: dict[Topic, int] = defaultdict(int)
        self.connections = 0
        """Open stream connections (counted by the endpoint)."""

    async def ready(self, topic: Topic) -> None:
        """Make sure ``topic``'s messages reach this hub before a subscription starts
        (here they are made in this process: nothing to do)."""

    def subscribe(self, topic: Topic, subscriber: Subscriber) -> None:
        """Deliver ``topic``'s messages to ``subscriber`` from now on."""
        self._subscribers[topic].add(subscriber)

    def unsubscribe(self, topic: Topic, subscriber: Subscriber) -> None:
        """Stop delivering ``topic`` to ``subscriber``."""
        self._subscribers.get(topic, set()).discard(subscriber)

    def drop(self, subscriber: Subscriber) -> None:
        """Forget a closed connection everywhere."""
        for members in self._subscribers.values():
            members.discard(subscriber)

    def seq(self, topic: Topic) -> int:
        """The number of ``topic``'s last message (0 before the first)."""
        return self._seq.get(topic, 0)

    def subscribers(self, topic: Topic) -> int:
        """How many connections follow ``topic``."""
        return len(self._subscribers.get(topic, ()))

    def behind(self, topic: Topic) -> float:
        """The share of ``topic``'s subscribers with messages still waiting to be sent."""
        members = self._subscribers.get(topic)
        if not members:
            return 0.0
        return sum(1 for member in members if not member.queue.empty()) / len(members)

    def publish(self, topic: Topic, message: dict[str, Any], seq: int | None = None) -> None:
        """Number ``message`` (the topic's next number unless ``seq`` is given, as the book
        does with its own delta numbers) and queue it to every subscriber."""
        members = self._subscribers.get(topic)
        if seq is None:
            self._seq[topic] += 1
            seq = self._seq[topic]
        if not members:
            return
        text = json.dumps(message | {"seq": seq}, separators=(",", ":"))
        for subscriber in list(members):
            subscriber.send(text)
