//! `brokerdesk import`: loads a book directory (the files of
//! [`crate::book_files`]) into the store.
//!
//! - Every bad row is reported (file, line, column, reason) in a reject file,
//!   and the good rows load.
//! - Rows are written in batches, each one transaction, and a row whose key is
//!   already stored is skipped. So a re-run loads nothing twice, and a run
//!   killed at any moment and run again ends exactly as one clean run would.
//! - Parsing runs on its own thread while earlier batches are written: one
//!   at a time on SQLite, several at once on PostgreSQL, where each goes in
//!   by `COPY` (see `store`'s bulk path).

use crate::book_files::{self, BookFile};
use domain::{
    AccountId, Branch, BranchId, CashAccount, CashFlow, CashFlowKind, Customer, CustomerId, DailyBar, DomainError,
    EventId, FixedPoint, Gender, Horizon, Instrument, InstrumentCode, InstrumentKind, Login, LoginChannel, Money,
    NationalId, PersonName, Phone, Position, RiskLevel, ServiceEvent, ServiceEventKind, Side, Snapshot, Staff, StaffId,
    StaffRole, Trade, TradeId,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use store::{Db, KeySet, Rows, StoreError};
use thiserror::Error;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Directory holding the book's CSV files.
    pub dir: PathBuf,
    /// Where bad rows are reported (file, line, column, reason).
    pub rejects: PathBuf,
    /// Rows per transaction (None: what the backend writes best, see `Db::bulk_load`).
    pub batch_rows: Option<usize>,
    /// Draw progress bars (they hide themselves when not on a terminal).
    pub progress: bool,
    /// Who the audit trail names as importing.
    pub actor: String,
    /// What the audit trail names as imported (default: the directory).
    pub source: Option<String>,
    /// The keys the rows name, when the caller knows them (a feed of a few
    /// events): only those are looked up, instead of reading every key.
    pub references: Option<Referenced>,
    /// Trades and cash flows move the book as they are stored (the events
    /// feed): positions, T+1 sellable quantities and cash follow, and a sell
    /// of more than may be sold is rejected. A book import leaves this off:
    /// its positions and cash already include its trades.
    pub book_events: bool,
    /// Batches written at once (None: as many as the backend takes well,
    /// see `Db::bulk_load`).
    pub writers: Option<usize>,
}

/// Keys that a few event rows name, looked up by index instead of read whole.
/// Events name customers, staff, accounts and instruments; no event file adds any.
#[derive(Debug, Clone, Default)]
pub struct Referenced {
    /// Customer ids named.
    pub customers: HashSet<i64>,
    /// Staff ids named.
    pub staff: HashSet<i64>,
    /// Account ids named.
    pub accounts: HashSet<i64>,
    /// Instrument codes named.
    pub instruments: HashSet<String>,
}

impl ImportOptions {
    /// Defaults: rejects in ./import-rejects.csv, batches as the backend writes them best.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ImportOptions {
            dir: dir.into(),
            rejects: PathBuf::from("import-rejects.csv"),
            batch_rows: None,
            progress: true,
            actor: "system:import".into(),
            source: None,
            references: None,
            book_events: false,
            writers: None,
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    /// File name.
    pub file: &'static str,
    /// False when the directory has no such file.
    pub present: bool,
    /// Data rows read.
    pub read: u64,
    /// Rows newly stored.
    pub loaded: u64,
    /// Good rows already stored by an earlier run.
    pub already_present: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Stored rows the file's figures corrected (positions: see [`ImportReport::corrections`]).
    pub corrected: u64,
    /// Wall time from opening the file to its last batch stored.
    pub elapsed: std::time::Duration,
}

/// What an import did, file by file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// One report per file, in load order.
    pub files: Vec<FileReport>,
    /// With [`ImportOptions::book_events`]: the trades stored, each with the holding it left.
    pub booked: Vec<crate::book::Booked>,
    /// Stored positions the book's figures differed from, each corrected and audited.
    pub corrections: Vec<crate::book::Correction>,
    /// Wall time after the files: planner statistics, figures, corporate actions, audit.
    pub finishing: std::time::Duration,
    /// Referrals recorded from customers' `referred_by`, to be judged by the ledger's sweep.
    pub referrals: u64,
}

impl ImportReport {
    /// Rows rejected over all files.
    pub fn rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }

    /// Rows newly stored over all files.
    pub fn loaded(&self) -> u64 {
        self.files.iter().map(|f| f.loaded).sum()
    }
}

