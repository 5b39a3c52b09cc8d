//! Building the ledger's catalog from the config and the market accounts an instruction
//! was given, and settling funding before risk is read.

use anchor_lang::prelude::*;

use crate::errors::PerpError;
use crate::ledger::funding::settle_user_funding;
use crate::ledger::{Catalog, Exchange, UserState};
use crate::state::{Config, Market};

/// The catalog of `markets` (prices count only while fresh at `now`).
pub fn catalog<'a>(config: &Config, markets: impl IntoIterator<Item = &'a Market>, now: i64) -> Catalog {
    Catalog {
        markets: markets.into_iter().map(|m| m.view(now)).collect(),
        assets: config.asset_views(),
        quote_index: 0,
    }
}

/// The exchange's balances from the config.
pub fn exchange(config: &Config) -> Exchange {
    Exchange { insurance_fund: config.insurance_fund as i128, fees_collected: config.fees_collected as i128 }
}

/// Store the exchange's balances into the config.
pub fn store_exchange(config: &mut Config, exchange: &Exchange) -> Result<()> {
    config.insurance_fund = crate::state::narrow(exchange.insurance_fund)?;
    config.fees_collected = crate::state::narrow(exchange.fees_collected)?;
    Ok(())
}

/// Refuse unless every market the account's risk reads (its positions and the markets
/// pricing its collateral) is in the catalog.
pub fn require_markets(catalog: &Catalog, state: &UserState) -> Result<()> {
    let priced = state
        .balances
        .iter()
        .filter(|(_, balance)| *balance != 0)
        .filter_map(|(asset, _)| catalog.asset(*asset).ok().and_then(|a| a.price_market));
    for market in state.open_markets().into_iter().chain(priced) {
        require!(catalog.market(market).is_ok(), PerpError::MissingMarketAccount);
    }
    Ok(())
}

/// Settle the account's funding in every market of the catalog it holds a position in.
pub fn settle_all_funding(state: &mut UserState, exchange: &mut Exchange, catalog: &Catalog) {
    for market in state.open_markets() {
        if let Ok(view) = catalog.market(market) {
            settle_user_funding(state, exchange, market, catalog.quote_index, view.funding_index);
        }
    }
}

/// The market accounts among `infos` (others are left for the caller).
pub fn market_accounts<'info>(infos: &'info [AccountInfo<'info>]) -> Result<Vec<Account<'info, Market>>> {
    let mut markets: Vec<Account<'info, Market>> = Vec::new();
    for info in infos {
        if let Ok(market) = Account::<Market>::try_from(info) {
            require!(markets.iter().all(|m| m.key() != market.key()), PerpError::AccountMismatch);
            markets.push(market);
        }
    }
    Ok(markets)
}

/// The current unix time.
pub fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}
