//! QuantDesk perpetual futures settlement program.
//!
//! Holds collateral in SPL token vaults and settles what the off-chain matching engine
//! did: fills (keeper-signed, once each), funding, and liquidations (permissionless). The
//! arithmetic is in [`math`] and the account-level rules in [`ledger`], both mirrors of
//! `backend/domain`; [`instructions`] only load accounts, apply them and store results.

use anchor_lang::prelude::*;

pub mod errors;
pub mod instructions;
pub mod ledger;
pub mod math;
pub mod state;

use instructions::*;
use state::{MarketParams, MarketUpdate};

declare_id!("G7isTpCkw8TWhPhozSuZMbUjTEF8Jf8xxAguZyL39L8J");

#[program]
pub mod quantdesk_perp {
    use super::*;

    /// Create the config, its quote asset (index 0) and the quote vault.
    pub fn initialize(
        ctx: Context<Initialize>,
        keeper: Pubkey,
        liquidation_buffer: u32,
        quote_symbol: [u8; 8],
    ) -> Result<()> {
        instructions::admin::initialize(ctx, keeper, liquidation_buffer, quote_symbol)
    }

    /// List a collateral asset and create its vault.
    pub fn add_collateral_asset(
        ctx: Context<AddCollateralAsset>,
        symbol: [u8; 8],
        initial_weight: u32,
        maintenance_weight: u32,
        price_market: u16,
    ) -> Result<()> {
        instructions::admin::add_collateral_asset(
            ctx,
            symbol,
            initial_weight,
            maintenance_weight,
            price_market,
        )
    }

    /// List a perpetual market.
    pub fn add_market(ctx: Context<AddMarket>, params: MarketParams) -> Result<()> {
        instructions::admin::add_market(ctx, params)
    }

    /// Change a market's adjustable parameters, or halt and resume it.
    pub fn update_market(ctx: Context<UpdateMarket>, update: MarketUpdate) -> Result<()> {
        instructions::admin::update_market(ctx, update)
    }

    /// Add quote tokens to the insurance fund, or take them out.
    pub fn update_insurance_fund(ctx: Context<UpdateInsuranceFund>, amount: i64) -> Result<()> {
        instructions::admin::update_insurance_fund(ctx, amount)
    }

    /// The keeper's mark and oracle prices for a market.
    pub fn update_prices(ctx: Context<UpdatePrices>, mark: u64, oracle: u64) -> Result<()> {
        instructions::prices::update_prices(ctx, mark, oracle)
    }

    /// Open the signer's trading account.
    pub fn initialize_user(ctx: Context<InitializeUser>) -> Result<()> {
        instructions::users::initialize_user(ctx)
    }

    /// Deposit collateral into the vault.
    pub fn deposit(ctx: Context<MoveCollateral>, asset_index: u16, amount: u64) -> Result<()> {
        instructions::deposit_withdraw::deposit(ctx, asset_index, amount)
    }

    /// Withdraw collateral, keeping initial margin.
    pub fn withdraw<'info>(
        ctx: Context<'_, '_, 'info, 'info, MoveCollateral<'info>>,
        asset_index: u16,
        amount: u64,
    ) -> Result<()> {
        instructions::deposit_withdraw::withdraw(ctx, asset_index, amount)
    }

    /// Settle a fill between two accounts.
    pub fn settle_fill(
        ctx: Context<SettleFill>,
        fill_id: u64,
        taker_side: Side,
        price: u64,
        size: u64,
    ) -> Result<()> {
        instructions::settle_fill::settle_fill(ctx, fill_id, taker_side, price, size)
    }

    /// Close a market's funding period with the period's TWAPs.
    pub fn settle_funding(ctx: Context<SettleFunding>, mark_twap: u64, oracle_twap: u64) -> Result<()> {
        instructions::funding::settle_funding(ctx, mark_twap, oracle_twap)
    }

    /// Settle one account's funding in one market.
    pub fn settle_user_funding(ctx: Context<SettleUserFunding>) -> Result<()> {
        instructions::funding::settle_user_funding_ix(ctx)
    }

    /// Liquidate an account below maintenance margin.
    pub fn liquidate<'info>(ctx: Context<'_, '_, 'info, 'info, Liquidate<'info>>) -> Result<()> {
        instructions::liquidate::liquidate(ctx)
    }
}
