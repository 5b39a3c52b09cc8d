"""The catch-up feeds of a client's local cache, each read in its own short session."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from backend.store import sync_feeds
from backend.store.models import FundingPayment, Liquidation, Order, Transfer
from backend.store.paging import page_size
from backend.store.repositories.users import user_id_of


class SyncFeeds:
    """A user's (by wallet public key) history after a cursor, oldest first."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def orders(self, pubkey: str, after: tuple[int, int] | None, limit: int) -> list[Order]:
        """Orders changed after ``after`` (updated time, order id)."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            if user_id is None:
                return []
            return sync_feeds.orders_changed_after(session, user_id, after, page_size(limit))

    def funding(self, pubkey: str, after_id: int, limit: int) -> list[FundingPayment]:
        """Funding payments with an id above ``after_id``."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            if user_id is None:
                return []
            return sync_feeds.funding_after(session, user_id, after_id, page_size(limit))

    def liquidations(self, pubkey: str, after_id: int, limit: int) -> list[Liquidation]:
        """Liquidated slices with an id above ``after_id``."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            if user_id is None:
                return []
            return sync_feeds.liquidations_after(session, user_id, after_id, page_size(limit))

    def transfers(self, pubkey: str, after_id: int, limit: int) -> list[Transfer]:
        """Deposits and withdrawals with an id above ``after_id``."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            if user_id is None:
                return []
            return sync_feeds.transfers_after(session, user_id, after_id, page_size(limit))
