//! The shared settlement vectors (`tests/vectors/` at the repository root) replayed
//! against the program's own math and ledger. pytest replays the same files against the
//! Python domain (`tests/domain/test_shared_vectors.py`).

use std::fs;
use std::path::{Path, PathBuf};

use quantdesk_perp::ledger::fills::{apply_fill, FillTerms};
use quantdesk_perp::ledger::funding::settle_user_funding;
use quantdesk_perp::ledger::liquidate::{liquidate, LiquidationResult};
use quantdesk_perp::ledger::transfers::{deposit, withdraw};
use quantdesk_perp::ledger::{AssetView, Catalog, Exchange, LedgerError, MarketView, UserState};
use quantdesk_perp::math::constants::DEFAULT_LIQUIDATION_BUFFER;
use quantdesk_perp::math::fixed_point::{fee_for, fill_fees};
use quantdesk_perp::math::funding::{funding_payment, funding_rate, index_delta, PriceAccumulator};
use quantdesk_perp::math::liquidation::close_size;
use quantdesk_perp::math::margin::{health, max_withdrawal, requirement};
use quantdesk_perp::math::positions::{apply_trade, Position};
use serde_json::{json, Map, Value};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn load(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn int(value: &Value) -> i128 {
    value.as_i64().map(i128::from).unwrap_or_else(|| panic!("not an integer: {value}"))
}

fn num(value: i128) -> Value {
    json!(i64::try_from(value).expect("figure beyond i64"))
}

fn opt(value: Option<i128>) -> Value {
    value.map_or(Value::Null, num)
}

fn catalog(data: &Value) -> (Catalog, Vec<i128>) {
    let markets: Vec<MarketView> = data["markets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| MarketView {
            index: int(&m["index"]) as u16,
            symbol: m["symbol"].as_str().unwrap().to_string(),
            lot_size: int(&m["lot_size"]),
            initial_margin_ratio: int(&m["initial_margin_ratio"]),
            maintenance_margin_ratio: int(&m["maintenance_margin_ratio"]),
            maker_fee: int(&m["maker_fee"]),
            taker_fee: int(&m["taker_fee"]),
            liquidation_fee: int(&m["liquidation_fee"]),
            liquidator_fee_share: int(&m["liquidator_fee_share"]),
            mark: None,
            oracle: None,
            funding_index: 0,
        })
        .collect();
    let max_rates = data["markets"].as_array().unwrap().iter().map(|m| int(&m["max_funding_rate"])).collect();
    let market_index = |symbol: &str| markets.iter().find(|m| m.symbol == symbol).unwrap().index;
    let assets: Vec<AssetView> = data["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| AssetView {
            index: int(&a["index"]) as u16,
            symbol: a["symbol"].as_str().unwrap().to_string(),
            decimals: int(&a["decimals"]) as u32,
            initial_weight: int(&a["initial_weight"]),
            maintenance_weight: int(&a["maintenance_weight"]),
            price_market: a["price_market"].as_str().map(market_index),
        })
        .collect();
    let quote = data["quote_asset"].as_str().unwrap();
    let quote_index = assets.iter().find(|a| a.symbol == quote).unwrap().index;
    (Catalog { markets, assets, quote_index }, max_rates)
}

/// A scenario's ledger: accounts by name in the order they were first used.
struct Run {
    catalog: Catalog,
    max_rates: Vec<i128>,
    accounts: Vec<(String, UserState)>,
    exchange: Exchange,
    funded: Vec<u16>,
}

impl Run {
    fn slot(&mut self, name: &str) -> usize {
        match self.accounts.iter().position(|(n, _)| n == name) {
            Some(at) => at,
            None => {
                self.accounts.push((name.to_string(), UserState::default()));
                self.accounts.len() - 1
            }
        }
    }

    fn market(&self, symbol: &Value) -> u16 {
        let symbol = symbol.as_str().unwrap();
        self.catalog.markets.iter().find(|m| m.symbol == symbol).unwrap().index
    }

    fn asset(&self, symbol: &Value) -> u16 {
        let symbol = symbol.as_str().unwrap();
        self.catalog.assets.iter().find(|a| a.symbol == symbol).unwrap().index
    }

    fn market_symbol(&self, index: u16) -> String {
        self.catalog.market(index).unwrap().symbol.clone()
    }

