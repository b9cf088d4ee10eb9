//! Machine feeds over the API: a book file pushed whole (import tokens), or
//! events as they happen (events tokens). Both go through the importer, so a
//! row is checked the same way whichever door it comes in by, and each call
//! answers with every rejected row and why. Events move the book as they are
//! stored: a trade's position, T+1 sellable quantity and cash, a cash flow's
//! cash, in one unit of work (see [`crate::book`]).

use crate::book::Booked;
use crate::book_files::{self, BookFile};
use crate::import::{import_dir, ImportError, ImportOptions, Referenced};
use access::FeedCaller;
use serde::Serialize;
use std::collections::BTreeMap;
use store::Db;

/// The files an events feed may carry: things that happen, not the book's set-up.
pub const EVENT_FILES: [BookFile; 7] = [
    book_files::TRADES,
    book_files::CASH_FLOWS,
    book_files::LOGINS,
    book_files::SERVICE_EVENTS,
    book_files::DAILY_BARS,
    book_files::SNAPSHOTS,
    book_files::CORPORATE_ACTIONS,
];

/// Most events one call may carry.
pub const MAX_EVENTS_PER_CALL: usize = 10_000;

/// A book file by name, with or without `.csv` (`trades`, `trades.csv`).
pub fn book_file(name: &str) -> Option<BookFile> {
    let name = name.strip_suffix(".csv").unwrap_or(name);
    book_files::LOAD_ORDER.into_iter().find(|f| f.name.strip_suffix(".csv") == Some(name))
}

/// The event type of a file: `trades.csv` carries events of type `trade`.
fn event_type(file: BookFile) -> &'static str {
    match file.name {
        "trades.csv" => "trade",
        "cash_flows.csv" => "cash_flow",
        "logins.csv" => "login",
        "daily_bars.csv" => "daily_bar",
        "snapshots.csv" => "snapshot",
        "corporate_actions.csv" => "corporate_action",
        _ => "service_event",
    }
}

/// One rejected row or event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedReject {
    /// Line in the file pushed (imports), or index in the events array (events, from 0).
    pub at: u64,
    /// The column or field at fault; empty when the row as a whole is.
    pub column: String,
    /// Why.
    pub reason: String,
}

/// What a feed call did to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedFileReport {
    /// Book file.
    pub file: &'static str,
    /// Rows read.
    pub read: u64,
    /// Rows newly stored.
    pub loaded: u64,
    /// Rows already stored (a repeated call loads nothing twice).
    pub already_present: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Each rejected row and why.
    pub rejects: Vec<FeedReject>,
}

/// What a feed call did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct FeedReport {
    /// Per file, in load order.
    pub files: Vec<FeedFileReport>,
    /// Events rejected before reaching a file (unknown type, not an object); events feed only.
    pub rejects: Vec<FeedReject>,
}

/// Why a feed call failed as a whole (bad rows do not fail it).
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// Too many events in one call.
    #[error("{0} events in one call; send at most {MAX_EVENTS_PER_CALL}")]
    TooMany(usize),
    /// The scratch space could not be used.
    #[error("feed scratch space: {0}")]
    Scratch(#[from] std::io::Error),
    /// The import failed.
    #[error(transparent)]
    Import(#[from] ImportError),
}

impl domain::ErrorCode for FeedError {
    fn code(&self) -> domain::Code {
        match self {
            FeedError::TooMany(_) => crate::codes::TOO_MANY_EVENTS,
            FeedError::Scratch(_) | FeedError::Import(_) => domain::codes::INTERNAL,
        }
    }

    fn field(&self) -> Option<&'static str> {
        matches!(self, FeedError::TooMany(_)).then_some("events")
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            FeedError::TooMany(n) => vec![("count", n.to_string()), ("max", MAX_EVENTS_PER_CALL.to_string())],
            _ => Vec::new(),
        }
    }
}

/// Runs the importer over files written to a scratch directory and collects
/// its report and rejects: (file name, line, column, reason).
async fn run_import(
    db: &Db,
    files: &[(BookFile, Vec<u8>)],
    caller: &FeedCaller,
    references: Option<Referenced>,
    book_events: bool,
) -> Result<(crate::ImportReport, Vec<(String, u64, String, String)>), FeedError> {
    let scratch = tempfile::tempdir()?;
    for (file, body) in files {
        std::fs::write(scratch.path().join(file.name), body)?;
    }
    let mut opts = ImportOptions::new(scratch.path());
    opts.rejects = scratch.path().join("rejects.csv");
    opts.progress = false;
    opts.actor = caller.actor();
    opts.references = references;
    opts.book_events = book_events;
    let names: Vec<&str> = files.iter().map(|(f, _)| f.name).collect();
    opts.source = Some(format!("feed:{}", names.join(",")));
    let report = import_dir(db, &opts).await?;
    let mut rejects = Vec::new();
    let mut reader = csv::Reader::from_path(&opts.rejects).map_err(std::io::Error::other)?;
    for record in reader.records() {
        let record = record.map_err(std::io::Error::other)?;
        let line = record.get(1).and_then(|l| l.parse().ok()).unwrap_or(0);
        rejects.push((record[0].to_owned(), line, record[2].to_owned(), record[3].to_owned()));
    }
    Ok((report, rejects))
}

