//! `brokerdesk points`: ledger steps imported with checkpoints (points
//! carried over from an old system, or a workload), a reproducible
//! workload written as such steps, the books' own check, and the sweep.

use super::DbArgs;
use anyhow::Context;
use chrono::{NaiveDate, TimeZone, Utc};
use std::io::{BufRead, Write};

/// The points ledger.
#[derive(Debug, clap::Subcommand)]
pub enum PointsCommand {
    /// Run ledger steps from a file (one JSON step a line) into the database;
    /// stopped anywhere and run again, it resumes after the last batch it
    /// committed: nothing lost, nothing twice.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The steps (JSON lines).
        file: std::path::PathBuf,
        /// The import's name, under which its progress is kept (default: the file's name).
        #[arg(long)]
        name: Option<String>,
        /// Steps per unit of work.
        #[arg(long, default_value_t = 1_000)]
        batch: usize,
    },
    /// Write a reproducible workload of ledger steps (earn, spend, holds,
    /// envelopes, referrals, time-outs, expiry, repeats) as JSON lines.
    Workload {
        /// Steps.
        #[arg(long, default_value_t = 100_000)]
        steps: u64,
        /// Customers, ids 1..=N.
        #[arg(long, default_value_t = 1_000)]
        customers: i64,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The first step's day.
        #[arg(long, default_value = "2024-01-01")]
        start: NaiveDate,
    },
    /// The books' own check: every balance sums to zero, none below zero,
    /// the lots hold the balances. Exits with 1 when they do not.
    Check {
        #[command(flatten)]
        db: DbArgs,
    },
    /// What `serve` does hourly and nightly, now: holds and rewards past their
    /// timeout voided, old lots expired, referrals judged and qualified rewards
    /// posted, and every customer's tier judged for the day. Prints a JSON report.
    Sweep {
        #[command(flatten)]
        db: DbArgs,
        /// Growth rules as JSON (as `serve --growth-rules`); the defaults otherwise.
        #[arg(long)]
        growth_rules: Option<std::path::PathBuf>,
    },
}

/// Runs a points command.
pub async fn run(command: PointsCommand) -> anyhow::Result<()> {
    match command {
        PointsCommand::Import { db, file, name, batch } => {
            let db = db.open().await?;
            let name =
                name.unwrap_or_else(|| file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
            let reader = std::io::BufReader::new(
                std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?,
            );
            let report = app::growth::import_steps(&db, &name, reader.lines(), batch.max(1)).await?;
            println!(
                "{name}: resumed after {} steps; {} applied, {} sweeps, {} refused",
                report.resumed_after,
                report.applied,
                report.sweeps,
                report.refused.len()
            );
            for (line, code, reason) in report.refused.iter().take(20) {
                println!("  line {line}: {code}: {reason}");
            }
            Ok(())
        }
        PointsCommand::Workload { steps, customers, seed, start } => {
            let start = Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).expect("midnight"));
            let mut work = growth::workload::Workload::new(seed, customers, start);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for _ in 0..steps {
                serde_json::to_writer(&mut out, &work.next_step())?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            Ok(())
        }
        PointsCommand::Sweep { db, growth_rules } => {
            let rules = growth_rules.as_deref().map(super::growth_rules).transpose()?.unwrap_or_default();
            let db = db.open().await?;
            let now = db.now();
            let sweep = app::growth::sweep(&db, &rules, now).await?;
            let today = domain::to_shanghai(now).date_naive();
            let tenure = app::growth::earn_tenure(&db, &rules.earning, today).await?;
            let tiers = app::growth::tiers::recompute(&db, &rules.tiers, today).await?;
            println!("{}", serde_json::json!({ "sweep": sweep, "tenure_earned": tenure, "tiers": tiers }));
            Ok(())
        }
        PointsCommand::Check { db } => {
            let db = db.open().await?;
            let t = db.ledger_totals().await?;
            println!(
                "transfers {}  sum of balances {}  pending {}  lowest available {}  customers {}  in lots {}",
                t.transfers, t.net, t.pending, t.lowest_available, t.customers_net, t.in_lots
            );
            if t.net != 0 || t.pending != 0 || t.lowest_available < 0 || t.in_lots != t.customers_net {
                anyhow::bail!("the books do not balance");
            }
            Ok(())
        }
    }
}
