//! Knowing each customer (issue 6): what their trades, logins and holdings
//! say about them ([`Features`]), kept up to date event by event by an
//! [`Activity`] or folded over a whole history in batch (the same code), and
//! the labels an advisor works with, each with the reasons that decided it
//! ([`labels`]). Pure logic: no I/O, no clocks; days are numbers.

pub mod activity;
pub mod labels;
pub mod plan;

pub use activity::{Activity, Features, Holding, Profile, TradeEvent};
pub use labels::{label, moves, Given, LabelConfig, Labelling, Move};

use thiserror::Error;

/// A day as a number: days since 0001-01-01 (chrono's `num_days_from_ce`).
pub type Day = i32;

/// Money in ten-thousandths of a yuan (0.0001 CNY), as the store keeps it.
pub type Amount = i64;

/// Why an event or a configuration was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ClassifyError {
    /// A trade that cannot be: a field out of range.
    #[error("trade {trade}: {field} {why}")]
    InvalidTrade {
        /// The trade's id.
        trade: domain::TradeId,
        /// The field at fault.
        field: &'static str,
        /// Why.
        why: String,
    },
    /// A customer's events must come in time order (FIFO lots depend on it).
    #[error("trade {trade} on day {day} comes after one on day {latest}: events must arrive in time order")]
    OutOfOrder {
        /// The trade's id.
        trade: domain::TradeId,
        /// Its day.
        day: Day,
        /// The latest day seen.
        latest: Day,
    },
    /// A sell of shares bought the same day, where only T+0 instruments allow it.
    #[error("trade {trade} sells {shares} shares bought the same day (T+1)")]
    SameDaySale {
        /// The trade's id.
        trade: domain::TradeId,
        /// Shares it would take from today's buys.
        shares: i64,
    },
    /// A label configuration that cannot be used.
    #[error("label configuration: {0}")]
    Config(String),
}
