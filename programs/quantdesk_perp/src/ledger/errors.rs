//! Why the ledger refuses an operation (the domain's `RejectCode`s that apply on chain).

/// A refusal; nothing was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerError {
    UnknownMarket,
    UnknownAsset,
    InvalidAmount,
    InvalidPrice,
    InvalidSize,
    InsufficientCollateral,
    /// The amount would breach initial margin; `allowed` is the most that can go now.
    InsufficientMargin {
        allowed: i128,
    },
    MissingPrice {
        market_index: u16,
    },
    SelfLiquidation,
    InvalidFundingInput,
    /// A figure does not fit the account's integer fields.
    Overflow,
}

impl LedgerError {
    /// The domain's machine code for this refusal (`backend/domain/errors.py`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownMarket => "unknown_market",
            Self::UnknownAsset => "unknown_asset",
            Self::InvalidAmount => "invalid_amount",
            Self::InvalidPrice => "invalid_price",
            Self::InvalidSize => "invalid_size",
            Self::InsufficientCollateral => "insufficient_collateral",
            Self::InsufficientMargin { .. } => "insufficient_margin",
            Self::MissingPrice { .. } => "no_valid_price",
            Self::SelfLiquidation => "illegal_transition",
            Self::InvalidFundingInput => "invalid_parameter",
            Self::Overflow => "invalid_amount",
        }
    }
}
