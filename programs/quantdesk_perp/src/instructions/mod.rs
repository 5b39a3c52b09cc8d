//! The program's instructions, one module per group; each handler loads its accounts into
//! the ledger's types, applies `crate::ledger`, and stores the result.

pub mod admin;
pub mod catalog;
pub mod deposit_withdraw;
pub mod funding;
pub mod liquidate;
pub mod prices;
pub mod settle_fill;
pub mod users;

pub use admin::*;
pub use deposit_withdraw::*;
pub use funding::*;
pub use liquidate::*;
pub use prices::*;
pub use settle_fill::*;
pub use users::*;
