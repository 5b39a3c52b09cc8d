//! Cross-margin account risk (`margin.py`): collateral value, requirements, free
//! collateral, health, liquidation prices and the most that can be withdrawn.

use super::constants::{PRICE_TIMES_BASE_TO_QUOTE, RATIO_PRECISION, RISK_SCALE};
use super::fixed_point::{div_ceil, div_floor};
use super::positions::Position;

/// The market whose oracle prices a non-quote collateral asset, with that price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricedBy {
    pub market_index: u16,
    pub oracle: i128,
}

/// One collateral balance of an account with its asset's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Collateral {
    pub asset_index: u16,
    /// Token units (signed: the quote asset can be owed).
    pub balance: i128,
    pub decimals: u32,
    pub initial_weight: i128,
    pub maintenance_weight: i128,
    /// None for the quote asset, which counts at 1.
    pub priced_by: Option<PricedBy>,
}

impl Collateral {
    /// Token units per whole token.
    pub fn precision(&self) -> i128 {
        10i128.pow(self.decimals)
    }
}

/// One open position with its market's prices and margin ratios.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exposure {
    pub market_index: u16,
    pub position: Position,
    pub mark: i128,
    pub oracle: i128,
    pub initial_margin_ratio: i128,
    pub maintenance_margin_ratio: i128,
}

/// Quote value of a balance; `weight` None means at full price.
pub fn asset_value(asset: &Collateral, balance: i128, weight: Option<i128>) -> i128 {
    let Some(priced) = asset.priced_by else {
        return balance;
    };
    match weight {
        Some(weight) if balance >= 0 => {
            div_floor(balance * priced.oracle * weight, asset.precision() * RATIO_PRECISION)
        }
        _ => div_floor(balance * priced.oracle, asset.precision()),
    }
}

/// Margin requirement of `base` at `mark` for `ratio`, rounded up.
pub fn requirement(base: i128, mark: i128, ratio: i128) -> i128 {
    div_ceil(base.abs() * mark * ratio, RISK_SCALE)
}

/// An account's risk figures (quote units; health and leverage in ppm).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RiskView {
    pub collateral_initial: i128,
    pub collateral_maintenance: i128,
    pub unrealised_pnl: i128,
    pub initial_requirement: i128,
    pub maintenance_requirement: i128,
    pub free_collateral: i128,
    pub equity: i128,
    pub notional: i128,
    pub leverage: Option<i128>,
    pub health: i128,
}

impl RiskView {
    /// Below maintenance margin.
    pub fn liquidatable(&self) -> bool {
        self.collateral_maintenance < self.maintenance_requirement
    }
}

/// All of an account's risk figures.
pub fn risk_view(collateral: &[Collateral], exposures: &[Exposure]) -> RiskView {
    let (mut weighted_i, mut weighted_m, mut full) = (0, 0, 0);
    for asset in collateral {
        weighted_i += asset_value(asset, asset.balance, Some(asset.initial_weight));
        weighted_m += asset_value(asset, asset.balance, Some(asset.maintenance_weight));
        full += asset_value(asset, asset.balance, None);
    }
    let (mut pnl, mut req_i, mut req_m, mut notional) = (0, 0, 0, 0);
    for exposure in exposures.iter().filter(|e| e.position.base != 0) {
        let position = &exposure.position;
        pnl += position.unrealised_pnl(exposure.mark);
        req_i += requirement(position.base, exposure.mark, exposure.initial_margin_ratio);
        req_m += requirement(position.base, exposure.mark, exposure.maintenance_margin_ratio);
        notional += position.notional(exposure.mark);
    }
    let (coll_i, coll_m, equity) = (weighted_i + pnl, weighted_m + pnl, full + pnl);
    RiskView {
        collateral_initial: coll_i,
        collateral_maintenance: coll_m,
        unrealised_pnl: pnl,
        initial_requirement: req_i,
        maintenance_requirement: req_m,
        free_collateral: coll_i - req_i,
        equity,
        notional,
        leverage: (equity > 0).then(|| div_floor(notional * RATIO_PRECISION, equity)),
        health: health(coll_m, req_m),
    }
}

/// Account health in ppm: 1e6 = no risk, 0 = at or below maintenance.
pub fn health(maintenance_collateral: i128, maintenance_requirement: i128) -> i128 {
    if maintenance_requirement == 0 {
        return if maintenance_collateral >= 0 { RATIO_PRECISION } else { 0 };
    }
    if maintenance_collateral <= 0 {
        return 0;
    }
    let used = div_ceil(maintenance_requirement * RATIO_PRECISION, maintenance_collateral);
    (RATIO_PRECISION - used).max(0)
}

/// The price of `market_index` (mark and oracle together) at which the account reaches
/// maintenance margin, every other price held constant; None when flat there or when no
/// positive price gets there. Rounded to be early, never late (see `margin.py`).
pub fn liquidation_price(
    collateral: &[Collateral],
    exposures: &[Exposure],
    market_index: u16,
) -> Option<i128> {
    let exposure = exposures.iter().find(|e| e.market_index == market_index && e.position.base != 0)?;
    let view = risk_view(collateral, exposures);
    let (base, mark) = (exposure.position.base, exposure.mark);
    let ratio = exposure.maintenance_margin_ratio;
    let linked: Vec<&Collateral> = collateral
        .iter()
        .filter(|c| c.balance != 0 && c.priced_by.map(|p| p.market_index) == Some(market_index))
        .collect();
    let lift = 10i128.pow(linked.iter().map(|c| c.decimals).max().unwrap_or(0));
    let mut slope = (base * RATIO_PRECISION - base.abs() * ratio) * lift;
    let mut fixed = view.collateral_maintenance
        - view.maintenance_requirement
        - div_floor(base * mark, PRICE_TIMES_BASE_TO_QUOTE)
        + requirement(base, mark, ratio);
    for asset in linked {
        let weight = if asset.balance > 0 { asset.maintenance_weight } else { RATIO_PRECISION };
        // `lift` is a multiple of the asset's precision, so this division is exact.
        slope += asset.balance * weight * (RISK_SCALE / RATIO_PRECISION) * (lift / asset.precision());
        fixed -= asset_value(asset, asset.balance, Some(asset.maintenance_weight));
    }
    if slope == 0 {
        return None;
    }
    let numerator = -fixed * RISK_SCALE * lift;
    let price = if slope > 0 { div_ceil(numerator, slope) } else { div_floor(numerator, slope) };
    (price > 0).then_some(price)
}

/// The most of the asset at `asset_index` (token units) that can be withdrawn keeping free
/// collateral at least `reserved`; never more than the balance.
pub fn max_withdrawal(
    collateral: &[Collateral],
    exposures: &[Exposure],
    asset_index: u16,
    reserved: i128,
) -> i128 {
    let Some(asset) = collateral.iter().find(|c| c.asset_index == asset_index) else {
        return 0;
    };
    let balance = asset.balance;
    if balance <= 0 {
        return 0;
    }
    let free = risk_view(collateral, exposures).free_collateral - reserved;
    if free <= 0 {
        return 0;
    }
    let Some(priced) = asset.priced_by else {
        return balance.min(free);
    };
    let per_token = priced.oracle * asset.initial_weight;
    let scale = asset.precision() * RATIO_PRECISION;
    let target = div_floor(balance * per_token, scale) - free;
    let keep = div_ceil(target * scale, per_token).max(0);
    (balance - keep).max(0)
}
