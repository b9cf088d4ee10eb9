//! The position watch engine: every account's market value, day P&L,
//! 20-day peak and largest position, kept current on every quote and trade.
//!
//! Everything inside is fixed-point: prices in 0.001 CNY (厘; every A-share
//! tick is a whole number of them), quantities in shares, values in 0.001
//! CNY. Conversion to and from Decimal happens at the edges (`app`).
//!
//! Two access paths, because they win in different cases:
//! - a full-market sweep (most instruments moved): one in-order pass over the
//!   positions grouped by account, prices in cache ([`Watch::sweep`]);
//! - a quote for one instrument (tick by tick): its holder list, so a quote
//!   costs O(its holders) ([`Watch::quote`]).
//!
//! Positions opened after the build live in a small overflow area that both
//! paths also read, until [`Watch::compact`] folds them into the main arrays.

mod engine;
mod guard;
pub mod holders;
pub mod monitor;
pub mod rules;
mod sent;
pub mod wording;

pub use engine::{
    average_cost, AccountFigures, BookInput, HoldingDetail, InstrumentInput, PositionInput, Positions, RowView, Watch,
    WatchError, HISTORY_DAYS,
};
pub use guard::{Limit, Reaches};
pub use monitor::{top_signal, DayLimits, InstrumentProfile, Monitor, Period};
