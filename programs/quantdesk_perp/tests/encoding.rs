//! Encoding vectors: the program's own serialisation of every instruction, account and
//! event, and its PDAs, written to `tests/vectors/encoding.json`. The Python client
//! (`backend/services/solana/`) must produce and decode the same bytes
//! (`tests/services/solana/test_encoding_vectors.py`).
//!
//! `QUANTDESK_WRITE_VECTORS=1 cargo test --test encoding` rewrites the file after a change
//! to the program's interface; otherwise the file must equal what the program produces.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountSerialize, Discriminator, Event, InstructionData};
use quantdesk_perp::instruction as ix;
use quantdesk_perp::instructions::{FillSettled, FundingRateUpdated, Liquidated, Side};
use quantdesk_perp::state::{
    CollateralAsset, Config, Market, MarketParams, MarketStatus, MarketUpdate, PerpPosition, User, NO_MARKET,
};
use serde_json::{json, Value};

fn key(seed: u8) -> Pubkey {
    Pubkey::new_from_array([seed; 32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text<const N: usize>(symbol: &str) -> [u8; N] {
    let mut bytes = [0u8; N];
    bytes[..symbol.len()].copy_from_slice(symbol.as_bytes());
    bytes
}

fn sol_params() -> MarketParams {
    MarketParams {
        symbol: text("SOL-PERP"),
        tick_size: 1_000,
        lot_size: 10_000_000,
        min_size: 10_000_000,
        max_leverage: 10,
        initial_margin_ratio: 100_000,
        maintenance_margin_ratio: 50_000,
        maker_fee: 200,
        taker_fee: 500,
        liquidation_fee: 15_000,
        liquidator_fee_share: 500_000,
        funding_period_s: 3600,
        max_funding_rate: 7_500,
        max_oracle_age_s: 30,
        oracle: key(9),
    }
}

fn params_json(p: &MarketParams) -> Value {
    json!({
        "symbol": p.symbol.to_vec(), "tick_size": p.tick_size, "lot_size": p.lot_size, "min_size": p.min_size,
        "max_leverage": p.max_leverage, "initial_margin_ratio": p.initial_margin_ratio,
        "maintenance_margin_ratio": p.maintenance_margin_ratio, "maker_fee": p.maker_fee, "taker_fee": p.taker_fee,
        "liquidation_fee": p.liquidation_fee, "liquidator_fee_share": p.liquidator_fee_share,
        "funding_period_s": p.funding_period_s, "max_funding_rate": p.max_funding_rate,
        "max_oracle_age_s": p.max_oracle_age_s, "oracle": p.oracle.to_string(),
    })
}

fn instruction(name: &str, args: Value, data: impl InstructionData) -> Value {
    json!({"name": name, "args": args, "data": hex(&data.data())})
}

fn instructions() -> Vec<Value> {
    let update = MarketUpdate {
        maker_fee: Some(100),
        max_oracle_age_s: Some(60),
        status: Some(MarketStatus::Halted),
        ..Default::default()
    };
    vec![
        instruction(
            "initialize",
            json!({"keeper": key(2).to_string(), "liquidation_buffer": 50_000, "quote_symbol": text::<8>("USDC").to_vec()}),
            ix::Initialize { keeper: key(2), liquidation_buffer: 50_000, quote_symbol: text("USDC") },
        ),
        instruction(
            "add_collateral_asset",
            json!({"symbol": text::<8>("SOL").to_vec(), "initial_weight": 800_000, "maintenance_weight": 900_000, "price_market": 2}),
            ix::AddCollateralAsset {
                symbol: text("SOL"),
                initial_weight: 800_000,
                maintenance_weight: 900_000,
                price_market: 2,
            },
        ),
        instruction(
            "add_market",
            json!({"params": params_json(&sol_params())}),
            ix::AddMarket { params: sol_params() },
        ),
        instruction(
            "update_market",
            json!({"update": {"min_size": null, "max_leverage": null, "initial_margin_ratio": null,
                "maintenance_margin_ratio": null, "maker_fee": 100, "taker_fee": null, "liquidation_fee": null,
                "liquidator_fee_share": null, "max_funding_rate": null, "max_oracle_age_s": 60, "status": "Halted"}}),
            ix::UpdateMarket { update },
        ),
        instruction(
            "update_insurance_fund",
            json!({"amount": -2_500_000}),
            ix::UpdateInsuranceFund { amount: -2_500_000 },
        ),
        instruction(
            "update_prices",
            json!({"mark": 150_123_000u64, "oracle": 150_100_000u64}),
            ix::UpdatePrices { mark: 150_123_000, oracle: 150_100_000 },
        ),
        instruction("initialize_user", json!({}), ix::InitializeUser {}),
        instruction(
            "deposit",
            json!({"asset_index": 0, "amount": 1_000_000_000u64}),
            ix::Deposit { asset_index: 0, amount: 1_000_000_000 },
        ),
        instruction(
            "withdraw",
            json!({"asset_index": 1, "amount": 5_123_456_789u64}),
            ix::Withdraw { asset_index: 1, amount: 5_123_456_789 },
        ),
        instruction(
            "settle_fill",
            json!({"fill_id": 77u64, "taker_side": "Sell", "price": 150_123_000u64, "size": 12_500_000_000u64}),
            ix::SettleFill { fill_id: 77, taker_side: Side::Sell, price: 150_123_000, size: 12_500_000_000 },
        ),
        instruction(
            "settle_funding",
            json!({"mark_twap": 150_750_000u64, "oracle_twap": 150_000_000u64}),
            ix::SettleFunding { mark_twap: 150_750_000, oracle_twap: 150_000_000 },
        ),
        instruction("settle_user_funding", json!({}), ix::SettleUserFunding {}),
        instruction("liquidate", json!({}), ix::Liquidate {}),
    ]
}

fn account<T: AccountSerialize>(name: &str, fields: Value, account: &T) -> Value {
    let mut data = Vec::new();
    account.try_serialize(&mut data).unwrap();
    json!({"name": name, "fields": fields, "data": hex(&data)})
}

fn accounts() -> Vec<Value> {
    let mut assets = [CollateralAsset::default(); 8];
    assets[0] = CollateralAsset {
        mint: key(10),
        vault: key(11),
        symbol: text("USDC"),
        decimals: 6,
        initial_weight: 1_000_000,
        maintenance_weight: 1_000_000,
        price_market: NO_MARKET,
    };
    assets[1] = CollateralAsset {
        mint: key(12),
        vault: key(13),
        symbol: text("SOL"),
        decimals: 9,
        initial_weight: 800_000,
        maintenance_weight: 900_000,
        price_market: 2,
    };
    let config = Config {
        admin: key(1),
        keeper: key(2),
        assets,
        asset_count: 2,
        market_count: 6,
        insurance_fund: 1_234_567,
        fees_collected: 89_012,
        liquidation_buffer: 50_000,
        bump: 254,
    };
    let asset_json = |a: &CollateralAsset| {
        json!({"mint": a.mint.to_string(), "vault": a.vault.to_string(), "symbol": a.symbol.to_vec(),
            "decimals": a.decimals, "initial_weight": a.initial_weight, "maintenance_weight": a.maintenance_weight,
            "price_market": a.price_market})
    };
    let market = Market {
        index: 2,
        status: MarketStatus::Active,
        params: sol_params(),
        mark_price: 150_123_000,
        oracle_price: 150_100_000,
        price_updated_at: 1_767_225_600,
        funding_index: -41_666_550_000_000_123,
        last_funding_rate: -277_777,
        last_funding_at: 1_767_222_000,
        open_interest: 62_500_000_000,
        last_fill_id: 77,
        bump: 253,
    };
    let mut positions = [PerpPosition::default(); 8];
    positions[0] = PerpPosition {
        market_index: 2,
        base: -12_500_000_000,
        quote_entry: 1_876_537_500,
        last_funding_index: -41_666_550_000_000_123,
    };
    positions[1] =
        PerpPosition { market_index: 0, base: 1_234_000, quote_entry: -82_693_000, last_funding_index: 7 };
    let user = User {
        authority: key(3),
        collateral: [1_000_000_000, 5_000_000_000, 0, 0, 0, 0, 0, -3],
        positions,
        bump: 252,
    };
    let position_json = |p: &PerpPosition| {
        json!({"market_index": p.market_index, "base": p.base, "quote_entry": p.quote_entry,
            "last_funding_index": p.last_funding_index.to_string()})
    };
    vec![
        account(
            "Config",
            json!({"admin": key(1).to_string(), "keeper": key(2).to_string(),
                "assets": config.assets.iter().map(asset_json).collect::<Vec<_>>(), "asset_count": 2, "market_count": 6,
                "insurance_fund": 1_234_567, "fees_collected": 89_012, "liquidation_buffer": 50_000, "bump": 254}),
            &config,
        ),
        account(
            "Market",
            json!({"index": 2, "status": "Active", "params": params_json(&market.params), "mark_price": market.mark_price,
                "oracle_price": market.oracle_price, "price_updated_at": market.price_updated_at,
                "funding_index": market.funding_index.to_string(), "last_funding_rate": market.last_funding_rate,
                "last_funding_at": market.last_funding_at, "open_interest": market.open_interest,
                "last_fill_id": market.last_fill_id, "bump": 253}),
            &market,
        ),
        account(
            "User",
            json!({"authority": key(3).to_string(), "collateral": user.collateral.to_vec(),
                "positions": user.positions.iter().map(position_json).collect::<Vec<_>>(), "bump": 252}),
            &user,
        ),
    ]
}

fn event<E: Event + Discriminator>(name: &str, fields: Value, event: &E) -> Value {
    json!({"name": name, "fields": fields, "data": hex(&event.data())})
}

fn events() -> Vec<Value> {
    vec![
        event(
            "FillSettled",
            json!({"market_index": 2, "fill_id": 77, "taker": key(3).to_string(), "maker": key(4).to_string(),
                "taker_side": "Buy", "price": 150_123_000u64, "size": 12_500_000_000u64, "taker_fee": 938_269, "maker_fee": 375_308}),
            &FillSettled {
                market_index: 2,
                fill_id: 77,
                taker: key(3),
                maker: key(4),
                taker_side: Side::Buy,
                price: 150_123_000,
                size: 12_500_000_000,
                taker_fee: 938_269,
                maker_fee: 375_308,
            },
        ),
        event(
            "FundingRateUpdated",
            json!({"market_index": 2, "rate": 208_333, "funding_index": "31249950000000",
                "mark_twap": 150_750_000, "oracle_twap": 150_000_000}),
            &FundingRateUpdated {
                market_index: 2,
                rate: 208_333,
                funding_index: 31_249_950_000_000,
                mark_twap: 150_750_000,
                oracle_twap: 150_000_000,
            },
        ),
        event(
            "Liquidated",
            json!({"user": key(3).to_string(), "liquidator": key(5).to_string(), "positions_closed": 1, "fees": 90_000_000,
                "insurance_draw": 52_656_000, "socialised_loss": 741_294_100, "bad_debt": 0}),
            &Liquidated {
                user: key(3),
                liquidator: key(5),
                positions_closed: 1,
                fees: 90_000_000,
                insurance_draw: 52_656_000,
                socialised_loss: 741_294_100,
                bad_debt: 0,
            },
        ),
    ]
}

fn pdas() -> Value {
    let find = |seeds: &[&[u8]]| Pubkey::find_program_address(seeds, &quantdesk_perp::ID);
    let address = |seeds: &[&[u8]]| {
        let (address, bump) = find(seeds);
        json!({"address": address.to_string(), "bump": bump})
    };
    let markets: Vec<Value> = (0u16..6).map(|i| address(&[b"market", &i.to_le_bytes()])).collect();
    json!({
        "config": address(&[b"config"]),
        "markets": markets,
        "user": {"authority": key(3).to_string(), "pda": address(&[b"user", key(3).as_ref()])},
        "vault": {"mint": key(10).to_string(), "pda": address(&[b"vault", key(10).as_ref()])},
    })
}

#[test]
fn the_encoding_vectors_are_what_the_program_serialises() {
    let vectors = json!({
        "program_id": quantdesk_perp::ID.to_string(),
        "pdas": pdas(),
        "instructions": instructions(),
        "accounts": accounts(),
        "events": events(),
        "discriminators": {
            "Config": hex(&Config::discriminator()),
            "Market": hex(&Market::discriminator()),
            "User": hex(&User::discriminator()),
        },
    });
    let text = serde_json::to_string_pretty(&vectors).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/encoding.json");
    if std::env::var_os("QUANTDESK_WRITE_VECTORS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "tests/vectors/encoding.json is out of date: run with QUANTDESK_WRITE_VECTORS=1"
    );
}
