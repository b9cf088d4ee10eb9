//! Ideas on files (issue 25, first slice): an idea tracked on a bars
//! directory (`data/ashare-daily` or the full set) against the
//! equal-weighted benchmark of every stock there, and a CSV of ideas ranked
//! by source. The store, pages and outreach come next.

use chrono::NaiveDate;
use ideas::record::{rank, record, Record};
use ideas::{track, Direction, IdeaTerms, Track};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why ideas could not be read or tracked.
#[derive(Debug, Error)]
pub enum IdeasFileError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A bars file does not read.
    #[error("{path}: {source}")]
    Bars {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: market::BarError,
    },
    /// A line of the ideas file does not read.
    #[error("line {line}: {reason}")]
    Line {
        /// Line number, from 1 with the header.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// No bars for the instrument on or after the publication day.
    #[error("no bars of {instrument} on or after {published}")]
    NoBars {
        /// The instrument.
        instrument: String,
        /// The day.
        published: NaiveDate,
    },
}

fn read_bars(path: &Path) -> Result<Vec<market::Candle>, IdeasFileError> {
    let file = std::fs::File::open(path).map_err(|source| IdeasFileError::Read { path: path.to_owned(), source })?;
    market::read_daily_bars(file).map_err(|source| IdeasFileError::Bars { path: path.to_owned(), source })
}

/// Every stock's bars in a directory (files named by their code), by code.
pub fn bars_of_dir(dir: &Path) -> Result<BTreeMap<String, Vec<market::Candle>>, IdeasFileError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IdeasFileError::Read { path: dir.to_owned(), source })?;
    let mut out = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|source| IdeasFileError::Read { path: dir.to_owned(), source })?.path();
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if path.extension().is_some_and(|e| e == "csv") && name.chars().all(|c| c.is_ascii_digit()) && !name.is_empty()
        {
            out.insert(name, read_bars(&path)?);
        }
    }
    Ok(out)
}

/// The instrument's digits (600519.SH or 600519).
fn digits(instrument: &str) -> &str {
    instrument.split('.').next().unwrap_or(instrument)
}

/// Tracks one idea on a directory's bars against its equal-weighted benchmark.
pub fn track_on_dir(
    dir: &Path,
    instrument: &str,
    published: NaiveDate,
    terms: &IdeaTerms,
) -> Result<Track, IdeasFileError> {
    let all = bars_of_dir(dir)?;
    let benchmark = ideas::benchmark::equal_weighted(&all.values().cloned().collect::<Vec<_>>());
    let bars = all.get(digits(instrument)).map(Vec::as_slice).unwrap_or_default();
    track(terms, published, bars, &benchmark)
        .ok_or_else(|| IdeasFileError::NoBars { instrument: instrument.to_owned(), published })
}

/// Reads a CSV of ideas (source, instrument, published, direction long or
/// short, target, stop, horizon_days), tracks each on the directory's bars,
/// and ranks the sources.
pub fn rank_file(file: &Path, dir: &Path) -> Result<Vec<Record>, IdeasFileError> {
    let text =
        std::fs::read_to_string(file).map_err(|source| IdeasFileError::Read { path: file.to_owned(), source })?;
    let all = bars_of_dir(dir)?;
    let benchmark = ideas::benchmark::equal_weighted(&all.values().cloned().collect::<Vec<_>>());
    let mut by_source: BTreeMap<String, Vec<Track>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let bad = |reason: String| IdeasFileError::Line { line: n + 1, reason };
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let [source, instrument, published, direction, target, stop, horizon] = f[..] else {
            return Err(bad(format!("{} fields; want 7", f.len())));
        };
        let published: NaiveDate = published.parse().map_err(|_| bad(format!("'{published}' is not a date")))?;
        let direction = match direction {
            "long" => Direction::Long,
            "short" => Direction::Short,
            other => return Err(bad(format!("direction '{other}': long or short"))),
        };
        let price = |v: &str| v.parse::<Decimal>().map_err(|_| bad(format!("'{v}' is not a price")));
        let terms = IdeaTerms {
            direction,
            target: price(target)?,
            stop: price(stop)?,
            horizon_days: horizon.parse().map_err(|_| bad(format!("'{horizon}' is not a number of days")))?,
        };
        let bars = all.get(digits(instrument)).map(Vec::as_slice).unwrap_or_default();
        let tracked = track(&terms, published, bars, &benchmark)
            .ok_or_else(|| bad(format!("no bars of {instrument} on or after {published}")))?;
        by_source.entry(source.to_owned()).or_default().push(tracked);
    }
    Ok(rank(by_source.iter().map(|(s, t)| record(s, t)).collect()))
}
