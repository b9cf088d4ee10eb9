//! `brokerdesk bench import`: generation time and peak memory, then import
//! throughput into each backend, and proof that both hold the same book.
//! `brokerdesk bench indicators`: see [`indicators`]; `brokerdesk bench watch`: see [`watch`];
//! `brokerdesk bench pages`: see [`pages`].

pub mod analytics;
pub mod chat;
mod child;
pub mod classify;
pub mod cluster;
pub mod indicators;
pub mod ledger;
pub mod live;
pub mod orders;
pub mod pages;
pub mod screen;
pub mod watch;

pub use child::{ServeChild, WorkerChild};

use app::{import_dir, ImportError, ImportOptions};
use generator::{generate, GenOptions};
use std::path::PathBuf;
use std::time::Instant;
use store::{Db, StoreError, StoreStats};
use thiserror::Error;

/// What to measure.
#[derive(Debug, Clone)]
pub struct ImportBenchOptions {
    /// Customers to generate.
    pub customers: u64,
    /// Generator seed.
    pub seed: u64,
    /// Scratch directory for the book and the SQLite file.
    pub work_dir: PathBuf,
    /// Real bars directory for the generator.
    pub bars: Option<PathBuf>,
    /// An empty PostgreSQL database to import into as well.
    pub postgres: Option<String>,
    /// Leave SQLite out (a PostgreSQL-only run, e.g. at 10M where both would not fit the disk).
    pub skip_sqlite: bool,
    /// Batches written at once (None: the backend's default).
    pub writers: Option<usize>,
    /// Rows per batch (None: the backend's default).
    pub batch_rows: Option<usize>,
}

