use chrono::NaiveDate;
use domain::Money;
use std::io::Read;
use std::str::FromStr;
use thiserror::Error;

/// One trading day of a bars file: open, high, low, close and volume (K 线).
#[derive(Debug, Clone, PartialEq)]
pub struct Candle {
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
    /// Volume in lots of 100 shares (手); may be fractional after adjustment.
    pub volume: Money,
}

/// Why a bars file could not be read.
#[derive(Debug, Error)]
pub enum BarError {
    /// The file's header lacks a column.
    #[error("missing column '{0}' in header")]
    MissingColumn(&'static str),
    /// A row could not be read as a bar.
    #[error("line {line}: {reason}")]
    BadRow {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The CSV layer failed (I/O or encoding).
    #[error("{0}")]
    Csv(#[from] csv::Error),
}

/// Reads a daily-bars CSV with a header naming date, open, high, low, close
/// and volume in any order (the shared data set writes open, close, high, low).
/// Bars come back sorted by date; a row whose high and low do not bracket its
/// open and close is refused, since every later computation trusts that.
pub fn read_daily_bars(reader: impl Read) -> Result<Vec<Candle>, BarError> {
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers()?.clone();
    let col = |name: &'static str| {
        headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name)).ok_or(BarError::MissingColumn(name))
    };
    let (d, o, h, l, c, v) = (col("date")?, col("open")?, col("high")?, col("low")?, col("close")?, col("volume")?);
    let mut bars = Vec::new();
    for record in csv.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = |reason: String| BarError::BadRow { line, reason };
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let money = |i: usize, name: &str| {
            Money::from_str(field(i)).map_err(|_| bad(format!("{name} '{}' is not a number", field(i))))
        };
        let date = NaiveDate::parse_from_str(field(d), "%Y-%m-%d")
            .map_err(|_| bad(format!("date '{}' is not YYYY-MM-DD", field(d))))?;
        let bar = Candle {
            date,
            open: money(o, "open")?,
            high: money(h, "high")?,
            low: money(l, "low")?,
            close: money(c, "close")?,
            volume: money(v, "volume")?,
        };
        if !(bar.low <= bar.open.min(bar.close) && bar.open.max(bar.close) <= bar.high) || bar.low <= Money::ZERO {
            return Err(bad("low <= open, close <= high does not hold".into()));
        }
        bars.push(bar);
    }
    bars.sort_by_key(|b| b.date);
    Ok(bars)
}

/// Reads a daily-bars CSV (as [`read_daily_bars`]) straight into floating
/// point for indicators: each number is parsed from its text to the nearest
/// double, as every other tool (TA-Lib through Python, spreadsheets) reads it.
pub fn read_ohlcv(reader: impl Read) -> Result<Vec<(NaiveDate, crate::indicators::Ohlcv)>, BarError> {
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers()?.clone();
    let col = |name: &'static str| {
        headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name)).ok_or(BarError::MissingColumn(name))
    };
    let (d, o, h, l, c, v) = (col("date")?, col("open")?, col("high")?, col("low")?, col("close")?, col("volume")?);
    let mut bars = Vec::new();
    for record in csv.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let number = |i: usize, name: &str| {
            field(i)
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| BarError::BadRow { line, reason: format!("{name} '{}' is not a number", field(i)) })
        };
        let date = NaiveDate::parse_from_str(field(d), "%Y-%m-%d")
            .map_err(|_| BarError::BadRow { line, reason: format!("date '{}' is not YYYY-MM-DD", field(d)) })?;
        let bar = crate::indicators::Ohlcv {
            open: number(o, "open")?,
            high: number(h, "high")?,
            low: number(l, "low")?,
            close: number(c, "close")?,
            volume: number(v, "volume")?,
        };
        if !(bar.low <= bar.open.min(bar.close) && bar.open.max(bar.close) <= bar.high) {
            return Err(BarError::BadRow { line, reason: "low <= open, close <= high does not hold".into() });
        }
        bars.push((date, bar));
    }
    bars.sort_by_key(|b| b.0);
    Ok(bars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_by_name_not_position() {
        let text = "date,open,close,high,low,volume\n2024-01-03,10,11,11.5,9.5,100\n2024-01-02,9,10,10.5,8.5,50.5\n";
        let bars = read_daily_bars(text.as_bytes()).unwrap();
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[0].date.to_string(), "2024-01-02", "sorted by date");
        assert_eq!(bars[1].close, Money::from(11));
        assert_eq!(bars[1].high, Money::from_str("11.5").unwrap());
    }

    #[test]
    fn refuses_a_bar_whose_range_is_inverted() {
        let text = "date,open,close,high,low,volume\n2024-01-03,10,11,10.5,9.5,100\n";
        let err = read_daily_bars(text.as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("line 2:"), "{err}");
    }

    #[test]
    fn reads_a_committed_real_file() {
        let text = include_str!("../../../data/ashare-daily/600519.csv");
        let bars = read_daily_bars(text.as_bytes()).unwrap();
        assert_eq!(bars.len(), 363);
        assert_eq!(bars[0].date.to_string(), "2024-01-02");
    }
}
