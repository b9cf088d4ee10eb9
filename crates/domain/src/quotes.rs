//! Market data as it is stored: an instrument's daily bars and its intraday
//! snapshots.

use crate::error::codes;
use crate::{DomainError, InstrumentCode, Money};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

/// One trading day of one instrument.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyBar {
    /// Instrument.
    pub instrument: InstrumentCode,
    /// Trading date.
    pub date: NaiveDate,
    /// Opening price.
    pub open: Money,
    /// Highest price.
    pub high: Money,
    /// Lowest price.
    pub low: Money,
    /// Closing price.
    pub close: Money,
    /// Volume in lots of 100 shares (手), as vendors give it; may be fractional after adjustment.
    pub volume: Money,
    /// Turnover in CNY, where given.
    pub amount: Option<Money>,
    /// Previous close as the exchange set it (for the price band), where given.
    pub prev_close: Option<Money>,
    /// Cumulative adjustment factor (复权因子), where given: price x factor is comparable across splits and dividends.
    pub adj_factor: Option<Decimal>,
}

impl DailyBar {
    /// Checks that prices are positive and high and low bracket open and close.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.low <= Money::ZERO {
            return Err(DomainError::new("low", codes::MUST_BE_POSITIVE));
        }
        if self.high < self.open.max(self.close) {
            return Err(DomainError::new("high", codes::HIGH_BELOW_OPEN_CLOSE));
        }
        if self.low > self.open.min(self.close) {
            return Err(DomainError::new("low", codes::LOW_ABOVE_OPEN_CLOSE));
        }
        if self.volume.is_sign_negative() {
            return Err(DomainError::new("volume", codes::NEGATIVE));
        }
        if self.adj_factor.is_some_and(|f| f <= Decimal::ZERO) {
            return Err(DomainError::new("adj_factor", codes::MUST_BE_POSITIVE));
        }
        Ok(())
    }
}

/// An intraday snapshot (行情快照) of one instrument.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// Instrument.
    pub instrument: InstrumentCode,
    /// When it was taken.
    pub time: DateTime<Utc>,
    /// Last price.
    pub last: Money,
    /// Previous close.
    pub prev_close: Money,
    /// High so far today.
    pub high: Money,
    /// Low so far today.
    pub low: Money,
    /// Volume so far today, in lots.
    pub volume: Money,
    /// Best bid, where given.
    pub bid: Option<Money>,
    /// Best ask, where given.
    pub ask: Option<Money>,
}

impl Snapshot {
    /// Checks that prices are positive and the last price lies within the day's range.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.low <= Money::ZERO || self.prev_close <= Money::ZERO {
            return Err(DomainError::new("low", codes::MUST_BE_POSITIVE));
        }
        if !(self.low <= self.last && self.last <= self.high) {
            return Err(DomainError::new("last", codes::OUTSIDE_DAY_RANGE));
        }
        if self.volume.is_sign_negative() {
            return Err(DomainError::new("volume", codes::NEGATIVE));
        }
        if let (Some(bid), Some(ask)) = (self.bid, self.ask) {
            if bid > ask {
                return Err(DomainError::new("bid", codes::BID_ABOVE_ASK));
            }
        }
        Ok(())
    }
}
