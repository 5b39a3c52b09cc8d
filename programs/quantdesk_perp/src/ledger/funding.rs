//! Settling funding on an account's position (`Ledger.settle_funding`, one holder at a time).

use super::user::{Exchange, UserState};
use crate::math::funding::settle_position;

/// Settle the account's open position in `market` up to `index`; returns the change of its
/// quote balance. The insurance fund takes the opposite, so once every holder of the market
/// is settled the fund has gained exactly the rounding dust, as the Python ledger does in one
/// step. A flat position is left alone (it restarts at the index when reopened).
pub fn settle_user_funding(
    account: &mut UserState,
    exchange: &mut Exchange,
    market: u16,
    quote_index: u16,
    index: i128,
) -> i128 {
    let Some(at) = account.positions.iter().position(|(m, p)| *m == market && p.base != 0) else {
        return 0;
    };
    let change = settle_position(&mut account.positions[at].1, index);
    account.credit(quote_index, change);
    exchange.insurance_fund -= change;
    change
}