/// One backend's import.
#[derive(Debug, Clone)]
pub struct BackendRun {
    /// sqlite or postgres.
    pub backend: &'static str,
    /// Wall time of the import.
    pub seconds: f64,
    /// Rows read per second.
    pub rows_per_s: f64,
    /// Counts and positions checksum afterwards.
    pub stats: StoreStats,
    /// The settings a commit's durability depends on, as the database reports them.
    pub durability: String,
    /// Batches written at once, and rows per batch.
    pub load: store::BulkLoad,
    /// Per file: name, rows read, seconds.
    pub files: Vec<(&'static str, u64, f64)>,
    /// Seconds after the files (statistics, figures, audit).
    pub finishing_s: f64,
}

/// The measurements.
#[derive(Debug, Clone)]
pub struct ImportBench {
    /// Customers generated.
    pub customers: u64,
    /// Rows in the book, all files.
    pub rows: u64,
    /// Generation wall time.
    pub gen_seconds: f64,
    /// Peak resident memory of the process after generation (Linux only).
    pub gen_peak_rss_bytes: Option<u64>,
    /// One entry per backend.
    pub runs: Vec<BackendRun>,
}

impl ImportBench {
    /// True when every backend ended with the same counts and checksum.
    pub fn backends_agree(&self) -> bool {
        self.runs.windows(2).all(|w| w[0].stats == w[1].stats)
    }
}

/// Why the benchmark could not run.
#[derive(Debug, Error)]
pub enum BenchError {
    /// Generation failed.
    #[error(transparent)]
    Gen(#[from] generator::GenError),
    /// Import failed.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A target database already holds data, which would skew the figures.
    #[error("the {0} database is not empty: give the benchmark a fresh one")]
    NotEmpty(&'static str),
    /// The scratch directory is unusable.
    #[error("cannot prepare {path}: {source}")]
    WorkDir {
        /// Directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

/// Runs a bench-only Python peer script with `args` and answers the JSON
/// object on the last line of its output, or what went wrong, in words.
pub fn run_peer(script: &std::path::Path, args: &[String]) -> Result<(serde_json::Value, String), String> {
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .map_err(|e| format!("python3 {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default().to_owned();
    let json = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
    Ok((json, line))
}

/// Peak resident set size of this process so far, from /proc (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    peak_rss_from("/proc/self/status")
}

/// Peak resident set size of another process so far (Linux).
pub fn peak_rss_bytes_of(pid: u32) -> Option<u64> {
    peak_rss_from(&format!("/proc/{pid}/status"))
}

/// CPU time (user and system) another process has used so far, in seconds (Linux).
pub fn cpu_seconds_of(pid: u32) -> Option<f64> {
    cpu_seconds_in(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The CPU seconds in a /proc/PID/stat line.
fn cpu_seconds_in(stat: &str) -> Option<f64> {
    // The command name is in parentheses and may hold spaces: fields are counted after it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let (user, system): (u64, u64) = (fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?);
    // In clock ticks of USER_HZ, which is 100 on every Linux this runs on.
    Some((user + system) as f64 / 100.0)
}

fn peak_rss_from(path: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs the benchmark.
pub async fn import_bench(opts: &ImportBenchOptions) -> Result<ImportBench, BenchError> {
    let book = opts.work_dir.join("book");
    let sqlite_path = opts.work_dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_path.display()));
    }
    std::fs::create_dir_all(&book).map_err(|source| BenchError::WorkDir { path: book.clone(), source })?;

    let mut gen = GenOptions::new(opts.customers, opts.seed, &book);
    gen.bars = opts.bars.clone();
    let summary = generate(&gen)?;
    let gen_peak_rss_bytes = peak_rss_bytes();
    let rows = summary.rows.iter().map(|(_, n)| n).sum();

    let mut targets = Vec::new();
    if !opts.skip_sqlite {
        targets.push(("sqlite", sqlite_path.display().to_string()));
    }
    if let Some(url) = &opts.postgres {
        targets.push(("postgres", url.clone()));
    }
    let mut runs = Vec::new();
    for (backend, url) in targets {
        // A throwaway keyring: the benchmark seals personal data as production does.
        let db = Db::open(&url).await?.with_keys(store::Keys::from_text(&access::Keyring::generate())?);
        if db.stats().await?.counts.iter().any(|(_, n)| *n > 0) {
            return Err(BenchError::NotEmpty(backend));
        }
        let mut import = ImportOptions::new(&book);
        import.rejects = opts.work_dir.join(format!("rejects-{backend}.csv"));
        import.writers = opts.writers;
        import.batch_rows = opts.batch_rows;
        let defaults = db.bulk_load();
        let load = store::BulkLoad {
            writers: opts.writers.unwrap_or(defaults.writers),
            rows_per_batch: opts.batch_rows.unwrap_or(defaults.rows_per_batch),
        };
        let durability = db.durability().await?;
        let started = Instant::now();
        let report = import_dir(&db, &import).await?;
        let seconds = started.elapsed().as_secs_f64();
        let read: u64 = report.files.iter().map(|f| f.read).sum();
        let files =
            report.files.iter().filter(|f| f.present).map(|f| (f.file, f.read, f.elapsed.as_secs_f64())).collect();
        let stats = db.stats().await?;
        db.close().await;
        runs.push(BackendRun {
            backend,
            seconds,
            rows_per_s: read as f64 / seconds,
            stats,
            durability,
            load,
            files,
            finishing_s: report.finishing.as_secs_f64(),
        });
    }
    Ok(ImportBench {
        customers: opts.customers,
        rows,
        gen_seconds: summary.elapsed.as_secs_f64(),
        gen_peak_rss_bytes,
        runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_user_plus_system_ticks_even_when_the_name_has_spaces() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        let stat = "4242 (tokio rt) worker) S 1 4242 4242 0 -1 4194560 900 0 3 0 1234 566 0 0 20 0 3 0";
        assert_eq!(cpu_seconds_in(stat), Some(18.0));
        assert_eq!(cpu_seconds_in("4242 (short) S 1"), None);
        assert!(cpu_seconds_of(std::process::id()).is_some());
    }
}
