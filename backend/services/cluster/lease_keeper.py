"""Keeps an engine's market leases: renews the ones it holds and takes any that ran out
(the owner died or stopped), several times per lease period."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from backend.services.trading.shared_log import SharedLogTrading
from backend.store.leases import claim, release

log = logging.getLogger("quantdesk.cluster")

RENEWALS_PER_TTL = 4
"""How often a lease is renewed (and a free one looked for) per lease period."""


class LeaseKeeper:
    """Claims ``markets`` for ``trading`` and keeps `SharedLogTrading.lanes` up to date."""

    def __init__(
        self,
        trading: SharedLogTrading,
        markets: list[str],
        ttl_s: float,
        on_gained: Callable[[set[str]], None] | None = None,
    ) -> None:
        self.trading = trading
        self.markets = sorted(markets)
        self.ttl_s = ttl_s
        self.on_gained = on_gained
        """Told of the lanes just taken (after the state caught up with the log)."""

    def step(self) -> None:
        """Renew the held leases and take the free ones; catch up with the log first when
        a lane is gained, so that its first command applies to the current state."""
        with Session(self.trading.database) as session:
            held = {m for m in self.markets if claim(session, m, self.trading.owner, self.ttl_s)}
            session.commit()
        gained, lost = held - self.trading.lanes, self.trading.lanes - held
        if lost:
            log.warning("lease lost for %s", ", ".join(sorted(lost)))
            self.trading.lanes -= lost
        if gained:
            self.trading.catch_up()
            self.trading.lanes |= gained
            log.info("%s now owns %s", self.trading.owner, ", ".join(sorted(gained)))
            if self.on_gained is not None:
                self.on_gained(gained)

    def release_all(self) -> None:
        """Hand every lease over at once (a clean shutdown)."""
        lanes, self.trading.lanes = set(self.trading.lanes), set()
        with Session(self.trading.database) as session:
            release(session, lanes, self.trading.owner)
            session.commit()

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
