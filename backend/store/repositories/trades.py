"""Trades: recorded once, in the same transaction as the orders they filled."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from backend.store.models import Trade


def record_trades(session: Session, trades: Iterable[Trade]) -> list[Trade]:
    """Add fills; a repeated trade id fails the flush, and with it the caller's transaction."""
    rows = list(trades)
    session.add_all(rows)
    session.flush()
    return rows
