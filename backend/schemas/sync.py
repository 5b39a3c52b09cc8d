"""The catch-up feeds of a client's local cache on the wire: pages oldest first, each with
the cursor to pass back for the next (the same cursor again when nothing is new)."""

from __future__ import annotations

from pydantic import BaseModel

from backend.schemas.orders import DecimalText, OrderOut
from backend.schemas.positions import FundingPaymentOut


class OrderChangesPage(BaseModel):
    """Orders changed after the cursor, oldest change first."""

    orders: list[OrderOut]
    next_cursor: str | None
    """``<updated_at_ms>-<order_id>`` of the last order (the cursor given when none)."""


class FundingPage(BaseModel):
    """Funding payments after the cursor, oldest first."""

    payments: list[FundingPaymentOut]
    next_cursor: int


class LiquidationOut(BaseModel):
    """A slice of one of the user's positions taken over by a liquidator."""

    id: int
    market: str
    size: DecimalText
    """Base size closed (signed like the position was: negative for a short)."""
    price: DecimalText
    fee: DecimalText
    """The liquidation fee the user paid (quote)."""
    realised_pnl: DecimalText
    """PnL the user realised on the slice, before the fee."""
    time_ms: int


class LiquidationPage(BaseModel):
    """Liquidated slices after the cursor, oldest first."""

    liquidations: list[LiquidationOut]
    next_cursor: int


class TransferOut(BaseModel):
    """Collateral moved into or out of the account."""

    id: int
    asset: str
    amount: DecimalText
    """Signed: negative for a withdrawal."""
    kind: str
    """``deposit`` or ``withdraw``."""
    decimals: int
    """The asset's token decimals (``amount`` has at most that many)."""
    time_ms: int


class TransferPage(BaseModel):
    """Deposits and withdrawals after the cursor, oldest first."""

    transfers: list[TransferOut]
    next_cursor: int
