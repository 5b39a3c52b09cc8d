//! The program's accounts and how they load into, and store from, the ledger's types.

pub mod config;
pub mod market;
pub mod user;

pub use config::*;
pub use market::*;
pub use user::*;

use crate::errors::PerpError;

/// An `i128` ledger figure narrowed to an account field.
pub fn narrow(value: i128) -> anchor_lang::Result<i64> {
    i64::try_from(value).map_err(|_| PerpError::Overflow.into())
}
