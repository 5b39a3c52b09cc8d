//! Instruction-level tests: the program's entrypoint run in the native runtime against
//! real accounts, SPL Token vaults included.

mod runtime;

use quantdesk_perp::errors::PerpError;
use runtime::harness::{fixed, Exchange};

fn code(error: PerpError) -> Option<u32> {
    Some(u32::from(error))
}

const USDC: usize = 0;
const SOL_ASSET: usize = 1;
const SOL_PERP: usize = 2;

#[test]
fn deposits_and_withdrawals_move_tokens_through_the_vault() {
    let mut ex = Exchange::new();
    let alice = ex.trader();
    ex.mint_to(USDC, &alice.tokens[USDC], 1_000_000_000);
    ex.deposit(&alice, USDC, 750_000_000).unwrap();
    assert_eq!(ex.token_balance(&alice.tokens[USDC]), 250_000_000);
    assert_eq!(ex.token_balance(&ex.vaults[USDC]), 750_000_000);
    assert_eq!(ex.user(&alice).collateral[USDC], 750_000_000);

    ex.withdraw(&alice, USDC, 500_000_000).unwrap();
    assert_eq!(ex.token_balance(&alice.tokens[USDC]), 750_000_000);
    assert_eq!(ex.token_balance(&ex.vaults[USDC]), 250_000_000);
    assert_eq!(ex.user(&alice).collateral[USDC], 250_000_000);
}

#[test]
fn refused_transfers_change_nothing() {
    let mut ex = Exchange::new();
    let (alice, bob) = (ex.trader(), ex.trader());
    ex.mint_to(USDC, &alice.tokens[USDC], 100_000_000);
    ex.deposit(&alice, USDC, 100_000_000).unwrap();
    let before = ex.rt.accounts.clone();

    let over = ex.withdraw(&alice, USDC, 100_000_001).unwrap_err();
    assert_eq!(over.custom_code(), code(PerpError::InsufficientCollateral));
    let zero = ex.deposit(&alice, USDC, 0).unwrap_err();
    assert_eq!(zero.custom_code(), code(PerpError::InvalidAmount));
    // More than the wallet holds: the token program refuses the transfer.
    assert!(ex.deposit(&alice, USDC, 1).is_err());
    // Someone else's token account cannot be the source.
    let mut stolen = ex.move_ix(&alice, USDC, 1, true);
    stolen.accounts[3].pubkey = bob.tokens[USDC];
    assert!(ex.rt.run(stolen).is_err());
    // An asset the config does not list.
    let unknown = ex.move_ix(&alice, USDC, 1, true);
    let mut unknown_asset = unknown.clone();
    unknown_asset.data = anchor_lang::InstructionData::data(&quantdesk_perp::instruction::Deposit {
        asset_index: 7,
        amount: 1,
    });
    assert_eq!(ex.rt.run(unknown_asset).unwrap_err().custom_code(), code(PerpError::UnknownAsset));
    assert_eq!(ex.rt.accounts, before);
}

#[test]
fn a_withdrawal_keeps_initial_margin_at_fresh_prices() {
    let mut ex = Exchange::new();
    let (alice, bob) = (ex.trader(), ex.trader());
    ex.mint_to(USDC, &alice.tokens[USDC], 2_000_000_000);
    ex.mint_to(USDC, &bob.tokens[USDC], 100_000_000_000);
    ex.deposit(&alice, USDC, 2_000_000_000).unwrap();
    ex.deposit(&bob, USDC, 100_000_000_000).unwrap();
    // alice buys 100 SOL at 150: initial margin 10% of 15,000 = 1,500 USDC
    ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_000_000, 100_000_000_000).unwrap();
    let refused = ex.withdraw(&alice, USDC, 600_000_000).unwrap_err();
    assert_eq!(refused.custom_code(), code(PerpError::InsufficientMargin));
    ex.withdraw(&alice, USDC, 400_000_000).unwrap();

    ex.advance(31);
    let stale = ex.withdraw(&alice, USDC, 1).unwrap_err();
    assert_eq!(stale.custom_code(), code(PerpError::StalePrice));
    for market in 0..6 {
        ex.set_prices(market, ex.market(market).mark_price as u64, ex.market(market).oracle_price as u64)
            .unwrap();
    }
    let mut missing = ex.move_ix(&alice, USDC, 1, false);
    missing.accounts.extend(ex.market_metas(false).into_iter().filter(|m| m.pubkey != ex.markets[SOL_PERP]));
    assert_eq!(ex.rt.run(missing).unwrap_err().custom_code(), code(PerpError::MissingMarketAccount));
    ex.withdraw(&alice, USDC, 1).unwrap();
}

