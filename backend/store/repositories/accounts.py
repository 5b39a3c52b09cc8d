"""Balances and positions: written by upsert, so the first write needs no prior read."""

from __future__ import annotations

from sqlmodel import Session

from backend.store.models import Position, UserBalance
from backend.store.repositories.upsert import insert_for


def add_to_balance(session: Session, user_id: int, asset: str, delta: int, *, now_ms: int) -> int:
    """Add ``delta`` (signed) to a balance, creating it at zero first; the new amount.

    The sum is done by the database on the stored value, so concurrent writers add up.
    """
    insert = insert_for(session, UserBalance).values(
        user_id=user_id, asset=asset, amount=delta, updated_at_ms=now_ms
    )
    statement = (
        insert.on_conflict_do_update(
            index_elements=["user_id", "asset"],
            set_={
                "amount": UserBalance.amount + insert.excluded.amount,
                "updated_at_ms": insert.excluded.updated_at_ms,
            },
        )
        .returning(UserBalance)
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).scalar_one().amount


def set_balance(session: Session, user_id: int, asset: str, amount: int, *, now_ms: int) -> None:
    """Store ``amount`` as the balance, whatever it was."""
    insert = insert_for(session, UserBalance).values(
        user_id=user_id, asset=asset, amount=amount, updated_at_ms=now_ms
    )
    statement = (
        insert.on_conflict_do_update(
            index_elements=["user_id", "asset"],
            set_={"amount": insert.excluded.amount, "updated_at_ms": insert.excluded.updated_at_ms},
        )
        .returning(UserBalance)
        .execution_options(populate_existing=True)
    )
    session.exec(statement).scalar_one()


def upsert_position(session: Session, position: Position) -> Position:
    """Store ``position`` as the user's position in its market (inserted or replaced)."""
    values = {
        "user_id": position.user_id,
        "market": position.market,
        "base": position.base,
        "quote_entry": position.quote_entry,
        "last_funding_index": position.last_funding_index,
        "updated_at_ms": position.updated_at_ms,
    }
    insert = insert_for(session, Position).values(**values)
    statement = (
        insert.on_conflict_do_update(
            index_elements=["user_id", "market"],
            set_={
                name: getattr(insert.excluded, name)
                for name in ("base", "quote_entry", "last_funding_index", "updated_at_ms")
            },
        )
        .returning(Position)
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).scalar_one()
