"""A gateway's side of the trading service: a read-only copy of the state that follows
the command log, and commands sent to the engines over Redis.

The copy is rebuilt from the store at start (newest snapshot plus the log after it), then
applies each committed command from the ``qd:log`` stream in command-id order. Ids rise
in commit order; where one is skipped (two engines' messages crossing, or a rolled-back
transaction), the store is asked for what lies in between. Applying the same commands in
the same order gives the same state as the engines (the state is deterministic), so the
routes read orders, positions, balances, risk and the book from it as in one process.

A command is answered once this copy has applied it (the engine sends it to the log only
after its commit): the caller gets the same `Outcome` the engine computed, and reads on
this gateway right after see it. A refusal comes back on the gateway's reply channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine
from sqlmodel import Session

from backend.domain.engine_events import EngineResult
from backend.domain.errors import DomainError, RejectCode
from backend.domain.markets import MarketCatalog
from backend.services.cluster.bus import COMMAND_LENGTH, LOG_STREAM, command_stream, reply_channel
from backend.services.cluster.engine_node import COMMAND_DEADLINE_S
from backend.services.trading.commands import Command as TradingCommand
from backend.services.trading.commands import Submit, decode, encode, kind_of, lane_of
from backend.services.trading.service import TradingUnavailable, load_state, trades_after
from backend.services.trading.state import Outcome
from backend.store.command_log import commands_after
from backend.store.models import Trade

log = logging.getLogger("quantdesk.cluster")

ANSWER_TIMEOUT_S = COMMAND_DEADLINE_S + 3.0
"""How long a gateway waits for an engine's answer (longer than the engines' deadline,
after which they refuse the command unapplied)."""
IDLE_POLL_S = 1.0
"""With no log message for this long, the store is asked whether anything was missed."""

CommitListener = Callable[[TradingCommand, Outcome], None]


class RemoteRefusal(DomainError):
    """An engine's refusal of a command, as the gateway re-raises it."""