/// Why an import stopped. Bad rows do not stop it; they are rejected.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The book directory is missing or unreadable.
    #[error("cannot read book directory {path}: {source}")]
    Dir {
        /// Directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The reject file could not be written.
    #[error("cannot write reject file {path}: {source}")]
    Rejects {
        /// File.
        path: PathBuf,
        /// Cause.
        #[source]
        source: csv::Error,
    },
    /// The store refused a batch.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Keys already known, to check references and report duplicates.
#[derive(Debug, Default)]
struct Known {
    branches: HashSet<i64>,
    staff: HashSet<i64>,
    advisors: HashSet<i64>,
    customers: HashSet<i64>,
    accounts: HashSet<i64>,
    instruments: HashSet<InstrumentCode>,
}

/// Imports every file of the book that is present, in load order.
pub async fn import_dir(db: &Db, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    if let Err(source) = std::fs::read_dir(&opts.dir) {
        return Err(ImportError::Dir { path: opts.dir.clone(), source });
    }
    let codes = match &opts.references {
        Some(named) => db.instrument_codes_among(&named.instruments).await?,
        None => db.instrument_codes().await?,
    };
    let instruments = codes.iter().filter_map(|c| InstrumentCode::parse(c).ok()).collect();
    let mut known = match &opts.references {
        Some(named) => Known {
            branches: HashSet::new(),
            staff: db.keys_among(KeySet::Staff, &named.staff).await?,
            advisors: HashSet::new(),
            customers: db.keys_among(KeySet::Customers, &named.customers).await?,
            accounts: db.keys_among(KeySet::Accounts, &named.accounts).await?,
            instruments,
        },
        None => Known {
            branches: db.key_set(KeySet::Branches).await?,
            staff: db.key_set(KeySet::Staff).await?,
            advisors: db.key_set(KeySet::Advisors).await?,
            customers: db.key_set(KeySet::Customers).await?,
            accounts: db.key_set(KeySet::Accounts).await?,
            instruments,
        },
    };
    let mut rejects = Rejects::create(&opts.rejects)?;
    let mut report = ImportReport::default();
    // What the rows written directly (not through the book's rules, which
    // refresh as they go) moved, to refresh the customers' figures after:
    // a service event is a contact, which closes open reminders.
    let mut loaded = store::LoadedKeys::default();
    let mut activity = store::ActivityKeys::default();
    for file in book_files::LOAD_ORDER {
        let path = opts.dir.join(file.name);
        if !path.exists() {
            report.files.push(FileReport { file: file.name, ..FileReport::default() });
            continue;
        }
        let started = std::time::Instant::now();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Rows>(2);
        let batch_rows = opts.batch_rows.unwrap_or(db.bulk_load().rows_per_batch).max(1);
        let progress = opts.progress;
        let parser = std::thread::spawn(move || {
            let mut parse = FileParse::new(file, known, rejects, tx, batch_rows);
            let outcome = parse.run(&path, progress);
            (outcome, parse.known, parse.rejects, parse.report, parse.seen, parse.referrals)
        });
        let mut written = 0u64;
        let mut store_error = None;
        let mut refused = Vec::new();
        let mut corrected = Vec::new();
        // Batches of one file name only rows of earlier files, so they may be
        // written side by side; events through the book go one by one, in order.
        let writers = if opts.book_events { 1 } else { opts.writers.unwrap_or(db.bulk_load().writers).max(1) };
        let mut in_flight = tokio::task::JoinSet::new();
        let mut collect = |stored: Result<Stored, StoreError>| match stored {
            Ok(s) => {
                written += s.outcome.flows + s.outcome.booked.len() as u64;
                report.booked.extend(s.outcome.booked);
                refused.extend(s.outcome.refused);
                corrected.extend(s.corrected);
                None
            }
            Err(e) => Some(e),
        };
        while let Some(rows) = rx.recv().await {
            // Events through the book refresh what they move in their own unit.
            if !(opts.book_events && matches!(rows, Rows::Trades(_) | Rows::CashFlows(_))) {
                loaded.note(&rows);
                activity.note(&rows);
            }
            while in_flight.len() >= writers {
                let done = in_flight.join_next().await.expect("a batch in flight").expect("import writer panicked");
                store_error = store_error.or(collect(done));
            }
            if store_error.is_some() {
                break;
            }
            let (db, actor, book_events) = (db.clone(), opts.actor.clone(), opts.book_events);
            in_flight.spawn(async move { store_batch(&db, rows, book_events, &actor).await });
        }
        while let Some(done) = in_flight.join_next().await {
            let done = done.expect("import writer panicked");
            store_error = store_error.or(collect(done));
        }
        drop(rx); // stops the parser if the store failed
        let (outcome, k, r, mut file_report, lines, referrals) = parser.join().expect("parser thread panicked");
        known = k;
        rejects = r;
        if let Some(e) = store_error {
            return Err(e.into());
        }
        outcome?;
        // Judged later (the ledger's sweep): recorded here once the friends' rows are stored.
        for chunk in referrals.chunks(1_000) {
            let rows: Vec<_> = chunk.iter().map(|(c, given, at)| (*c, given.clone(), "import", *at)).collect();
            report.referrals += db.record_referrals(&rows).await?;
        }
        // The book refused these: reported on their lines, like a bad row.
        let mut refused: Vec<(u64, book::BookError)> =
            refused.into_iter().map(|(id, why)| (lines.get(&Key::Id(id)).copied().unwrap_or(0), why)).collect();
        refused.sort_by_key(|r| r.0);
        for (line, why) in refused {
            file_report.rejected += 1;
            let column = match &why {
                book::BookError::Oversell { .. } => "quantity",
                book::BookError::OutOfRange(field) => field,
            };
            rejects.reject(file.name, line, column, &why.to_string())?;
        }
        file_report.corrected = corrected.len() as u64;
        report.corrections.extend(corrected);
        file_report.loaded = written;
        file_report.elapsed = started.elapsed();
        file_report.already_present =
            file_report.read.saturating_sub(file_report.rejected + written + file_report.corrected);
        report.files.push(file_report);
    }
    rejects.finish()?;
    let finishing = std::time::Instant::now();
    if !opts.book_events && report.files.iter().any(|f| f.loaded > 0) {
        // The figures' refresh below, and the first pages served, need plans
        // made with the new rows counted.
        db.refresh_planner_statistics().await?;
    }
    db.refresh_figures_after_load(&loaded).await?;
    db.refresh_analytics_after_load(&activity).await?;
    // A book's positions already include the actions up to its day.
    if !opts.book_events && report.files.iter().any(|f| f.file == book_files::POSITIONS.name && f.present) {
        db.corporate_actions_in_book(crate::book::book_day(db.now())).await?;
    }
    // The benchmark ideas are held against follows the bars.
    if report.files.iter().any(|f| f.file == book_files::DAILY_BARS.name && f.loaded > 0) {
        crate::ideas::refresh_benchmark(db).await.map_err(|e| match e {
            crate::Error::Store(s) => ImportError::Store(s),
            other => ImportError::Store(StoreError::Corrupt { what: "benchmark", reason: other.to_string() }),
        })?;
    }
    db.append_audit(&audit_entry(opts, &report)).await?;
    report.finishing = finishing.elapsed();
    Ok(report)
}

/// What one batch did: its outcome, and the stored positions it corrected.
struct Stored {
    outcome: crate::book::BookOutcome,
    corrected: Vec<crate::book::Correction>,
}

/// Writes one batch: events through the book when they move it, positions
/// with the book's figures winning over stored ones, the rest as rows.
async fn store_batch(db: &Db, rows: Rows, book_events: bool, actor: &str) -> Result<Stored, StoreError> {
    let plain = |outcome| Stored { outcome, corrected: Vec::new() };
    match (&rows, book_events) {
        (Rows::Trades(t), true) => crate::book::take(db, t, &[]).await.map(plain),
        (Rows::CashFlows(c), true) => crate::book::take(db, &[], c).await.map(plain),
        (Rows::Positions(p), false) => {
            let n = db.insert(&rows).await?;
            let outcome = crate::book::BookOutcome { flows: n, ..Default::default() };
            // Some rows were stored already: the book's figures win where they differ.
            let corrected =
                if (n as usize) < p.len() { crate::book::correct_positions(db, p, actor).await? } else { Vec::new() };
            Ok(Stored { outcome, corrected })
        }
        _ => {
            let n = db.insert(&rows).await?;
            Ok(plain(crate::book::BookOutcome { flows: n, ..Default::default() }))
        }
    }
}

/// The audit record of an import run: which book, and what each file did.
fn audit_entry(opts: &ImportOptions, report: &ImportReport) -> access::AuditEntry {
    let files: serde_json::Map<String, serde_json::Value> = report
        .files
        .iter()
        .filter(|f| f.present)
        .map(|f| {
            let counts = serde_json::json!({ "read": f.read, "loaded": f.loaded, "rejected": f.rejected });
            (f.file.to_owned(), counts)
        })
        .collect();
    access::AuditEntry {
        actor: opts.actor.clone(),
        action: "import".into(),
        entity: "book".into(),
        entity_id: opts.source.clone().unwrap_or_else(|| opts.dir.display().to_string()),
        detail: serde_json::Value::Object(files).to_string(),
    }
}

/// The reject file: file, line, column, reason.
struct Rejects {
    path: PathBuf,
    writer: csv::Writer<File>,
}

impl Rejects {
    fn create(path: &Path) -> Result<Self, ImportError> {
        let err = |source| ImportError::Rejects { path: path.to_owned(), source };
        let mut writer = csv::Writer::from_path(path).map_err(err)?;
        writer.write_record(["file", "line", "column", "reason"]).map_err(err)?;
        Ok(Rejects { path: path.to_owned(), writer })
    }

    fn reject(&mut self, file: &str, line: u64, column: &str, reason: &str) -> Result<(), ImportError> {
        self.writer
            .write_record([file, &line.to_string(), column, reason])
            .map_err(|source| ImportError::Rejects { path: self.path.clone(), source })
    }

    fn finish(mut self) -> Result<(), ImportError> {
        self.writer.flush().map_err(|e| ImportError::Rejects { path: self.path.clone(), source: e.into() })
    }
}

/// A row's problem: which column, and why.
struct RowError {
    column: String,
    reason: String,
}

impl From<DomainError> for RowError {
    fn from(e: DomainError) -> Self {
        RowError { column: e.field().to_owned(), reason: e.reason() }
    }
}

fn row_error(column: &str, reason: impl Into<String>) -> RowError {
    RowError { column: column.to_owned(), reason: reason.into() }
}

/// One record with its header, read by column name.
struct Fields<'a> {
    header: &'a HashMap<String, usize>,
    record: &'a csv::ByteRecord,
}

