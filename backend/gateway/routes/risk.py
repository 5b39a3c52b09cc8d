"""The signed-in account's margin, health and liquidation prices."""

from __future__ import annotations

from fastapi import APIRouter

from backend.domain.account import Account
from backend.domain.fixed_point import (
    PRICE_PRECISION,
    QUOTE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
)
from backend.domain.margin import MissingPrice, liquidation_price, risk_view
from backend.gateway.deps import PRIVATE_LIMIT, CurrentUser, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.schemas.risk import PositionRiskOut, RiskOut
from backend.services.trading.service import TradingUnavailable

router = APIRouter(
    prefix="/api/risk", tags=["risk"], responses=ERROR_RESPONSES, dependencies=PRIVATE_LIMIT
)


def _usdc(value: int) -> str:
    return format_fixed(value, QUOTE_PRECISION)


def _ratio(value: int) -> str:
    return format_fixed(value, RATIO_PRECISION)


@router.get("")
async def risk(user: CurrentUser, trading: TradingDep) -> RiskOut:
    """Health, margin, free collateral (less what resting orders hold) and, per position,
    the liquidation price and its distance from the mark."""
    state = trading.state
    account = state.ledger.accounts.get(user) or Account(user)
    try:
        view = risk_view(account, state.catalog, state.prices)
    except MissingPrice as error:
        raise TradingUnavailable(f"prices are not all known yet ({error})") from None
    reserved = state.reserved_margin(user)
    positions = []
    for position in account.open_positions():
        mark = state.prices[position.market].mark
        price = liquidation_price(account, state.catalog, state.prices, position.market)
        distance = None if price is None else abs(mark - price) * RATIO_PRECISION // mark
        positions.append(
            PositionRiskOut(
                market=position.market,
                liquidation_price=None if price is None else format_fixed(price, PRICE_PRECISION),
                distance=None if distance is None else _ratio(distance),
            )
        )
    return RiskOut(
        health=_ratio(view.health),
        collateral_initial=_usdc(view.collateral_initial),
        collateral_maintenance=_usdc(view.collateral_maintenance),
        unrealised_pnl=_usdc(view.unrealised_pnl),
        initial_requirement=_usdc(view.initial_requirement),
        maintenance_requirement=_usdc(view.maintenance_requirement),
        reserved_for_orders=_usdc(reserved),
        free_collateral=_usdc(view.free_collateral - reserved),
        equity=_usdc(view.equity),
        leverage=None if view.leverage is None else _ratio(view.leverage),
        liquidatable=view.liquidatable,
        positions=positions,
        insurance_fund=_usdc(state.ledger.insurance_fund),
    )
