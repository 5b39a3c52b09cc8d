"""Markets as deployed: the spec file's values plus the halt switch."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import amount


class Market(SQLModel, table=True):
    """One perpetual market's parameters (fixed point, as in `backend.domain.markets`)."""

    __tablename__ = "markets"

    symbol: str = Field(primary_key=True, max_length=32)
    base_asset: str = Field(max_length=16)
    tick_size: int = amount()
    lot_size: int = amount()
    min_size: int = amount()
    max_leverage: int
    initial_margin_ratio: int = amount()
    maintenance_margin_ratio: int = amount()
    maker_fee: int = amount()
    taker_fee: int = amount()
    liquidation_fee: int = amount()
    funding_period_s: int
    pyth_feed_id: str = Field(max_length=64)
    halted: bool = False