impl Fields<'_> {
    /// The column's text, trimmed; empty when the column is absent.
    fn text(&self, column: &str) -> Result<&str, RowError> {
        let Some(&i) = self.header.get(column) else { return Ok("") };
        let bytes = self.record.get(i).unwrap_or_default();
        std::str::from_utf8(bytes).map(str::trim).map_err(|_| row_error(column, "is not valid UTF-8 text"))
    }

    fn required(&self, column: &str) -> Result<&str, RowError> {
        let t = self.text(column)?;
        if t.is_empty() {
            return Err(row_error(column, "is empty"));
        }
        Ok(t)
    }

    fn int(&self, column: &str) -> Result<i64, RowError> {
        let t = self.required(column)?;
        t.parse().map_err(|_| row_error(column, format!("'{t}' is not a whole number")))
    }

    fn id(&self, column: &str) -> Result<i64, RowError> {
        let n = self.int(column)?;
        if n <= 0 {
            return Err(row_error(column, format!("{n} is not a positive id")));
        }
        Ok(n)
    }

    fn money(&self, column: &'static str) -> Result<Money, RowError> {
        let t = self.required(column)?;
        let m = Money::from_str(t).map_err(|_| row_error(column, format!("'{t}' is not a number")))?;
        m.to_fixed(column)?; // must be storable exactly
        Ok(m)
    }

    /// A money column that may be empty (or absent): None then.
    fn optional_money(&self, column: &'static str) -> Result<Option<Money>, RowError> {
        if self.text(column)?.is_empty() {
            Ok(None)
        } else {
            self.money(column).map(Some)
        }
    }

    fn flag(&self, column: &str) -> Result<bool, RowError> {
        match self.required(column)?.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" => Ok(true),
            "false" | "0" | "no" | "n" => Ok(false),
            other => Err(row_error(column, format!("'{other}' is not true or false"))),
        }
    }

    fn parsed<T: FromStr<Err = DomainError>>(&self, column: &str) -> Result<T, RowError> {
        let t = self.required(column)?;
        T::from_str(t).map_err(|e| RowError { column: column.to_owned(), reason: e.to_string() })
    }

    fn date(&self, column: &'static str) -> Result<chrono::NaiveDate, RowError> {
        Ok(domain::parse_date(column, self.required(column)?)?)
    }

    fn time(&self, column: &'static str) -> Result<chrono::DateTime<chrono::Utc>, RowError> {
        Ok(domain::parse_timestamp(column, self.required(column)?)?)
    }

    fn instrument(&self, column: &str, known: &Known) -> Result<InstrumentCode, RowError> {
        let code = InstrumentCode::parse(self.required(column)?)?;
        if !known.instruments.contains(&code) {
            return Err(row_error(column, format!("unknown instrument {code}")));
        }
        Ok(code)
    }
}

