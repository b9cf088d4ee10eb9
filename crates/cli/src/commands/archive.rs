//! `brokerdesk archive`: the compliance archive (issue 29). `export` writes
//! group chat, one-to-one conversations, content with its review history,
//! complaints and the audit trail for a date range (and a group, an advisor
//! or a customer) as CSV and one self-contained HTML file, with a manifest
//! of SHA-256 hashes; `verify` checks a directory against its manifest (and
//! the manifest against the audit trail), exit 1 naming what changed.

use super::DbArgs;
use std::path::PathBuf;

/// The compliance archive.
#[derive(Debug, clap::Subcommand)]
pub enum ArchiveCommand {
    /// Export the records of a date range (Beijing dates, both inclusive).
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// Only this group's chat, content and members' complaints.
        #[arg(long)]
        group: Option<i64>,
        /// Only this advisor's groups, conversations, content and customers' complaints.
        #[arg(long)]
        advisor: Option<i64>,
        /// Only this customer's messages, conversations and complaints.
        #[arg(long)]
        customer: Option<i64>,
        /// The directory to write (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an archive's files against its manifest.
    Verify {
        /// The archive's directory.
        #[arg(long)]
        dir: PathBuf,
        /// Also check the manifest against the hash the export recorded in this database's audit trail.
        #[arg(long)]
        db: Option<String>,
    },
}

/// Runs the archive command; a changed archive ends the process with status 1.
pub async fn run(command: ArchiveCommand) -> anyhow::Result<()> {
    match command {
        ArchiveCommand::Export { db, from, to, group, advisor, customer, out } => {
            let day = |flag: &str, text: &str| {
                domain::parse_date("date", text).map_err(|e| anyhow::anyhow!("--{flag} {text}: {}", e.reason()))
            };
            let request =
                app::archive::Request { from: day("from", &from)?, to: day("to", &to)?, group, advisor, customer };
            let db = db.open().await?;
            let done = app::archive::export(&db, &access::Principal::operator(), request, &out).await?;
            for f in &done.manifest.files {
                println!("{:<22} {:>8} rows {:>12} bytes  sha256 {}", f.name, f.rows, f.bytes, f.sha256);
            }
            println!("manifest.json sha256 {} (recorded in the audit trail)", done.manifest_sha256);
            println!("retention: {} years", done.manifest.retention_years);
            Ok(())
        }
        ArchiveCommand::Verify { dir, db } => {
            let db = match db {
                Some(url) => Some(DbArgs { db: url }.open().await?),
                None => None,
            };
            let problems = app::archive::verify(&dir, db.as_ref()).await?;
            if problems.is_empty() {
                println!("archive intact: every file matches its manifest");
                return Ok(());
            }
            for p in &problems {
                println!("{}: {}", p.file, p.problem);
            }
            std::process::exit(1);
        }
    }
}
