"""Fan-out of stream messages to subscribed connections, each numbered per channel.

Every message is encoded once and queued to every subscriber. A subscriber whose queue
is full is disconnected with a `slow_consumer` error rather than silently missing
messages: a client that stays connected has seen every message, in order.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict, defaultdict, deque
from collections.abc import Hashable
from typing import Any

MAX_QUEUED = 10_000
"""Messages waiting for one slow client before it is cut off."""
HISTORY = 256
"""Recent messages kept per followed topic, for a client that resumes after a reconnect."""
FOLLOWED_TOPICS = 4_096
"""Topics whose recent messages are kept (the least recently subscribed are dropped)."""


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
    """Subscriptions by topic, the next sequence number of each, and the recent messages
    of the topics someone subscribed to (so that a client can resume)."""

    def __init__(self) -> None:
        self._subscribers: dict[Topic, set[Subscriber]] = defaultdict(set)
        self._seq: dict[Topic, int] = defaultdict(int)
        self._history: OrderedDict[Topic, deque[tuple[int, str]]] = OrderedDict()
        self.connections = 0
        """Open stream connections (counted by the endpoint)."""

    async def ready(self, topic: Topic) -> None:
        """Make sure ``topic``'s messages reach this hub before a subscription starts
        (here they are made in this process: nothing to do)."""

    def subscribe(self, topic: Topic, subscriber: Subscriber) -> None:
        """Deliver ``topic``'s messages to ``subscriber`` from now on."""
        self._subscribers[topic].add(subscriber)
        self._follow(topic)

    def _follow(self, topic: Topic) -> None:
        """Keep ``topic``'s recent messages from now on; past `FOLLOWED_TOPICS`, forget the
        least recently followed topic that nobody follows now."""
        if topic in self._history:
            self._history.move_to_end(topic)
            return
        self._history[topic] = deque(maxlen=HISTORY)
        if len(self._history) > FOLLOWED_TOPICS:
            idle = next((t for t in self._history if not self._subscribers.get(t)), None)
            if idle is not None:
                del self._history[idle]
                self._forgotten(idle)

    def _forgotten(self, topic: Topic) -> None:
        """Called when a topic's history is dropped."""

    def _recent(self, topic: Topic, since: int) -> list[str] | None:
        """``topic``'s messages after ``since`` from the kept history; None when it does
        not reach back that far, or ``since`` is ahead of this topic (numbers from a
        server that has since restarted)."""
        if since > self.seq(topic):
            return None
        if since == self.seq(topic):
            return []
        kept = self._history.get(topic)
        if not kept or kept[0][0] > since + 1:
            return None
        return [text for seq, text in kept if seq > since]

    async def resume(self, topic: Topic, since: int) -> list[str] | None:
        """The messages of ``topic`` after number ``since``, to send before subscribing;
        None when they are no longer kept (the client starts from a snapshot)."""
        return self._recent(topic, since)

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
        kept = self._history.get(topic)
        if not members and kept is None:
            return
        text = json.dumps(message | {"seq": seq}, separators=(",", ":"))
        if kept is not None:
            kept.append((seq, text))
        for subscriber in list(members or ()):
            subscriber.send(text)