fn reference(set: &HashSet<i64>, column: &str, id: i64, what: &str) -> Result<(), RowError> {
    if set.contains(&id) {
        Ok(())
    } else {
        Err(row_error(column, format!("unknown {what} {id}")))
    }
}

/// A row's identity inside its file, to report duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Id(i64),
    Holding(i64, InstrumentCode),
    /// An instrument at a moment: a bar's day, or a snapshot's time (as Unix seconds).
    Quote(InstrumentCode, i64),
}

/// The longest `referred_by` read: an invite code or a customer id is far shorter.
const MAX_REFERRED_BY: usize = 40;

/// One parsed row, ready for its batch.
enum Parsed {
    Branch(Branch),
    Staff(Staff),
    Customer(Customer),
    Account(CashAccount),
    Instrument(Instrument),
    Position(Position),
    Trade(Trade),
    CashFlow(CashFlow),
    Login(Login),
    ServiceEvent(ServiceEvent),
    DailyBar(DailyBar),
    Snapshot(Snapshot),
    CorporateAction(domain::CorporateAction),
}

/// Parses one file on its own thread, sending batches to the writer.
struct FileParse {
    file: BookFile,
    known: Known,
    rejects: Rejects,
    tx: tokio::sync::mpsc::Sender<Rows>,
    batch_rows: usize,
    batch: Vec<Parsed>,
    seen: HashMap<Key, u64>,
    report: FileReport,
    /// Customers' `referred_by`, to record once their rows are stored: (friend, inviter as given, opening).
    referrals: Vec<(i64, String, chrono::DateTime<chrono::Utc>)>,
}

