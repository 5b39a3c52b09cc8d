//! A trader's cross-margin account: collateral balances and perpetual positions.

use anchor_lang::prelude::*;

use super::config::MAX_ASSETS;
use super::narrow;
use crate::errors::PerpError;
use crate::ledger::UserState;
use crate::math::positions::Position;

/// Positions one account can hold at once.
pub const MAX_POSITIONS: usize = 8;
/// `market_index` of an unused position slot.
pub const EMPTY_SLOT: u16 = u16::MAX;

/// One perpetual position (`positions.Position`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub struct PerpPosition {
    pub market_index: u16,
    /// Signed base units (+ long, - short).
    pub base: i64,
    /// Signed quote flow that opened what is still open.
    pub quote_entry: i64,
    pub last_funding_index: i128,
}

impl Default for PerpPosition {
    fn default() -> Self {
        Self { market_index: EMPTY_SLOT, base: 0, quote_entry: 0, last_funding_index: 0 }
    }
}

/// A trader's account (seeds `["user", authority]`).
#[account]
#[derive(InitSpace)]
pub struct User {
    pub authority: Pubkey,
    /// Token units per collateral asset, by the config's asset index (signed: the quote
    /// asset can be owed after losses).
    pub collateral: [i64; 8],
    pub positions: [PerpPosition; 8],
    pub bump: u8,
}

impl User {
    pub const SEED: &'static [u8] = b"user";

    /// The account as the ledger reads it. Positions keep their slot order.
    pub fn state(&self) -> UserState {
        UserState {
            balances: self
                .collateral
                .iter()
                .enumerate()
                .filter(|(_, balance)| **balance != 0)
                .map(|(asset, balance)| (asset as u16, *balance as i128))
                .collect(),
            positions: self
                .positions
                .iter()
                .filter(|p| p.market_index != EMPTY_SLOT)
                .map(|p| {
                    let position = Position {
                        base: p.base as i128,
                        quote_entry: p.quote_entry as i128,
                        last_funding_index: p.last_funding_index,
                    };
                    (p.market_index, position)
                })
                .collect(),
        }
    }

    /// Store the ledger's figures back; a position that is flat with nothing left in its
    /// entry flow frees its slot.
    pub fn store(&mut self, state: &UserState) -> Result<()> {
        let mut collateral = [0i64; MAX_ASSETS];
        for (asset, balance) in &state.balances {
            let slot = collateral.get_mut(*asset as usize).ok_or(PerpError::UnknownAsset)?;
            *slot = narrow(*balance)?;
        }
        let mut positions = [PerpPosition::default(); MAX_POSITIONS];
        let kept = state.positions.iter().filter(|(_, p)| p.base != 0 || p.quote_entry != 0);
        for (slot, (market_index, p)) in kept.enumerate() {
            let target = positions.get_mut(slot).ok_or(PerpError::CapacityReached)?;
            *target = PerpPosition {
                market_index: *market_index,
                base: narrow(p.base)?,
                quote_entry: narrow(p.quote_entry)?,
                last_funding_index: p.last_funding_index,
            };
        }
        self.collateral = collateral;
        self.positions = positions;
        Ok(())
    }
}

/// How much a set of positions adds to a market's open interest (its longs).
pub fn long_base(state: &UserState, market: u16) -> i128 {
    state.position(market).map_or(0, |p| p.base.max(0))
}
