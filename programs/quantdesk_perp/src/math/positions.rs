//! Perpetual positions and the quote flows of trading them (`positions.py`).
//!
//! A position is `base` (signed base units) and `quote_entry`, the signed quote flow that
//! opened what is still open. Closing `c` of `|base|` releases `floor(quote_entry * c /
//! |base|)` of the entry flow; realised PnL is the closing flow plus that share.

use super::constants::PRICE_TIMES_BASE_TO_QUOTE;
use super::fixed_point::{div_ceil, div_floor};

/// An account's position in one market.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub base: i128,
    pub quote_entry: i128,
    pub last_funding_index: i128,
}

impl Position {
    /// `|base| * mark` in quote units, rounded up (it sizes requirements).
    pub fn notional(&self, mark: i128) -> i128 {
        div_ceil(self.base.abs() * mark, PRICE_TIMES_BASE_TO_QUOTE)
    }

    /// PnL if closed at `mark`, rounded down.
    pub fn unrealised_pnl(&self, mark: i128) -> i128 {
        self.quote_entry + div_floor(self.base * mark, PRICE_TIMES_BASE_TO_QUOTE)
    }

    /// Average entry price (rounded down), or None when flat.
    pub fn entry_price(&self) -> Option<i128> {
        if self.base == 0 {
            return None;
        }
        Some(self.quote_entry.abs() * PRICE_TIMES_BASE_TO_QUOTE / self.base.abs())
    }
}

/// The quote flow of trading signed `delta` base at `price` (rounded down).
pub fn trade_flow(delta: i128, price: i128) -> i128 {
    div_floor(-delta * price, PRICE_TIMES_BASE_TO_QUOTE)
}

/// Trade signed `delta` base at `price`; returns (realised PnL, total quote flow).
pub fn apply_trade(position: &mut Position, delta: i128, price: i128) -> (i128, i128) {
    if delta == 0 {
        return (0, 0);
    }
    let base = position.base;
    if base == 0 || (base > 0) == (delta > 0) {
        let flow = trade_flow(delta, price);
        position.base = base + delta;
        position.quote_entry += flow;
        return (0, flow);
    }
    let closing = if delta.abs() >= base.abs() { -base } else { delta };
    let opening = delta - closing;
    let close_flow = trade_flow(closing, price);
    let share = div_floor(position.quote_entry * closing.abs(), base.abs());
    let realised = close_flow + share;
    position.quote_entry -= share;
    position.base = base + closing;
    let mut open_flow = 0;
    if opening != 0 {
        open_flow = trade_flow(opening, price);
        position.base += opening;
        position.quote_entry += open_flow;
    }
    (realised, close_flow + open_flow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_trip_realises_the_price_difference() {
        let mut position = Position::default();
        assert_eq!(apply_trade(&mut position, 1_000_000_000, 150_000_000), (0, -150_000_000));
        let (realised, _) = apply_trade(&mut position, -1_000_000_000, 155_000_000);
        assert_eq!(realised, 5_000_000);
        assert_eq!(position, Position::default());
    }

    #[test]
    fn a_flip_closes_then_opens_the_rest() {
        let mut position = Position { base: 2, quote_entry: -300, last_funding_index: 0 };
        let (realised, flow) = apply_trade(&mut position, -5_000_000_000, 160_000_000);
        assert_eq!(position.base, -4_999_999_998);
        assert_eq!(realised + (position.quote_entry - -300), flow);
    }
}
