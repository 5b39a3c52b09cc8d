"""An account's risk figures on the wire (USDC amounts, ratios as fractions)."""

from __future__ import annotations

from pydantic import BaseModel


class PositionRiskOut(BaseModel):
    """How far one position is from liquidation, and its funding at the next settlement."""

    market: str
    liquidation_price: str | None
    distance: str | None
    """Fraction of the mark between it and the liquidation price (0.25 is 25%)."""
    size: str | None
    """Signed base size: positive long, negative short."""
    mark_price: str | None
    funding_rate_estimate: str | None
    """The running period's funding rate so far (as the market's ticker shows it; 0.0001
    is 0.01% of the price for the period); None when the market is not running."""
    funding_due: str | None
    """The estimated payment at the next settlement at that rate, in USDC (negative: the
    user pays, as `FundingPaymentOut.amount`); None when it cannot be estimated."""
    next_funding_ms: int | None
    """When the next funding settles (None: not scheduled while the market is not running)."""


class CollateralRiskOut(BaseModel):
    """One collateral asset's part in the account's collateral."""

    asset: str
    balance: str
    """In the asset's own units (negative: a debt)."""
    price: str
    """The oracle price in USDC (1 for USDC itself)."""
    initial_weight: str
    maintenance_weight: str
    value: str
    """At the full oracle price (what equity counts)."""
    weighted_initial: str
    """At the initial weight (a debt counts in full); with unrealised PnL, these add up to
    ``collateral_initial``."""
    weighted_maintenance: str
    """At the maintenance weight; with unrealised PnL, these add up to
    ``collateral_maintenance``."""


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
    margin_ratio: str | None
    """Maintenance requirement over maintenance collateral (1 is liquidation; 0 with no
    requirement); None when the collateral is not positive."""
    notional: str
    """Sum of the positions' notional at mark."""
    collateral: list[CollateralRiskOut]
    """Each asset held, in the catalog's order."""
    funding_due: str
    """The positions' ``funding_due`` summed (negative: the user pays)."""
    funding_paid: str
    """Lifetime funding paid (negative: received), as `/api/account/stats` states it."""
