//! The platform's trading arithmetic, a line-for-line mirror of `backend/domain`.
//!
//! Pure integer functions with no account handling: every amount is an `i128` scaled by
//! one of the precisions in [`constants`], and every division rounds the way the Python
//! domain rounds (in the exchange's favour). The shared vectors under `tests/vectors/`
//! check both implementations against the same expected figures.

pub mod constants;
pub mod fixed_point;
pub mod funding;
pub mod liquidation;
pub mod margin;
pub mod positions;
