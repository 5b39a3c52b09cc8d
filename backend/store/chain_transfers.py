"""Reading and moving the records of signed on-chain transfers (`ChainTransfer`), and
finding in the command log the command that credited one."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from backend.store.models.chain_transfer import ChainTransfer
from backend.store.models.command import Command

UNFINISHED = ("sent", "landed")
"""Statuses that still need work: tracking the transaction, or crediting it."""


def load_transfer(session: Session, signature: str) -> ChainTransfer | None:
    """The record of the transaction ``signature``, if any."""
    return session.get(ChainTransfer, signature)


def unfinished_transfers(session: Session) -> list[ChainTransfer]:
    """Transfers sent but not yet credited nor given up, oldest first."""
    query = select(ChainTransfer).where(col(ChainTransfer.status).in_(UNFINISHED))
    return list(session.exec(query.order_by(col(ChainTransfer.created_at_ms))))


def set_status(session: Session, signature: str, status: str, now_ms: int) -> ChainTransfer:
    """Move the record to ``status``; ``KeyError`` if there is none."""
    row = session.get(ChainTransfer, signature)
    if row is None:
        raise KeyError(f"no chain transfer {signature}")
    row.status = status
    row.updated_at_ms = now_ms
    session.add(row)
    return row


def matching_commands(session: Session, after_id: int, kind: str, payload: str) -> list[int]:
    """Ids above ``after_id`` of the logged commands of ``kind`` with exactly ``payload``,
    oldest first."""
    query = select(Command.id).where(
        col(Command.id) > after_id, Command.kind == kind, Command.payload == payload
    )
    return [i for i in session.exec(query.order_by(col(Command.id))) if i is not None]


def claimed_commands(session: Session, command_ids: Sequence[int]) -> set[int]:
    """Which of ``command_ids`` already credited a recorded transfer."""
    if not command_ids:
        return set()
    query = select(ChainTransfer.command_id).where(
        col(ChainTransfer.command_id).in_(list(command_ids))
    )
    return {i for i in session.exec(query) if i is not None}
