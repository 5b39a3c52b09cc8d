"""Rolling statistics per market and per user."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import amount, epoch_ms, reference, wide_amount


class MarketStats(SQLModel, table=True):
    """A market's 24 h figures, refreshed by the services."""

    __tablename__ = "market_stats"

    market: str = Field(foreign_key="markets.symbol", primary_key=True, max_length=32)
    last_price: int = amount()
    open_24h: int = amount()
    high_24h: int = amount()
    low_24h: int = amount()
    volume_24h: int = wide_amount()
    quote_volume_24h: int = wide_amount()
    open_interest: int = wide_amount()
    updated_at_ms: int = epoch_ms()


class UserStats(SQLModel, table=True):
    """A user's lifetime trading totals."""

    __tablename__ = "user_stats"

    user_id: int = reference("users.id", primary_key=True)
    trades: int = amount()
    volume: int = wide_amount()
    fees_paid: int = wide_amount()
    realised_pnl: int = wide_amount()
    funding_paid: int = wide_amount()
    updated_at_ms: int = epoch_ms()
