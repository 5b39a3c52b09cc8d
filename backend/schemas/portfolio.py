"""PnL by market and the equity curve on the wire (USDC amounts as decimal text)."""

from __future__ import annotations

from pydantic import BaseModel

from backend.schemas.orders import DecimalText


class MarketPnlOut(BaseModel):
    """The user's PnL in one market: lifetime realised figures and the open position's
    unrealised PnL now."""

    market: str
    realised_pnl: DecimalText
    """Realised by fills and liquidations that reduced or closed the position, before
    fees and funding."""
    unrealised_pnl: DecimalText
    """The open position's PnL at the current mark ("0" when flat)."""
    fees_paid: DecimalText
    """Trading and liquidation fees (negative: rebates exceeded fees)."""
    funding: DecimalText
    """Funding received (negative: paid)."""
    net: DecimalText
    """realised + unrealised - fees + funding."""


class PnlTotalsOut(BaseModel):
    """The same figures summed over every market."""

    realised_pnl: DecimalText
    unrealised_pnl: DecimalText
    fees_paid: DecimalText
    funding: DecimalText
    net: DecimalText


class PnlOut(BaseModel):
    """PnL per market (every market traded, funded or held, by symbol) and in total."""

    markets: list[MarketPnlOut]
    total: PnlTotalsOut


class EquityPointOut(BaseModel):
    """The account's equity at one moment, as `GET /api/risk` states it then."""

    time_ms: int
    equity: DecimalText
    """Collateral value plus unrealised PnL."""
    collateral_value: DecimalText
    """Every collateral balance at full oracle value."""
    unrealised_pnl: DecimalText
