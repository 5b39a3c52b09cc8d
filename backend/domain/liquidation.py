"""Liquidation of an account below maintenance margin.

An account is liquidatable when maintenance collateral ``C`` < maintenance requirement
``R`` (`margin.RiskView.liquidatable`). Then, all in integers:

1. Positions are taken riskiest first: largest maintenance requirement at mark first
   (ties by market symbol).
2. From each, the liquidator takes over just enough base, in whole lots, at the market's
   **oracle** price ``p`` (the mark ``m`` can be moved by the book; the oracle cannot), to
   bring the account to ``C >= R * (1 + buffer)``. The gap, in quote units times 1e6, is
   ``gap = R * (1e6 + buffer) - C * 1e6``. Closing ``c`` base units of a position of sign
   ``s`` lowers ``R`` by ``c*m*mmr/1e15``, turns its unrealised PnL at ``m`` into realised
   PnL at ``p`` (``s*c*(p - m)/1e9``) and costs the fee ``c*p*lf/1e15``, so each base unit
   closes the gap by ``k / 1e15`` with ``k = m*mmr*(1e6 + buffer) + s*(p - m)*1e12 -
   p*lf*1e6``, and ``c = ceil(gap * 1e15 / k)`` rounded up to whole lots, at most the
   position. When ``k <= 0`` (closing cannot help) the whole position is closed. Rounding
   of requirements and fees can leave a few units of gap: then another lot is closed.
3. The fee ``ceil(c * p * lf / 1e15)`` is paid by the liquidated account; the liquidator
   receives ``floor(fee * liquidator_fee_share / 1e6)``, the insurance fund the rest. The
   dust of the two trade flows goes to the fund, as for fills.
4. If the account ends flat with negative equity it is bankrupt: the insurance fund covers
   the deficit; what it cannot cover is socialised across the open positions on the
   opposite side of the market whose close realised the largest loss, pro rata to their
   size: each share ``ceil(rest * |base_i| / sum |base|)`` is taken from that position's
   ``quote_entry`` and the excess of the shares over the rest goes to the fund. With no
   such positions the rest stays on the account as ``bad_debt``.

Every step moves quote between accounts and the fund, so `Ledger.total_quote` is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from backend.domain.fixed_point import (
    PRICE_TIMES_BASE_TO_QUOTE,
    RATIO_PRECISION,
    apply_ratio_floor,
    div_ceil,
)
from backend.domain.margin import Prices, market_prices, requirement, risk_view
from backend.domain.markets import MarketSpec
from backend.domain.positions import Position, apply_trade

if TYPE_CHECKING:
    from backend.domain.account import Account
    from backend.domain.ledger import Ledger

DEFAULT_BUFFER = 50_000
"""Liquidate until maintenance collateral is 5% above the requirement."""
_SCALE = PRICE_TIMES_BASE_TO_QUOTE * RATIO_PRECISION
"""``base * price * ratio / _SCALE`` is quote units (1e15)."""


@dataclass(frozen=True, slots=True)
class ClosedPosition:
    """The part of one position the liquidator took over."""

    market: str
    base: int
    """Signed base closed, as the liquidated account held it (+ long, - short)."""
    price: int
    fee: int
    liquidator_fee: int
    insurance_fee: int
    realised: int = 0
    """PnL the liquidated account realised on this close, before the fee."""
    liquidator_realised: int = 0
    """PnL the liquidator realised taking the base over (when it reduced its own
    position), before its share of the fee."""


@dataclass(slots=True)
class LiquidationResult:
    """What a liquidation did (quote units)."""

    account_id: str
    liquidator_id: str
    closed: list[ClosedPosition] = field(default_factory=list)
    insurance_draw: int = 0
    socialised_loss: int = 0
    socialised_market: str | None = None
    healthy_after: bool = False
    flat_after: bool = False
    bad_debt: int = 0
    """Deficit neither the fund nor the opposite side could cover (left on the account)."""


def _target_gap(coll: int, req: int, buffer: int) -> int:
    """How far (times 1e6) maintenance collateral is below requirement * (1 + buffer)."""
    return req * (RATIO_PRECISION + buffer) - coll * RATIO_PRECISION


def close_size(
    gap: int, position: Position, spec: MarketSpec, mark: int, price: int, buffer: int
) -> int:
    """Base units (whole lots, at most the position) to close to remove ``gap``."""
    held = abs(position.base)
    sign = 1 if position.base > 0 else -1
    k = (
        mark * spec.maintenance_margin_ratio * (RATIO_PRECISION + buffer)
        + sign * (price - mark) * RATIO_PRECISION * RATIO_PRECISION  # 1e6 * 1e15 / 1e9
        - price * spec.liquidation_fee * RATIO_PRECISION
    )
    if k <= 0:
        return held
    size = div_ceil(gap * _SCALE, k)
    size = div_ceil(size, spec.lot_size) * spec.lot_size
    return min(size, held)


def liquidate(
    ledger: Ledger,
    account_id: str,
    liquidator_id: str,
    prices: Prices,
    buffer: int = DEFAULT_BUFFER,
) -> LiquidationResult:
    """Liquidate ``account_id`` into ``liquidator_id`` if it is below maintenance.

    A healthy account is left alone (``healthy_after`` set, nothing closed).
    """
    if account_id == liquidator_id:
        raise ValueError("an account cannot liquidate itself")
    if buffer < 0:
        raise ValueError("the liquidation buffer cannot be negative")
    catalog = ledger.catalog
    account = ledger.account(account_id)
    result = LiquidationResult(account_id, liquidator_id)
    view = risk_view(account, catalog, prices)
    if not view.liquidatable:
        result.healthy_after = True
        result.flat_after = not account.open_positions()
        return result
    liquidator = ledger.account(liquidator_id)

    def contribution(position: Position) -> tuple[int, str]:
        spec = catalog.market(position.market)
        mark = market_prices(prices, position.market).mark
        return -requirement(position.base, mark, spec.maintenance_margin_ratio), position.market

    for position in sorted(account.open_positions(), key=contribution):
        if _close_until_safe(ledger, account, liquidator, position, prices, buffer, result):
            break
    view = risk_view(account, catalog, prices)
    result.flat_after = not account.open_positions()
    if result.flat_after and view.equity < 0 and result.closed:
        _cover_bankruptcy(ledger, account, -view.equity, result)
        view = risk_view(account, catalog, prices)
    result.healthy_after = not view.liquidatable
    return result


def _close_until_safe(
    ledger: Ledger,
    account: Account,
    liquidator: Account,
    position: Position,
    prices: Prices,
    buffer: int,
    result: LiquidationResult,
) -> bool:
    """Close ``position`` in lots until the target is met (True) or it is flat (False)."""
    spec = ledger.catalog.market(position.market)
    both = market_prices(prices, position.market)
    while position.base:
        view = risk_view(account, ledger.catalog, prices)
        gap = _target_gap(view.collateral_maintenance, view.maintenance_requirement, buffer)
        if gap <= 0:
            return True
        size = close_size(gap, position, spec, both.mark, both.oracle, buffer)
        result.closed.append(_take_over(ledger, account, liquidator, position, size, both.oracle))
    view = risk_view(account, ledger.catalog, prices)
    return _target_gap(view.collateral_maintenance, view.maintenance_requirement, buffer) <= 0


def _take_over(
    ledger: Ledger, account: Account, liquidator: Account, position: Position, size: int, price: int
) -> ClosedPosition:
    """Move ``size`` base of ``position`` to the liquidator at ``price``, with the fee."""
    spec = ledger.catalog.market(position.market)
    closed = size if position.base > 0 else -size
    fee = div_ceil(size * price * spec.liquidation_fee, _SCALE)
    to_liquidator = apply_ratio_floor(fee, spec.liquidator_fee_share)
    realised, flow = apply_trade(position, -closed, price)
    taken = liquidator.position(position.market)
    if not taken.base:
        taken.last_funding_index = ledger.funding_index.get(position.market, 0)
    liq_realised, liq_flow = apply_trade(taken, closed, price)
    account.credit(ledger.quote, realised - fee)
    liquidator.credit(ledger.quote, liq_realised + to_liquidator)
    ledger.insurance_fund += fee - to_liquidator - (flow + liq_flow)
    return ClosedPosition(
        position.market,
        closed,
        price,
        fee,
        to_liquidator,
        fee - to_liquidator,
        realised,
        liq_realised,
    )


def _cover_bankruptcy(
    ledger: Ledger, account: Account, deficit: int, result: LiquidationResult
) -> None:
    """Cover a flat account's negative equity: insurance fund first, then the opposite side."""
    draw = min(deficit, ledger.insurance_fund)
    ledger.insurance_fund -= draw
    account.credit(ledger.quote, draw)
    result.insurance_draw = draw
    remaining = deficit - draw
    if not remaining:
        return
    worst = min(result.closed, key=lambda c: c.realised)
    market, closed_side = worst.market, 1 if worst.base > 0 else -1
    # the bankrupt account's counterparties hold the opposite side of that position
    holders = [
        a.positions[market]
        for a in ledger.accounts.values()
        if a is not account and market in a.positions and a.positions[market].base * closed_side < 0
    ]
    total = sum(abs(p.base) for p in holders)
    if not total:
        result.bad_debt = remaining
        return
    collected = 0
    for position in holders:
        share = div_ceil(remaining * abs(position.base), total)
        position.quote_entry -= share
        collected += share
    account.credit(ledger.quote, remaining)
    ledger.insurance_fund += collected - remaining
    result.socialised_loss = remaining
    result.socialised_market = market