    fn step(&mut self, step: &Value) -> Value {
        match step["op"].as_str().unwrap() {
            "prices" => {
                for (symbol, both) in step["prices"].as_object().unwrap() {
                    let index = self.market(&json!(symbol));
                    let market = self.catalog.market_mut(index).unwrap();
                    market.mark = Some(int(&both["mark"]));
                    market.oracle = Some(int(&both["oracle"]));
                }
                json!({})
            }
            "deposit" => {
                let (asset, at) = (self.asset(&step["asset"]), self.slot(step["account"].as_str().unwrap()));
                deposit(&mut self.accounts[at].1, &self.catalog, asset, int(&step["amount"])).unwrap();
                json!({})
            }
            "withdraw" => {
                let (asset, at) = (self.asset(&step["asset"]), self.slot(step["account"].as_str().unwrap()));
                let user = &mut self.accounts[at].1;
                let allowed = max_withdrawal(
                    &user.collateral(&self.catalog).unwrap(),
                    &user.exposures(&self.catalog).unwrap(),
                    asset,
                    0,
                );
                let error = match withdraw(user, &self.catalog, asset, int(&step["amount"]), 0) {
                    Ok(()) => Value::Null,
                    Err(error) => json!(error.code()),
                };
                json!({"max_withdrawal": num(allowed), "error": error})
            }
            "fill" => self.fill(step),
            "funding" => self.funding(step),
            "liquidate" => self.liquidate(step),
            other => panic!("unknown step {other}"),
        }
    }

    fn fill(&mut self, step: &Value) -> Value {
        let market = self.catalog.market(self.market(&step["market"])).unwrap().clone();
        let (price, size) = (int(&step["price"]), int(&step["size"]));
        let (maker_fee, taker_fee) = fill_fees(price, size, market.maker_fee, market.taker_fee);
        let taker_sign = if step["taker_side"] == "buy" { 1 } else { -1 };
        let taker_at = self.slot(step["taker"].as_str().unwrap());
        let maker_at = self.slot(step["maker"].as_str().unwrap());
        let mut taker = std::mem::take(&mut self.accounts[taker_at].1);
        let mut maker = std::mem::take(&mut self.accounts[maker_at].1);
        let terms = FillTerms { taker_sign, price, size, taker_fee, maker_fee };
        let settled =
            apply_fill(&mut taker, &mut maker, &mut self.exchange, &market, self.catalog.quote_index, terms)
                .unwrap();
        self.accounts[taker_at].1 = taker;
        self.accounts[maker_at].1 = maker;
        json!({
            "maker_fee": num(maker_fee),
            "taker_fee": num(taker_fee),
            "taker_realised": num(settled.taker_realised),
            "maker_realised": num(settled.maker_realised),
            "dust": num(settled.dust),
        })
    }

    fn funding(&mut self, step: &Value) -> Value {
        let index = self.market(&step["market"]);
        let oracle_twap = int(&step["oracle_twap"]);
        let rate = funding_rate(
            int(&step["mark_twap"]),
            oracle_twap,
            int(&step["period_s"]),
            self.max_rates[index as usize],
        )
        .unwrap();
        let delta = index_delta(rate, oracle_twap);
        let market = self.catalog.market_mut(index).unwrap();
        market.funding_index += delta;
        let new_index = market.funding_index;
        if !self.funded.contains(&index) {
            self.funded.push(index);
        }
        let mut payments = Map::new();
        for (name, user) in &mut self.accounts {
            if user.position(index).is_some_and(|p| p.base != 0) {
                let change =
                    settle_user_funding(user, &mut self.exchange, index, self.catalog.quote_index, new_index);
                payments.insert(name.clone(), num(change));
            }
        }
        json!({"rate": num(rate), "index_delta": num(delta), "payments": payments})
    }