#[test]
fn a_fill_settles_once_and_only_from_the_keeper() {
    let mut ex = Exchange::new();
    let (alice, bob) = (ex.trader(), ex.trader());
    for trader in [&alice, &bob] {
        ex.mint_to(USDC, &trader.tokens[USDC], 10_000_000_000);
        ex.deposit(trader, USDC, 10_000_000_000).unwrap();
    }
    ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_123_000, 12_500_000_000).unwrap();
    let (a, b) = (ex.user(&alice), ex.user(&bob));
    assert_eq!((a.positions[0].market_index, a.positions[0].base), (SOL_PERP as u16, 12_500_000_000));
    assert_eq!(b.positions[0].base, -12_500_000_000);
    assert_eq!(a.positions[0].quote_entry, -1_876_537_500);
    // taker fee 5 bp and maker fee 2 bp of 1,876.5375 USDC, rounded up
    assert_eq!(a.collateral[USDC], 10_000_000_000 - 938_269);
    assert_eq!(b.collateral[USDC], 10_000_000_000 - 375_308);
    assert_eq!(ex.config_account().fees_collected, 938_269 + 375_308);
    assert_eq!(ex.market(SOL_PERP).open_interest, 12_500_000_000);
    let before = ex.rt.accounts.clone();

    let again = ex.settle_fill_with_id(SOL_PERP, 1, &alice, true, &bob, 150_123_000, 10_000_000).unwrap_err();
    assert_eq!(again.custom_code(), code(PerpError::FillAlreadySettled));
    let off_tick = ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_123_400, 10_000_000).unwrap_err();
    assert_eq!(off_tick.custom_code(), code(PerpError::InvalidPrice));
    let off_lot = ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_123_000, 10_000_001).unwrap_err();
    assert_eq!(off_lot.custom_code(), code(PerpError::InvalidSize));
    let itself = ex.settle_fill(SOL_PERP, &alice, true, &alice, 150_123_000, 10_000_000).unwrap_err();
    assert_eq!(itself.custom_code(), code(PerpError::AccountMismatch));
    let keeper = ex.keeper;
    ex.keeper = alice.key;
    let forged = ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_123_000, 10_000_000).unwrap_err();
    assert_eq!(forged.custom_code(), Some(anchor_lang::error::ErrorCode::ConstraintHasOne as u32));
    ex.keeper = keeper;
    assert_eq!(ex.rt.accounts, before);
}

