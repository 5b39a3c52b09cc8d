"""Keeps an engine's market leases: renews the ones it holds, takes the ones that ran
out (their owner died or stopped), and shares the markets with the other live engines,
several times per lease period.

Each engine also holds a presence lease (``engine:<name>``), so the engines know how many
of them are alive. An engine holds at most its fair share of the markets it may own
(rounded up): a new engine gets markets handed over by the others, and when an engine
stops or dies, the others take its markets back. An engine hands a market over in two
steps: it stops carrying out the market's commands at once, and lets the lease go at its
next step, once the market's last results have been sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from backend.services.trading.shared_log import SharedLogTrading
from backend.store.leases import claim, live, release

log = logging.getLogger("quantdesk.cluster")

RENEWALS_PER_TTL = 4
"""How often a lease is renewed (and a free one looked for) per lease period."""
PRESENCE = "engine:"
"""The prefix of the engines' presence leases."""
JOB = "job:"
"""The prefix of the leases of work one engine does for the deployment (see ``jobs``)."""


class LeaseKeeper:
    """Claims ``markets`` for ``trading`` and keeps `SharedLogTrading.lanes` up to date."""

    def __init__(
        self,
        trading: SharedLogTrading,
        markets: list[str],
        ttl_s: float,
        on_gained: Callable[[set[str]], None] | None = None,
        jobs: tuple[str, ...] = (),
    ) -> None:
        self.trading = trading
        self.markets = sorted(markets)
        self.jobs = jobs
        """Work that one engine of the deployment does at a time (``equity``, ...)."""
        self.held_jobs: set[str] = set()
        """The jobs this engine holds now."""
        self.ttl_s = ttl_s
        self.on_gained = on_gained
        """Told of the lanes just taken (after the state caught up with the log)."""
        self._handing_over: set[str] = set()
        """Markets no longer carried out here whose leases go at the next step."""

    def step(self) -> None:
        """Renew the held leases, hand over what exceeds this engine's share, and take
        free markets up to it; catch up with the log first when a lane is gained, so that
        its first command applies to the current state."""
        owner = self.trading.owner
        with Session(self.trading.database) as session:
            claim(session, PRESENCE + owner, owner, self.ttl_s)
            self.held_jobs = {j for j in self.jobs if claim(session, JOB + j, owner, self.ttl_s)}
            engines = max(1, live(session, PRESENCE))
            share = math.ceil(len(self.markets) / engines)
            released, self._handing_over = self._handing_over, set()
            if released:
                release(session, released, owner)
            held: set[str] = set()
            for market in self.markets:
                if market in released:
                    continue  # for another engine to take
                keep = market in self.trading.lanes
                if (keep or len(held) < share) and claim(session, market, owner, self.ttl_s):
                    held.add(market)
            session.commit()
        excess = sorted(held)[share:]
        if excess:
            log.info("%s hands over %s (its share is %d)", owner, ", ".join(excess), share)
            held -= set(excess)
            self._handing_over = set(excess)
        gained, lost = held - self.trading.lanes, self.trading.lanes - held
        if lost:
            self.trading.lanes -= lost
            gone = lost - self._handing_over
            if gone:
                log.warning("lease lost for %s", ", ".join(sorted(gone)))
        if gained:
            self.trading.catch_up()
            self.trading.lanes |= gained
            log.info("%s now owns %s", owner, ", ".join(sorted(gained)))
            if self.on_gained is not None:
                self.on_gained(gained)

    def release_all(self) -> None:
        """Hand every lease over at once (a clean shutdown)."""
        lanes, self.trading.lanes = set(self.trading.lanes), set()
        with Session(self.trading.database) as session:
            mine = {PRESENCE + self.trading.owner} | {JOB + job for job in self.held_jobs}
            release(session, lanes | self._handing_over | mine, self.trading.owner)
            session.commit()
        self.held_jobs = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the leases until ``stop`` is set, then release them."""
        interval = self.ttl_s / RENEWALS_PER_TTL
        try:
            while not stop.is_set():
                try:
                    self.step()
                except SQLAlchemyError:
                    log.exception("leases not renewed; retrying")
                if not self.trading.lanes:
                    self.trading.catch_up()  # a standby stays close to the log's head
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval)
        finally:
            try:
                self.release_all()
            except SQLAlchemyError:
                log.exception("leases not released; they run out on their own")
