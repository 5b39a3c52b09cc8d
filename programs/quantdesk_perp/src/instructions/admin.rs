//! Admin instructions: initialize, list collateral and markets, change parameters, and
//! move money in and out of the insurance fund.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, Transfer};

use anchor_lang::system_program::{self, CreateAccount};
use anchor_spl::token::InitializeAccount3;

use crate::errors::PerpError;
use crate::math::constants::RATIO_PRECISION;
use crate::state::{
    CollateralAsset, Config, Market, MarketParams, MarketStatus, MarketUpdate, MAX_ASSETS, NO_MARKET,
    VAULT_SEED,
};

#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + Config::INIT_SPACE, seeds = [Config::SEED], bump)]
    pub config: Account<'info, Config>,
    pub quote_mint: Account<'info, Mint>,
    /// CHECK: created here as the quote asset's token account, owned by the config.
    #[account(mut, seeds = [VAULT_SEED, quote_mint.key().as_ref()], bump)]
    pub quote_vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Create the config with the quote asset (index 0, counted at face value).
pub fn initialize(
    ctx: Context<Initialize>,
    keeper: Pubkey,
    liquidation_buffer: u32,
    quote_symbol: [u8; 8],
) -> Result<()> {
    require!(quote_symbol[0] != 0, PerpError::InvalidAssetParameters);
    let config = &mut ctx.accounts.config;
    config.admin = ctx.accounts.admin.key();
    config.keeper = keeper;
    config.liquidation_buffer = liquidation_buffer;
    config.bump = ctx.bumps.config;
    create_vault(
        &ctx.accounts.admin,
        &ctx.accounts.quote_vault,
        &ctx.accounts.quote_mint,
        &config.to_account_info(),
        &ctx.accounts.token_program,
        &ctx.accounts.system_program,
        ctx.bumps.quote_vault,
    )?;
    config.assets[0] = CollateralAsset {
        mint: ctx.accounts.quote_mint.key(),
        vault: ctx.accounts.quote_vault.key(),
        symbol: quote_symbol,
        decimals: ctx.accounts.quote_mint.decimals,
        initial_weight: RATIO_PRECISION as u32,
        maintenance_weight: RATIO_PRECISION as u32,
        price_market: NO_MARKET,
    };
    config.asset_count = 1;
    Ok(())
}

#[derive(Accounts)]
pub struct AddCollateralAsset<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, seeds = [Config::SEED], bump = config.bump, has_one = admin)]
    pub config: Account<'info, Config>,
    pub mint: Account<'info, Mint>,
    /// CHECK: created here as the asset's token account, owned by the config.
    #[account(mut, seeds = [VAULT_SEED, mint.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// List a collateral asset priced by the oracle of `price_market`.
pub fn add_collateral_asset(
    ctx: Context<AddCollateralAsset>,
    symbol: [u8; 8],
    initial_weight: u32,
    maintenance_weight: u32,
    price_market: u16,
) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let count = config.asset_count as usize;
    require!(count < MAX_ASSETS, PerpError::CapacityReached);
    let valid = symbol[0] != 0
        && 0 < initial_weight
        && initial_weight <= maintenance_weight
        && maintenance_weight as i128 <= RATIO_PRECISION
        && price_market < config.market_count;
    require!(valid, PerpError::InvalidAssetParameters);
    create_vault(
        &ctx.accounts.admin,
        &ctx.accounts.vault,
        &ctx.accounts.mint,
        &config.to_account_info(),
        &ctx.accounts.token_program,
        &ctx.accounts.system_program,
        ctx.bumps.vault,
    )?;
    config.assets[count] = CollateralAsset {
        mint: ctx.accounts.mint.key(),
        vault: ctx.accounts.vault.key(),
        symbol,
        decimals: ctx.accounts.mint.decimals,
        initial_weight,
        maintenance_weight,
        price_market,
    };
    config.asset_count += 1;
    Ok(())
}

#[derive(Accounts)]
pub struct AddMarket<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, seeds = [Config::SEED], bump = config.bump, has_one = admin)]
    pub config: Account<'info, Config>,
    #[account(
        init,
        payer = admin,
        space = 8 + Market::INIT_SPACE,
        seeds = [Market::SEED, config.market_count.to_le_bytes().as_ref()],
        bump,
    )]
    pub market: Account<'info, Market>,
    pub system_program: Program<'info, System>,
}

