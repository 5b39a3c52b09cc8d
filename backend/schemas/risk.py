"""An account's risk figures on the wire (USDC amounts, ratios as fractions)."""

from __future__ import annotations

from pydantic import BaseModel


class PositionRiskOut(BaseModel):
    """How far one position is from liquidation."""

    market: str
    liquidation_price: str | None
    distance: str | None
    """Fraction of the mark between it and the liquidation price (0.25 is 25%)."""


class RiskOut(BaseModel):
    """The account's margin state at current prices."""

    health: str
    """1 is no risk, 0 is at maintenance margin."""
    collateral_initial: str
    collateral_maintenance: str
    unrealised_pnl: str
    initial_requirement: str
    maintenance_requirement: str
    reserved_for_orders: str
    free_collateral: str
    equity: str
    leverage: str | None
    liquidatable: bool
    positions: list[PositionRiskOut]
    insurance_fund: str
