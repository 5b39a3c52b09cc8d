"""Leases on PostgreSQL's clock: one owner at a time, renewed in place, taken over only
once run out (raising the epoch), and checked inside the writer's transaction."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from backend.store.leases import claim, hold, leases, release

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def test_a_held_lease_is_refused_to_another_owner_and_renewed_for_its_own(db) -> None:
    with Session(db) as session:
        assert claim(session, "SOL-PERP", "a", ttl_s=60) == 1
        assert claim(session, "SOL-PERP", "b", ttl_s=60) is None
        assert claim(session, "SOL-PERP", "a", ttl_s=60) == 1
        assert hold(session, ["SOL-PERP", "BTC-PERP"], "a") == {"SOL-PERP"}
        assert hold(session, ["SOL-PERP"], "b") == set()


def test_a_lease_that_ran_out_goes_to_the_next_claimant_with_a_new_epoch(db) -> None:
    with Session(db) as session:
        claim(session, "SOL-PERP", "a", ttl_s=0)
        assert claim(session, "SOL-PERP", "b", ttl_s=60) == 2
        assert hold(session, ["SOL-PERP"], "a") == set()
        assert claim(session, "SOL-PERP", "a", ttl_s=60) is None
        (state,) = leases(session)
        assert (state.owner, state.epoch, state.live) == ("b", 2, True)


def test_a_released_lease_can_be_taken_at_once(db) -> None:
    with Session(db) as session:
        claim(session, "accounts", "a", ttl_s=60)
        release(session, ["accounts"], "a")
        release(session, ["accounts"], "b")  # not b's: changes nothing
        assert claim(session, "accounts", "b", ttl_s=60) == 2