    fn liquidate(&mut self, step: &Value) -> Value {
        let account_at = self.slot(step["account"].as_str().unwrap());
        let liquidator_at = self.slot(step["liquidator"].as_str().unwrap());
        let mut account = std::mem::take(&mut self.accounts[account_at].1);
        let mut liquidator = std::mem::take(&mut self.accounts[liquidator_at].1);
        let mut others: Vec<(usize, UserState)> = self
            .accounts
            .iter_mut()
            .enumerate()
            .filter(|(at, _)| *at != account_at && *at != liquidator_at)
            .map(|(at, (_, user))| (at, std::mem::take(user)))
            .collect();
        let mut borrowed: Vec<&mut UserState> = others.iter_mut().map(|(_, u)| u).collect();
        let result = liquidate(
            &mut account,
            &mut liquidator,
            &mut borrowed,
            &mut self.exchange,
            &self.catalog,
            DEFAULT_LIQUIDATION_BUFFER,
        )
        .unwrap();
        for (at, user) in others {
            self.accounts[at].1 = user;
        }
        self.accounts[account_at].1 = account;
        self.accounts[liquidator_at].1 = liquidator;
        self.liquidation_json(&result)
    }

    fn liquidation_json(&self, result: &LiquidationResult) -> Value {
        let closed: Vec<Value> = result
            .closed
            .iter()
            .map(|c| {
                json!({
                    "market": self.market_symbol(c.market),
                    "base": num(c.base),
                    "price": num(c.price),
                    "fee": num(c.fee),
                    "liquidator_fee": num(c.liquidator_fee),
                    "insurance_fee": num(c.insurance_fee),
                    "realised": num(c.realised),
                    "liquidator_realised": num(c.liquidator_realised),
                })
            })
            .collect();
        json!({
            "closed": closed,
            "insurance_draw": num(result.insurance_draw),
            "socialised_loss": num(result.socialised_loss),
            "socialised_market": result.socialised_market.map(|m| self.market_symbol(m)),
            "healthy_after": result.healthy_after,
            "flat_after": result.flat_after,
            "bad_debt": num(result.bad_debt),
        })
    }

    fn state(&self) -> Value {
        let mut accounts = Map::new();
        for (name, user) in &self.accounts {
            let mut balances = Map::new();
            for (asset, balance) in &user.balances {
                if *balance != 0 {
                    balances.insert(self.catalog.asset(*asset).unwrap().symbol.clone(), num(*balance));
                }
            }
            let mut positions = Map::new();
            let mut liquidation_prices = Map::new();
            for (market, p) in &user.positions {
                if p.base != 0 || p.quote_entry != 0 {
                    positions.insert(
                        self.market_symbol(*market),
                        json!({
                            "base": num(p.base),
                            "quote_entry": num(p.quote_entry),
                            "last_funding_index": num(p.last_funding_index),
                        }),
                    );
                }
                if p.base != 0 {
                    let price = user.liquidation_price(&self.catalog, *market).unwrap();
                    liquidation_prices.insert(self.market_symbol(*market), opt(price));
                }
            }
            let view = user.risk(&self.catalog).unwrap();
            accounts.insert(
                name.clone(),
                json!({
                    "balances": balances,
                    "positions": positions,
                    "risk": {
                        "collateral_initial": num(view.collateral_initial),
                        "collateral_maintenance": num(view.collateral_maintenance),
                        "unrealised_pnl": num(view.unrealised_pnl),
                        "initial_requirement": num(view.initial_requirement),
                        "maintenance_requirement": num(view.maintenance_requirement),
                        "free_collateral": num(view.free_collateral),
                        "equity": num(view.equity),
                        "notional": num(view.notional),
                        "leverage": opt(view.leverage),
                        "health": num(view.health),
                        "liquidatable": view.liquidatable(),
                    },
                    "liquidation_prices": liquidation_prices,
                }),
            );
        }
        let mut funding_index = Map::new();
        for index in &self.funded {
            funding_index
                .insert(self.market_symbol(*index), num(self.catalog.market(*index).unwrap().funding_index));
        }
        json!({
            "accounts": accounts,
            "insurance_fund": num(self.exchange.insurance_fund),
            "fees_collected": num(self.exchange.fees_collected),
            "funding_index": funding_index,
        })
    }
}

#[test]
fn every_scenario_matches_its_recorded_figures() {
    let mut paths: Vec<PathBuf> = fs::read_dir(vectors_dir().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 7, "scenarios missing: {paths:?}");
    for path in paths {
        let scenario = load(&path);
        let (catalog, max_rates) = catalog(&scenario["catalog"]);
        let mut run = Run {
            catalog,
            max_rates,
            accounts: Vec::new(),
            exchange: Exchange::default(),
            funded: Vec::new(),
        };
        let steps = scenario["steps"].as_array().unwrap();
        let expected = scenario["expected"].as_array().unwrap();
        assert_eq!(steps.len(), expected.len());
        for (number, (step, expect)) in steps.iter().zip(expected).enumerate() {
            let name = path.file_stem().unwrap().to_string_lossy();
            let outcome = run.step(step);
            assert_eq!(outcome, expect["outcome"], "{name} step {number} ({}) outcome", step["op"]);
            assert_eq!(run.state(), expect["state"], "{name} step {number} ({}) state", step["op"]);
        }
    }
}

