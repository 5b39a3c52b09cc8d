//! The exchange's configuration: admin, keeper, collateral assets, insurance fund, fees.

use anchor_lang::prelude::*;

use crate::ledger::AssetView;

/// Collateral assets the program can hold.
pub const MAX_ASSETS: usize = 8;
/// Seed of a collateral asset's vault (with the mint's address).
pub const VAULT_SEED: &[u8] = b"vault";
/// `price_market` of an asset that counts at face value (the quote asset).
pub const NO_MARKET: u16 = u16::MAX;

/// One collateral asset: its mint, vault and weights.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Default, InitSpace, PartialEq, Eq, Debug)]
pub struct CollateralAsset {
    pub mint: Pubkey,
    /// The program's token account holding every user's deposits of this asset.
    pub vault: Pubkey,
    pub symbol: [u8; 8],
    pub decimals: u8,
    /// Ratio units (1_000_000 = 100%).
    pub initial_weight: u32,
    pub maintenance_weight: u32,
    /// The market whose oracle prices this asset, or `NO_MARKET` for the quote asset.
    pub price_market: u16,
}

/// The program's single configuration account (seeds `["config"]`).
#[account]
#[derive(InitSpace)]
pub struct Config {
    pub admin: Pubkey,
    /// Signs fills, prices and funding: the backend's settlement keeper.
    pub keeper: Pubkey,
    pub assets: [CollateralAsset; 8],
    pub asset_count: u8,
    pub market_count: u16,
    /// Quote units held for losses beyond an account's collateral (in the quote vault).
    pub insurance_fund: i64,
    /// Trading fees collected (quote units, in the quote vault).
    pub fees_collected: i64,
    /// Liquidate until maintenance collateral is this far above the requirement (ppm).
    pub liquidation_buffer: u32,
    pub bump: u8,
}

impl Config {
    pub const SEED: &'static [u8] = b"config";

    /// The asset at `index`, if listed.
    pub fn asset(&self, index: u16) -> Option<&CollateralAsset> {
        self.assets[..self.asset_count as usize].get(index as usize)
    }

    /// Every listed asset as the ledger reads it.
    pub fn asset_views(&self) -> Vec<AssetView> {
        self.assets[..self.asset_count as usize]
            .iter()
            .enumerate()
            .map(|(index, asset)| AssetView {
                index: index as u16,
                symbol: symbol_text(&asset.symbol),
                decimals: asset.decimals as u32,
                initial_weight: asset.initial_weight as i128,
                maintenance_weight: asset.maintenance_weight as i128,
                price_market: (asset.price_market != NO_MARKET).then_some(asset.price_market),
            })
            .collect()
    }
}

/// A zero-padded symbol as text.
pub fn symbol_text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}
