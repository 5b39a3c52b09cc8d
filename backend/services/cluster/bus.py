"""The names the processes of one deployment share in Redis.

- ``qd:cmd:<lane>``: a stream of commands for one lane (a market, or ``accounts``), read
  by the engines' consumer group: a command stays pending until an engine acknowledges
  it after its commit, so a command survives an engine's restart.
- ``qd:log``: a stream of committed commands (id, kind, payload, time, request id), which
  the gateways replay into their read-only copy of the state.
- ``qd:seq:<topic>``, ``qd:hist:<topic>``, ``qd:t:<topic>``: each stream topic's last
  sequence number, its recent messages (stream ids are the sequence numbers), and the
  pub/sub channel the gateways forward to their sockets.
- ``qd:reply:<node>``: refusals and other answers to one gateway's commands.
- ``qd:published:<lane>``: the newest command of a market whose messages were sent.
"""

from __future__ import annotations

from collections.abc import Hashable

PREFIX = "qd:"
LOG_STREAM = PREFIX + "log"
CONSUMER_GROUP = "engines"
LOG_LENGTH = 100_000
"""Committed commands kept in `LOG_STREAM` (approximately); a gateway further behind
reads the store instead."""
HISTORY_LENGTH = 1_000
"""Messages kept per topic for clients that resume from a sequence number."""
HISTORY_TTL_S = 24 * 3600
"""A topic's history is dropped this long after its last message (its number is kept)."""
COMMAND_LENGTH = 100_000
"""Commands kept per lane stream (approximately; acknowledged ones are the oldest)."""

BUS_CHANNELS = frozenset(
    {"trades", "prices", "funding", "auctions", "orders", "fills", "positions", "account", "alerts"}
)
"""Channels the engines publish through Redis, numbered there. The ``book`` and
``candles`` channels are made by each gateway from its own copy of the state (the book's
numbers are the engine's own delta numbers, the same in every copy)."""
STATE_CHANNELS = frozenset({"positions", "account"})
"""Channels whose every message is a full snapshot: an older one arriving late (from
another engine) is dropped instead of overwriting a newer one."""


def command_stream(lane: str) -> str:
    """The stream of ``lane``'s commands."""
    return f"{PREFIX}cmd:{lane}"


def published_key(lane: str) -> str:
    """The key holding the id of the newest command of ``lane`` whose messages were sent
    (the next owner sends what a failed engine committed after it)."""
    return f"{PREFIX}published:{lane}"


def reply_channel(node: str) -> str:
    """The pub/sub channel of answers to ``node``'s commands."""
    return f"{PREFIX}reply:{node}"


def topic_name(topic: tuple[str, Hashable]) -> str:
    """A hub topic as text: ``orders:<pubkey>``, ``trades:SOL-PERP``."""
    channel, key = topic
    parts = key if isinstance(key, tuple) else (key,)
    return ":".join((channel, *(str(part) for part in parts)))


def topic_channel(name: str) -> str:
    """The pub/sub channel of a topic."""
    return f"{PREFIX}t:{name}"


def seq_key(name: str) -> str:
    """The key holding a topic's last sequence number."""
    return f"{PREFIX}seq:{name}"


def history_key(name: str) -> str:
    """The stream of a topic's recent messages."""
    return f"{PREFIX}hist:{name}"