fn math() -> Value {
    load(&vectors_dir().join("math.json"))
}

#[test]
fn apply_trade_cases() {
    let math = math();
    for case in math["apply_trade"].as_array().unwrap() {
        let mut position = Position {
            base: int(&case["base"]),
            quote_entry: int(&case["quote_entry"]),
            last_funding_index: 0,
        };
        let price = int(&case["price"]);
        let (realised, flow) = apply_trade(&mut position, int(&case["delta"]), price);
        assert_eq!((realised, flow), (int(&case["realised"]), int(&case["flow"])), "{case}");
        assert_eq!(position.base, int(&case["base_after"]));
        assert_eq!(position.quote_entry, int(&case["quote_entry_after"]));
        assert_eq!(position.unrealised_pnl(price), int(&case["unrealised_at_price"]));
        assert_eq!(position.notional(price), int(&case["notional_at_price"]));
    }
}

#[test]
fn funding_cases() {
    let math = math();
    for case in math["funding_rate"].as_array().unwrap() {
        let rate = funding_rate(
            int(&case["mark_twap"]),
            int(&case["oracle_twap"]),
            int(&case["period_s"]),
            int(&case["max_funding_rate"]),
        );
        assert_eq!(rate, Ok(int(&case["rate"])), "{case}");
    }
    for case in math["funding_payment"].as_array().unwrap() {
        assert_eq!(funding_payment(int(&case["base"]), int(&case["delta"])), int(&case["payment"]), "{case}");
    }
    for series in math["twap"].as_array().unwrap() {
        let mut accumulator = PriceAccumulator::default();
        for sample in series["samples"].as_array().unwrap() {
            accumulator.add_sample(int(&sample[0]), int(&sample[1]), int(&sample[2])).unwrap();
        }
        let (mark, oracle) = accumulator.twaps(int(&series["end_ms"])).unwrap();
        assert_eq!(json!([num(mark), num(oracle)]), series["twaps"]);
    }
}

#[test]
fn margin_cases() {
    let math = math();
    for case in math["health"].as_array().unwrap() {
        assert_eq!(
            health(int(&case["collateral"]), int(&case["requirement"])),
            int(&case["health"]),
            "{case}"
        );
    }
    for case in math["requirement_and_fee"].as_array().unwrap() {
        let ratio = int(&case["ratio"]);
        assert_eq!(requirement(int(&case["base"]), int(&case["mark"]), ratio), int(&case["requirement"]));
        assert_eq!(fee_for(int(&case["notional"]), ratio), int(&case["fee"]));
    }
}

#[test]
fn close_size_cases() {
    let math = math();
    let (catalog, _) = catalog(&math["catalog"]);
    for case in math["close_size"].as_array().unwrap() {
        let symbol = case["market"].as_str().unwrap();
        let market = catalog.markets.iter().find(|m| m.symbol == symbol).unwrap();
        let size = close_size(
            int(&case["gap"]),
            int(&case["base"]),
            &market.liquidation_terms(),
            int(&case["mark"]),
            int(&case["price"]),
            int(&case["buffer"]),
        );
        assert_eq!(size, int(&case["size"]), "{case}");
    }
}

#[test]
fn a_refusal_changes_nothing() {
    let (catalog, _) = catalog(&math()["catalog"]);
    let mut user = UserState::default();
    deposit(&mut user, &catalog, 0, 5).unwrap();
    let before = user.clone();
    assert_eq!(withdraw(&mut user, &catalog, 0, 6, 0), Err(LedgerError::InsufficientCollateral));
    assert_eq!(withdraw(&mut user, &catalog, 0, 0, 0), Err(LedgerError::InvalidAmount));
    assert_eq!(deposit(&mut user, &catalog, 42, 1), Err(LedgerError::UnknownAsset));
    assert_eq!(user, before);
}
