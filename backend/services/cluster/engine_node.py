"""An engine process's work on the bus: carry out the commands of the lanes it holds,
then send the log, the stream messages and the refusals to Redis.

Commands arrive on one Redis stream per lane, read through the ``engines`` consumer
group. Each read batch is applied and committed as one transaction, sent to Redis, and
only then acknowledged; an engine that dies before that leaves its commands pending, and
the next owner of the lane claims them. A claimed command whose request id is already in
the log was committed before the failure and is only acknowledged. Commands older than
`COMMAND_DEADLINE_S` are refused unapplied: their gateway has given up on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlmodel import Session, col, select

from backend.domain.errors import DomainError
from backend.services.cluster.bus import CONSUMER_GROUP, command_stream, published_key
from backend.services.cluster.outbox import Outbox
from backend.services.trading.commands import ACCOUNTS_LANE, decode, lane_of
from backend.services.trading.service import TradingUnavailable
from backend.services.trading.shared_log import LaneNotHeld, SharedLogTrading
from backend.store.models import Command

log = logging.getLogger("quantdesk.cluster")

COMMAND_DEADLINE_S = 5.0
"""A command still unapplied this long after a gateway sent it is refused (`expired`)."""
READ_COUNT = 500
READ_BLOCK_MS = 100
ACCOUNTS_CLAIM_IDLE_MS = 3_000
"""An ``accounts`` command pending this long with another engine is taken over (that lane
has no lease: every engine reads it)."""

Entry = tuple[str, str, dict[str, str]]
"""(stream, entry id, fields)."""


async def ensure_group(redis: Redis, lane: str) -> None:
    """Create the engines' consumer group of ``lane`` (and its stream) if missing."""
    try:
        await redis.xgroup_create(command_stream(lane), CONSUMER_GROUP, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


class EngineNode:
    """Reads the held lanes' commands, carries them out in batches, and sends the result."""

    def __init__(self, trading: SharedLogTrading, redis: Redis, outbox: Outbox) -> None:
        self.trading = trading
        self.redis = redis
        self.outbox = outbox
        self.node = trading.owner
        self.refused = 0
        self.expired = 0
        self._claim: set[str] = set()
        """Lanes just gained, whose pending commands are to be claimed."""
        self._flush_lock = asyncio.Lock()
        self._clock_read: tuple[float, int] | None = None
        """(loop time, Redis time in ms) of the last reading of Redis's clock."""
        trading.on_logged(outbox.logged)

    def gained(self, lanes: set[str]) -> None:
        """The `LeaseKeeper` callback: claim the new lanes' pending commands next."""
        self._claim |= lanes

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; a commit failure stops the process's trading."""
        await ensure_group(self.redis, ACCOUNTS_LANE)
        last_accounts_claim = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            if self.trading.failed:
                raise TradingUnavailable("trading stopped after a failed commit")
            for lane in sorted(self._claim):
                self._claim.discard(lane)
                await self.republish(lane)
                await ensure_group(self.redis, lane)
                await self._claim_pending(lane, min_idle_ms=0)
            if loop.time() - last_accounts_claim > ACCOUNTS_CLAIM_IDLE_MS / 1000:
                last_accounts_claim = loop.time()
                await self._claim_pending(ACCOUNTS_LANE, ACCOUNTS_CLAIM_IDLE_MS)
            lanes = [*sorted(self.trading.lanes), ACCOUNTS_LANE]
            read = await self.redis.xreadgroup(
                CONSUMER_GROUP,
                self.node,
                {command_stream(lane): ">" for lane in lanes},
                count=READ_COUNT,
                block=READ_BLOCK_MS,
            )
            entries = [
                (stream, entry_id, fields) for stream, items in read for entry_id, fields in items
            ]
            if entries:
                await self.carry_out(entries, claimed=False)
            elif self.outbox.pending():
                await self.flush()

    async def republish(self, lane: str) -> None:
        """Send the messages of ``lane``'s commands that a failed owner committed but never
        sent (after the newest it recorded as sent), before carrying out anything new."""
        recorded = await self.redis.get(published_key(lane))
        if recorded is None:
            # nothing recorded (a new deployment, or a Redis that lost its data): the
            # messages so far are not ours to resend; start counting from here
            self.outbox.mark_published(lane, self.trading.last_command_id)
            await self.flush()
            return
        sent = int(recorded)
        kept = self.trading.recent
        missing = [(i, c, o) for i, c, o in kept if i > sent and lane_of(c) == lane]
        if kept and kept[0][0] > sent + 1 and sent < self.trading.last_command_id:
            log.warning(
                "%s: commands %d..%d are no longer kept here; their messages, if unsent, "
                "are lost (clients re-read them over REST)",
                lane,
                sent + 1,
                kept[0][0] - 1,
            )
        for _, command, outcome in missing:
            self.trading.notify(command, outcome)
        if missing:
            log.warning(
                "%s: sent the messages of %d commands a failed engine left", lane, len(missing)
            )
            self.outbox.mark_published(lane, missing[-1][0])
        await self.flush()

    async def _claim_pending(self, lane: str, min_idle_ms: int) -> None:
        stream = command_stream(lane)
        start = "0-0"
        while True:
            reply = await self.redis.xautoclaim(
                stream, CONSUMER_GROUP, self.node, min_idle_ms, start, count=READ_COUNT
            )
            start, items = reply[0], reply[1]
            entries = [(stream, entry_id, fields) for entry_id, fields in items if fields]
            if entries:
                log.info("claimed %d pending %s commands", len(entries), lane)
                await self.carry_out(entries, claimed=True)
            if start in ("0-0", b"0-0"):
                return

    async def carry_out(self, entries: list[Entry], claimed: bool) -> None:
        """Apply ``entries`` as one transaction, send the outcome, then acknowledge them."""
        now_ms = await self._redis_now_ms()
        done = self._committed(entries) if claimed else set()
        unchanged: list[tuple[str, str]] = []
        acknowledged: dict[str, list[str]] = defaultdict(list)
        with self.trading.batched():
            for stream, entry_id, fields in entries:
                request_id, node = fields.get("req", ""), fields.get("gw", "")
                if request_id in done:
                    acknowledged[stream].append(entry_id)
                    continue
                try:
                    answer = self._apply(entry_id, fields, now_ms)
                except LaneNotHeld:
                    continue  # the lease just went: the next owner claims it
                acknowledged[stream].append(entry_id)
                if answer == "unchanged":
                    unchanged.append((node, request_id))
                elif answer is not None:
                    self.outbox.reply(node, {"req": request_id, "error": answer})
        for node, request_id in unchanged:
            after = self.trading.last_command_id
            self.outbox.reply(node, {"req": request_id, "unchanged": True, "after": after})
        for stream, ids in acknowledged.items():
            self.outbox.acknowledge(stream, CONSUMER_GROUP, ids)
        await self.flush()  # the acknowledgements go with the results, in one script

    def _apply(self, entry_id: str, fields: dict[str, str], now_ms: int) -> Any:
        """Apply one command: None when logged, ``"unchanged"`` when it changed nothing,
        or the refusal as ``{code, message, field}``."""
        if now_ms - int(entry_id.split("-", maxsplit=1)[0]) > COMMAND_DEADLINE_S * 1000:
            self.expired += 1
            return {
                "code": "expired",
                "message": "no engine took the command in time",
                "field": None,
            }
        try:
            command = decode(fields["kind"], fields["payload"])
        except (KeyError, ValueError, TypeError) as error:
            return {
                "code": "invalid_request",
                "message": f"undecodable command: {error}",
                "field": None,
            }
        try:
            outcome = self.trading.execute(command, request_id=fields.get("req") or None)
        except DomainError as error:
            self.refused += 1
            return {"code": error.code.value, "message": error.message, "field": error.field}
        if outcome.primary is not None and outcome.primary.duplicate:
            return "unchanged"
        return None

    def _committed(self, entries: list[Entry]) -> set[str]:
        """Which of the claimed entries' request ids the log already holds."""
        wanted = [fields.get("req") for _, _, fields in entries if fields.get("req")]
        with Session(self.trading.database) as session:
            rows = session.exec(
                select(Command.request_id).where(col(Command.request_id).in_(wanted))
            )
            return {row for row in rows if row}

    async def _redis_now_ms(self) -> int:
        """Redis's clock (which stamped the commands' ids), read at most once a second and
        carried forward on this machine's monotonic clock in between."""
        loop = asyncio.get_running_loop()
        if self._clock_read is None or loop.time() - self._clock_read[0] > 1.0:
            seconds, micros = await self.redis.time()
            self._clock_read = (loop.time(), seconds * 1000 + micros // 1000)
        read_at, redis_ms = self._clock_read
        return redis_ms + int((loop.time() - read_at) * 1000)

    async def flush(self) -> None:
        """Send what the commits made, in commit order."""
        async with self._flush_lock:
            await self.outbox.flush()

    async def flush_loop(self, stop: asyncio.Event, interval_s: float = 0.005) -> None:
        """Send what the engine's own producers (prices, ticks, quotes) committed."""
        while not stop.is_set():
            if self.outbox.pending():
                await self.flush()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)