#[test]
fn a_halted_market_refuses_fills_until_resumed() {
    use quantdesk_perp::state::{MarketStatus, MarketUpdate};
    let mut ex = Exchange::new();
    let (alice, bob) = (ex.trader(), ex.trader());
    let update = |status| {
        runtime::harness::ix(
            quantdesk_perp::accounts::UpdateMarket {
                admin: ex.admin,
                config: ex.config,
                market: ex.markets[SOL_PERP],
            },
            quantdesk_perp::instruction::UpdateMarket {
                update: MarketUpdate { status: Some(status), ..Default::default() },
            },
        )
    };
    let (halt, resume) = (update(MarketStatus::Halted), update(MarketStatus::Active));
    ex.rt.run(halt).unwrap();
    let halted = ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_000_000, 10_000_000).unwrap_err();
    assert_eq!(halted.custom_code(), code(PerpError::MarketHalted));
    ex.rt.run(resume).unwrap();
    ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_000_000, 10_000_000).unwrap();

    let inconsistent = runtime::harness::ix(
        quantdesk_perp::accounts::UpdateMarket {
            admin: ex.admin,
            config: ex.config,
            market: ex.markets[SOL_PERP],
        },
        quantdesk_perp::instruction::UpdateMarket {
            update: MarketUpdate { maintenance_margin_ratio: Some(200_000), ..Default::default() },
        },
    );
    assert_eq!(ex.rt.run(inconsistent).unwrap_err().custom_code(), code(PerpError::InvalidMarketParameters));
}

#[test]
fn funding_closes_a_period_from_the_keepers_twaps() {
    let mut ex = Exchange::new();
    let (alice, bob) = (ex.trader(), ex.trader());
    for trader in [&alice, &bob] {
        ex.mint_to(USDC, &trader.tokens[USDC], 10_000_000_000);
        ex.deposit(trader, USDC, 10_000_000_000).unwrap();
    }
    ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_000_000, 10_000_000_000).unwrap();
    let early = ex.close_funding_period(SOL_PERP, 150_750_000, 150_000_000).unwrap_err();
    assert_eq!(early.custom_code(), code(PerpError::FundingNotDue));
    ex.advance(3600);
    let zero = ex.close_funding_period(SOL_PERP, 0, 150_000_000).unwrap_err();
    assert_eq!(zero.custom_code(), code(PerpError::InvalidPrice));
    // mark TWAP 150.75 over oracle 150: premium 0.5% a day, for one hour 0.5% / 24
    ex.close_funding_period(SOL_PERP, 150_750_000, 150_000_000).unwrap();
    let market = ex.market(SOL_PERP);
    assert_eq!(market.last_funding_rate, 208_333);
    assert_eq!(market.funding_index, 208_333 * 150_000_000);
    assert_eq!(
        ex.close_funding_period(SOL_PERP, 150_750_000, 150_000_000).unwrap_err().custom_code(),
        code(PerpError::FundingNotDue)
    );
    for trader in [&alice, &bob] {
        ex.settle_user_funding(SOL_PERP, trader).unwrap();
    }
    // 10 SOL long pays 10 * 150 * 0.0208333% = 0.3125 USDC (floor of -312_499.5 is -312_500)
    let alice_after = ex.user(&alice).collateral[USDC];
    let bob_after = ex.user(&bob).collateral[USDC];
    assert_eq!(alice_after - (10_000_000_000 - 750_000), -312_500);
    assert_eq!(bob_after - (10_000_000_000 - 300_000), 312_499);
    assert_eq!(ex.config_account().insurance_fund, 1);
    // a clamped premium: 10% over a day is capped at the market's 0.75% a period
    ex.advance(3600);
    ex.close_funding_period(SOL_PERP, 200_000_000, 150_000_000).unwrap();
    assert_eq!(ex.market(SOL_PERP).last_funding_rate, 7_500_000);
}

