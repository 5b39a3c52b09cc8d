"""Read-only history queries for the gateway, each in its own short session."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from backend.domain.candles import Candle
from backend.store import account_history, market_history, portfolio_history
from backend.store.models import (
    Auction,
    AuctionQuote,
    AuctionSettlement,
    EquitySnapshot,
    FundingPayment,
    FundingRate,
    OraclePrice,
    Order,
    SystemEvent,
    Trade,
    UserStats,
)
from backend.store.paging import page_size
from backend.store.repositories.system_events import recent_system_events
from backend.store.repositories.users import user_id_of


class HistoryService:
    """Pages of history by market or by user (users by wallet public key)."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def candles(
        self, market: str, interval_ms: int, start_ms: int, end_ms: int, limit: int
    ) -> list[Candle]:
        """Candles of ``market`` with trades in [start_ms, end_ms), oldest first."""
        with Session(self._db) as session:
            return market_history.candles(
                session, market, interval_ms, start_ms, end_ms, page_size(limit)
            )

    def summary(self, market: str, start_ms: int, end_ms: int) -> Candle | None:
        """``market``'s trades in [start_ms, end_ms) as one candle."""
        with Session(self._db) as session:
            return market_history.trade_summary(session, market, start_ms, end_ms)

    def funding_rates(self, market: str, before_id: int | None, limit: int) -> list[FundingRate]:
        """Settled funding rates, newest first."""
        with Session(self._db) as session:
            return market_history.funding_rates(session, market, before_id, page_size(limit))

    def oracle_prices(self, market: str, before_id: int | None, limit: int) -> list[OraclePrice]:
        """Recorded oracle prices, newest first."""
        with Session(self._db) as session:
            return market_history.oracle_prices(session, market, before_id, page_size(limit))

    def public_trades(self, market: str, before_id: int | None, limit: int) -> list[Trade]:
        """The market's trades, newest first (no accounts: what the tape shows)."""
        with Session(self._db) as session:
            return market_history.public_trades(session, market, before_id, page_size(limit))

    def recent_auctions(self, market: str, limit: int) -> list[Auction]:
        """The market's latest auctions, newest first."""
        with Session(self._db) as session:
            return market_history.recent_auctions(session, market, page_size(limit))

    def auction(
        self, auction_id: int
    ) -> tuple[Auction, list[AuctionQuote], list[AuctionSettlement]] | None:
        """One auction with its quotes and fills."""
        with Session(self._db) as session:
            return market_history.auction_record(session, auction_id)

    def system_events(self, limit: int) -> list[SystemEvent]:
        """The newest system events first."""
        with Session(self._db) as session:
            return recent_system_events(session, page_size(limit))

    def order_history(
        self, pubkey: str, market: str | None, before: tuple[int, int] | None, limit: int
    ) -> list[Order]:
        """The user's finished orders, newest first."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            if user_id is None:
                return []
            return account_history.order_history(session, user_id, market, before, page_size(limit))

    def funding_payments(
        self, pubkey: str, market: str | None, before_id: int | None, limit: int
    ) -> list[FundingPayment]:
        """The user's funding payments, newest first."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            if user_id is None:
                return []
            return account_history.funding_payments(
                session, user_id, market, before_id, page_size(limit)
            )

    def pnl_by_market(self, pubkey: str) -> dict[str, portfolio_history.MarketTotals]:
        """The user's realised PnL, fees and funding per market, from the tables."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            if user_id is None:
                return {}
            return portfolio_history.pnl_by_market(session, user_id)

    def equity_points(
        self, pubkey: str, start_ms: int, end_ms: int, limit: int
    ) -> list[EquitySnapshot]:
        """The user's last ``limit`` equity snapshots in [start_ms, end_ms), oldest first."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            if user_id is None:
                return []
            return portfolio_history.equity_points(
                session, user_id, start_ms, end_ms, page_size(limit)
            )

    def user_stats(self, pubkey: str) -> UserStats | None:
        """The user's lifetime trading totals (None before the first fill or funding)."""
        with Session(self._db) as session:
            user_id = user_id_of(session, pubkey)
            return None if user_id is None else session.get(UserStats, user_id)
