//! Integer division with Python's rounding, and the value helpers of `fixed_point.py`.
//!
//! Rust's `/` truncates towards zero; the domain floors (towards minus infinity), so every
//! division here goes through [`div_floor`] or [`div_ceil`].

use super::constants::{PRICE_TIMES_BASE_TO_QUOTE, RATIO_PRECISION};

/// Integer division rounding towards minus infinity (Python's `//`).
pub fn div_floor(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    if numerator % denominator != 0 && ((numerator < 0) != (denominator < 0)) {
        quotient - 1
    } else {
        quotient
    }
}

/// Integer division rounding towards plus infinity.
pub fn div_ceil(numerator: i128, denominator: i128) -> i128 {
    -div_floor(-numerator, denominator)
}

/// Notional of `base` at `price` in quote units, rounded down (credited to the user).
pub fn quote_value_floor(price: i128, base: i128) -> i128 {
    div_floor(price * base, PRICE_TIMES_BASE_TO_QUOTE)
}

/// Notional of `base` at `price` in quote units, rounded up (owed by the user).
pub fn quote_value_ceil(price: i128, base: i128) -> i128 {
    div_ceil(price * base, PRICE_TIMES_BASE_TO_QUOTE)
}

/// `amount * ratio / 1e6` rounded down.
pub fn apply_ratio_floor(amount: i128, ratio: i128) -> i128 {
    div_floor(amount * ratio, RATIO_PRECISION)
}

/// `amount * ratio / 1e6` rounded up.
pub fn apply_ratio_ceil(amount: i128, ratio: i128) -> i128 {
    div_ceil(amount * ratio, RATIO_PRECISION)
}

/// The fee on `notional` at `fee_rate` (ppm), rounded up (`fills.fee_for`).
pub fn fee_for(notional: i128, fee_rate: i128) -> i128 {
    apply_ratio_ceil(notional, fee_rate)
}

/// The maker and taker fees of a fill of `size` at `price` (`engine_core`): each side's
/// rate applied to the notional rounded down, each fee rounded up.
pub fn fill_fees(price: i128, size: i128, maker_rate: i128, taker_rate: i128) -> (i128, i128) {
    let notional = quote_value_floor(price, size);
    (fee_for(notional, maker_rate), fee_for(notional, taker_rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_and_ceil_round_like_python() {
        assert_eq!(div_floor(7, 2), 3);
        assert_eq!(div_floor(-7, 2), -4);
        assert_eq!(div_floor(7, -2), -4);
        assert_eq!(div_floor(-7, -2), 3);
        assert_eq!(div_floor(-6, 2), -3);
        assert_eq!(div_ceil(7, 2), 4);
        assert_eq!(div_ceil(-7, 2), -3);
        assert_eq!(div_ceil(6, 2), 3);
    }

    #[test]
    fn fees_round_up_on_a_floored_notional() {
        // 1.5 SOL at 150.123 = 225.1845 USDC; 5 bp taker = 0.11259225 -> 112593 units
        let (maker, taker) = fill_fees(150_123_000, 1_500_000_000, 200, 500);
        assert_eq!(taker, 112_593);
        assert_eq!(maker, 45_037);
    }
}
