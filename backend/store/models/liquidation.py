"""Liquidations with their fees and any insurance draw or socialised loss."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import amount, epoch_ms, reference, serial_id


class Liquidation(SQLModel, table=True):
    """One position slice taken over by a liquidator."""

    __tablename__ = "liquidations"

    id: int | None = serial_id()
    user_id: int = reference("users.id", index=True)
    liquidator_id: int = reference("users.id")
    market: str = Field(foreign_key="markets.symbol", max_length=32)
    base: int = amount()
    price: int = amount()
    fee: int = amount()
    liquidator_fee: int = amount()
    insurance_fee: int = amount()
    realised_pnl: int = amount()
    """PnL the liquidated account realised on this slice, before the fee."""
    liquidator_realised_pnl: int = amount()
    """PnL the liquidator realised taking it over (when it reduced its own position)."""
    insurance_draw: int = amount()
    socialised_loss: int = amount()
    created_at_ms: int = epoch_ms(index=True)


class LiquidationEvent(SQLModel, table=True):
    """One liquidation of an account (its closed positions are `Liquidation` rows), with
    every market as it stood then, so that it can be replayed on chain."""

    __tablename__ = "liquidation_events"

    id: int | None = serial_id()
    user_id: int = reference("users.id")
    liquidator_id: int = reference("users.id")
    markets: str = Field(max_length=4096)
    """JSON: ``{symbol: [mark, oracle, last trade id]}`` for every priced market."""
    created_at_ms: int = epoch_ms()
