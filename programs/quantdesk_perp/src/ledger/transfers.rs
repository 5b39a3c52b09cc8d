//! Deposits and withdrawals of collateral (`Ledger.deposit` and `Ledger.withdraw`).

use super::catalog::Catalog;
use super::errors::LedgerError;
use super::user::UserState;
use crate::math::margin::max_withdrawal;

/// Credit `amount` token units of `asset`.
pub fn deposit(
    account: &mut UserState,
    catalog: &Catalog,
    asset: u16,
    amount: i128,
) -> Result<(), LedgerError> {
    catalog.asset(asset)?;
    if amount <= 0 {
        return Err(LedgerError::InvalidAmount);
    }
    account.credit(asset, amount);
    Ok(())
}

/// Debit `amount` token units of `asset`, refused beyond the balance or when free collateral
/// would fall below `reserved` (`InsufficientMargin` carries the most allowed now).
pub fn withdraw(
    account: &mut UserState,
    catalog: &Catalog,
    asset: u16,
    amount: i128,
    reserved: i128,
) -> Result<(), LedgerError> {
    catalog.asset(asset)?;
    if amount <= 0 {
        return Err(LedgerError::InvalidAmount);
    }
    if amount > account.balance(asset) {
        return Err(LedgerError::InsufficientCollateral);
    }
    let allowed =
        max_withdrawal(&account.collateral(catalog)?, &account.exposures(catalog)?, asset, reserved);
    if amount > allowed {
        return Err(LedgerError::InsufficientMargin { allowed });
    }
    account.credit(asset, -amount);
    Ok(())
}
