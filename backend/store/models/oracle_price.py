"""Oracle prices as received, with their source and confidence."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from backend.store.columns import amount, epoch_ms, optional_amount, serial_id


class OraclePrice(SQLModel, table=True):
    """One validated price of a market's feed."""

    __tablename__ = "oracle_prices"
    __table_args__ = (Index("ix_oracle_prices_market_id", "market", "id"),)

    id: int | None = serial_id()
    market: str = Field(foreign_key="markets.symbol", max_length=32, index=True)
    source: str = Field(max_length=16)
    price: int = amount()
    confidence: int = amount()
    ema_price: int | None = optional_amount()
    publish_time_ms: int = epoch_ms(index=True)
    received_at_ms: int = epoch_ms()
