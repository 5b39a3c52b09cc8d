"""The signed-in account's margin, health, collateral, liquidation prices and funding."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter

from backend.domain.account import Account
from backend.domain.fixed_point import (
    BASE_PRECISION,
    FUNDING_RATE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    RATIO_PRECISION,
    div_ceil,
    format_fixed,
)
from backend.domain.funding import funding_payment, funding_rate, index_delta
from backend.domain.margin import (
    MissingPrice,
    asset_value,
    liquidation_price,
    market_prices,
    risk_view,
)
from backend.domain.positions import Position
from backend.gateway.deps import PRIVATE_LIMIT, ContextDep, CurrentUser, HistoryDep, TradingDep
from backend.gateway.errors import ERROR_RESPONSES
from backend.schemas.risk import CollateralRiskOut, PositionRiskOut, RiskOut
from backend.services.trading.service import TradingUnavailable
from backend.services.trading.state import TradingState

router = APIRouter(
    prefix="/api/risk", tags=["risk"], responses=ERROR_RESPONSES, dependencies=PRIVATE_LIMIT
)


def _usdc(value: int) -> str:
    return format_fixed(value, QUOTE_PRECISION)


def _ratio(value: int) -> str:
    return format_fixed(value, RATIO_PRECISION)


def _price(value: int) -> str:
    return format_fixed(value, PRICE_PRECISION)


@router.get("")
async def risk(
    user: CurrentUser, trading: TradingDep, history: HistoryDep, context: ContextDep
) -> RiskOut:
    """Health, margin, free collateral (less what resting orders hold), each collateral
    asset's weighted value, per position the liquidation price, its distance from the mark
    and the funding estimated at the next settlement, and the funding paid so far."""
    state = trading.state
    account = state.ledger.accounts.get(user) or Account(user)
    now_ms = context.clock.now_ms()
    try:
        view = risk_view(account, state.catalog, state.prices)
        collateral = _collateral(account, state)
        positions = [_position(account, p, state, now_ms) for p in account.open_positions()]
    except MissingPrice as error:
        raise TradingUnavailable(f"prices are not all known yet ({error})") from None
    reserved = state.reserved_margin(user)
    coll_m, req_m = view.collateral_maintenance, view.maintenance_requirement
    if req_m == 0:
        margin_ratio: int | None = 0
    elif coll_m > 0:
        margin_ratio = div_ceil(req_m * RATIO_PRECISION, coll_m)
    else:
        margin_ratio = None
    stats = history.user_stats(user)
    return RiskOut(
        health=_ratio(view.health),
        collateral_initial=_usdc(view.collateral_initial),
        collateral_maintenance=_usdc(coll_m),
        unrealised_pnl=_usdc(view.unrealised_pnl),
        initial_requirement=_usdc(view.initial_requirement),
        maintenance_requirement=_usdc(req_m),
        reserved_for_orders=_usdc(reserved),
        free_collateral=_usdc(view.free_collateral - reserved),
        equity=_usdc(view.equity),
        leverage=None if view.leverage is None else _ratio(view.leverage),
        liquidatable=view.liquidatable,
        positions=[out for out, _ in positions],
        insurance_fund=_usdc(state.ledger.insurance_fund),
        margin_ratio=None if margin_ratio is None else _ratio(margin_ratio),
        notional=_usdc(view.notional),
        collateral=collateral,
        funding_due=_usdc(sum(due or 0 for _, due in positions)),
        funding_paid=_usdc(0 if stats is None else stats.funding_paid),
    )


def _collateral(account: Account, state: TradingState) -> list[CollateralRiskOut]:
    """Each asset held, valued by `margin.asset_value` as `risk_view` values it (so the
    weighted values and the unrealised PnL add up to its collateral figures)."""
    rows = []
    for asset in state.catalog.collateral.values():
        balance = account.balance(asset.symbol)
        if not balance:
            continue
        price = (
            PRICE_PRECISION
            if asset.price_market is None
            else market_prices(state.prices, asset.price_market).oracle
        )
        rows.append(
            CollateralRiskOut(
                asset=asset.symbol,
                balance=format_fixed(balance, asset.precision),
                price=_price(price),
                initial_weight=_ratio(asset.initial_weight),
                maintenance_weight=_ratio(asset.maintenance_weight),
                value=_usdc(asset_value(asset, balance, state.prices, None)),
                weighted_initial=_usdc(
                    asset_value(asset, balance, state.prices, asset.initial_weight)
                ),
                weighted_maintenance=_usdc(
                    asset_value(asset, balance, state.prices, asset.maintenance_weight)
                ),
            )
        )
    return rows


def _position(
    account: Account, position: Position, state: TradingState, now_ms: int
) -> tuple[PositionRiskOut, int | None]:
    """One position's risk figures, and its funding due in quote units (None: unknown)."""
    market = position.market
    mark = market_prices(state.prices, market).mark
    price = liquidation_price(account, state.catalog, state.prices, market)
    distance = None if price is None else abs(mark - price) * RATIO_PRECISION // mark
    rate, due, next_ms = _funding(position, state, now_ms)
    out = PositionRiskOut(
        market=market,
        liquidation_price=None if price is None else _price(price),
        distance=None if distance is None else _ratio(distance),
        size=format_fixed(position.base, BASE_PRECISION),
        mark_price=_price(mark),
        funding_rate_estimate=None if rate is None else format_fixed(rate, FUNDING_RATE_PRECISION),
        funding_due=None if due is None else _usdc(due),
        next_funding_ms=next_ms,
    )
    return out, due


def _funding(
    position: Position, state: TradingState, now_ms: int
) -> tuple[int | None, int | None, int | None]:
    """(rate, payment, settlement time) of the position at the next funding, if the running
    period ended now: the rate from the period's TWAPs so far, as the market's ticker
    estimates it (`services.market_data.stats`), and the payment as the ledger will settle
    it (`funding.funding_payment` for the index move since the position's last settlement;
    negative: the user pays). Nothing while the market is not running (no funding then)."""
    market = position.market
    if not state.trades(market):
        return None, None, None
    schedule = state.funding[market]
    twaps = replace(schedule.accumulator).twaps(now_ms)  # on a copy: a look, not a sample
    if twaps is None or twaps[1] <= 0:
        return None, None, schedule.due_ms
    spec = state.catalog.market(market)
    mark_twap, oracle_twap = twaps
    rate = funding_rate(mark_twap, oracle_twap, spec.funding_period_s, spec.max_funding_rate)
    index = state.ledger.funding_index.get(market, 0) + index_delta(rate, oracle_twap)
    return (
        rate,
        funding_payment(position.base, index - position.last_funding_index),
        schedule.due_ms,
    )
