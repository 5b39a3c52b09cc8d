//! Settling a fill matched off chain: keeper-signed, once per fill id, in order.

use anchor_lang::prelude::*;

use super::catalog::{exchange, store_exchange};
use crate::errors::PerpError;
use crate::ledger::fills::{apply_fill, FillTerms};
use crate::ledger::funding::settle_user_funding;
use crate::math::fixed_point::fill_fees;
use crate::state::{long_base, narrow, Config, Market, MarketStatus, User};

/// The taker's side of a fill.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Buy,
    Sell,
}

/// A fill was settled.
#[event]
pub struct FillSettled {
    pub market_index: u16,
    pub fill_id: u64,
    pub taker: Pubkey,
    pub maker: Pubkey,
    pub taker_side: Side,
    pub price: u64,
    pub size: u64,
    pub taker_fee: i64,
    pub maker_fee: i64,
}

#[derive(Accounts)]
pub struct SettleFill<'info> {
    pub keeper: Signer<'info>,
    #[account(mut, seeds = [Config::SEED], bump = config.bump, has_one = keeper)]
    pub config: Account<'info, Config>,
    #[account(mut)]
    pub market: Account<'info, Market>,
    #[account(mut)]
    pub taker: Account<'info, User>,
    #[account(mut, constraint = maker.key() != taker.key() @ PerpError::AccountMismatch)]
    pub maker: Account<'info, User>,
}

/// Settle fill `fill_id` (greater than any settled before in this market): both positions,
/// realised PnL, the market's fees, and the open interest.
pub fn settle_fill(
    ctx: Context<SettleFill>,
    fill_id: u64,
    taker_side: Side,
    price: u64,
    size: u64,
) -> Result<()> {
    let market = &mut ctx.accounts.market;
    require!(market.status == MarketStatus::Active, PerpError::MarketHalted);
    require!(fill_id > market.last_fill_id, PerpError::FillAlreadySettled);
    require!(
        price > 0 && price <= i64::MAX as u64 && price.is_multiple_of(market.params.tick_size),
        PerpError::InvalidPrice
    );
    require!(
        size > 0 && size <= i64::MAX as u64 && size.is_multiple_of(market.params.lot_size),
        PerpError::InvalidSize
    );
    let view = market.view(Clock::get()?.unix_timestamp);
    let mut exchange = exchange(&ctx.accounts.config);
    let mut taker = ctx.accounts.taker.state();
    let mut maker = ctx.accounts.maker.state();
    for state in [&mut taker, &mut maker] {
        settle_user_funding(state, &mut exchange, market.index, 0, market.funding_index);
    }
    let longs_before = long_base(&taker, market.index) + long_base(&maker, market.index);
    let (price, size) = (price as i128, size as i128);
    let (maker_fee, taker_fee) = fill_fees(price, size, view.maker_fee, view.taker_fee);
    let taker_sign = if taker_side == Side::Buy { 1 } else { -1 };
    let terms = FillTerms { taker_sign, price, size, taker_fee, maker_fee };
    apply_fill(&mut taker, &mut maker, &mut exchange, &view, 0, terms)?;
    let longs_after = long_base(&taker, market.index) + long_base(&maker, market.index);
    let open_interest = market.open_interest as i128 + longs_after - longs_before;
    market.open_interest = u64::try_from(open_interest).map_err(|_| PerpError::Overflow)?;
    market.last_fill_id = fill_id;
    ctx.accounts.taker.store(&taker)?;
    ctx.accounts.maker.store(&maker)?;
    store_exchange(&mut ctx.accounts.config, &exchange)?;
    emit!(FillSettled {
        market_index: ctx.accounts.market.index,
        fill_id,
        taker: ctx.accounts.taker.key(),
        maker: ctx.accounts.maker.key(),
        taker_side,
        price: price as u64,
        size: size as u64,
        taker_fee: narrow(taker_fee)?,
        maker_fee: narrow(maker_fee)?,
    });
    Ok(())
}
