//! Real daily bars: the committed subset embedded in the binary, or the full
//! set read from a directory in place.

use chrono::NaiveDate;
use domain::{Exchange, InstrumentCode};
use market::{read_daily_bars, BarError, Candle};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// One real stock with its bars.
#[derive(Debug, Clone)]
pub struct RealStock {
    /// Code with exchange.
    pub code: InstrumentCode,
    /// Short name, where known.
    pub name: Option<String>,
    /// Bars sorted by date.
    pub bars: Vec<Candle>,
}

/// Why market data could not be read.
#[derive(Debug, Error)]
pub enum MarketDataError {
    /// A directory or file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A bars file is malformed.
    #[error("{path}: {source}")]
    Bars {
        /// Path or embedded name.
        path: String,
        /// Cause.
        #[source]
        source: BarError,
    },
    /// The directory holds no bars files.
    #[error("{0} holds no <code>.csv bars files")]
    Empty(PathBuf),
    /// No such indicator, or parameters it does not take.
    #[error(transparent)]
    Indicator(#[from] market::indicators::IndicatorError),
}

/// An indicator's values over a bars file: its column names, and one row
/// (the date, a value per column) per date from the first it answers on.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorSeries {
    /// Column names, e.g. macd, signal, histogram.
    pub columns: Vec<&'static str>,
    /// Dated values.
    pub rows: Vec<(NaiveDate, Vec<f64>)>,
}

/// An indicator over a bars file (date, open, high, low, close, volume by
/// header name).
pub fn indicator_over_file(bars: &Path, name: &str, params: &[f64]) -> Result<IndicatorSeries, MarketDataError> {
    let mut indicator = market::indicators::AnyIndicator::parse(name, params)?;
    let file = std::fs::File::open(bars).map_err(|source| MarketDataError::Io { path: bars.to_owned(), source })?;
    let series = market::read_ohlcv(std::io::BufReader::new(file))
        .map_err(|source| MarketDataError::Bars { path: bars.display().to_string(), source })?;
    let rows = series.iter().filter_map(|(date, bar)| Some((*date, indicator.update(bar)?))).collect();
    Ok(IndicatorSeries { columns: indicator.columns().to_vec(), rows })
}

/// The committed subset (30 stocks across the boards), compiled in.
const EMBEDDED: &[(&str, &str)] = &[
    ("600519", include_str!("../../../data/ashare-daily/600519.csv")),
    ("601318", include_str!("../../../data/ashare-daily/601318.csv")),
    ("600036", include_str!("../../../data/ashare-daily/600036.csv")),
    ("601398", include_str!("../../../data/ashare-daily/601398.csv")),
    ("600900", include_str!("../../../data/ashare-daily/600900.csv")),
    ("603259", include_str!("../../../data/ashare-daily/603259.csv")),
    ("605499", include_str!("../../../data/ashare-daily/605499.csv")),
    ("688981", include_str!("../../../data/ashare-daily/688981.csv")),
    ("688111", include_str!("../../../data/ashare-daily/688111.csv")),
    ("688041", include_str!("../../../data/ashare-daily/688041.csv")),
    ("689009", include_str!("../../../data/ashare-daily/689009.csv")),
    ("000001", include_str!("../../../data/ashare-daily/000001.csv")),
    ("000002", include_str!("../../../data/ashare-daily/000002.csv")),
    ("000858", include_str!("../../../data/ashare-daily/000858.csv")),
    ("000333", include_str!("../../../data/ashare-daily/000333.csv")),
    ("001979", include_str!("../../../data/ashare-daily/001979.csv")),
    ("002594", include_str!("../../../data/ashare-daily/002594.csv")),
    ("002415", include_str!("../../../data/ashare-daily/002415.csv")),
    ("003816", include_str!("../../../data/ashare-daily/003816.csv")),
    ("300750", include_str!("../../../data/ashare-daily/300750.csv")),
    ("300059", include_str!("../../../data/ashare-daily/300059.csv")),
    ("300760", include_str!("../../../data/ashare-daily/300760.csv")),
    ("301458", include_str!("../../../data/ashare-daily/301458.csv")),
    ("302132", include_str!("../../../data/ashare-daily/302132.csv")),
    ("600030", include_str!("../../../data/ashare-daily/600030.csv")),
    ("601012", include_str!("../../../data/ashare-daily/601012.csv")),
    ("603288", include_str!("../../../data/ashare-daily/603288.csv")),
    ("600276", include_str!("../../../data/ashare-daily/600276.csv")),
    ("000651", include_str!("../../../data/ashare-daily/000651.csv")),
    ("002475", include_str!("../../../data/ashare-daily/002475.csv")),
];

/// Short names of the committed stocks.
const NAMES: &str = include_str!("../../../data/ashare-daily/names.csv");

/// The exchange a six-digit stock code belongs to.
pub fn exchange_of(digits: &str) -> Exchange {
    match digits.as_bytes().first() {
        Some(b'6') => Exchange::SH,
        Some(b'4') | Some(b'8') | Some(b'9') => Exchange::BJ,
        _ => Exchange::SZ,
    }
}

fn name_of(digits: &str) -> Option<String> {
    NAMES.lines().skip(1).find_map(|l| {
        let (code, name) = l.split_once(',')?;
        (code == digits).then(|| name.trim().to_owned())
    })
}

fn stock(digits: &str, text: &[u8], origin: &str) -> Result<RealStock, MarketDataError> {
    let code = InstrumentCode::new(digits, exchange_of(digits)).map_err(|e| MarketDataError::Bars {
        path: origin.to_owned(),
        source: BarError::BadRow { line: 0, reason: e.to_string() },
    })?;
    let bars = read_daily_bars(text).map_err(|source| MarketDataError::Bars { path: origin.to_owned(), source })?;
    Ok(RealStock { code, name: name_of(digits), bars })
}

/// The committed subset, sorted by code.
pub fn embedded_stocks() -> Vec<RealStock> {
    let mut stocks: Vec<RealStock> = EMBEDDED
        .iter()
        .map(|(digits, text)| stock(digits, text.as_bytes(), digits).expect("committed bars are valid"))
        .collect();
    stocks.sort_by(|a, b| a.code.cmp(&b.code));
    stocks
}

/// Every `<six digits>.csv` in a directory such as ../shared/data/ashare-daily,
/// sorted by code.
pub fn stocks_in_dir(dir: &Path) -> Result<Vec<RealStock>, MarketDataError> {
    let io = |source| MarketDataError::Io { path: dir.to_owned(), source };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "csv")
                && p.file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(MarketDataError::Empty(dir.to_owned()));
    }
    files
        .iter()
        .map(|path| {
            let text = std::fs::read(path).map_err(|source| MarketDataError::Io { path: path.clone(), source })?;
            let digits = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            stock(digits, &text, &path.display().to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_subset_spans_the_boards() {
        let stocks = embedded_stocks();
        assert_eq!(stocks.len(), 30);
        let boards: std::collections::HashSet<_> = stocks.iter().map(|s| s.code.stock_board()).collect();
        assert_eq!(boards.len(), 4, "SSE main, STAR, SZSE main, ChiNext");
        let moutai = stocks.iter().find(|s| s.code.to_string() == "600519.SH").unwrap();
        assert_eq!(moutai.name.as_deref(), Some("贵州茅台"));
    }
}
