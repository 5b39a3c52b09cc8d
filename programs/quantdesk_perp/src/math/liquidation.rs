//! The arithmetic of liquidation (`liquidation.py`): how much to close and the fee split.
//! The procedure over accounts is in `crate::ledger::liquidate`.

use super::constants::{RATIO_PRECISION, RISK_SCALE};
use super::fixed_point::{apply_ratio_floor, div_ceil};

/// How far (times 1e6) maintenance collateral is below requirement * (1 + buffer).
pub fn target_gap(collateral: i128, requirement: i128, buffer: i128) -> i128 {
    requirement * (RATIO_PRECISION + buffer) - collateral * RATIO_PRECISION
}

/// A market's parameters that liquidation reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationTerms {
    pub lot_size: i128,
    pub maintenance_margin_ratio: i128,
    pub liquidation_fee: i128,
    pub liquidator_fee_share: i128,
}

/// Base units (whole lots, at most the position) to close to remove `gap`.
pub fn close_size(
    gap: i128,
    base: i128,
    terms: &LiquidationTerms,
    mark: i128,
    price: i128,
    buffer: i128,
) -> i128 {
    let held = base.abs();
    let sign = if base > 0 { 1 } else { -1 };
    let k = mark * terms.maintenance_margin_ratio * (RATIO_PRECISION + buffer)
        + sign * (price - mark) * RATIO_PRECISION * RATIO_PRECISION
        - price * terms.liquidation_fee * RATIO_PRECISION;
    if k <= 0 {
        return held;
    }
    let size = div_ceil(gap * RISK_SCALE, k);
    let size = div_ceil(size, terms.lot_size) * terms.lot_size;
    size.min(held)
}

/// The liquidation fee on `size` base at `price` and the liquidator's share of it.
pub fn fee_split(size: i128, price: i128, terms: &LiquidationTerms) -> (i128, i128) {
    let fee = div_ceil(size * price * terms.liquidation_fee, RISK_SCALE);
    (fee, apply_ratio_floor(fee, terms.liquidator_fee_share))
}
