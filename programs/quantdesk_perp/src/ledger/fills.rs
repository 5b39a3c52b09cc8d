//! Settling a fill between two accounts (`Ledger.apply_fill`).

use super::catalog::MarketView;
use super::errors::LedgerError;
use super::user::{Exchange, UserState};
use crate::math::positions::apply_trade;

/// What a fill did to its two accounts (quote units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FillSettlement {
    pub taker_realised: i128,
    pub maker_realised: i128,
    pub dust: i128,
}

/// A trade of `size` base at `price` between two accounts; `taker_sign` is +1 for a buy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FillTerms {
    pub taker_sign: i128,
    pub price: i128,
    pub size: i128,
    pub taker_fee: i128,
    pub maker_fee: i128,
}

/// Settle a fill: both positions, realised PnL and fees. Each side's realised PnL minus
/// its fee goes to its quote balance, the fees to `fees_collected`, the dust of the two
/// trade flows to the insurance fund.
pub fn apply_fill(
    taker: &mut UserState,
    maker: &mut UserState,
    exchange: &mut Exchange,
    market: &MarketView,
    quote_index: u16,
    fill: FillTerms,
) -> Result<FillSettlement, LedgerError> {
    if fill.price <= 0 {
        return Err(LedgerError::InvalidPrice);
    }
    if fill.size <= 0 || fill.taker_sign.abs() != 1 {
        return Err(LedgerError::InvalidSize);
    }
    let delta = fill.taker_sign * fill.size;
    let (taker_realised, taker_flow) = trade(taker, market, delta, fill.price);
    let (maker_realised, maker_flow) = trade(maker, market, -delta, fill.price);
    let dust = -(taker_flow + maker_flow);
    taker.credit(quote_index, taker_realised - fill.taker_fee);
    maker.credit(quote_index, maker_realised - fill.maker_fee);
    exchange.fees_collected += fill.taker_fee + fill.maker_fee;
    exchange.insurance_fund += dust;
    Ok(FillSettlement { taker_realised, maker_realised, dust })
}

/// Trade `delta` on the account's position in `market`, starting a flat position at the
/// market's current funding index.
fn trade(account: &mut UserState, market: &MarketView, delta: i128, price: i128) -> (i128, i128) {
    let position = account.position_mut(market.index);
    if position.base == 0 {
        position.last_funding_index = market.funding_index;
    }
    apply_trade(position, delta, price)
}
