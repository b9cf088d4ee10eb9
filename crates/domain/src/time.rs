use crate::error::codes;
use crate::DomainError;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// Asia/Shanghai. China has kept UTC+8 without daylight saving since 1991, so
/// a fixed offset is exact for every date the market data covers and saves
/// carrying a time-zone database in the binary.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A UTC instant as wall-clock time in Shanghai, for display.
pub fn to_shanghai(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&shanghai())
}

/// Where "now" comes from, injected wherever the code needs the time: the
/// system's clock in production, a clock a test sets. Instants are UTC; the
/// day is Beijing's.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// This instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today in Beijing.
    fn today(&self) -> NaiveDate {
        to_shanghai(self.now()).date_naive()
    }
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands where it is set, for tests: it moves only when told.
#[derive(Debug)]
pub struct SetClock(std::sync::Mutex<DateTime<Utc>>);

impl SetClock {
    /// A clock standing at `at`.
    pub fn at(at: DateTime<Utc>) -> SetClock {
        SetClock(std::sync::Mutex::new(at))
    }

    /// Moves it to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("the clock's lock is never poisoned") = at;
    }
}

impl Clock for SetClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("the clock's lock is never poisoned")
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| DomainError::new(field, codes::DATE_FORM).with("value", text))
}

/// Parses an RFC 3339 time with an offset, or a plain `YYYY-MM-DD HH:MM:SS`
/// read as Shanghai time (how brokerage back offices write times).
pub fn parse_timestamp(field: &'static str, text: &str) -> Result<DateTime<Utc>, DomainError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|naive| naive.and_local_timezone(shanghai()).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| DomainError::new(field, codes::TIME_FORM).with("value", text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_wall_time_is_stored_as_utc() {
        let t = parse_timestamp("time", "2025-03-04 09:30:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-03-04T01:30:00+00:00");
        let same = parse_timestamp("time", "2025-03-04T09:30:00+08:00").unwrap();
        assert_eq!(t, same);
        assert_eq!(to_shanghai(t).format("%H:%M").to_string(), "09:30");
    }

    #[test]
    fn a_set_clock_stands_still_until_moved_and_its_day_is_beijings() {
        let clock = SetClock::at(parse_timestamp("t", "2026-03-01 23:30:00").unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        clock.set(parse_timestamp("t", "2026-03-02 00:10:00").unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), "past midnight in Beijing");
        assert_eq!(clock.now().to_rfc3339(), "2026-03-01T16:10:00+00:00", "still the 1st in UTC");
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        let err = parse_date("birth_date", "2025-02-30").unwrap_err();
        assert!(err.to_string().contains("birth_date"));
        assert!(parse_timestamp("time", "yesterday").is_err());
    }
}