fn file_report(f: &crate::FileReport, rejects: Vec<FeedReject>) -> FeedFileReport {
    FeedFileReport {
        file: f.file,
        read: f.read,
        loaded: f.loaded,
        already_present: f.already_present,
        rejected: f.rejected,
        rejects,
    }
}

/// Loads one book file pushed whole (CSV with a header, as `brokerdesk import` reads).
pub async fn import_file(db: &Db, file: BookFile, csv: Vec<u8>, caller: &FeedCaller) -> Result<FeedReport, FeedError> {
    let (report, rejects) = run_import(db, &[(file, csv)], caller, None, false).await?;
    let files = report
        .files
        .iter()
        .filter(|f| f.present)
        .map(|f| {
            let mine = rejects
                .iter()
                .filter(|r| r.0 == f.file)
                .map(|(_, line, column, reason)| FeedReject {
                    at: *line,
                    column: column.clone(),
                    reason: reason.clone(),
                })
                .collect();
            file_report(f, mine)
        })
        .collect();
    Ok(FeedReport { files, rejects: Vec::new() })
}

/// Text of one JSON value as a CSV field.
fn field_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Events of one type as a CSV file, with each line's index in the call.
type EventFile = (BookFile, csv::Writer<Vec<u8>>, Vec<usize>);

/// Stores events: each a JSON object with a `type` (trade, cash_flow, login,
/// service_event, daily_bar, snapshot) and the columns of that type's book file. Every event is
/// checked as the importer checks a row; the good ones are stored.
pub async fn send_events(
    db: &Db,
    events: &[serde_json::Value],
    caller: &FeedCaller,
) -> Result<(FeedReport, Vec<Booked>), FeedError> {
    if events.len() > MAX_EVENTS_PER_CALL {
        return Err(FeedError::TooMany(events.len()));
    }
    let mut early = Vec::new();
    // The keys the events name, looked up by index (never whole tables per call).
    let mut named = Referenced::default();
    let mut grouped: BTreeMap<&'static str, EventFile> = BTreeMap::new();
    for (index, event) in events.iter().enumerate() {
        let reject = |column: &str, reason: String| FeedReject { at: index as u64, column: column.into(), reason };
        let Some(object) = event.as_object() else {
            early.push(reject("", "an event is a JSON object".into()));
            continue;
        };
        let kind = object.get("type").and_then(|t| t.as_str()).unwrap_or_default();
        if kind == crate::notices::EVENT_TYPE {
            // Notices are not book rows: `crate::notices::receive` takes them.
            continue;
        }
        let Some(file) = EVENT_FILES.into_iter().find(|f| event_type(*f) == kind) else {
            let mut known: Vec<&str> = EVENT_FILES.iter().map(|f| event_type(*f)).collect();
            known.push(crate::notices::EVENT_TYPE);
            early.push(reject("type", format!("'{kind}' is not an event type ({})", known.join(", "))));
            continue;
        };
        if let Some(unknown) = object.keys().find(|k| *k != "type" && !file.columns.contains(&k.as_str())) {
            early.push(reject(unknown, format!("is not a field of a {kind} ({})", file.columns.join(", "))));
            continue;
        }
        // One event is one CSV line, so the importer's line numbers map back to indices.
        if let Some((column, _)) = object.iter().find(|(_, v)| field_text(v).contains(['\n', '\r'])) {
            early.push(reject(column, "contains a line break".into()));
            continue;
        }
        let (_, writer, indices) = grouped.entry(file.name).or_insert_with(|| {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(file.columns).expect("writing to memory");
            (file, w, Vec::new())
        });
        let record: Vec<String> =
            file.columns.iter().map(|c| object.get(*c).map(field_text).unwrap_or_default()).collect();
        for (column, set) in
            [("account_id", &mut named.accounts), ("customer_id", &mut named.customers), ("staff_id", &mut named.staff)]
        {
            if let Some(id) = object.get(column).and_then(|v| field_text(v).trim().parse::<i64>().ok()) {
                set.insert(id);
            }
        }
        for column in ["instrument", "code"] {
            if let Some(Ok(code)) = object.get(column).map(|v| domain::InstrumentCode::parse(field_text(v).trim())) {
                named.instruments.insert(code.to_string());
            }
        }
        writer.write_record(&record).expect("writing to memory");
        indices.push(index);
    }
    let mut files = Vec::new();
    let mut positions = BTreeMap::new();
    for (name, (file, writer, indices)) in grouped {
        files.push((file, writer.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?));
        positions.insert(name, indices);
    }
    if files.is_empty() {
        return Ok((FeedReport { files: Vec::new(), rejects: early }, Vec::new()));
    }
    let (mut report, rejects) = run_import(db, &files, caller, Some(named), true).await?;
    let files = report
        .files
        .iter()
        .filter(|f| f.present)
        .map(|f| {
            let indices = &positions[f.file];
            // Line 1 is the header; line n is the event written (n - 2)th.
            let mine = rejects
                .iter()
                .filter(|r| r.0 == f.file)
                .map(|(_, line, column, reason)| FeedReject {
                    at: line.checked_sub(2).and_then(|k| indices.get(k as usize)).map_or(0, |i| *i as u64),
                    column: column.clone(),
                    reason: reason.clone(),
                })
                .collect();
            file_report(f, mine)
        })
        .collect();
    Ok((FeedReport { files, rejects: early }, std::mem::take(&mut report.booked)))
}

