//! A perpetual market: specifications, keeper-pushed prices, funding and open interest.

use anchor_lang::prelude::*;

use super::config::symbol_text;
use crate::errors::PerpError;
use crate::ledger::MarketView;
use crate::math::constants::RATIO_PRECISION;

/// The market's trading state.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum MarketStatus {
    Active,
    Halted,
}

/// A market's specification, as `resources/markets.json` gives it (integers at the
/// platform's precisions: prices 1e6, sizes 1e9, ratios 1e6).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Default, PartialEq, Eq, Debug, InitSpace)]
pub struct MarketParams {
    pub symbol: [u8; 16],
    pub tick_size: u64,
    pub lot_size: u64,
    pub min_size: u64,
    pub max_leverage: u16,
    pub initial_margin_ratio: u32,
    pub maintenance_margin_ratio: u32,
    pub maker_fee: u32,
    pub taker_fee: u32,
    pub liquidation_fee: u32,
    pub liquidator_fee_share: u32,
    pub funding_period_s: u32,
    pub max_funding_rate: u32,
    pub max_oracle_age_s: u32,
    /// The Pyth price account the keeper reads this market's oracle price from.
    pub oracle: Pubkey,
}

impl MarketParams {
    /// The same consistency rules as `markets._check_market`.
    pub fn check(&self) -> Result<()> {
        let ratio = RATIO_PRECISION as u64;
        let (imr, mmr) = (self.initial_margin_ratio as u64, self.maintenance_margin_ratio as u64);
        let fee_ok = [self.maker_fee, self.taker_fee, self.liquidation_fee, self.liquidator_fee_share]
            .iter()
            .all(|f| (*f as u64) <= ratio);
        let valid = self.tick_size > 0
            && self.lot_size > 0
            && self.min_size >= self.lot_size
            && self.min_size.is_multiple_of(self.lot_size)
            && 0 < mmr
            && mmr < imr
            && imr <= ratio
            && self.max_leverage > 0
            && imr * self.max_leverage as u64 <= ratio
            && fee_ok
            && (self.liquidation_fee as u64) < mmr
            && self.funding_period_s > 0
            && self.max_oracle_age_s > 0
            && self.symbol[0] != 0;
        require!(valid, PerpError::InvalidMarketParameters);
        Ok(())
    }
}

/// The parameters an operator may change while the market runs (`markets.ADJUSTABLE`);
/// `None` keeps the current value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct MarketUpdate {
    pub min_size: Option<u64>,
    pub max_leverage: Option<u16>,
    pub initial_margin_ratio: Option<u32>,
    pub maintenance_margin_ratio: Option<u32>,
    pub maker_fee: Option<u32>,
    pub taker_fee: Option<u32>,
    pub liquidation_fee: Option<u32>,
    pub liquidator_fee_share: Option<u32>,
    pub max_funding_rate: Option<u32>,
    pub max_oracle_age_s: Option<u32>,
    pub status: Option<MarketStatus>,
}

/// One perpetual market (seeds `["market", index as u16 little-endian]`).
#[account]
#[derive(InitSpace)]
pub struct Market {
    pub index: u16,
    pub status: MarketStatus,
    pub params: MarketParams,
    pub mark_price: i64,
    pub oracle_price: i64,
    /// Unix time of the last price update (0: never).
    pub price_updated_at: i64,
    /// Cumulative funding index (quote units per whole coin, times 1e9).
    pub funding_index: i128,
    pub last_funding_rate: i64,
    pub last_funding_at: i64,
    /// Sum of all long positions' base (equal to the sum of all shorts').
    pub open_interest: u64,
    /// The keeper's id of the last fill settled here; fills settle once, in order.
    pub last_fill_id: u64,
    pub bump: u8,
}

impl Market {
    pub const SEED: &'static [u8] = b"market";

    /// The market as the ledger reads it; prices count only while fresh at `now`.
    pub fn view(&self, now: i64) -> MarketView {
        let fresh =
            self.price_updated_at > 0 && now - self.price_updated_at <= self.params.max_oracle_age_s as i64;
        MarketView {
            index: self.index,
            symbol: symbol_text(&self.params.symbol),
            lot_size: self.params.lot_size as i128,
            initial_margin_ratio: self.params.initial_margin_ratio as i128,
            maintenance_margin_ratio: self.params.maintenance_margin_ratio as i128,
            maker_fee: self.params.maker_fee as i128,
            taker_fee: self.params.taker_fee as i128,
            liquidation_fee: self.params.liquidation_fee as i128,
            liquidator_fee_share: self.params.liquidator_fee_share as i128,
            mark: fresh.then_some(self.mark_price as i128),
            oracle: fresh.then_some(self.oracle_price as i128),
            funding_index: self.funding_index,
        }
    }
}
