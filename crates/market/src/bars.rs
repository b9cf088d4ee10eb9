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
    let rows = read_rows(reader, Money::ZERO, |text| Money::from_str(text).ok())?;
    Ok(rows
        .into_iter()
        .map(|(date, [open, high, low, close, volume])| Candle { date, open, high, low, close, volume })
        .collect())
}

/// Reads a daily-bars CSV (as [`read_daily_bars`]) straight into floating
/// point for indicators: each number is parsed from its text to the nearest
/// double, as every other tool (TA-Lib through Python, spreadsheets) reads it.
pub fn read_ohlcv(reader: impl Read) -> Result<Vec<(NaiveDate, crate::indicators::Ohlcv)>, BarError> {
    let rows = read_rows(reader, 0.0, |text| text.parse::<f64>().ok().filter(|x| x.is_finite()))?;
    Ok(rows
        .into_iter()
        .map(|(date, [open, high, low, close, volume])| {
            (date, crate::indicators::Ohlcv { open, high, low, close, volume })
        })
        .collect())
}

/// The one reader behind both: columns by name, numbers by `number`, the
/// range checked (and the low above `zero`), rows sorted by date. Numbers come
/// as open, high, low, close, volume.
fn read_rows<T: Copy + PartialOrd>(
    reader: impl Read,
    zero: T,
    number: impl Fn(&str) -> Option<T>,
) -> Result<Vec<(NaiveDate, [T; 5])>, BarError> {
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers()?.clone();
    let col = |name: &'static str| {
        headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name)).ok_or(BarError::MissingColumn(name))
    };
    let date_column = col("date")?;
    let columns = [
        ("open", col("open")?),
        ("high", col("high")?),
        ("low", col("low")?),
        ("close", col("close")?),
        ("volume", col("volume")?),
    ];
    let mut rows = Vec::new();
    for record in csv.records() {
        let record = record?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = |reason: String| BarError::BadRow { line, reason };
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let date = NaiveDate::parse_from_str(field(date_column), "%Y-%m-%d")
            .map_err(|_| bad(format!("date '{}' is not YYYY-MM-DD", field(date_column))))?;
        let mut values = [zero; 5];
        for (value, (name, i)) in values.iter_mut().zip(columns) {
            *value = number(field(i)).ok_or_else(|| bad(format!("{name} '{}' is not a number", field(i))))?;
        }
        let [open, high, low, close, volume] = values;
        let (lesser, greater) = if open < close { (open, close) } else { (close, open) };
        if !(zero < low && low <= lesser && greater <= high) {
            return Err(bad("0 < low <= open, close <= high does not hold".into()));
        }
        rows.push((date, [open, high, low, close, volume]));
    }
    rows.sort_by_key(|r| r.0);
    Ok(rows)
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