impl FileParse {
    fn new(
        file: BookFile,
        known: Known,
        rejects: Rejects,
        tx: tokio::sync::mpsc::Sender<Rows>,
        batch_rows: usize,
    ) -> Self {
        FileParse {
            file,
            known,
            rejects,
            tx,
            batch_rows,
            batch: Vec::new(),
            seen: HashMap::new(),
            report: FileReport { file: file.name, present: true, ..FileReport::default() },
            referrals: Vec::new(),
        }
    }

    fn reject(&mut self, line: u64, column: &str, reason: &str) -> Result<(), ImportError> {
        self.report.rejected += 1;
        self.rejects.reject(self.file.name, line, column, reason)
    }

    fn run(&mut self, path: &Path, progress: bool) -> Result<(), ImportError> {
        let read_err = |source| ImportError::Read { path: path.to_owned(), source };
        let handle = File::open(path).map_err(read_err)?;
        let size = handle.metadata().map_err(read_err)?.len();
        let bar = if progress { ProgressBar::new(size) } else { ProgressBar::hidden() };
        bar.set_style(
            ProgressStyle::with_template("{msg:>20} [{bar:30}] {bytes}/{total_bytes} {per_sec} eta {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(self.file.name);
        let mut reader =
            csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::with_capacity(1 << 20, handle));
        let header = match reader.byte_headers() {
            Ok(h) if !(h.is_empty() || h.len() == 1 && h[0].is_empty()) => h.clone(),
            Ok(_) => {
                let expected = self.file.columns.join(",");
                return self.reject(1, "", &format!("file is empty: expected a header line {expected}"));
            }
            Err(e) => return self.reject(1, "", &format!("header cannot be read: {e}")),
        };
        let mut columns = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let Ok(name) = std::str::from_utf8(name) else {
                return self.reject(1, "", "header is not valid UTF-8 text");
            };
            columns.insert(name.trim().trim_start_matches('\u{feff}').to_ascii_lowercase(), i);
        }
        let missing: Vec<&str> = self
            .file
            .columns
            .iter()
            .copied()
            .filter(|c| !columns.contains_key(*c) && !self.file.optional.contains(c))
            .collect();
        if !missing.is_empty() {
            return self.reject(1, &missing.join(" "), "header lacks required columns; no row of this file was loaded");
        }
        let mut record = csv::ByteRecord::new();
        loop {
            let line = reader.position().line();
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    // The CSV layer lost its place (e.g. an unclosed quote):
                    // report it and stop this file rather than guess.
                    self.report.read += 1;
                    self.reject(line, "", &format!("unreadable CSV: {e}; the rest of the file was skipped"))?;
                    break;
                }
            }
            self.report.read += 1;
            let line = record.position().map_or(line, |p| p.line());
            if record.len() != header.len() {
                let reason = format!("has {} fields, the header has {}", record.len(), header.len());
                self.reject(line, "", &reason)?;
                continue;
            }
            let fields = Fields { header: &columns, record: &record };
            match self.parse(&fields) {
                Ok((key, row)) => {
                    if let Some(first) = self.seen.get(&key) {
                        let reason = format!("duplicate of line {first}");
                        self.reject(line, self.file.columns[0], &reason)?;
                        continue;
                    }
                    self.seen.insert(key, line);
                    if let Parsed::Customer(c) = &row {
                        let given = fields.text("referred_by").unwrap_or_default();
                        if !given.is_empty() {
                            self.referrals.push((c.id.0, given.to_owned(), c.opened_at));
                        }
                    }
                    self.remember(&row);
                    self.batch.push(row);
                    if self.batch.len() >= self.batch_rows && !self.flush() {
                        break; // the writer stopped
                    }
                }
                Err(e) => self.reject(line, &e.column, &e.reason)?,
            }
            if self.report.read.is_multiple_of(4096) {
                bar.set_position(record.position().map_or(0, |p| p.byte()));
            }
        }
        self.flush();
        bar.finish_and_clear();
        Ok(())
    }

    /// Hands the batch to the writer; false if the writer has stopped.
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let batch = std::mem::take(&mut self.batch);
        self.tx.blocking_send(into_rows(batch)).is_ok()
    }

    /// Makes an accepted row's key referable by later rows and files.
    fn remember(&mut self, row: &Parsed) {
        let k = &mut self.known;
        match row {
            Parsed::Branch(b) => {
                k.branches.insert(b.id.0);
            }
            Parsed::Staff(s) => {
                k.staff.insert(s.id.0);
                if s.role == StaffRole::Advisor {
                    k.advisors.insert(s.id.0);
                }
            }
            Parsed::Customer(c) => {
                k.customers.insert(c.id.0);
            }
            Parsed::Account(a) => {
                k.accounts.insert(a.id.0);
            }
            Parsed::Instrument(i) => {
                k.instruments.insert(i.code.clone());
            }
            _ => {}
        }
    }

    fn parse(&self, f: &Fields<'_>) -> Result<(Key, Parsed), RowError> {
        let k = &self.known;
        Ok(match self.file.name {
            "branches.csv" => {
                let id = f.id("id")?;
                let b = Branch {
                    id: BranchId(id),
                    name: f.required("name")?.to_owned(),
                    city: f.required("city")?.to_owned(),
                };
                (Key::Id(id), Parsed::Branch(b))
            }
            "staff.csv" => {
                let id = f.id("id")?;
                let branch = f.id("branch_id")?;
                reference(&k.branches, "branch_id", branch, "branch")?;
                let licence = f.text("licence_no")?;
                let s = Staff {
                    id: StaffId(id),
                    branch_id: BranchId(branch),
                    role: f.parsed("role")?,
                    name: PersonName::parse(f.text("name")?)?,
                    licence_no: (!licence.is_empty()).then(|| licence.to_owned()),
                };
                s.validate()?;
                (Key::Id(id), Parsed::Staff(s))
            }
            "customers.csv" => {
                let id = f.id("id")?;
                let branch = f.id("branch_id")?;
                reference(&k.branches, "branch_id", branch, "branch")?;
                let advisor = f.id("advisor_id")?;
                reference(&k.advisors, "advisor_id", advisor, "advisor")?;
                if f.text("referred_by")?.chars().count() > MAX_REFERRED_BY {
                    let reason =
                        format!("is longer than {MAX_REFERRED_BY} characters: give an invite code or a customer id");
                    return Err(row_error("referred_by", reason));
                }
                let c = Customer {
                    id: CustomerId(id),
                    name: PersonName::parse(f.text("name")?)?,
                    national_id: NationalId::parse(f.required("national_id")?)?,
                    phone: Phone::parse(f.required("phone")?)?,
                    gender: f.parsed::<Gender>("gender")?,
                    birth_date: f.date("birth_date")?,
                    market_entry_date: f.date("market_entry_date")?,
                    branch_id: BranchId(branch),
                    advisor_id: StaffId(advisor),
                    risk_level: f.parsed::<RiskLevel>("risk_level")?,
                    horizon: f.parsed::<Horizon>("horizon")?,
                    real_name_verified: f.flag("real_name_verified")?,
                    professional: f.flag("professional")?,
                    opened_at: f.time("opened_at")?,
                };
                c.validate()?;
                (Key::Id(id), Parsed::Customer(c))
            }
            "accounts.csv" => {
                let id = f.id("id")?;
                let customer = f.id("customer_id")?;
                reference(&k.customers, "customer_id", customer, "customer")?;
                let a = CashAccount { id: AccountId(id), customer_id: CustomerId(customer), cash: f.money("cash")? };
                (Key::Id(id), Parsed::Account(a))
            }
            "instruments.csv" => {
                let code = InstrumentCode::parse(f.required("code")?)?;
                let face = f.text("face_value")?;
                let lot = f.int("lot")?;
                if lot <= 0 {
                    return Err(row_error("lot", "must be positive"));
                }
                let tick = f.money("tick")?;
                let last_close = f.money("last_close")?;
                if tick <= Money::ZERO || last_close <= Money::ZERO {
                    return Err(row_error(if tick <= Money::ZERO { "tick" } else { "last_close" }, "must be positive"));
                }
                let kind = f.parsed::<InstrumentKind>("kind")?;
                let fund_class = match f.text("fund_class")? {
                    "" => None,
                    _ if kind != InstrumentKind::Etf => return Err(row_error("fund_class", "is for ETFs only")),
                    _ => Some(f.parsed::<domain::FundClass>("fund_class")?),
                };
                let delisting_from = match f.text("delisting_from")? {
                    "" => None,
                    _ if kind != InstrumentKind::Stock => {
                        return Err(row_error("delisting_from", "is for stocks only"))
                    }
                    _ => Some(f.date("delisting_from")?),
                };
                let i = Instrument {
                    name: f.required("name")?.to_owned(),
                    board: f.parsed("board")?,
                    kind,
                    fund_class,
                    delisting_from,
                    lot,
                    tick,
                    limit_pct: f.money("limit_pct")?,
                    st: f.flag("st")?,
                    list_date: f.date("list_date")?,
                    face_value: if face.is_empty() { None } else { Some(f.money("face_value")?) },
                    outstanding_shares: f.int("outstanding_shares")?,
                    last_close,
                    code: code.clone(),
                };
                (Key::Holding(0, code), Parsed::Instrument(i))
            }
            "positions.csv" => {
                let account = f.id("account_id")?;
                reference(&k.accounts, "account_id", account, "account")?;
                let p = Position {
                    account_id: AccountId(account),
                    instrument: f.instrument("instrument", k)?,
                    quantity: f.int("quantity")?,
                    sellable_quantity: f.int("sellable_quantity")?,
                    cost_price: f.money("cost_price")?,
                };
                p.validate()?;
                (Key::Holding(account, p.instrument.clone()), Parsed::Position(p))
            }
            "trades.csv" => {
                let id = f.id("id")?;
                let account = f.id("account_id")?;
                reference(&k.accounts, "account_id", account, "account")?;
                let t = Trade {
                    id: TradeId(id),
                    account_id: AccountId(account),
                    instrument: f.instrument("instrument", k)?,
                    side: f.parsed::<Side>("side")?,
                    quantity: f.int("quantity")?,
                    price: f.money("price")?,
                    fee: f.money("fee")?,
                    time: f.time("time")?,
                };
                t.validate()?;
                (Key::Id(id), Parsed::Trade(t))
            }
            "corporate_actions.csv" => {
                let id = f.id("id")?;
                let a = domain::CorporateAction {
                    id: EventId(id),
                    instrument: f.instrument("instrument", k)?,
                    ex_date: f.date("ex_date")?,
                    cash_per_share: f.money("cash_per_share")?,
                    new_shares_per_share: f.money("new_shares_per_share")?,
                };
                a.validate()?;
                (Key::Id(id), Parsed::CorporateAction(a))
            }
            "cash_flows.csv" => {
                let id = f.id("id")?;
                let account = f.id("account_id")?;
                reference(&k.accounts, "account_id", account, "account")?;
                let c = CashFlow {
                    id: EventId(id),
                    account_id: AccountId(account),
                    kind: f.parsed::<CashFlowKind>("kind")?,
                    amount: f.money("amount")?,
                    time: f.time("time")?,
                };
                c.validate()?;
                (Key::Id(id), Parsed::CashFlow(c))
            }
            "logins.csv" => {
                let id = f.id("id")?;
                let customer = f.id("customer_id")?;
                reference(&k.customers, "customer_id", customer, "customer")?;
                let l = Login {
                    id: EventId(id),
                    customer_id: CustomerId(customer),
                    time: f.time("time")?,
                    channel: f.parsed::<LoginChannel>("channel")?,
                };
                (Key::Id(id), Parsed::Login(l))
            }
            "service_events.csv" => {
                let id = f.id("id")?;
                let customer = f.id("customer_id")?;
                reference(&k.customers, "customer_id", customer, "customer")?;
                let staff = match f.text("staff_id")? {
                    "" => None,
                    _ => {
                        let s = f.id("staff_id")?;
                        reference(&k.staff, "staff_id", s, "staff member")?;
                        Some(StaffId(s))
                    }
                };
                let e = ServiceEvent {
                    id: EventId(id),
                    customer_id: CustomerId(customer),
                    staff_id: staff,
                    kind: f.parsed::<ServiceEventKind>("kind")?,
                    time: f.time("time")?,
                };
                (Key::Id(id), Parsed::ServiceEvent(e))
            }
            "daily_bars.csv" => {
                let factor = f.text("adj_factor")?;
                let b = DailyBar {
                    instrument: f.instrument("code", k)?,
                    date: f.date("date")?,
                    open: f.money("open")?,
                    high: f.money("high")?,
                    low: f.money("low")?,
                    close: f.money("close")?,
                    volume: f.money("volume")?,
                    amount: f.optional_money("amount")?,
                    prev_close: f.optional_money("prev_close")?,
                    adj_factor: if factor.is_empty() {
                        None
                    } else {
                        Some(
                            rust_decimal::Decimal::from_str(factor)
                                .map_err(|_| row_error("adj_factor", format!("'{factor}' is not a number")))?,
                        )
                    },
                };
                b.validate()?;
                let day = i64::from(chrono::Datelike::num_days_from_ce(&b.date));
                (Key::Quote(b.instrument.clone(), day), Parsed::DailyBar(b))
            }
            "snapshots.csv" => {
                let s = Snapshot {
                    instrument: f.instrument("code", k)?,
                    time: f.time("time")?,
                    last: f.money("last")?,
                    prev_close: f.money("prev_close")?,
                    high: f.money("high")?,
                    low: f.money("low")?,
                    volume: f.money("volume")?,
                    bid: f.optional_money("bid")?,
                    ask: f.optional_money("ask")?,
                };
                s.validate()?;
                (Key::Quote(s.instrument.clone(), s.time.timestamp()), Parsed::Snapshot(s))
            }
            other => unreachable!("{other} is not in book_files::LOAD_ORDER"),
        })
    }
}