/// List a perpetual market at the next index.
pub fn add_market(ctx: Context<AddMarket>, params: MarketParams) -> Result<()> {
    params.check()?;
    let config = &mut ctx.accounts.config;
    let market = &mut ctx.accounts.market;
    market.index = config.market_count;
    market.status = MarketStatus::Active;
    market.params = params;
    market.last_funding_at = Clock::get()?.unix_timestamp;
    market.bump = ctx.bumps.market;
    config.market_count = config.market_count.checked_add(1).ok_or(PerpError::CapacityReached)?;
    Ok(())
}

#[derive(Accounts)]
pub struct UpdateMarket<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [Config::SEED], bump = config.bump, has_one = admin)]
    pub config: Account<'info, Config>,
    #[account(mut)]
    pub market: Account<'info, Market>,
}

/// Change a running market's adjustable parameters or halt and resume it.
pub fn update_market(ctx: Context<UpdateMarket>, update: MarketUpdate) -> Result<()> {
    let market = &mut ctx.accounts.market;
    let mut params = market.params;
    macro_rules! apply {
        ($($field:ident),*) => { $(if let Some(value) = update.$field { params.$field = value; })* };
    }
    apply!(
        min_size,
        max_leverage,
        initial_margin_ratio,
        maintenance_margin_ratio,
        maker_fee,
        taker_fee,
        liquidation_fee,
        liquidator_fee_share,
        max_funding_rate,
        max_oracle_age_s
    );
    params.check()?;
    market.params = params;
    if let Some(status) = update.status {
        market.status = status;
    }
    Ok(())
}

#[derive(Accounts)]
pub struct UpdateInsuranceFund<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [Config::SEED], bump = config.bump, has_one = admin)]
    pub config: Account<'info, Config>,
    #[account(mut, token::mint = config.assets[0].mint, token::authority = admin)]
    pub admin_token: Account<'info, TokenAccount>,
    #[account(mut, address = config.assets[0].vault)]
    pub quote_vault: Account<'info, TokenAccount>,
    pub token_program: Program<'info, Token>,
}

/// Add quote tokens to the insurance fund (`amount` > 0) or take them out (< 0).
pub fn update_insurance_fund(ctx: Context<UpdateInsuranceFund>, amount: i64) -> Result<()> {
    require!(amount != 0, PerpError::InvalidAmount);
    let fund = ctx.accounts.config.insurance_fund;
    let after = fund.checked_add(amount).ok_or(PerpError::Overflow)?;
    require!(after >= 0, PerpError::InsuranceFundTooSmall);
    let program = ctx.accounts.token_program.to_account_info();
    if amount > 0 {
        let accounts = Transfer {
            from: ctx.accounts.admin_token.to_account_info(),
            to: ctx.accounts.quote_vault.to_account_info(),
            authority: ctx.accounts.admin.to_account_info(),
        };
        token::transfer(CpiContext::new(program, accounts), amount as u64)?;
    } else {
        let bump = [ctx.accounts.config.bump];
        let seeds: &[&[&[u8]]] = &[&[Config::SEED, &bump]];
        let accounts = Transfer {
            from: ctx.accounts.quote_vault.to_account_info(),
            to: ctx.accounts.admin_token.to_account_info(),
            authority: ctx.accounts.config.to_account_info(),
        };
        token::transfer(CpiContext::new_with_signer(program, accounts, seeds), amount.unsigned_abs())?;
    }
    ctx.accounts.config.insurance_fund = after;
    Ok(())
}

/// Create the program's token account for `mint` at its PDA, owned by the config.
fn create_vault<'info>(
    payer: &Signer<'info>,
    vault: &UncheckedAccount<'info>,
    mint: &Account<'info, Mint>,
    config: &AccountInfo<'info>,
    token_program: &Program<'info, Token>,
    system_program: &Program<'info, System>,
    bump: u8,
) -> Result<()> {
    let mint_key = mint.key();
    let bump = [bump];
    let seeds: &[&[&[u8]]] = &[&[VAULT_SEED, mint_key.as_ref(), &bump]];
    let space = TokenAccount::LEN;
    let accounts = CreateAccount { from: payer.to_account_info(), to: vault.to_account_info() };
    let create = CpiContext::new_with_signer(system_program.to_account_info(), accounts, seeds);
    system_program::create_account(
        create,
        Rent::get()?.minimum_balance(space),
        space as u64,
        &token_program.key(),
    )?;
    let accounts = InitializeAccount3 {
        account: vault.to_account_info(),
        mint: mint.to_account_info(),
        authority: config.clone(),
    };
    token::initialize_account3(CpiContext::new(token_program.to_account_info(), accounts))
}
