"""Leases in the store: take, renew, check and give up named leases on the database's
clock (PostgreSQL), so that processes on several machines agree on who owns what.

A lease is held by one owner until ``expires_at``. The owner renews it; anyone may take
it once it has run out. Taking it from another owner raises its epoch. A writer that
depends on a lease checks it inside its own transaction with `hold`, which also blocks a
takeover until that transaction ends: a write is never committed by a former owner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

_CLAIM = text(
    """
    INSERT INTO leases (name, owner, epoch, expires_at)
    VALUES (:name, :owner, 1, clock_timestamp() + make_interval(secs => :ttl))
    ON CONFLICT (name) DO UPDATE SET
        epoch = CASE WHEN leases.owner = excluded.owner THEN leases.epoch
                     ELSE leases.epoch + 1 END,
        owner = excluded.owner,
        expires_at = excluded.expires_at
    WHERE leases.owner = excluded.owner OR leases.expires_at <= clock_timestamp()
    RETURNING epoch
    """
)
_HOLD = text(
    """
    SELECT name FROM leases
    WHERE name = ANY(:names) AND owner = :owner AND expires_at > clock_timestamp()
    FOR SHARE
    """
)
_RELEASE = text(
    """
    UPDATE leases SET expires_at = clock_timestamp()
    WHERE name = ANY(:names) AND owner = :owner
    """
)
_LIVE = text(
    "SELECT count(*) FROM leases WHERE name LIKE :prefix AND expires_at > clock_timestamp()"
)
_ALL = text("SELECT name, owner, epoch, expires_at, expires_at > clock_timestamp() FROM leases")


@dataclass(frozen=True, slots=True)
class LeaseState:
    """Who holds a lease, since which change of owner, and until when."""

    name: str
    owner: str
    epoch: int
    expires_at: datetime
    live: bool
    """Not yet run out."""


def claim(session: Session, name: str, owner: str, ttl_s: float) -> int | None:
    """Take or renew ``name`` for ``owner`` for ``ttl_s`` seconds; its epoch when held,
    None while another owner holds it. The caller commits."""
    row = session.execute(_CLAIM, {"name": name, "owner": owner, "ttl": ttl_s}).first()
    return None if row is None else int(row[0])


def hold(session: Session, names: Iterable[str], owner: str) -> set[str]:
    """Which of ``names`` ``owner`` holds now; those rows stay locked against a takeover
    until ``session``'s transaction ends."""
    wanted = sorted(set(names))
    rows = session.execute(_HOLD, {"names": wanted, "owner": owner})
    return {row[0] for row in rows}


def release(session: Session, names: Iterable[str], owner: str) -> None:
    """Let ``owner``'s leases among ``names`` run out now (a clean shutdown hands them
    over at once). The caller commits."""
    session.execute(_RELEASE, {"names": sorted(set(names)), "owner": owner})


def live(session: Session, prefix: str) -> int:
    """How many leases named ``prefix...`` have not run out."""
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return int(session.execute(_LIVE, {"prefix": pattern}).scalar_one())


def leases(session: Session) -> list[LeaseState]:
    """Every lease, for status pages and tests."""
    return [LeaseState(*row) for row in session.execute(_ALL)]
