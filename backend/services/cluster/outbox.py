"""What an engine sends to Redis after its commits, in one atomic script per flush:
the committed commands (for the gateways' copies of the state), the stream messages
they made (numbered per topic in Redis, kept for resuming clients, and published), the
answers to the gateways whose commands were refused, and the acknowledgement of the
commands carried out (so a command is never acknowledged without its results).

An engine's `StreamPublisher` writes into an `Outbox` as if it were a hub. Messages of
the snapshot channels carry the command id that made them, so that of two engines'
snapshots of one account the older, if it arrives second, is dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend.services.cluster.bus import (
    HISTORY_LENGTH,
    HISTORY_TTL_S,
    LOG_LENGTH,
    LOG_STREAM,
    PREFIX,
    STATE_CHANNELS,
    reply_channel,
    topic_name,
)
from backend.services.trading.commands import ACCOUNTS_LANE

if TYPE_CHECKING:
    from redis.asyncio import Redis  # only a deployment of several needs the driver

_SCRIPT = """
local prefix = ARGV[1]
local log_length, history_length, history_ttl = ARGV[2], ARGV[3], tonumber(ARGV[4])
local i = 5
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', log_length, '*',
    'id', ARGV[i], 'kind', ARGV[i + 1], 'payload', ARGV[i + 2], 'at', ARGV[i + 3],
    'req', ARGV[i + 4])
  i = i + 5
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('SET', prefix .. 'published:' .. ARGV[i], ARGV[i + 1])
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local topic, version, text = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  i = i + 3
  local fresh = true
  if version > 0 then
    local seen = tonumber(redis.call('GET', prefix .. 'ver:' .. topic) or '0')
    if version < seen then
      fresh = false
    else
      redis.call('SET', prefix .. 'ver:' .. topic, version)
    end
  end
  if fresh then
    local seq = redis.call('INCR', prefix .. 'seq:' .. topic)
    text = text .. seq .. '}'
    local history = prefix .. 'hist:' .. topic
    redis.call('XADD', history, 'MAXLEN', '~', history_length, seq .. '-0', 'm', text)
    redis.call('EXPIRE', history, history_ttl)
    redis.call('PUBLISH', prefix .. 't:' .. topic, text)
  end
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('PUBLISH', ARGV[i], ARGV[i + 1])
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local stream, group, count = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  redis.call('XACK', stream, group, unpack(ARGV, i + 3, i + 2 + count))
  i = i + 3 + count
end
return 0
"""


@dataclass(frozen=True, slots=True)
class LoggedCommand:
    """A committed command as the gateways replay it."""

    command_id: int
    kind: str
    payload: str
    at_ms: int
    request_id: str | None
    lane: str


@dataclass(slots=True)
class _Batch:
    log: list[LoggedCommand] = field(default_factory=list)
    messages: list[tuple[str, int, str]] = field(default_factory=list)
    """(topic, version or 0, text up to its sequence number)."""
    replies: list[tuple[str, str]] = field(default_factory=list)
    """(pub/sub channel, JSON)."""
    acks: list[tuple[str, str, list[str]]] = field(default_factory=list)
    """(stream, consumer group, entry ids) done with."""
    published: dict[str, int] = field(default_factory=dict)
    """Each market's newest command whose messages this batch sends."""

    def __bool__(self) -> bool:
        return bool(self.log or self.messages or self.replies or self.acks or self.published)


class Outbox:
    """Collects an engine's output between flushes and sends it in commit order."""

    def __init__(self, redis: Redis, version: Callable[[], int]) -> None:
        self._redis = redis
        self._version = version
        """The id of the command being published (`TradingService.last_command_id`)."""
        self._batch = _Batch()
        self._script = redis.register_script(_SCRIPT)

    def logged(self, commands: list[LoggedCommand]) -> None:
        """Committed commands, in log order."""
        self._batch.log.extend(commands)
        for command in commands:
            if command.lane != ACCOUNTS_LANE:  # a market's: its one owner sends them
                self._batch.published[command.lane] = command.command_id

    def mark_published(self, lane: str, command_id: int) -> None:
        """Record that ``lane``'s messages up to ``command_id`` are sent (with this batch)."""
        self._batch.published[lane] = command_id

    def publish(
        self, topic: tuple[str, Hashable], message: dict[str, Any], seq: int | None = None
    ) -> None:
        """A stream message (the `Hub` interface; Redis numbers it, so ``seq`` is unused)."""
        name = topic_name(topic)
        version = self._version() if topic[0] in STATE_CHANNELS else 0
        text = json.dumps(message, separators=(",", ":"))[:-1] + ',"seq":'
        self._batch.messages.append((name, version, text))

    def reply(self, node: str, answer: dict[str, Any]) -> None:
        """An answer to one gateway."""
        self._batch.replies.append((reply_channel(node), json.dumps(answer, separators=(",", ":"))))

    def acknowledge(self, stream: str, group: str, entry_ids: list[str]) -> None:
        """Commands done with: acknowledged in the same script as their results."""
        if entry_ids:
            self._batch.acks.append((stream, group, entry_ids))

    def pending(self) -> bool:
        """Whether anything waits to be sent."""
        return bool(self._batch)

    async def flush(self) -> None:
        """Send everything collected so far in one script (atomic in Redis)."""
        batch, self._batch = self._batch, _Batch()
        if not batch:
            return
        args: list[str | int] = [PREFIX, LOG_LENGTH, HISTORY_LENGTH, HISTORY_TTL_S, len(batch.log)]
        for entry in batch.log:
            args += [
                entry.command_id,
                entry.kind,
                entry.payload,
                entry.at_ms,
                entry.request_id or "",
            ]
        args.append(len(batch.published))
        for lane, command_id in batch.published.items():
            args += [lane, command_id]
        args.append(len(batch.messages))
        for name, version, text in batch.messages:
            args += [name, version, text]
        args.append(len(batch.replies))
        for channel, text in batch.replies:
            args += [channel, text]
        args.append(len(batch.acks))
        for stream, group, entry_ids in batch.acks:
            args += [stream, group, len(entry_ids), *entry_ids]
        await self._script(keys=[LOG_STREAM], args=args)
