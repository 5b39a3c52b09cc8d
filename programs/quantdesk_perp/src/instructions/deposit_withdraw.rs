//! Collateral in and out: SPL token transfers to and from the program's vaults, with the
//! margin check on the way out.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

use super::catalog::{
    catalog, exchange, market_accounts, now, require_markets, settle_all_funding, store_exchange,
};
use crate::errors::PerpError;
use crate::ledger::transfers;
use crate::state::{Config, User};

#[derive(Accounts)]
#[instruction(asset_index: u16)]
pub struct MoveCollateral<'info> {
    pub authority: Signer<'info>,
    #[account(mut, seeds = [Config::SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(mut, seeds = [User::SEED, authority.key().as_ref()], bump = user.bump, has_one = authority)]
    pub user: Account<'info, User>,
    #[account(
        mut,
        token::mint = config.asset(asset_index).ok_or(PerpError::UnknownAsset)?.mint,
        token::authority = authority,
    )]
    pub user_token: Account<'info, TokenAccount>,
    #[account(mut, address = config.asset(asset_index).ok_or(PerpError::UnknownAsset)?.vault)]
    pub vault: Account<'info, TokenAccount>,
    pub token_program: Program<'info, Token>,
}

/// Move `amount` token units of the asset from the signer's token account into the vault
/// and credit the account.
pub fn deposit(ctx: Context<MoveCollateral>, asset_index: u16, amount: u64) -> Result<()> {
    require!(amount > 0 && amount <= i64::MAX as u64, PerpError::InvalidAmount);
    let mut state = ctx.accounts.user.state();
    let catalog = catalog(&ctx.accounts.config, std::iter::empty(), 0);
    transfers::deposit(&mut state, &catalog, asset_index, amount as i128)?;
    let accounts = Transfer {
        from: ctx.accounts.user_token.to_account_info(),
        to: ctx.accounts.vault.to_account_info(),
        authority: ctx.accounts.authority.to_account_info(),
    };
    token::transfer(CpiContext::new(ctx.accounts.token_program.to_account_info(), accounts), amount)?;
    ctx.accounts.user.store(&state)
}

/// Debit the account and move `amount` token units from the vault to the signer's token
/// account; refused beyond the balance or initial margin. The remaining accounts are the
/// market accounts of every position held and of every priced collateral asset.
pub fn withdraw<'info>(
    ctx: Context<'_, '_, 'info, 'info, MoveCollateral<'info>>,
    asset_index: u16,
    amount: u64,
) -> Result<()> {
    require!(amount > 0 && amount <= i64::MAX as u64, PerpError::InvalidAmount);
    let markets = market_accounts(ctx.remaining_accounts)?;
    let catalog = catalog(&ctx.accounts.config, markets.iter().map(|m| &**m), now()?);
    let mut state = ctx.accounts.user.state();
    require_markets(&catalog, &state)?;
    let mut exchange = exchange(&ctx.accounts.config);
    settle_all_funding(&mut state, &mut exchange, &catalog);
    transfers::withdraw(&mut state, &catalog, asset_index, amount as i128, 0)?;
    let bump = [ctx.accounts.config.bump];
    let seeds: &[&[&[u8]]] = &[&[Config::SEED, &bump]];
    let accounts = Transfer {
        from: ctx.accounts.vault.to_account_info(),
        to: ctx.accounts.user_token.to_account_info(),
        authority: ctx.accounts.config.to_account_info(),
    };
    let program = ctx.accounts.token_program.to_account_info();
    token::transfer(CpiContext::new_with_signer(program, accounts, seeds), amount)?;
    ctx.accounts.user.store(&state)?;
    store_exchange(&mut ctx.accounts.config, &exchange)
}
