//! Funding: the keeper closes a period (rate from the period's TWAPs, index moved) and each
//! holder's position is then settled against the new index, by anyone.

use anchor_lang::prelude::*;

use super::catalog::{exchange, store_exchange};
use crate::errors::PerpError;
use crate::ledger::funding::settle_user_funding;
use crate::math::funding::{funding_rate, index_delta};
use crate::state::{narrow, Config, Market, User};

/// A funding period was closed.
#[event]
pub struct FundingRateUpdated {
    pub market_index: u16,
    /// Rate of the period (1e9 = 100%).
    pub rate: i64,
    pub funding_index: i128,
    pub mark_twap: i64,
    pub oracle_twap: i64,
}

#[derive(Accounts)]
pub struct SettleFunding<'info> {
    pub keeper: Signer<'info>,
    #[account(seeds = [Config::SEED], bump = config.bump, has_one = keeper)]
    pub config: Account<'info, Config>,
    #[account(mut)]
    pub market: Account<'info, Market>,
}

/// Close the funding period once it has run its length. The keeper gives the period's
/// mark and oracle TWAPs (the backend integrates every price it sees, far more often than
/// it pushes prices here); the program computes the rate from them, clamped to the
/// market's `max_funding_rate`, and moves the cumulative index, exactly as the backend's
/// ledger does.
pub fn settle_funding(ctx: Context<SettleFunding>, mark_twap: u64, oracle_twap: u64) -> Result<()> {
    require!(mark_twap > 0 && oracle_twap > 0, PerpError::InvalidPrice);
    require!(mark_twap <= i64::MAX as u64 && oracle_twap <= i64::MAX as u64, PerpError::InvalidPrice);
    let now = Clock::get()?.unix_timestamp;
    let market = &mut ctx.accounts.market;
    let period = market.params.funding_period_s as i64;
    require!(now - market.last_funding_at >= period, PerpError::FundingNotDue);
    let (mark_twap, oracle_twap) = (mark_twap as i128, oracle_twap as i128);
    let rate = funding_rate(mark_twap, oracle_twap, period as i128, market.params.max_funding_rate as i128)
        .map_err(|_| PerpError::InvalidFundingInput)?;
    market.funding_index =
        market.funding_index.checked_add(index_delta(rate, oracle_twap)).ok_or(PerpError::Overflow)?;
    market.last_funding_rate = narrow(rate)?;
    market.last_funding_at = now;
    emit!(FundingRateUpdated {
        market_index: market.index,
        rate: market.last_funding_rate,
        funding_index: market.funding_index,
        mark_twap: narrow(mark_twap)?,
        oracle_twap: narrow(oracle_twap)?,
    });
    Ok(())
}

#[derive(Accounts)]
pub struct SettleUserFunding<'info> {
    #[account(mut, seeds = [Config::SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    pub market: Account<'info, Market>,
    #[account(mut)]
    pub user: Account<'info, User>,
}

/// Settle one account's position in the market up to the market's index; the insurance
/// fund takes the other side, so once every holder is settled it holds the rounding dust.
pub fn settle_user_funding_ix(ctx: Context<SettleUserFunding>) -> Result<()> {
    let mut state = ctx.accounts.user.state();
    let mut exchange = exchange(&ctx.accounts.config);
    let market = &ctx.accounts.market;
    settle_user_funding(&mut state, &mut exchange, market.index, 0, market.funding_index);
    ctx.accounts.user.store(&state)?;
    store_exchange(&mut ctx.accounts.config, &exchange)
}
