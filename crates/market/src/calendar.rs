//! The trading-day calendar: weekdays that are not exchange holidays.
//!
//! The holidays come from a file (`data/holidays.csv`: `date,name`, one
//! weekday closure a line), since the exchanges publish each year's closures
//! only late in the year before. The committed file's 2024 and early-2025
//! closures are exactly the weekdays missing from the real bars in
//! ../shared/data; a test checks that.

use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeSet;
use thiserror::Error;

/// The committed holidays file, built into the binary.
pub const HOLIDAYS_CSV: &str = include_str!("../../../data/holidays.csv");

/// The calendar in force, once read or installed.
static INSTALLED: std::sync::OnceLock<TradingCalendar> = std::sync::OnceLock::new();

/// Why a holidays file could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("holidays line {line}: {reason}")]
pub struct CalendarError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Which days the exchanges open.
#[derive(Debug, Clone)]
pub struct TradingCalendar {
    holidays: BTreeSet<NaiveDate>,
    last_year: i32,
}

impl TradingCalendar {
    /// Reads a holidays file: a `date,name` header, then one closure a line.
    pub fn parse(text: &str) -> Result<TradingCalendar, CalendarError> {
        let mut holidays = BTreeSet::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            let line_no = i + 1;
            let date_text = line.split(',').next().unwrap_or("").trim();
            if date_text.is_empty() {
                continue;
            }
            let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
                .map_err(|_| CalendarError { line: line_no, reason: format!("'{date_text}' is not YYYY-MM-DD") })?;
            if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(CalendarError {
                    line: line_no,
                    reason: format!("{date} is a weekend day; list weekday closures only"),
                });
            }
            holidays.insert(date);
        }
        let last_year = holidays.iter().next_back().map_or(0, |d| d.year());
        Ok(TradingCalendar { holidays, last_year })
    }

    /// The calendar in force: the holidays file installed at start (the
    /// exchanges publish next year's closures in late December, so a newer
    /// file needs no rebuild), else the committed one, parsed once.
    pub fn current() -> &'static TradingCalendar {
        INSTALLED.get_or_init(|| TradingCalendar::parse(HOLIDAYS_CSV).expect("the committed holidays file is valid"))
    }

    /// Puts a holidays file's calendar in force for this process; false (and
    /// nothing changes) once a calendar has been read, so every part of a
    /// running server counts days by the same one.
    pub fn install(calendar: TradingCalendar) -> bool {
        INSTALLED.set(calendar).is_ok()
    }

    /// The last day the holidays file speaks for (31 December of its last year).
    pub fn covered_until(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.last_year, 12, 31)
    }

    /// True when the holidays file covers the date's year (beyond it, only weekends are known).
    pub fn covers(&self, date: NaiveDate) -> bool {
        date.year() <= self.last_year
    }

    /// Is the exchange open that day?
    pub fn is_trading_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The trading session a day belongs to: the day itself when the
    /// exchanges open, else the next trading day (a weekend's is Monday's).
    pub fn session_of(&self, date: NaiveDate) -> NaiveDate {
        if self.is_trading_day(date) {
            date
        } else {
            self.next_trading_day(date)
        }
    }

    /// The first trading day after `date`.
    pub fn next_trading_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date.succ_opt().expect("date in range");
        while !self.is_trading_day(d) {
            d = d.succ_opt().expect("date in range");
        }
        d
    }

    /// The last trading day before `date`.
    pub fn previous_trading_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date.pred_opt().expect("date in range");
        while !self.is_trading_day(d) {
            d = d.pred_opt().expect("date in range");
        }
        d
    }

    /// Trading days from `first` to `last`, both included (0 if `last` is before `first`).
    pub fn trading_days_between(&self, first: NaiveDate, last: NaiveDate) -> u32 {
        first.iter_days().take_while(|d| *d <= last).filter(|d| self.is_trading_day(*d)).count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_closed_day_belongs_to_the_next_session() {
        let c = TradingCalendar::current();
        assert_eq!(c.session_of(d("2026-12-04")), d("2026-12-04"), "a Friday is its own");
        assert_eq!(c.session_of(d("2026-12-05")), d("2026-12-07"), "a Saturday is Monday's");
        assert_eq!(c.session_of(d("2026-10-01")), d("2026-10-08"), "the National Day closures, as the file lists them");
    }

    #[test]
    fn weekends_and_holidays_are_closed() {
        let c = TradingCalendar::current();
        assert!(c.is_trading_day(d("2024-01-02")));
        assert!(!c.is_trading_day(d("2024-01-06")), "Saturday");
        assert!(!c.is_trading_day(d("2024-10-01")), "National Day");
        assert_eq!(c.next_trading_day(d("2024-09-30")), d("2024-10-08"));
        assert_eq!(c.previous_trading_day(d("2025-02-05")), d("2025-01-27"));
        // Feb 5-8 and 19-23: the exchanges stay shut on the make-up working weekend days too.
        assert_eq!(c.trading_days_between(d("2024-02-05"), d("2024-02-23")), 9, "Spring Festival week out");
        assert!(c.covers(d("2026-12-31")) && !c.covers(d("2027-01-04")));
    }

    #[test]
    fn a_bad_holidays_file_names_the_line() {
        let err = TradingCalendar::parse("date,name\n2024-01-01,x\n2024-13-01,y\n").unwrap_err();
        assert_eq!(err.line, 3);
        let err = TradingCalendar::parse("date,name\n2024-01-06,Saturday\n").unwrap_err();
        assert!(err.reason.contains("weekend"));
    }
}
