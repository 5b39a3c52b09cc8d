//! Permissionless liquidation of an account below maintenance margin.
//!
//! The remaining accounts are the market accounts the two accounts' risk reads (writable:
//! open interest moves) and, when the liquidation may end in a bankruptcy, the user
//! accounts of every holder of the opposite side (writable), which the program checks
//! against the market's open interest before it shares a loss.

use anchor_lang::prelude::*;

use super::catalog::{
    catalog, exchange, market_accounts, now, require_markets, settle_all_funding, store_exchange,
};
use crate::errors::PerpError;
use crate::ledger::liquidate::{liquidate as run_liquidation, LiquidationResult};
use crate::ledger::UserState;
use crate::state::{long_base, narrow, Config, Market, User};

/// An account was liquidated.
#[event]
pub struct Liquidated {
    pub user: Pubkey,
    pub liquidator: Pubkey,
    pub positions_closed: u8,
    pub fees: i64,
    pub insurance_draw: i64,
    pub socialised_loss: i64,
    pub bad_debt: i64,
}

#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub liquidator_authority: Signer<'info>,
    #[account(mut, seeds = [Config::SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(mut, has_one = authority @ PerpError::AccountMismatch, constraint = liquidator.key() != user.key() @ PerpError::SelfLiquidation)]
    pub liquidator: Account<'info, User>,
    /// CHECK: only compared with the liquidator account's authority.
    #[account(address = liquidator_authority.key())]
    pub authority: UncheckedAccount<'info>,
    #[account(mut)]
    pub user: Account<'info, User>,
}

/// Take over the account's riskiest positions at the oracle price until it is back above
/// maintenance with the config's buffer; fee split between liquidator and fund.
pub fn liquidate<'info>(ctx: Context<'_, '_, 'info, 'info, Liquidate<'info>>) -> Result<()> {
    let mut markets = market_accounts(ctx.remaining_accounts)?;
    let mut holders =
        holder_accounts(ctx.remaining_accounts, &ctx.accounts.user.key(), &ctx.accounts.liquidator.key())?;
    let catalog = catalog(&ctx.accounts.config, markets.iter().map(|m| &**m), now()?);
    let mut exchange = exchange(&ctx.accounts.config);
    let mut account = ctx.accounts.user.state();
    let mut liquidator = ctx.accounts.liquidator.state();
    let mut others: Vec<UserState> = holders.iter().map(|h| h.state()).collect();
    require_markets(&catalog, &account)?;
    require_markets(&catalog, &liquidator)?;
    for state in [&mut account, &mut liquidator].into_iter().chain(others.iter_mut()) {
        settle_all_funding(state, &mut exchange, &catalog);
    }
    let longs_before: Vec<i128> =
        markets.iter().map(|m| longs(m.index, &account, &liquidator, &others)).collect();
    let result = {
        let mut borrowed: Vec<&mut UserState> = others.iter_mut().collect();
        run_liquidation(
            &mut account,
            &mut liquidator,
            &mut borrowed,
            &mut exchange,
            &catalog,
            ctx.accounts.config.liquidation_buffer as i128,
        )?
    };
    require!(!result.closed.is_empty(), PerpError::NotLiquidatable);
    for (market, before) in markets.iter_mut().zip(longs_before) {
        let after = longs(market.index, &account, &liquidator, &others);
        let open_interest = market.open_interest as i128 + after - before;
        market.open_interest = u64::try_from(open_interest).map_err(|_| PerpError::Overflow)?;
    }
    check_holders_complete(&result, &markets, &liquidator, &others, &account)?;
    ctx.accounts.user.store(&account)?;
    ctx.accounts.liquidator.store(&liquidator)?;
    for (holder, state) in holders.iter_mut().zip(&others) {
        holder.store(state)?;
        holder.exit(&crate::ID)?;
    }
    for market in &markets {
        market.exit(&crate::ID)?;
    }
    store_exchange(&mut ctx.accounts.config, &exchange)?;
    emit!(Liquidated {
        user: ctx.accounts.user.key(),
        liquidator: ctx.accounts.liquidator.key(),
        positions_closed: result.closed.len() as u8,
        fees: narrow(result.closed.iter().map(|c| c.fee).sum())?,
        insurance_draw: narrow(result.insurance_draw)?,
        socialised_loss: narrow(result.socialised_loss)?,
        bad_debt: narrow(result.bad_debt)?,
    });
    Ok(())
}

/// The user accounts among the remaining accounts, each once, neither of the two parties.
fn holder_accounts<'info>(
    infos: &'info [AccountInfo<'info>],
    user: &Pubkey,
    liquidator: &Pubkey,
) -> Result<Vec<Account<'info, User>>> {
    let mut holders: Vec<Account<'info, User>> = Vec::new();
    for info in infos {
        if let Ok(holder) = Account::<User>::try_from(info) {
            let key = holder.key();
            let fresh = key != *user && key != *liquidator && holders.iter().all(|h| h.key() != key);
            require!(fresh, PerpError::AccountMismatch);
            holders.push(holder);
        }
    }
    Ok(holders)
}

fn longs(market: u16, account: &UserState, liquidator: &UserState, others: &[UserState]) -> i128 {
    long_base(account, market)
        + long_base(liquidator, market)
        + others.iter().map(|o| long_base(o, market)).sum::<i128>()
}

/// A loss shared across the opposite side (or left as bad debt because nobody held it)
/// must have seen every holder of that side: their sizes must add up to the open interest.
fn check_holders_complete(
    result: &LiquidationResult,
    markets: &[Account<Market>],
    liquidator: &UserState,
    others: &[UserState],
    account: &UserState,
) -> Result<()> {
    let attempted = result.socialised_loss > 0 || result.bad_debt > 0;
    if !attempted {
        return Ok(());
    }
    let worst = result.closed.iter().min_by_key(|c| c.realised).ok_or(PerpError::NotLiquidatable)?;
    let side = if worst.base > 0 { 1 } else { -1 };
    let seen: i128 = [liquidator, account]
        .into_iter()
        .chain(others.iter())
        .filter_map(|s| s.position(worst.market))
        .filter(|p| p.base * side < 0)
        .map(|p| p.base.abs())
        .sum();
    let market = markets.iter().find(|m| m.index == worst.market).ok_or(PerpError::MissingMarketAccount)?;
    require!(seen == market.open_interest as i128, PerpError::IncompleteHolders);
    Ok(())
}
