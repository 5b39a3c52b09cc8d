//! The markets and collateral assets an operation reads, with their current prices.

use super::errors::LedgerError;
use crate::math::liquidation::LiquidationTerms;
use crate::math::margin::{Collateral, Exposure, PricedBy};

/// One perpetual market's parameters, prices and funding index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketView {
    pub index: u16,
    pub symbol: String,
    pub lot_size: i128,
    pub initial_margin_ratio: i128,
    pub maintenance_margin_ratio: i128,
    pub maker_fee: i128,
    pub taker_fee: i128,
    pub liquidation_fee: i128,
    pub liquidator_fee_share: i128,
    pub mark: Option<i128>,
    pub oracle: Option<i128>,
    pub funding_index: i128,
}

impl MarketView {
    /// The parameters liquidation reads.
    pub fn liquidation_terms(&self) -> LiquidationTerms {
        LiquidationTerms {
            lot_size: self.lot_size,
            maintenance_margin_ratio: self.maintenance_margin_ratio,
            liquidation_fee: self.liquidation_fee,
            liquidator_fee_share: self.liquidator_fee_share,
        }
    }

    /// (mark, oracle), or `MissingPrice`.
    pub fn prices(&self) -> Result<(i128, i128), LedgerError> {
        match (self.mark, self.oracle) {
            (Some(mark), Some(oracle)) => Ok((mark, oracle)),
            _ => Err(LedgerError::MissingPrice { market_index: self.index }),
        }
    }
}

/// One collateral asset's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetView {
    pub index: u16,
    pub symbol: String,
    pub decimals: u32,
    pub initial_weight: i128,
    pub maintenance_weight: i128,
    /// The market whose oracle prices it; None for the quote asset.
    pub price_market: Option<u16>,
}

/// Everything an operation may read about markets and assets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    pub markets: Vec<MarketView>,
    pub assets: Vec<AssetView>,
    pub quote_index: u16,
}

impl Catalog {
    /// The market with `index`.
    pub fn market(&self, index: u16) -> Result<&MarketView, LedgerError> {
        self.markets.iter().find(|m| m.index == index).ok_or(LedgerError::UnknownMarket)
    }

    /// The market with `index`, to update its prices or index.
    pub fn market_mut(&mut self, index: u16) -> Result<&mut MarketView, LedgerError> {
        self.markets.iter_mut().find(|m| m.index == index).ok_or(LedgerError::UnknownMarket)
    }

    /// The asset with `index`.
    pub fn asset(&self, index: u16) -> Result<&AssetView, LedgerError> {
        self.assets.iter().find(|a| a.index == index).ok_or(LedgerError::UnknownAsset)
    }

    /// A balance of `asset` as the margin functions see it.
    pub fn collateral(&self, asset: &AssetView, balance: i128) -> Result<Collateral, LedgerError> {
        let priced_by = match asset.price_market {
            None => None,
            Some(market_index) => {
                Some(PricedBy { market_index, oracle: self.market(market_index)?.prices()?.1 })
            }
        };
        Ok(Collateral {
            asset_index: asset.index,
            balance,
            decimals: asset.decimals,
            initial_weight: asset.initial_weight,
            maintenance_weight: asset.maintenance_weight,
            priced_by,
        })
    }

    /// An open position as the margin functions see it.
    pub fn exposure(
        &self,
        market_index: u16,
        position: crate::math::positions::Position,
    ) -> Result<Exposure, LedgerError> {
        let market = self.market(market_index)?;
        let (mark, oracle) = market.prices()?;
        Ok(Exposure {
            market_index,
            position,
            mark,
            oracle,
            initial_margin_ratio: market.initial_margin_ratio,
            maintenance_margin_ratio: market.maintenance_margin_ratio,
        })
    }
}
