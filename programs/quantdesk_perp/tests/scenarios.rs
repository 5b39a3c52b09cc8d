//! The shared vector scenarios replayed through the program's instructions: deposits and
//! withdrawals through the SPL Token vaults, keeper-signed fills and prices, funding
//! periods, and liquidations. After every step the on-chain accounts must hold exactly
//! the balances, positions, insurance fund and fees that the Python ledger recorded.

mod runtime;

use std::collections::BTreeMap;

use quantdesk_perp::errors::PerpError;
use quantdesk_perp::state::EMPTY_SLOT;
use runtime::harness::{Exchange, Trader};
use serde_json::{json, Map, Value};

struct Replay {
    ex: Exchange,
    traders: BTreeMap<String, Trader>,
    /// Every trader in the order first used (the holders passed to a liquidation).
    order: Vec<String>,
    prices: BTreeMap<usize, (u64, u64)>,
}

fn int(value: &Value) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("not a positive integer: {value}"))
}

impl Replay {
    fn trader(&mut self, name: &Value) -> Trader {
        let name = name.as_str().unwrap().to_string();
        if !self.traders.contains_key(&name) {
            let trader = self.ex.trader();
            self.traders.insert(name.clone(), trader);
            self.order.push(name.clone());
        }
        self.traders[&name].clone()
    }

    fn market(&self, symbol: &str) -> usize {
        self.ex.symbols.iter().position(|s| s == symbol).unwrap()
    }

    fn asset(&self, symbol: &Value) -> usize {
        self.ex.asset_symbols.iter().position(|s| s == symbol.as_str().unwrap()).unwrap()
    }

    fn step(&mut self, step: &Value, expected: &Value) {
        match step["op"].as_str().unwrap() {
            "prices" => {
                for (symbol, both) in step["prices"].as_object().unwrap() {
                    let market = self.market(symbol);
                    let (mark, oracle) = (int(&both["mark"]), int(&both["oracle"]));
                    self.ex.set_prices(market, mark, oracle).unwrap();
                    self.prices.insert(market, (mark, oracle));
                }
            }
            "deposit" => {
                let (trader, asset, amount) =
                    (self.trader(&step["account"]), self.asset(&step["asset"]), int(&step["amount"]));
                self.ex.mint_to(asset, &trader.tokens[asset], amount);
                self.ex.deposit(&trader, asset, amount).unwrap();
            }
            "withdraw" => {
                let (trader, asset) = (self.trader(&step["account"]), self.asset(&step["asset"]));
                let result = self.ex.withdraw(&trader, asset, int(&step["amount"]));
                let want = match expected["outcome"]["error"].as_str() {
                    None => None,
                    Some("insufficient_collateral") => Some(u32::from(PerpError::InsufficientCollateral)),
                    Some("insufficient_margin") => Some(u32::from(PerpError::InsufficientMargin)),
                    Some(other) => panic!("unexpected refusal {other}"),
                };
                assert_eq!(result.err().and_then(|e| e.custom_code()), want);
            }
            "fill" => {
                let (taker, maker) = (self.trader(&step["taker"]), self.trader(&step["maker"]));
                let market = self.market(step["market"].as_str().unwrap());
                let buy = step["taker_side"] == "buy";
                self.ex
                    .settle_fill(market, &taker, buy, &maker, int(&step["price"]), int(&step["size"]))
                    .unwrap();
            }
            "funding" => {
                let market = self.market(step["market"].as_str().unwrap());
                self.ex.advance(3600);
                for (&index, &(mark, oracle)) in &self.prices {
                    self.ex.set_prices(index, mark, oracle).unwrap();
                }
                self.ex
                    .close_funding_period(market, int(&step["mark_twap"]), int(&step["oracle_twap"]))
                    .unwrap();
                for name in self.order.clone() {
                    let trader = self.traders[&name].clone();
                    self.ex.settle_user_funding(market, &trader).unwrap();
                }
            }
            "liquidate" => {
                let (account, liquidator) = (self.trader(&step["account"]), self.trader(&step["liquidator"]));
                let holders: Vec<Trader> = self
                    .order
                    .iter()
                    .map(|n| self.traders[n].clone())
                    .filter(|t| t.key != account.key && t.key != liquidator.key)
                    .collect();
                let result = self.ex.liquidate(&account, &liquidator, &holders.iter().collect::<Vec<_>>());
                if expected["outcome"]["closed"].as_array().unwrap().is_empty() {
                    assert_eq!(
                        result.unwrap_err().custom_code(),
                        Some(u32::from(PerpError::NotLiquidatable))
                    );
                } else {
                    result.unwrap();
                }
            }
            other => panic!("unknown step {other}"),
        }
    }

    /// The on-chain figures in the vectors' shape (balances and positions per account).
    fn state(&self) -> Value {
        let mut accounts = Map::new();
        for (name, trader) in &self.traders {
            let user = self.ex.user(trader);
            let mut balances = Map::new();
            for (asset, balance) in user.collateral.iter().enumerate() {
                if *balance != 0 {
                    balances.insert(self.ex.asset_symbols[asset].clone(), json!(balance));
                }
            }
            let mut positions = Map::new();
            for p in user.positions.iter().filter(|p| p.market_index != EMPTY_SLOT) {
                let index = i64::try_from(p.last_funding_index).unwrap();
                positions.insert(
                    self.ex.symbols[p.market_index as usize].clone(),
                    json!({"base": p.base, "quote_entry": p.quote_entry, "last_funding_index": index}),
                );
            }
            accounts.insert(name.clone(), json!({"balances": balances, "positions": positions}));
        }
        let config = self.ex.config_account();
        json!({"accounts": accounts, "insurance_fund": config.insurance_fund, "fees_collected": config.fees_collected})
    }
}

/// The vectors' expected state reduced to what the program stores.
fn stored_part(state: &Value) -> Value {
    let mut accounts = Map::new();
    for (name, account) in state["accounts"].as_object().unwrap() {
        accounts.insert(
            name.clone(),
            json!({"balances": account["balances"], "positions": account["positions"]}),
        );
    }
    json!({"accounts": accounts, "insurance_fund": state["insurance_fund"], "fees_collected": state["fees_collected"]})
}

#[test]
fn every_scenario_settles_on_chain_as_the_ledger_recorded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    assert!(paths.len() >= 7);
    for path in paths {
        let scenario: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let mut replay = Replay {
            ex: Exchange::new(),
            traders: BTreeMap::new(),
            order: Vec::new(),
            prices: BTreeMap::new(),
        };
        let steps = scenario["steps"].as_array().unwrap();
        for (number, (step, expected)) in
            steps.iter().zip(scenario["expected"].as_array().unwrap()).enumerate()
        {
            replay.step(step, expected);
            assert_eq!(
                replay.state(),
                stored_part(&expected["state"]),
                "{name} step {number} ({})",
                step["op"]
            );
        }
    }
}
