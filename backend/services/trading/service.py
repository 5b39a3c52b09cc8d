"""The durable trading service: a command is answered only after it is committed.

Each accepted command is appended to the command log and projected into the tables in
one transaction. A refused command changes nothing and writes nothing. After a restart
`TradingService.open` replays the log into a fresh `TradingState`, which rebuilds books,
triggers, positions and balances exactly as acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from backend.domain.markets import MarketCatalog
from backend.services.clock import Clock
from backend.services.trading.commands import Command as TradingCommand
from backend.services.trading.commands import Tick, decode, encode, kind_of, market_of
from backend.services.trading.projection import (
    UserDirectory,
    account_rows,
    only_orders_and_accounts,
    order_rows,
    project,
    sync_markets,
)
from backend.services.trading.snapshots import load_snapshot, save_snapshot
from backend.services.trading.state import Outcome, TradingState
from backend.store.command_log import commands_after
from backend.store.lean_writer import LeanWriter, StoreWriteError
from backend.store.models import Command, Order, Position, Trade, User, UserBalance
from backend.store.trade_history import trades_after as user_trades_after

log = logging.getLogger("quantdesk.trading")


CommitListener = Callable[[TradingCommand, Outcome], None]


_APPEND_COMMANDS = insert(Command.__table__).returning(
    Command.__table__.c.id, sort_by_parameter_order=True
)
"""The command log's append of a batch, answering the new ids in the batch's order."""


@dataclass(slots=True)
class _Waiting:
    """An applied command waiting for its group commit."""

    command: TradingCommand
    payload: str
    outcome: Outcome
    now_ms: int
    committed: asyncio.Future[None] | None
    """Resolved when the command is durable (None for a synchronous caller)."""
    request_id: str | None = None
    """The bus request that carried the command (see `Command.request_id`)."""


@dataclass(slots=True)
class LoadedState:
    """A trading state rebuilt from the store, and where in the log it stands."""

    state: TradingState
    last_command_id: int
    """The newest command applied."""
    snapshot_command_id: int
    """The command id of the snapshot it started from (0: none)."""
    recent: deque[tuple[int, TradingCommand, Outcome]] = field(default_factory=deque)
    """The last commands replayed, with their outcomes (as many as asked for)."""


def load_state(
    catalog: MarketCatalog, db: Engine, paper_keeper: bool = True, keep: int = 0
) -> LoadedState:
    """The state as of the newest command in ``db``: the newest snapshot plus the
    commands after it (only reads the store); the outcomes of the last ``keep`` of them
    are kept in `LoadedState.recent`."""
    loaded = LoadedState(TradingState(catalog), 0, 0, deque(maxlen=keep))
    loaded.state.paper_keeper = paper_keeper
    with Session(db) as session:
        snapshot = load_snapshot(session)
        if snapshot is not None:
            loaded.snapshot_command_id, loaded.state = snapshot
            loaded.state.paper_keeper = paper_keeper
            loaded.last_command_id = loaded.snapshot_command_id
        for row in commands_after(session, loaded.last_command_id):
            command = decode(row.kind, row.payload)
            outcome = loaded.state.apply(command, row.at_ms)
            loaded.last_command_id = row.id
            if keep:
                loaded.recent.append((row.id, command, outcome))
    return loaded


def trades_after(
    db: Engine, pubkey: str, cursor: int, limit: int
) -> tuple[int | None, list[Trade]]:
    """The user's id and committed trades with id above ``cursor``, oldest first."""
    with Session(db) as session:
        user = session.exec(select(User).where(User.pubkey == pubkey)).first()
        if user is None:
            return None, []
        return user.id, user_trades_after(session, user.id, cursor, limit)


class _NewUser(Exception):
    """An account of a group commit has no user row yet (the general path adds it)."""


class TradingUnavailable(RuntimeError):
    """The store failed to commit: memory may be ahead of it, so the service stops
    accepting commands until it is restarted (and replays the log)."""