#[test]
fn liquidation_needs_an_unhealthy_account_and_every_opposite_holder_for_a_loss() {
    let mut ex = Exchange::new();
    let (alice, bob, carol, keeper) = (ex.trader(), ex.trader(), ex.trader(), ex.trader());
    ex.mint_to(USDC, &alice.tokens[USDC], 800_000_000);
    ex.deposit(&alice, USDC, 800_000_000).unwrap();
    for trader in [&bob, &carol, &keeper] {
        ex.mint_to(USDC, &trader.tokens[USDC], 100_000_000_000);
        ex.deposit(trader, USDC, 100_000_000_000).unwrap();
    }
    ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_000_000, 30_000_000_000).unwrap();
    ex.settle_fill(SOL_PERP, &alice, true, &carol, 150_010_000, 20_000_000_000).unwrap();
    let healthy = ex.liquidate(&alice, &keeper, &[&bob, &carol]).unwrap_err();
    assert_eq!(healthy.custom_code(), code(PerpError::NotLiquidatable));
    let itself = ex.liquidate(&alice, &alice, &[]).unwrap_err();
    assert_eq!(itself.custom_code(), code(PerpError::SelfLiquidation));

    ex.set_prices(SOL_PERP, 119_900_000, 120_000_000).unwrap();
    let partial = ex.liquidate(&alice, &keeper, &[&bob]).unwrap_err();
    assert_eq!(partial.custom_code(), code(PerpError::IncompleteHolders));
    ex.liquidate(&alice, &keeper, &[&bob, &carol]).unwrap();
    let after = ex.user(&alice);
    assert_eq!(after.positions[0].market_index, u16::MAX, "alice is flat");
    assert_eq!(after.collateral[USDC], 0, "the fund and the shorts covered her deficit");
    assert_eq!(ex.user(&keeper).positions[0].base, 50_000_000_000);
    assert_eq!(ex.market(SOL_PERP).open_interest, 50_000_000_000);
    assert!(ex.rt.logs().iter().any(|l| l.starts_with("Program data: ")), "the Liquidated event was emitted");
}

#[test]
fn the_insurance_fund_takes_and_returns_quote_tokens() {
    let mut ex = Exchange::new();
    let admin = ex.admin;
    let admin_token = ex.create_token_account(&ex.mints[USDC].clone(), &admin);
    ex.mint_to(USDC, &admin_token, 5_000_000);
    let move_fund = |ex: &Exchange, amount: i64| {
        runtime::harness::ix(
            quantdesk_perp::accounts::UpdateInsuranceFund {
                admin: ex.admin,
                config: ex.config,
                admin_token,
                quote_vault: ex.vaults[USDC],
                token_program: spl_token::ID,
            },
            quantdesk_perp::instruction::UpdateInsuranceFund { amount },
        )
    };
    ex.rt.run(move_fund(&ex, 5_000_000)).unwrap();
    assert_eq!(ex.config_account().insurance_fund, 5_000_000);
    assert_eq!(ex.token_balance(&ex.vaults[USDC]), 5_000_000);
    let too_much = ex.rt.run(move_fund(&ex, -5_000_001)).unwrap_err();
    assert_eq!(too_much.custom_code(), code(PerpError::InsuranceFundTooSmall));
    ex.rt.run(move_fund(&ex, -2_000_000)).unwrap();
    assert_eq!(ex.token_balance(&admin_token), 2_000_000);
    assert_eq!(ex.config_account().insurance_fund, 3_000_000);
}

#[test]
fn sol_collateral_counts_at_its_weight() {
    let mut ex = Exchange::new();
    let (alice, bob) = (ex.trader(), ex.trader());
    ex.mint_to(SOL_ASSET, &alice.tokens[SOL_ASSET], fixed("10", 1_000_000_000));
    ex.deposit(&alice, SOL_ASSET, fixed("10", 1_000_000_000)).unwrap();
    ex.mint_to(USDC, &bob.tokens[USDC], 100_000_000_000);
    ex.deposit(&bob, USDC, 100_000_000_000).unwrap();
    // 10 SOL at 150 count 80% for initial margin: 1,200 USDC, enough for 12,000 notional
    ex.settle_fill(SOL_PERP, &alice, true, &bob, 150_000_000, 70_000_000_000).unwrap();
    let refused = ex.withdraw(&alice, SOL_ASSET, fixed("3", 1_000_000_000)).unwrap_err();
    assert_eq!(refused.custom_code(), code(PerpError::InsufficientMargin));
    ex.withdraw(&alice, SOL_ASSET, fixed("1", 1_000_000_000)).unwrap();
    assert_eq!(ex.token_balance(&alice.tokens[SOL_ASSET]), 1_000_000_000);
}