/// Indexes of the events of one type that were stored (not rejected).
fn accepted<'a>(
    events: &'a [serde_json::Value],
    report: &FeedReport,
    file: BookFile,
) -> impl Iterator<Item = &'a serde_json::Value> {
    let rejected: std::collections::HashSet<u64> = report
        .files
        .iter()
        .filter(|f| f.file == file.name)
        .flat_map(|f| f.rejects.iter().map(|r| r.at))
        .chain(report.rejects.iter().map(|r| r.at))
        .collect();
    let kind = event_type(file);
    events
        .iter()
        .enumerate()
        .filter(move |(k, e)| e["type"] == kind && !rejected.contains(&(*k as u64)))
        .map(|(_, e)| e)
}

/// The snapshot events of a call that were stored, as quotes for the position watch.
pub fn accepted_quotes(events: &[serde_json::Value], report: &FeedReport) -> Vec<crate::risk_desk::Quote> {
    accepted(events, report, book_files::SNAPSHOTS)
        .filter_map(|e| {
            Some(crate::risk_desk::Quote {
                code: field_text(&e["code"]),
                time: domain::parse_timestamp("time", &field_text(&e["time"])).ok()?,
                last: field_text(&e["last"]).trim().parse().ok()?,
            })
        })
        .collect()
}

/// The snapshot events of a call that were stored, as ticks for the order desk (with the day's volume).
pub fn accepted_ticks(events: &[serde_json::Value], report: &FeedReport) -> Vec<crate::orders::Tick> {
    accepted(events, report, book_files::SNAPSHOTS)
        .filter_map(|e| {
            Some(crate::orders::Tick {
                code: field_text(&e["code"]).trim().to_owned(),
                time: domain::parse_timestamp("time", &field_text(&e["time"])).ok()?,
                last: field_text(&e["last"]).trim().parse().ok()?,
                volume: field_text(&e["volume"]).trim().parse().ok()?,
            })
        })
        .collect()
}

/// The customers whose trades or logins a call stored, and the newest such
/// event's time: whose features and labels to bring up to date.
pub fn accepted_activity(
    events: &[serde_json::Value],
    report: &FeedReport,
) -> (Vec<domain::AccountId>, Vec<domain::CustomerId>, Option<chrono::DateTime<chrono::Utc>>) {
    let time = |e: &serde_json::Value| domain::parse_timestamp("time", &field_text(&e["time"])).ok();
    let trades: Vec<&serde_json::Value> = accepted(events, report, book_files::TRADES).collect();
    let logins: Vec<&serde_json::Value> = accepted(events, report, book_files::LOGINS).collect();
    let accounts = trades.iter().filter_map(|e| field_text(&e["account_id"]).trim().parse().ok()).collect();
    let customers = logins.iter().filter_map(|e| field_text(&e["customer_id"]).trim().parse().ok()).collect();
    let newest = trades.iter().chain(&logins).filter_map(|e| time(e)).max();
    (accounts, customers, newest)
}

/// Who did something, and when: a customer's login, an account's trade.
pub type Stamped = (i64, chrono::DateTime<chrono::Utc>);

/// The logins (customer, time) and trades (account, time) a call stored:
/// what earns points.
pub fn accepted_logins_and_trades(events: &[serde_json::Value], report: &FeedReport) -> (Vec<Stamped>, Vec<Stamped>) {
    let pair = |e: &serde_json::Value, who: &str| {
        let id = field_text(&e[who]).trim().parse().ok()?;
        let time = domain::parse_timestamp("time", &field_text(&e["time"])).ok()?;
        Some((id, time))
    };
    let logins = accepted(events, report, book_files::LOGINS).filter_map(|e| pair(e, "customer_id")).collect();
    let trades = accepted(events, report, book_files::TRADES).filter_map(|e| pair(e, "account_id")).collect();
    (logins, trades)
}

/// True when a call stored new corporate actions.
pub fn stored_corporate_actions(report: &FeedReport) -> bool {
    report.files.iter().any(|f| f.file == book_files::CORPORATE_ACTIONS.name && f.loaded > 0)
}
