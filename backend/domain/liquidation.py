"""Liquidation of an account below maintenance margin.

1. Positions are taken riskiest first: largest maintenance requirement at mark first.
2. From each, the liquidator takes over just enough base, in whole lots, at the **oracle**
   price, to bring the account to ``maintenance collateral >= maintenance requirement *
   (1 + buffer)``. Closing ``c`` at price ``p`` lowers the requirement by ``c*p*mmr`` and
   costs the liquidation fee ``c*p*lf`` (``lf < mmr`` by the market spec), so
   ``c = ceil((R*(1+b) - C) / (p*(mmr*(1+b) - lf)))`` in base units, rounded up to lots.
3. The fee, ``ceil(c * p * lf)``, is paid by the liquidated account: the liquidator gets
   ``floor(fee * liquidator_fee_share)``, the insurance fund the rest.
4. If the account ends flat with negative equity it is bankrupt: the insurance fund covers
   the deficit; what the fund cannot cover is socialised across the open positions on the
   opposite side of the last market closed, pro rata to their size (each share rounded
   up, the excess over the deficit going to the fund).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.fixed_point import PRICE_TIMES_BASE_TO_QUOTE, RATIO_PRECISION, apply_ratio_floor
from backend.domain.ledger import Ledger
from backend.domain.margin import Prices, requirement, risk_view
from backend.domain.positions import apply_trade

DEFAULT_BUFFER = 50_000
"""Liquidate until maintenance collateral is 5% above the requirement."""


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


@dataclass(slots=True)
class LiquidationResult:
    """What a liquidation did."""

    account_id: str
    liquidator_id: str
    closed: list[ClosedPosition] = field(default_factory=list)
    insurance_draw: int = 0
    socialised_loss: int = 0
    socialised_market: str | None = None
    healthy_after: bool = False
    flat_after: bool = False


def _target_gap(coll: int, req: int, buffer: int) -> int:
    """How far (times 1e6) maintenance collateral is below requirement * (1 + buffer)."""
    return req * (RATIO_PRECISION + buffer) - coll * RATIO_PRECISION


def liquidate(
    ledger: Ledger,
    account_id: str,
    liquidator_id: str,
    prices: Prices,
    buffer: int = DEFAULT_BUFFER,
) -> LiquidationResult:
    """Liquidate ``account_id`` into ``liquidator_id`` if it is below maintenance."""
    catalog = ledger.catalog
    account = ledger.account(account_id)
    liquidator = ledger.account(liquidator_id)
    result = LiquidationResult(account_id, liquidator_id)
    view = risk_view(account, catalog, prices)
    if not view.liquidatable:
        result.healthy_after = True
        result.flat_after = not account.open_positions()
        return result
    order = sorted(
        account.open_positions(),
        key=lambda p: (
            -requirement(
                p.base, prices[p.market].mark, catalog.market(p.market).maintenance_margin_ratio
            )
        ),
    )
    last_market = None
    for position in order:
        view = risk_view(account, catalog, prices)
        gap = _target_gap(view.collateral_maintenance, view.maintenance_requirement, buffer)
        if gap <= 0:
            break
        spec = catalog.market(position.market)
        price = prices[position.market].oracle
        per_base = price * (
            spec.maintenance_margin_ratio * (RATIO_PRECISION + buffer)
            - spec.liquidation_fee * RATIO_PRECISION
        )
        # gap is quote*1e6; one base unit improves it by per_base / (1e9 * 1e6) quote*1e6
        size = -((-gap * PRICE_TIMES_BASE_TO_QUOTE * RATIO_PRECISION) // per_base)
        size = -((-size) // spec.lot_size) * spec.lot_size
        size = min(size, abs(position.base))
        closed = size if position.base > 0 else -size
        fee = -(
            (-size * price * spec.liquidation_fee) // (PRICE_TIMES_BASE_TO_QUOTE * RATIO_PRECISION)
        )
        to_liquidator = apply_ratio_floor(fee, spec.liquidator_fee_share)
        realised, flow = apply_trade(position, -closed, price)
        taken = liquidator.position(position.market)
        if not taken.base:
            taken.last_funding_index = ledger.funding_index.get(position.market, 0)
        liq_realised, liq_flow = apply_trade(taken, closed, price)
        account.credit(ledger.quote, realised - fee)
        liquidator.credit(ledger.quote, liq_realised + to_liquidator)
        ledger.insurance_fund += fee - to_liquidator - (flow + liq_flow)
        result.closed.append(
            ClosedPosition(position.market, closed, price, fee, to_liquidator, fee - to_liquidator)
        )
        last_market = position.market
    view = risk_view(account, catalog, prices)
    result.flat_after = not account.open_positions()
    if result.flat_after and view.equity < 0 and last_market is not None:
        _cover_bankruptcy(ledger, account_id, -view.equity, last_market, result)
        view = risk_view(account, catalog, prices)
    result.healthy_after = not view.liquidatable
    return result


def _cover_bankruptcy(
    ledger: Ledger, account_id: str, deficit: int, market: str, result: LiquidationResult
) -> None:
    """Cover a flat account's negative equity: insurance fund first, then the opposite side."""
    account = ledger.account(account_id)
    draw = min(deficit, ledger.insurance_fund)
    ledger.insurance_fund -= draw
    account.credit(ledger.quote, draw)
    result.insurance_draw = draw
    remaining = deficit - draw
    if not remaining:
        return
    closed_side = 1 if result.closed[-1].base > 0 else -1
    # the bankrupt account's counterparties hold the opposite side of its last position
    holders = [
        a.positions[market]
        for a in ledger.accounts.values()
        if a.account_id != account_id
        and market in a.positions
        and a.positions[market].base * closed_side < 0
    ]
    total = sum(abs(p.base) for p in holders)
    if not total:
        return
    collected = 0
    for position in holders:
        share = -((-remaining * abs(position.base)) // total)
        position.quote_entry -= share
        collected += share
    account.credit(ledger.quote, remaining)
    ledger.insurance_fund += collected - remaining
    result.socialised_loss = remaining
    result.socialised_market = market
