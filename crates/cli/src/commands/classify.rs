//! `brokerdesk classify`: every customer's features and labels, stored.

use super::DbArgs;
use std::path::PathBuf;

/// Compute every customer's features and labels (with reasons) from the
/// database, store them, and report who moved between labels since the last run.
#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Label thresholds as JSON ({"version", "newcomer_below_years", ...}); fields not named keep the defaults.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The day to classify as of (default: the day of the newest trade or login in the database).
    #[arg(long)]
    as_of: Option<chrono::NaiveDate>,
    /// Moves to print, each with its reasons (all are counted).
    #[arg(long, default_value_t = 20)]
    show_moves: usize,
}

/// Classifies and prints the tiers and the moves.
pub async fn run(args: ClassifyArgs) -> anyhow::Result<()> {
    let config = app::classify::config_from_file(args.config.as_deref())?;
    let db = args.db.open().await?;
    let as_of = match args.as_of {
        Some(day) => day,
        None => app::classify::book_day(&db).await?.unwrap_or_else(|| db.today()),
    };
    let report = app::classify::classify_all(&db, &config, as_of, true).await?;
    db.close().await;
    println!("classified {} customers as of {as_of} (labels version {})", report.customers, config.version);
    let tiers: Vec<String> = report.tiers.iter().map(|(tier, n)| format!("{tier} {n}")).collect();
    println!("service tiers: {}", tiers.join(", "));
    println!("{} customers moved between labels ({} moves)", report.moved_customers, report.moves.len());
    for (customer, m) in report.moves.iter().take(args.show_moves) {
        let reasons: Vec<String> = m.reasons.iter().map(ToString::to_string).collect();
        let from = if m.from.is_empty() { "-" } else { &m.from };
        println!("  customer {customer}: {} {from} -> {} because {}", m.dimension, m.to, reasons.join("; "));
    }
    if !report.refused.is_empty() {
        println!("{} trades left out of the features:", report.refused.len());
        for r in report.refused.iter().take(args.show_moves) {
            println!("  {r}");
        }
    }
    Ok(())
}
