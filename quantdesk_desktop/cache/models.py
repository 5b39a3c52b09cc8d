"""The cache's tables (their own SQLModel registry: the backend's tables share names).

Amounts are integers in the wire's fixed point (price 1e-6, base 1e-9, quote 1e-6), as
everywhere else. The schema itself is made by `migrations`; a test keeps the two equal."""

from __future__ import annotations

from sqlalchemy import Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class CacheModel(SQLModel, registry=registry()):
    """Base of the cache's tables."""


class CacheInfo(CacheModel, table=True):
    """Which account and backend the file holds (checked when it is opened)."""

    __tablename__ = "cache_info"
    key: str = Field(primary_key=True)
    value: str


class SyncCursor(CacheModel, table=True):
    """How far each stream is synced (written in the same transaction as its rows)."""

    __tablename__ = "sync_cursors"
    stream: str = Field(primary_key=True)
    cursor: str
    synced_at_ms: int


class CachedFill(CacheModel, table=True):
    """One of the account's fills."""

    __tablename__ = "fills"
    __table_args__ = (
        Index("ix_fills_time_ms", "time_ms"),
        Index("ix_fills_market_time_ms", "market", "time_ms"),
        Index("ix_fills_order_id", "order_id"),
    )
    trade_id: int = Field(primary_key=True)
    order_id: int | None = None
    market: str
    side: str
    role: str
    price: int
    size: int
    fee: int
    realised_pnl: int
    time_ms: int


class FillDay(CacheModel, table=True):
    """One UTC day's fills of a market and side, summed, liquidated slices included (kept
    by triggers on `fills` and `liquidations`).

    A closing fill is one that realised PnL; it wins when that PnL is above its fee."""

    __tablename__ = "fill_days"
    market: str = Field(primary_key=True)
    day: int = Field(primary_key=True)
    """Days since the epoch (UTC)."""
    side: str = Field(primary_key=True)
    fills: int
    net: int
    """Realised PnL less fees (quote units)."""
    fees: int
    realised: int
    closes: int
    wins: int
    win_sum: int
    loss_sum: int
    worst: int | None = None
    """The lowest net of a closing fill."""


class CachedOrder(CacheModel, table=True):
    """One of the account's orders as last seen."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_created_at_ms", "created_at_ms"),
        Index("ix_orders_market_created_at_ms", "market", "created_at_ms"),
    )
    order_id: int = Field(primary_key=True)
    client_order_id: str
    market: str
    side: str
    type: str
    status: str
    size: int
    filled: int
    average_price: int | None = None
    fees_paid: int
    price: int | None = None
    trigger_price: int | None = None
    time_in_force: str
    post_only: bool
    reduce_only: bool
    parent_id: int | None = None
    reject_reason: str | None = None
    created_at_ms: int
    updated_at_ms: int


class CachedFunding(CacheModel, table=True):
    """Funding paid (negative) or received for one period."""

    __tablename__ = "funding_payments"
    __table_args__ = (Index("ix_funding_payments_settled_at_ms", "settled_at_ms"),)
    id: int = Field(primary_key=True)
    market: str
    position: int
    amount: int
    settled_at_ms: int


class CachedLiquidation(CacheModel, table=True):
    """A slice of one of the account's positions taken over by a liquidator."""

    __tablename__ = "liquidations"
    __table_args__ = (Index("ix_liquidations_time_ms", "time_ms"),)
    id: int = Field(primary_key=True)
    market: str
    size: int
    price: int
    fee: int
    realised_pnl: int
    time_ms: int


class CachedBalanceChange(CacheModel, table=True):
    """A deposit or withdrawal of collateral."""

    __tablename__ = "balance_changes"
    __table_args__ = (Index("ix_balance_changes_time_ms", "time_ms"),)
    id: int = Field(primary_key=True)
    asset: str
    amount: int
    """Signed: negative for a withdrawal (the asset's token units)."""
    kind: str
    time_ms: int


class PositionSnapshot(CacheModel, table=True):
    """A position as the account's `positions` channel last showed it at a moment."""

    __tablename__ = "position_snapshots"
    __table_args__ = (Index("ix_position_snapshots_time_ms", "time_ms"),)
    id: int | None = Field(default=None, primary_key=True)
    time_ms: int
    market: str
    size: int
    entry_price: int | None = None
    mark_price: int | None = None
    unrealised_pnl: int


class CachedCandle(CacheModel, table=True):
    """One candle of a market the workstation showed."""

    __tablename__ = "candles"
    market: str = Field(primary_key=True)
    interval: str = Field(primary_key=True)
    start_ms: int = Field(primary_key=True)
    open: int
    high: int
    low: int
    close: int
    volume: int
    notional: int
    trades: int
