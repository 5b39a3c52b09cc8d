//! The settlement ledger over plain account states (`backend/domain/ledger.py` and
//! `liquidation.py`): what fills, funding, transfers and liquidations do to accounts and
//! to the exchange's insurance fund and fees. The program's instructions load their
//! accounts into these types, call these functions, and store the result back, so the
//! shared vectors exercise exactly the code the program runs.

pub mod catalog;
pub mod errors;
pub mod fills;
pub mod funding;
pub mod liquidate;
pub mod transfers;
pub mod user;

pub use catalog::{AssetView, Catalog, MarketView};
pub use errors::LedgerError;
pub use user::{Exchange, UserState};
