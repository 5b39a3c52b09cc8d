//! Funding (`funding.py`): the period's rate from time-weighted prices, the cumulative
//! index, and what each position pays or receives.

use super::constants::{FUNDING_RATE_PRECISION, PAYMENT_SCALE, RATIO_PRECISION, SECONDS_PER_DAY};
use super::fixed_point::div_floor;
use super::positions::Position;

/// Why a funding figure cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundingInputError {
    /// The oracle TWAP is not positive.
    OracleTwapNotPositive,
    /// The funding period is not positive.
    PeriodNotPositive,
    /// A price sample that is not positive or goes back in time.
    BadSample,
}

/// The period's rate in 1e9 units, rounded towards zero and clamped to the market's
/// `max_funding_rate` (ppm): `trunc((mark - oracle) * 1e9 * period_s / (oracle * 86_400))`.
pub fn funding_rate(
    mark_twap: i128,
    oracle_twap: i128,
    period_s: i128,
    max_funding_rate_ppm: i128,
) -> Result<i128, FundingInputError> {
    if oracle_twap <= 0 {
        return Err(FundingInputError::OracleTwapNotPositive);
    }
    if period_s <= 0 {
        return Err(FundingInputError::PeriodNotPositive);
    }
    let numerator = (mark_twap - oracle_twap) * FUNDING_RATE_PRECISION * period_s;
    let denominator = oracle_twap * SECONDS_PER_DAY;
    let magnitude = numerator.abs() / denominator;
    let rate = if numerator >= 0 { magnitude } else { -magnitude };
    let cap = max_funding_rate_ppm * (FUNDING_RATE_PRECISION / RATIO_PRECISION);
    Ok(rate.clamp(-cap, cap))
}

/// How far the cumulative index moves for `rate` at `oracle_twap`.
pub fn index_delta(rate: i128, oracle_twap: i128) -> i128 {
    rate * oracle_twap
}

/// The change of a position's quote balance for an index move `delta` (floor).
pub fn funding_payment(base: i128, delta: i128) -> i128 {
    div_floor(-base * delta, PAYMENT_SCALE)
}

/// Settle `position` up to `index`: the change of its quote balance; the position's
/// `last_funding_index` moves to `index`.
pub fn settle_position(position: &mut Position, index: i128) -> i128 {
    let change = funding_payment(position.base, index - position.last_funding_index);
    position.last_funding_index = index;
    change
}

/// Integrates mark and oracle prices over time for their time-weighted averages; each
/// sample's prices hold until the next sample (`PriceAccumulator`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PriceAccumulator {
    pub start_ms: i128,
    pub mark_area: i128,
    pub oracle_area: i128,
    pub last_ms: Option<i128>,
    pub last_mark: i128,
    pub last_oracle: i128,
}

impl PriceAccumulator {
    /// Record the prices at `now_ms`.
    pub fn add_sample(&mut self, mark: i128, oracle: i128, now_ms: i128) -> Result<(), FundingInputError> {
        if mark <= 0 || oracle <= 0 {
            return Err(FundingInputError::BadSample);
        }
        match self.last_ms {
            Some(last) if now_ms < last => return Err(FundingInputError::BadSample),
            Some(_) => self.integrate_to(now_ms),
            None => self.start_ms = now_ms,
        }
        self.last_ms = Some(now_ms);
        self.last_mark = mark;
        self.last_oracle = oracle;
        Ok(())
    }

    fn integrate_to(&mut self, now_ms: i128) {
        if let Some(last) = self.last_ms {
            let elapsed = now_ms - last;
            self.mark_area += self.last_mark * elapsed;
            self.oracle_area += self.last_oracle * elapsed;
            self.last_ms = Some(now_ms);
        }
    }

    /// (mark TWAP, oracle TWAP) from the first sample to `now_ms`, rounded down.
    pub fn twaps(&mut self, now_ms: i128) -> Option<(i128, i128)> {
        let last = self.last_ms?;
        self.integrate_to(now_ms.max(last));
        let span = self.last_ms? - self.start_ms;
        if span <= 0 {
            return Some((self.last_mark, self.last_oracle));
        }
        Some((div_floor(self.mark_area, span), div_floor(self.oracle_area, span)))
    }

    /// Begin a new period at `now_ms`, carrying the current prices.
    pub fn restart(&mut self, now_ms: i128) {
        self.start_ms = now_ms;
        self.mark_area = 0;
        self.oracle_area = 0;
        if self.last_ms.is_some() {
            self.last_ms = Some(now_ms);
        }
    }
}
