//! Liquidating an account below maintenance margin (`liquidation.liquidate`).
//!
//! Positions are taken over by the liquidator at the oracle price, riskiest first, in
//! whole lots, until maintenance collateral is `buffer` above the requirement; the fee is
//! split between the liquidator and the insurance fund. A flat account left with negative
//! equity is bankrupt: the fund covers what it can, and the rest is socialised pro rata
//! across the opposite side of the market whose close realised the largest loss. The
//! caller passes every holder of that side (`others`); with none, the rest stays as
//! `bad_debt`.

use super::catalog::{Catalog, MarketView};
use super::errors::LedgerError;
use super::user::{Exchange, UserState};
use crate::math::fixed_point::div_ceil;
use crate::math::liquidation::{close_size, fee_split, target_gap};
use crate::math::margin::requirement;
use crate::math::positions::apply_trade;

/// The part of one position the liquidator took over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosedPosition {
    pub market: u16,
    /// Signed base closed, as the liquidated account held it.
    pub base: i128,
    pub price: i128,
    pub fee: i128,
    pub liquidator_fee: i128,
    pub insurance_fee: i128,
    pub realised: i128,
    pub liquidator_realised: i128,
}

/// What a liquidation did (quote units).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiquidationResult {
    pub closed: Vec<ClosedPosition>,
    pub insurance_draw: i128,
    pub socialised_loss: i128,
    pub socialised_market: Option<u16>,
    pub healthy_after: bool,
    pub flat_after: bool,
    pub bad_debt: i128,
}

/// Liquidate `account` into `liquidator` if it is below maintenance; a healthy account is
/// left alone (`healthy_after` set, nothing closed).
pub fn liquidate(
    account: &mut UserState,
    liquidator: &mut UserState,
    others: &mut [&mut UserState],
    exchange: &mut Exchange,
    catalog: &Catalog,
    buffer: i128,
) -> Result<LiquidationResult, LedgerError> {
    if buffer < 0 {
        return Err(LedgerError::InvalidAmount);
    }
    let mut result = LiquidationResult::default();
    if !account.risk(catalog)?.liquidatable() {
        result.healthy_after = true;
        result.flat_after = account.open_markets().is_empty();
        return Ok(result);
    }
    let mut order = Vec::new();
    for market_index in account.open_markets() {
        let market = catalog.market(market_index)?;
        let base = account.position(market_index).map_or(0, |p| p.base);
        let (mark, _) = market.prices()?;
        let need = requirement(base, mark, market.maintenance_margin_ratio);
        order.push((-need, market.symbol.clone(), market_index));
    }
    order.sort();
    for (_, _, market_index) in order {
        let market = catalog.market(market_index)?;
        if close_until_safe(account, liquidator, exchange, catalog, market, buffer, &mut result)? {
            break;
        }
    }
    result.flat_after = account.open_markets().is_empty();
    let equity = account.risk(catalog)?.equity;
    if result.flat_after && equity < 0 && !result.closed.is_empty() {
        cover_bankruptcy(account, liquidator, others, exchange, catalog.quote_index, -equity, &mut result);
    }
    result.healthy_after = !account.risk(catalog)?.liquidatable();
    Ok(result)
}

/// Close the position in `market` lot by lot until the target is met (true) or it is flat.
fn close_until_safe(
    account: &mut UserState,
    liquidator: &mut UserState,
    exchange: &mut Exchange,
    catalog: &Catalog,
    market: &MarketView,
    buffer: i128,
    result: &mut LiquidationResult,
) -> Result<bool, LedgerError> {
    let (mark, oracle) = market.prices()?;
    let terms = market.liquidation_terms();
    loop {
        let base = account.position(market.index).map_or(0, |p| p.base);
        let view = account.risk(catalog)?;
        let gap = target_gap(view.collateral_maintenance, view.maintenance_requirement, buffer);
        if base == 0 {
            return Ok(gap <= 0);
        }
        if gap <= 0 {
            return Ok(true);
        }
        let size = close_size(gap, base, &terms, mark, oracle, buffer);
        let closed = take_over(account, liquidator, exchange, catalog.quote_index, market, size, oracle);
        result.closed.push(closed);
    }
}

/// Move `size` base of the account's position to the liquidator at `price`, with the fee.
fn take_over(
    account: &mut UserState,
    liquidator: &mut UserState,
    exchange: &mut Exchange,
    quote_index: u16,
    market: &MarketView,
    size: i128,
    price: i128,
) -> ClosedPosition {
    let terms = market.liquidation_terms();
    let position = account.position_mut(market.index);
    let closed = if position.base > 0 { size } else { -size };
    let (fee, to_liquidator) = fee_split(size, price, &terms);
    let (realised, flow) = apply_trade(position, -closed, price);
    let taken = liquidator.position_mut(market.index);
    if taken.base == 0 {
        taken.last_funding_index = market.funding_index;
    }
    let (liquidator_realised, liquidator_flow) = apply_trade(taken, closed, price);
    account.credit(quote_index, realised - fee);
    liquidator.credit(quote_index, liquidator_realised + to_liquidator);
    exchange.insurance_fund += fee - to_liquidator - (flow + liquidator_flow);
    ClosedPosition {
        market: market.index,
        base: closed,
        price,
        fee,
        liquidator_fee: to_liquidator,
        insurance_fee: fee - to_liquidator,
        realised,
        liquidator_realised,
    }
}

/// Cover a flat account's negative equity: insurance fund first, then the opposite side.
fn cover_bankruptcy(
    account: &mut UserState,
    liquidator: &mut UserState,
    others: &mut [&mut UserState],
    exchange: &mut Exchange,
    quote_index: u16,
    deficit: i128,
    result: &mut LiquidationResult,
) {
    let draw = deficit.min(exchange.insurance_fund.max(0));
    exchange.insurance_fund -= draw;
    account.credit(quote_index, draw);
    result.insurance_draw = draw;
    let remaining = deficit - draw;
    if remaining == 0 {
        return;
    }
    let mut worst = result.closed[0];
    for closed in &result.closed[1..] {
        if closed.realised < worst.realised {
            worst = *closed;
        }
    }
    let (market, closed_side) = (worst.market, if worst.base > 0 { 1 } else { -1 });
    let opposite = |state: &UserState| state.position(market).is_some_and(|p| p.base * closed_side < 0);
    let mut holders: Vec<&mut UserState> = Vec::new();
    if opposite(liquidator) {
        holders.push(liquidator);
    }
    holders.extend(others.iter_mut().filter(|s| opposite(s)).map(|s| &mut **s));
    let total: i128 = holders.iter().map(|s| s.position(market).map_or(0, |p| p.base.abs())).sum();
    if total == 0 {
        result.bad_debt = remaining;
        return;
    }
    let mut collected = 0;
    for holder in holders {
        let position = holder.position_mut(market);
        let share = div_ceil(remaining * position.base.abs(), total);
        position.quote_entry -= share;
        collected += share;
    }
    account.credit(quote_index, remaining);
    exchange.insurance_fund += collected - remaining;
    result.socialised_loss = remaining;
    result.socialised_market = Some(market);
}
