"""Trades (fills), each seen by its maker and its taker."""

from __future__ import annotations

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.store.columns import amount, engine_id, epoch_ms, reference


class Trade(SQLModel, table=True):
    """One fill; ``id`` is the engine's trade id, the cursor of incremental sync."""

    __tablename__ = "trades"
    # A user's fills after a cursor: one index range scan per role (see trade_history).
    __table_args__ = (
        Index("ix_trades_maker_user_id_id", "maker_user_id", "id"),
        Index("ix_trades_taker_user_id_id", "taker_user_id", "id"),
        Index("ix_trades_market_id", "market", "id"),
        Index("ix_trades_market_timestamp_ms", "market", "timestamp_ms"),
        # what other tables reference: a key with the time in it, as TimescaleDB needs of
        # every unique key of a hypertable (see backend.store.timescale)
        UniqueConstraint("id", "timestamp_ms", name="uq_trades_id_timestamp_ms"),
    )

    id: int = engine_id(primary_key=True)
    market: str = Field(foreign_key="markets.symbol", max_length=32)
    price: int = amount()
    size: int = amount()
    notional: int = amount()
    """Quote value, price x size rounded down (quote units): summed for volumes."""
    taker_side: str = Field(max_length=4)
    maker_order_id: int | None = engine_id(index=True, nullable=True)
    """None for an auction quote, which has no resting order."""
    taker_order_id: int = engine_id(index=True)
    maker_user_id: int = reference("users.id")
    taker_user_id: int = reference("users.id")
    maker_fee: int = amount()
    taker_fee: int = amount()
    maker_realised_pnl: int = amount()
    """PnL the fill realised for the maker (quote units, before the fee): what the ledger
    credited it besides the fee, when the fill reduced or closed its position."""
    taker_realised_pnl: int = amount()
    """The same for the taker."""
    timestamp_ms: int = epoch_ms(index=True)
