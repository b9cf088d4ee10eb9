//! The trading calendar in force: a holidays file read at start (so next
//! year's closures need no rebuild), and the warning that it runs out.

use chrono::{Duration, NaiveDate};
use market::{CalendarError, TradingCalendar};
use std::path::{Path, PathBuf};

/// Days ahead the calendar must cover before staff are warned.
pub const COVERAGE_AHEAD_DAYS: i64 = 30;

/// Why a holidays file could not be put in force.
#[derive(Debug, thiserror::Error)]
pub enum CalendarFileError {
    /// The file cannot be read.
    #[error("holidays file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a weekday closure.
    #[error("holidays file {path}: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Which line and why.
        #[source]
        source: CalendarError,
    },
    /// Days were already counted by another calendar in this process.
    #[error("holidays file {0}: a calendar is already in force; give the file before anything starts")]
    TooLate(PathBuf),
}

/// Reads a holidays file (`date,name`, one weekday closure a line) and puts
/// it in force for this process.
pub fn install(path: &Path) -> Result<(), CalendarFileError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| CalendarFileError::Read { path: path.to_owned(), source })?;
    let calendar =
        TradingCalendar::parse(&text).map_err(|source| CalendarFileError::Invalid { path: path.to_owned(), source })?;
    if TradingCalendar::install(calendar) {
        Ok(())
    } else {
        Err(CalendarFileError::TooLate(path.to_owned()))
    }
}

/// The last day the calendar knows, when that is within
/// [`COVERAGE_AHEAD_DAYS`] of `today` (beyond it every weekday would count
/// as a trading day): the date staff and the operator are warned of.
pub fn runs_out(calendar: &TradingCalendar, today: NaiveDate) -> Option<NaiveDate> {
    let ahead = today + Duration::days(COVERAGE_AHEAD_DAYS);
    (!calendar.covers(ahead)).then(|| calendar.covered_until()).flatten()
}

/// [`runs_out`] for the calendar in force.
pub fn current_runs_out(today: NaiveDate) -> Option<NaiveDate> {
    runs_out(TradingCalendar::current(), today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_ending_within_thirty_days_is_reported() {
        let calendar = TradingCalendar::parse("date,name\n2026-10-01,National Day\n").unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(runs_out(&calendar, day("2026-11-01")), None);
        assert_eq!(runs_out(&calendar, day("2026-12-05")), Some(day("2026-12-31")));
        assert_eq!(runs_out(&calendar, day("2027-02-01")), Some(day("2026-12-31")));
    }
}
