//! Market data: daily bars, read from the files brokerages and data vendors
//! publish. Pure parsing over any reader; opening files is the caller's job.

mod bars;

pub use bars::{read_daily_bars, BarError, DailyBar};