/// Groups a batch of one file's rows into the store's batch type.
fn into_rows(batch: Vec<Parsed>) -> Rows {
    macro_rules! collect {
        ($variant:ident, $rows:ident) => {
            Rows::$rows(
                batch.into_iter().filter_map(|p| if let Parsed::$variant(x) = p { Some(x) } else { None }).collect(),
            )
        };
    }
    match batch.first() {
        Some(Parsed::Branch(_)) | None => collect!(Branch, Branches),
        Some(Parsed::Staff(_)) => collect!(Staff, Staff),
        Some(Parsed::Customer(_)) => collect!(Customer, Customers),
        Some(Parsed::Account(_)) => collect!(Account, Accounts),
        Some(Parsed::Instrument(_)) => collect!(Instrument, Instruments),
        Some(Parsed::Position(_)) => collect!(Position, Positions),
        Some(Parsed::Trade(_)) => collect!(Trade, Trades),
        Some(Parsed::CashFlow(_)) => collect!(CashFlow, CashFlows),
        Some(Parsed::Login(_)) => collect!(Login, Logins),
        Some(Parsed::ServiceEvent(_)) => collect!(ServiceEvent, ServiceEvents),
        Some(Parsed::DailyBar(_)) => collect!(DailyBar, DailyBars),
        Some(Parsed::Snapshot(_)) => collect!(Snapshot, Snapshots),
        Some(Parsed::CorporateAction(_)) => collect!(CorporateAction, CorporateActions),
    }
}

/// Row counts of every table and a checksum of all positions: equal stats
/// mean two databases hold the same book, whatever their backend.
pub async fn stats(db: &Db) -> Result<store::StoreStats, store::StoreError> {
    db.stats().await
}