class ReplicaTrading:
    """The trading service as a gateway sees it (see the module docstring)."""

    def __init__(self, catalog: MarketCatalog, db: Engine, redis: Redis, node: str) -> None:
        loaded = load_state(catalog, db)
        self.state = loaded.state
        self.last_command_id = loaded.last_command_id
        self.node = node
        self.transactions = 0
        """Log messages applied (for the metrics page)."""
        self.committed_commands = 0
        self._db = db
        self._redis = redis
        self._listeners: list[CommitListener] = []
        self._answers: dict[str, tuple[TradingCommand, asyncio.Future[Outcome]]] = {}
        """Commands sent and not yet answered, by request id."""
        self._reached: list[tuple[int, asyncio.Future[None]]] = []
        self._log_position = "$"
        self._tasks: set[asyncio.Task] = set()
        self._outgoing: list[tuple[str, dict[str, str]]] = []
        """Commands waiting to be sent (stream, fields)."""
        self._sender: asyncio.Task | None = None

    @classmethod
    async def open(
        cls, catalog: MarketCatalog, db: Engine, redis: Redis, node: str
    ) -> ReplicaTrading:
        """A copy loaded from the store, following the log from where it stood before the
        load (so nothing committed meanwhile is missed; what was loaded twice is skipped)."""
        newest = await redis.xrevrange(LOG_STREAM, count=1)
        position = newest[0][0] if newest else "0-0"
        replica = cls(catalog, db, redis, node)
        replica._log_position = position
        return replica

    @property
    def database(self) -> Engine:
        """The store (for read-only queries)."""
        return self._db

    def on_commit(self, listener: CommitListener) -> None:
        """Call ``listener(command, outcome)`` for every command this copy applies."""
        self._listeners.append(listener)

    def trades_after(self, pubkey: str, cursor: int, limit: int) -> tuple[int | None, list[Trade]]:
        """The user's id and committed trades with id above ``cursor``, oldest first."""
        return trades_after(self._db, pubkey, cursor, limit)

    async def execute_durably(self, command: TradingCommand) -> Outcome:
        """Send ``command`` to the engine of its lane and return its outcome once it is
        committed and applied here; an engine's refusal is raised as a `DomainError`."""
        request_id = uuid.uuid4().hex
        answer = asyncio.get_running_loop().create_future()
        self._answers[request_id] = (command, answer)
        fields = {
            "req": request_id,
            "gw": self.node,
            "kind": kind_of(command),
            "payload": encode(command),
        }
        self._outgoing.append((command_stream(lane_of(command)), fields))
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send())
        try:
            return await asyncio.wait_for(answer, ANSWER_TIMEOUT_S)
        except TimeoutError:
            raise TradingUnavailable(
                f"no engine answered within {ANSWER_TIMEOUT_S:.0f} s; the command was not done"
            ) from None
        finally:
            self._answers.pop(request_id, None)

    async def _send(self) -> None:
        """Send the commands queued so far in one pipeline (the commands of one loop turn
        share a round trip to Redis); a Redis failure fails their callers."""
        try:
            while self._outgoing:
                batch, self._outgoing = self._outgoing, []
                pipe = self._redis.pipeline(transaction=False)
                for stream, fields in batch:
                    pipe.xadd(stream, fields, maxlen=COMMAND_LENGTH, approximate=True)
                try:
                    await pipe.execute()
                except RedisError as error:
                    log.error("commands not sent to the engines: %s", error)
                    for _, fields in batch:
                        sent = self._answers.get(fields["req"])
                        if sent is not None and not sent[1].done():
                            sent[1].set_exception(
                                TradingUnavailable("the command bus is unreachable; not done")
                            )
        finally:
            self._sender = None

    async def follow(self, stop: asyncio.Event) -> None:
        """Apply the log as it grows, and read the engines' answers, until ``stop``."""
        replies = self._redis.pubsub()
        await replies.subscribe(reply_channel(self.node))
        reader = asyncio.create_task(self._read_replies(replies))
        try:
            while not stop.is_set():
                read = await self._redis.xread(
                    {LOG_STREAM: self._log_position}, count=1000, block=int(IDLE_POLL_S * 1000)
                )
                if not read:
                    self._fill_from_store(None)
                    continue
                for entry_id, fields in read[0][1]:
                    self._log_position = entry_id
                    self._receive(fields)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            await replies.aclose()

    def _receive(self, fields: dict[str, str]) -> None:
        command_id = int(fields["id"])
        if command_id <= self.last_command_id:
            return
        if command_id > self.last_command_id + 1:
            self._fill_from_store(command_id)
            if command_id <= self.last_command_id:
                return
        self._apply(
            command_id,
            fields["kind"],
            fields["payload"],
            int(fields["at"]),
            fields.get("req") or None,
        )

    def _fill_from_store(self, before: int | None) -> None:
        """Apply what the store holds after this copy's last command (and before
        ``before``): messages that crossed, or were lost."""
        with Session(self._db) as session:
            rows = commands_after(session, self.last_command_id, before)
        for row in rows:
            self._apply(row.id, row.kind, row.payload, row.at_ms, row.request_id)

    def _apply(
        self, command_id: int, kind: str, payload: str, at_ms: int, request_id: str | None
    ) -> None:
        command = decode(kind, payload)
        outcome = self.state.apply(command, at_ms)
        self.last_command_id = command_id
        self.transactions += 1
        self.committed_commands += 1
        for listener in self._listeners:
            try:
                listener(command, outcome)
            except Exception:
                log.exception("a commit listener failed on command %s", command_id)
        sent = self._answers.get(request_id) if request_id else None
        if sent is not None and not sent[1].done():
            sent[1].set_result(outcome)
        if self._reached:
            still = []
            for target, waiter in self._reached:
                if target <= command_id:
                    if not waiter.done():
                        waiter.set_result(None)
                else:
                    still.append((target, waiter))
            self._reached = still

    async def reach(self, command_id: int) -> None:
        """Return once this copy has applied ``command_id``."""
        if command_id <= self.last_command_id:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._reached.append((command_id, waiter))
        await waiter

    async def _read_replies(self, replies) -> None:
        async for message in replies.listen():
            if message.get("type") != "message":
                continue
            try:
                answer = json.loads(message["data"])
            except ValueError:
                log.error("unreadable engine answer %r", message["data"])
                continue
            sent = self._answers.get(answer.get("req"))
            if sent is None or sent[1].done():
                continue
            if "error" in answer:
                sent[1].set_exception(_refusal(answer["error"]))
            elif answer.get("unchanged"):
                task = asyncio.get_running_loop().create_task(
                    self._answer_unchanged(*sent, int(answer.get("after") or 0))
                )
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _answer_unchanged(
        self, command: TradingCommand, future: asyncio.Future[Outcome], after: int
    ) -> None:
        """A command that changed nothing: a repeated client order id, answered with the
        original order as this copy holds it once it has caught up."""
        await self.reach(after)
        if future.done():
            return
        outcome = Outcome(now_ms=0)
        if isinstance(command, Submit):
            request = command.request
            original = self.state.engine(request.market).by_client_id(
                request.account, request.client_order_id
            )
            if original is not None:
                outcome.results.append(EngineResult(order=original, duplicate=True))
        future.set_result(outcome)


def _refusal(error: dict) -> Exception:
    code, message = error.get("code", ""), error.get("message", "refused")
    try:
        return RemoteRefusal(RejectCode(code), message, error.get("field"))
    except ValueError:
        return TradingUnavailable(message)
