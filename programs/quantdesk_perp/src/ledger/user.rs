//! An account's balances and positions, and the exchange's own balances.

use super::catalog::Catalog;
use super::errors::LedgerError;
use crate::math::margin::{self, Collateral, Exposure, RiskView};
use crate::math::positions::Position;

/// A cross-margin account: balances by asset index, positions by market index (in the
/// order they were opened; flat ones are kept until the account drops them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserState {
    pub balances: Vec<(u16, i128)>,
    pub positions: Vec<(u16, Position)>,
}

impl UserState {
    /// The balance of `asset` (0 if never held).
    pub fn balance(&self, asset: u16) -> i128 {
        self.balances.iter().find(|(a, _)| *a == asset).map_or(0, |(_, b)| *b)
    }

    /// Add a signed amount to a balance.
    pub fn credit(&mut self, asset: u16, amount: i128) {
        match self.balances.iter_mut().find(|(a, _)| *a == asset) {
            Some((_, balance)) => *balance += amount,
            None => self.balances.push((asset, amount)),
        }
    }

    /// The position in `market`, created flat on first use.
    pub fn position_mut(&mut self, market: u16) -> &mut Position {
        let at = match self.positions.iter().position(|(m, _)| *m == market) {
            Some(at) => at,
            None => {
                self.positions.push((market, Position::default()));
                self.positions.len() - 1
            }
        };
        &mut self.positions[at].1
    }

    /// The position in `market`, if one was ever opened.
    pub fn position(&self, market: u16) -> Option<&Position> {
        self.positions.iter().find(|(m, _)| *m == market).map(|(_, p)| p)
    }

    /// Markets with a non-zero position.
    pub fn open_markets(&self) -> Vec<u16> {
        self.positions.iter().filter(|(_, p)| p.base != 0).map(|(m, _)| *m).collect()
    }

    /// Balances as the margin functions see them.
    pub fn collateral(&self, catalog: &Catalog) -> Result<Vec<Collateral>, LedgerError> {
        self.balances
            .iter()
            .filter(|(_, balance)| *balance != 0)
            .map(|(asset, balance)| catalog.collateral(catalog.asset(*asset)?, *balance))
            .collect()
    }

    /// Open positions as the margin functions see them.
    pub fn exposures(&self, catalog: &Catalog) -> Result<Vec<Exposure>, LedgerError> {
        self.positions
            .iter()
            .filter(|(_, p)| p.base != 0)
            .map(|(market, position)| catalog.exposure(*market, *position))
            .collect()
    }

    /// All risk figures at the catalog's prices.
    pub fn risk(&self, catalog: &Catalog) -> Result<RiskView, LedgerError> {
        Ok(margin::risk_view(&self.collateral(catalog)?, &self.exposures(catalog)?))
    }

    /// The liquidation price of the position in `market`.
    pub fn liquidation_price(&self, catalog: &Catalog, market: u16) -> Result<Option<i128>, LedgerError> {
        let collateral = self.collateral(catalog)?;
        Ok(margin::liquidation_price(&collateral, &self.exposures(catalog)?, market))
    }
}

/// The exchange's own balances (quote units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exchange {
    pub insurance_fund: i128,
    pub fees_collected: i128,
}
