//! The keeper's price updates: mark and oracle, recorded with their time.

use anchor_lang::prelude::*;

use crate::errors::PerpError;
use crate::state::{Config, Market};

#[derive(Accounts)]
pub struct UpdatePrices<'info> {
    pub keeper: Signer<'info>,
    #[account(seeds = [Config::SEED], bump = config.bump, has_one = keeper)]
    pub config: Account<'info, Config>,
    #[account(mut)]
    pub market: Account<'info, Market>,
}

/// Record the market's mark and oracle prices (price units) at the cluster's time; margin
/// checks use them while they are younger than the market's `max_oracle_age_s`.
pub fn update_prices(ctx: Context<UpdatePrices>, mark: u64, oracle: u64) -> Result<()> {
    let valid = |price: u64| price > 0 && price <= i64::MAX as u64;
    require!(valid(mark) && valid(oracle), PerpError::InvalidPrice);
    let now = Clock::get()?.unix_timestamp;
    let market = &mut ctx.accounts.market;
    require!(now >= market.price_updated_at, PerpError::PriceFromThePast);
    market.mark_price = mark as i64;
    market.oracle_price = oracle as i64;
    market.price_updated_at = now;
    Ok(())
}
