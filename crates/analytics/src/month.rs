//! A calendar month, the unit every figure here is kept by.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar month (in Shanghai time where it comes from an instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Months since January of year 0: makes arithmetic and ordering plain.
    index: i32,
}

/// Why a month could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a month: {reason} (write it as YYYY-MM, e.g. 2025-06)")]
pub struct MonthError {
    /// What was given.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Month {
    /// The month of a year (1-12); None outside the years 1900-2999.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1900..3000).contains(&year) && (1..=12).contains(&month))
            .then(|| Month { index: year * 12 + month as i32 - 1 })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month { index: date.year() * 12 + date.month0() as i32 }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.index.div_euclid(12)
    }

    /// The month of the year, 1-12.
    pub fn number(self) -> u32 {
        self.index.rem_euclid(12) as u32 + 1
    }

    /// The month before.
    pub fn pred(self) -> Month {
        Month { index: self.index - 1 }
    }

    /// The month after.
    pub fn succ(self) -> Month {
        Month { index: self.index + 1 }
    }

    /// This month moved by `months` (negative: earlier).
    pub fn plus(self, months: i32) -> Month {
        Month { index: self.index + months }
    }

    /// Whole months from `earlier` to this one (negative if `earlier` is later).
    pub fn since(self, earlier: Month) -> i32 {
        self.index - earlier.index
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.number(), 1).expect("a month's first day exists")
    }

    /// The first day of the next month: the month is the days before it.
    pub fn end(self) -> NaiveDate {
        self.succ().first_day()
    }

    /// The months from `self` to `last`, both included (none if `last` is earlier).
    pub fn through(self, last: Month) -> impl Iterator<Item = Month> {
        (self.index..=last.index).map(|index| Month { index })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(text: &str) -> Result<Month, MonthError> {
        let err = |reason| MonthError { text: text.to_string(), reason };
        let (year, month) = text.split_once('-').ok_or_else(|| err("no '-' between year and month"))?;
        if year.len() != 4 || month.len() != 2 {
            return Err(err("the year takes 4 digits and the month 2"));
        }
        let year: i32 = year.parse().map_err(|_| err("the year is not a number"))?;
        let month: u32 = month.parse().map_err(|_| err("the month is not a number"))?;
        Month::new(year, month).ok_or_else(|| err("the month must be 01-12 and the year 1900-2999"))
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_year_and_month() {
        let m: Month = "2025-06".parse().unwrap();
        assert_eq!((m.year(), m.number()), (2025, 6));
        assert_eq!(m.to_string(), "2025-06");
        assert_eq!(m.pred().to_string(), "2025-05");
        assert_eq!("2025-12".parse::<Month>().unwrap().succ().to_string(), "2026-01");
        assert_eq!("2025-01".parse::<Month>().unwrap().pred().to_string(), "2024-12");
        assert_eq!(m.end(), NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
        assert_eq!(Month::of(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()), m);
        assert_eq!(m.since("2024-11".parse().unwrap()), 7);
        assert_eq!(m.plus(-6).to_string(), "2024-12");
        assert_eq!("2025-01".parse::<Month>().unwrap().through(m).count(), 6);
    }

    #[test]
    fn refuses_what_is_not_a_month_and_says_why() {
        for bad in ["2025-13", "2025-00", "2025/06", "25-06", "2025-6", "abcd-06", ""] {
            let e = bad.parse::<Month>().unwrap_err();
            assert!(e.to_string().contains("YYYY-MM"), "{bad}: {e}");
        }
    }
}
