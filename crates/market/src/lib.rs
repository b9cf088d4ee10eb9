//! Market data and tools: daily bars read from the files brokerages and data
//! vendors publish, technical indicators, and the A-share trading rules. Pure
//! logic over any reader; opening files is the caller's job.

pub mod adjust;
mod bars;
pub mod calendar;
pub mod indicators;
pub mod replay;
pub mod rules;

pub use bars::{read_daily_bars, read_ohlcv, BarError, Candle};
pub use calendar::{CalendarError, TradingCalendar};
