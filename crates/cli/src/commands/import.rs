//! `brokerdesk import`: a book directory into a database.

use super::KeysArgs;
use std::path::PathBuf;

/// Load a book directory (CSV files as the README documents) into a database.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Database: a SQLite file path, sqlite:PATH or postgres://...
    #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
    db: String,
    /// Where bad rows are reported.
    #[arg(long, default_value = "import-rejects.csv")]
    rejects: PathBuf,
    /// Rows per transaction (default: 50,000 on SQLite, 20,000 on PostgreSQL).
    #[arg(long)]
    batch_rows: Option<usize>,
    /// Batches written at once (default: 1 on SQLite, which has one writer; 3 on PostgreSQL).
    #[arg(long)]
    writers: Option<usize>,
    #[command(flatten)]
    keys: KeysArgs,
    /// The book directory.
    dir: PathBuf,
}

/// Imports and prints what each file did.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let db = args.keys.open(&args.db, true).await?;
    let mut opts = app::ImportOptions::new(args.dir);
    opts.rejects = args.rejects;
    opts.batch_rows = args.batch_rows;
    opts.writers = args.writers;
    let started = std::time::Instant::now();
    let report = app::import_dir(&db, &opts).await?;
    db.close().await;
    print_import(&report, &opts, started.elapsed());
    Ok(())
}

fn print_import(report: &app::ImportReport, opts: &app::ImportOptions, elapsed: std::time::Duration) {
    println!("{:>20} {:>10} {:>10} {:>10} {:>10}", "file", "read", "loaded", "present", "rejected");
    for f in &report.files {
        if f.present {
            println!("{:>20} {:>10} {:>10} {:>10} {:>10}", f.file, f.read, f.loaded, f.already_present, f.rejected);
        } else {
            println!("{:>20} (no such file, skipped)", f.file);
        }
    }
    let secs = elapsed.as_secs_f64();
    let read: u64 = report.files.iter().map(|f| f.read).sum();
    println!("{read} rows in {secs:.1} s ({:.0} rows/s)", read as f64 / secs.max(1e-9));
    if report.rejected() > 0 {
        println!("{} rows rejected: see {}", report.rejected(), opts.rejects.display());
    }
    if !report.corrections.is_empty() {
        println!(
            "{} stored positions differed from the book and were corrected (each in the audit trail):",
            report.corrections.len()
        );
        for c in &report.corrections {
            println!(
                "  account {} {}: quantity {} -> {}, sellable {} -> {}, cost {} -> {}",
                c.account_id,
                c.instrument,
                c.was.0,
                c.now.0,
                c.was.1,
                c.now.1,
                <domain::Money as domain::FixedPoint>::from_fixed(c.was.2),
                <domain::Money as domain::FixedPoint>::from_fixed(c.now.2)
            );
        }
    }
}
