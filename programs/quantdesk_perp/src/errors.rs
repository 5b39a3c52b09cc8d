//! The program's errors: each a code (6000 + its position) and a sentence.

use anchor_lang::prelude::*;

use crate::ledger::LedgerError;

/// Why an instruction was refused; nothing was changed.
#[error_code]
pub enum PerpError {
    #[msg("unknown market")]
    UnknownMarket,
    #[msg("unknown collateral asset")]
    UnknownAsset,
    #[msg("the amount must be positive and fit the account")]
    InvalidAmount,
    #[msg("the price must be positive and on the market's tick")]
    InvalidPrice,
    #[msg("the size must be positive and a whole number of lots")]
    InvalidSize,
    #[msg("the balance is smaller than the amount")]
    InsufficientCollateral,
    #[msg("that would breach initial margin")]
    InsufficientMargin,
    #[msg("a market's price is missing or older than its max_oracle_age_s")]
    StalePrice,
    #[msg("an account cannot liquidate itself")]
    SelfLiquidation,
    #[msg("the funding inputs are not valid")]
    InvalidFundingInput,
    #[msg("a figure does not fit the account's fields")]
    Overflow,
    #[msg("the market is halted")]
    MarketHalted,
    #[msg("the market parameters are inconsistent")]
    InvalidMarketParameters,
    #[msg("the collateral asset parameters are inconsistent")]
    InvalidAssetParameters,
    #[msg("no room for another market, asset or position")]
    CapacityReached,
    #[msg("a market account needed for the margin check was not passed")]
    MissingMarketAccount,
    #[msg("an account passed is not the one the instruction needs")]
    AccountMismatch,
    #[msg("this fill was already settled")]
    FillAlreadySettled,
    #[msg("the funding period has not ended")]
    FundingNotDue,
    #[msg("the account is not below maintenance margin")]
    NotLiquidatable,
    #[msg("a bankruptcy must be shared by every holder of the opposite side: pass them all")]
    IncompleteHolders,
    #[msg("the insurance fund cannot go below zero")]
    InsuranceFundTooSmall,
    #[msg("prices must not go back in time")]
    PriceFromThePast,
}

impl From<LedgerError> for PerpError {
    fn from(error: LedgerError) -> Self {
        match error {
            LedgerError::UnknownMarket => Self::UnknownMarket,
            LedgerError::UnknownAsset => Self::UnknownAsset,
            LedgerError::InvalidAmount => Self::InvalidAmount,
            LedgerError::InvalidPrice => Self::InvalidPrice,
            LedgerError::InvalidSize => Self::InvalidSize,
            LedgerError::InsufficientCollateral => Self::InsufficientCollateral,
            LedgerError::InsufficientMargin { .. } => Self::InsufficientMargin,
            LedgerError::MissingPrice { .. } => Self::StalePrice,
            LedgerError::SelfLiquidation => Self::SelfLiquidation,
            LedgerError::InvalidFundingInput => Self::InvalidFundingInput,
            LedgerError::Overflow => Self::Overflow,
        }
    }
}

impl From<LedgerError> for Error {
    fn from(error: LedgerError) -> Self {
        PerpError::from(error).into()
    }
}
