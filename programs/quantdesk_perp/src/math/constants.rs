//! Fixed-point precisions: the same constants as `backend/domain/fixed_point.py`.

/// Prices: 1 unit = 1e-6 quote per whole base unit.
pub const PRICE_PRECISION: i128 = 1_000_000;
/// Sizes: 1 unit = 1e-9 of one coin.
pub const BASE_PRECISION: i128 = 1_000_000_000;
/// Quote amounts (USDC): 1 unit = 1e-6 USDC.
pub const QUOTE_PRECISION: i128 = 1_000_000;
/// Ratios (margin ratios, weights, fee rates): 1_000_000 = 100%.
pub const RATIO_PRECISION: i128 = 1_000_000;
/// Funding rates per period: 1_000_000_000 = 100% of the price.
pub const FUNDING_RATE_PRECISION: i128 = 1_000_000_000;
/// Cumulative funding index: quote units per whole base unit, times 1e9.
pub const FUNDING_INDEX_PRECISION: i128 = 1_000_000_000;
/// `price * base / PRICE_TIMES_BASE_TO_QUOTE` is a quote amount.
pub const PRICE_TIMES_BASE_TO_QUOTE: i128 = PRICE_PRECISION * BASE_PRECISION / QUOTE_PRECISION;
/// `|base| * price * ratio / RISK_SCALE` is a quote amount (1e15).
pub const RISK_SCALE: i128 = PRICE_TIMES_BASE_TO_QUOTE * RATIO_PRECISION;
/// Seconds in the day that a funding premium is read over.
pub const SECONDS_PER_DAY: i128 = 86_400;
/// `base * index_delta / PAYMENT_SCALE` is a quote amount (1e18).
pub const PAYMENT_SCALE: i128 = BASE_PRECISION * FUNDING_INDEX_PRECISION;
/// Liquidate until maintenance collateral is 5% above the requirement.
pub const DEFAULT_LIQUIDATION_BUFFER: i128 = 50_000;