class TradingService:
    """Runs commands against the trading state and makes them durable."""

    RECENT_OUTCOMES = 0
    """Outcomes of commands applied from the log that `recent` keeps (see the engines of
    a deployment of several)."""

    LEAN_COMMITS: ClassVar[bool] = True
    """Whether group commits that change only orders, balances and positions go through
    the `LeanWriter` on SQLite (a subclass whose commit hooks need the session says no)."""

    def __init__(self, catalog: MarketCatalog, db: Engine, clock: Clock) -> None:
        self.state = TradingState(catalog)
        self._db = db
        self._clock = clock
        self._users = UserDirectory()
        self._lean = LeanWriter(db) if self.LEAN_COMMITS and db.dialect.name == "sqlite" else None
        self._failed = False
        self._listeners: list[CommitListener] = []
        self._waiting: list[_Waiting] = []
        """Applied commands not yet committed (a group commit is scheduled for them)."""
        self._commit_handle: asyncio.Handle | None = None
        self._batch_depth = 0
        self.commit_interval_s = 0.0
        """The shortest time between two group commits of socket and REST orders (the
        server sets it; under load it trades a few ms of latency for far fewer
        transactions)."""
        self._last_commit = float("-inf")
        self.transactions = 0
        """Transactions committed (each a group of commands)."""
        self.committed_commands = 0
        """Commands committed; over `transactions`, the mean group size."""
        self.last_command_id = 0
        """The id of the newest command in the log (applied to the state)."""
        self.snapshot_command_id = 0
        """The command id of the newest snapshot (0: none)."""
        self.recent: deque[tuple[int, TradingCommand, Outcome]] = deque(maxlen=self.RECENT_OUTCOMES)
        """The last commands applied from the log (at start, or another process's), with
        their outcomes."""
        with Session(db) as session:
            sync_markets(session, catalog)
            session.commit()

    @classmethod
    def open(
        cls,
        catalog: MarketCatalog,
        db: Engine,
        clock: Clock,
        paper_keeper: bool = True,
        **options: Any,
    ) -> Self:
        """A service whose state is rebuilt from the command log in ``db``; without
        ``paper_keeper`` the liquidation keeper gets no paper money (on-chain settlement).
        ``options`` go to the constructor of a subclass."""
        service = cls(catalog, db, clock, **options)
        loaded = load_state(catalog, db, paper_keeper, keep=cls.RECENT_OUTCOMES)
        service.state = loaded.state
        service.snapshot_command_id = loaded.snapshot_command_id
        service.last_command_id = loaded.last_command_id
        service.recent.extend(loaded.recent)
        with Session(db) as session:
            # the log may have changed parameters or halted markets since the catalog file
            sync_markets(session, service.state.catalog, service.state.halted)
            session.commit()
        return service

    def execute(self, command: TradingCommand, request_id: str | None = None) -> Outcome:
        """Apply ``command`` now and commit it (with any commands waiting for a group
        commit, first); refusals raise and leave no trace. Inside `batched`, the commit
        waits for the end of the batch. ``request_id`` is recorded with the command."""
        outcome, waiting = self._apply(command, None, request_id)
        if waiting and not self._batch_depth:
            self._commit_waiting()
        return outcome

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """Commit the commands executed inside in one transaction when the block ends
        (a market maker's requote: one write to disk instead of one per order)."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if not self._batch_depth and not self._failed:
                self._commit_waiting()

    async def execute_durably(self, command: TradingCommand) -> Outcome:
        """Apply ``command`` now and return once it is committed. Commands that arrive
        before the commit runs (the same loop turn, or within `commit_interval_s` of the
        last commit) share one transaction (a group commit: one write for many orders);
        each is answered only when that transaction is done."""
        loop = asyncio.get_running_loop()
        committed = loop.create_future()
        outcome, waiting = self._apply(command, committed)
        if not waiting:
            return outcome
        if self._commit_handle is None:
            # at most one group commit per interval: under load, groups grow instead of
            # the number of transactions; after a quiet spell the commit runs at once
            wait = self._last_commit + self.commit_interval_s - loop.time()
            if wait > 0:
                self._commit_handle = loop.call_later(wait, self._commit_scheduled)
            else:
                self._commit_handle = loop.call_soon(self._commit_scheduled)
        await committed
        return outcome

    def _apply(
        self,
        command: TradingCommand,
        committed: asyncio.Future[None] | None,
        request_id: str | None = None,
    ) -> tuple[Outcome, bool]:
        """Apply ``command``; queue it for the next commit unless it changed nothing."""
        if self._failed:
            raise TradingUnavailable("trading is stopped after a store failure; restart it")
        self._before_apply(command)
        now_ms = self._clock.now_ms()
        payload = encode(command)  # before applying: the engine may cap a request in place
        try:
            outcome = self.state.apply(command, now_ms)
        except Exception:
            if not self._waiting:
                self._nothing_to_commit()
            raise
        if outcome.primary is not None and outcome.primary.duplicate:
            if not self._waiting:
                self._nothing_to_commit()
            return outcome, False  # a repeated client order id changed nothing
        self._waiting.append(_Waiting(command, payload, outcome, now_ms, committed, request_id))
        return outcome, True

    def _before_apply(self, command: TradingCommand) -> None:
        """Called before each command is applied (a subclass sharing the log with other
        processes takes its lock and catches up here)."""

    def _nothing_to_commit(self) -> None:
        """Called when a command changed nothing and no other command waits to commit."""

    def _commit_session(self) -> Session:
        """The session the next group commit writes in."""
        return Session(self._db)

    def _before_commit(self, session: Session, batch: list[_Waiting]) -> None:
        """Called inside the group commit's transaction, just before it commits."""

    def _commit_scheduled(self) -> None:
        """The group commit as an event-loop callback: a failure is already logged and
        handed to every waiting caller, so it is not raised into the loop as well."""
        with contextlib.suppress(TradingUnavailable):
            self._commit_waiting()

    def _commit_waiting(self) -> None:
        """Commit every applied command not yet in the log, in one transaction, then tell
        the listeners and the waiting callers."""
        if self._commit_handle is not None:
            self._commit_handle.cancel()
            self._commit_handle = None
        batch, self._waiting = self._waiting, []
        if not batch:
            self._nothing_to_commit()
            return
        rows = [
            {
                "kind": kind_of(item.command),
                "market": market_of(item.command),
                "payload": item.payload,
                "at_ms": item.now_ms,
                "request_id": item.request_id,
            }
            for item in batch
        ]
        outcomes = [(item.outcome, item.now_ms) for item in batch]
        try:
            ids = self._write_lean(rows, outcomes)
            if ids is None:
                with self._commit_session() as session:
                    ids = list(session.execute(_APPEND_COMMANDS, rows).scalars())
                    project(session, self._users, self.state, outcomes)
                    self._before_commit(session, batch)
                    session.commit()
        except (SQLAlchemyError, StoreWriteError, TradingUnavailable) as error:
            self._failed = True
            self._users.forget()
            log.critical("commit failed; trading stopped until restart", exc_info=error)
            failure = (
                error
                if isinstance(error, TradingUnavailable)
                else TradingUnavailable("the store could not record the command")
            )
            for item in batch:
                if item.committed is not None and not item.committed.done():
                    item.committed.set_exception(failure)
            raise failure from error
        self._after_commit(batch, ids)
        with contextlib.suppress(RuntimeError):  # no loop: a synchronous caller
            self._last_commit = asyncio.get_running_loop().time()
        self.transactions += 1
        self.committed_commands += len(batch)
        for item, command_id in zip(batch, ids, strict=True):
            self.last_command_id = command_id
            self.notify(item.command, item.outcome)
            if item.committed is not None and not item.committed.done():
                item.committed.set_result(None)

    def _write_lean(
        self, rows: list[dict[str, Any]], outcomes: list[tuple[Outcome, int]]
    ) -> list[int] | None:
        """Commit the group through the `LeanWriter` when it can take it (only orders,
        balances and positions changed, every account already has its user row): the
        new commands' ids, or None for the general path."""
        if self._lean is None or not all(only_orders_and_accounts(o) for o, _ in outcomes):
            return None

        def user_id(pubkey: str, _now_ms: int) -> int:
            known = self._users.known(pubkey)
            if known is None:
                raise _NewUser(pubkey)
            return known

        try:
            orders = order_rows(outcomes, user_id)
            balances, positions = account_rows(self.state, outcomes, user_id)
        except _NewUser:
            return None  # its user row is added on the general path
        return self._lean.write(
            rows,
            [
                (Order, ("id",), orders),
                (UserBalance, ("user_id", "asset"), balances),
                (Position, ("user_id", "market"), positions),
            ],
        )

    def catch_up(self) -> int:
        """Apply what other processes committed since (one process: nothing); how many."""
        return 0

    def runs(self, market: str) -> bool:
        """Whether this process carries out ``market``'s own work (prices, quotes,
        ticks): always, unless the log is shared with other engine processes."""
        return market in self.state.engines

    def ticks(self) -> list[TradingCommand]:
        """The clock ticks this process issues each round (one for every market here)."""
        return [Tick()]

    def _after_commit(self, batch: list[_Waiting], ids: list[int]) -> None:
        """Called once a group commit is durable, with its commands' ids (before the
        commit listeners)."""

    @property
    def failed(self) -> bool:
        """Trading stopped after a failed commit (memory may be ahead of the store)."""
        return self._failed

    def snapshot(self) -> bool:
        """Snapshot the state if commands arrived since the last one; False if not needed
        or not possible (trading stopped, or the store refused: the log still holds all)."""
        if not self._failed:
            self._commit_waiting()  # the state must not hold a command the log lacks
        if self._failed or self.last_command_id <= self.snapshot_command_id:
            return False
        try:
            with Session(self._db) as session:
                save_snapshot(session, self.state, self.last_command_id, self._clock.now_ms())
                session.commit()
        except SQLAlchemyError:
            log.exception("snapshot not written; the next one retries")
            return False
        self.snapshot_command_id = self.last_command_id
        return True

    @property
    def database(self) -> Engine:
        """The store this service commits to (for read-only queries beside it)."""
        return self._db

    def trades_after(self, pubkey: str, cursor: int, limit: int) -> tuple[int | None, list[Trade]]:
        """The user's id and committed trades with id above ``cursor``, oldest first."""
        return trades_after(self._db, pubkey, cursor, limit)

    def notify(self, command: TradingCommand, outcome: Outcome) -> None:
        """Tell the commit listeners about a committed command (an engine also tells them
        again about the commands a failed one committed and never published)."""
        for listener in self._listeners:
            try:
                listener(command, outcome)
            except Exception:
                log.exception("a commit listener failed on a %s command", kind_of(command))

    def on_commit(self, listener: CommitListener) -> None:
        """Call ``listener(command, outcome)`` after every committed command (publishing)."""
        self._listeners.append(listener)
