"""A trading service that shares one command log with other processes (engines).

Several engine processes commit to one PostgreSQL command log. Each keeps the whole
trading state in memory (accounts are margined across markets, so no market's state
stands alone) and carries out the commands of the lanes (markets) it holds a lease on.
The log stays one total order that every process replays identically:

- A process applies commands only while it holds the log lock (a PostgreSQL advisory
  transaction lock), taken before the first command of a group commit and released by
  that commit. Having taken it, it first applies every command the other processes
  committed since its own last one, so its state is the log's prefix when it applies
  its own.
- Ids come from the log's sequence under the lock, so they rise in commit order (with a
  gap for a rolled-back transaction): a reader that sees a command has seen all before it.
- Before committing, the process checks, in the same transaction, that it still holds
  the lease of every lane it wrote for (`backend.store.leases.hold`, which also blocks a
  takeover until the commit ends). A process that lost a lease stops (`failed`): its
  memory is ahead of the store, and a restart rebuilds it from the log.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from backend.domain.markets import MarketCatalog
from backend.services.clock import Clock
from backend.services.cluster.outbox import LoggedCommand
from backend.services.trading.commands import ACCOUNTS_LANE, Tick, decode, kind_of, lane_of
from backend.services.trading.commands import Command as TradingCommand
from backend.services.trading.service import TradingService, TradingUnavailable, _Waiting
from backend.services.trading.state import Outcome
from backend.store.command_log import commands_after
from backend.store.leases import hold

LOG_LOCK_KEY = 0x51444C4F47
"""The advisory lock that serialises writers of the command log ("QDLOG")."""

ForeignListener = Callable[[int, TradingCommand, Outcome], None]
"""Called with each command another process committed, as it is applied here."""
LogListener = Callable[[list[LoggedCommand]], None]
"""Called with each group commit's commands as they now stand in the log."""


class LaneNotHeld(TradingUnavailable):
    """A command for a lane this process does not hold a lease on."""


class LeaseLost(TradingUnavailable):
    """The lease of a lane was lost before the commit: nothing of it was committed."""


class SharedLogTrading(TradingService):
    """`TradingService` for one of several engine processes over a shared log."""

    RECENT_OUTCOMES = 10_000
    LEAN_COMMITS = False  # each group commit holds the log lock's session and checks leases

    def __init__(self, catalog: MarketCatalog, db: Engine, clock: Clock, owner: str) -> None:
        super().__init__(catalog, db, clock)
        self.owner = owner
        """This process's name in the leases."""
        self.lanes: set[str] = set()
        """The lanes this process holds a lease on (kept by the lease keeper)."""
        self.foreign_commands = 0
        """Commands of other processes applied here."""
        self._session: Session | None = None
        """The open transaction that holds the log lock (while commands wait)."""
        self._foreign_listeners: list[ForeignListener] = []
        self._log_listeners: list[LogListener] = []

    def runs(self, market: str) -> bool:
        return market in self.lanes

    def ticks(self) -> list[TradingCommand]:
        return [Tick(market) for market in sorted(self.lanes)]

    def on_logged(self, listener: LogListener) -> None:
        """Call ``listener(commands)`` after each group commit, before the commit
        listeners (the engine sends them to the gateways)."""
        self._log_listeners.append(listener)

    def _after_commit(self, batch: list[_Waiting], ids: list[int]) -> None:
        logged = [
            LoggedCommand(
                command_id,
                kind_of(item.command),
                item.payload,
                item.now_ms,
                item.request_id,
                lane_of(item.command),
            )
            for item, command_id in zip(batch, ids, strict=True)
        ]
        for listener in self._log_listeners:
            listener(logged)

    def on_foreign(self, listener: ForeignListener) -> None:
        """Call ``listener(command_id, command, outcome)`` for each command of another
        process, as it is applied here."""
        self._foreign_listeners.append(listener)

    def catch_up(self) -> int:
        """Apply the commands other processes committed since this one's last; the number
        applied. A standby calls this now and then so that a takeover is quick. Does
        nothing while this process has commands waiting for their commit."""
        if self._session is not None or self.failed:
            return 0
        with Session(self._db) as session:
            return self._catch_up(session)

    def _catch_up(self, session: Session) -> int:
        rows = commands_after(session, self.last_command_id)
        for row in rows:
            command = decode(row.kind, row.payload)
            outcome = self.state.apply(command, row.at_ms)
            self.last_command_id = row.id
            self.recent.append((row.id, command, outcome))
            for listener in self._foreign_listeners:
                listener(row.id, command, outcome)
        self.foreign_commands += len(rows)
        return len(rows)

    def _before_apply(self, command: TradingCommand) -> None:
        lane = lane_of(command)
        if lane != ACCOUNTS_LANE and lane not in self.lanes:
            raise LaneNotHeld(f"this engine does not hold the {lane} lane")
        if self._session is not None:
            return
        session = Session(self._db)
        try:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK_KEY})
            self._catch_up(session)
        except SQLAlchemyError as error:
            session.close()
            self._failed = True
            raise TradingUnavailable("the store could not be reached") from error
        self._session = session

    def _nothing_to_commit(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()  # rolls back: releases the log lock

    def _commit_session(self) -> Session:
        session, self._session = self._session, None
        if session is None:
            raise TradingUnavailable("a group commit without the log lock")
        return session

    def _before_commit(self, session: Session, batch: list[_Waiting]) -> None:
        lanes = {lane_of(item.command) for item in batch} - {ACCOUNTS_LANE}
        missing = lanes - hold(session, lanes, self.owner)
        if missing:
            raise LeaseLost(f"lost the lease of {', '.join(sorted(missing))} before committing")
