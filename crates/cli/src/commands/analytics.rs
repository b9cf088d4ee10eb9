//! `brokerdesk analytics`: TUV with its change split by factor, lifecycle
//! stages and cohorts, from the counts the database keeps, over the firm.

use super::DbArgs;
use ::analytics::Month;
use access::Principal;
use app::analytics::{self, Grouping};
use rust_decimal::Decimal;

/// Figures over the firm's customers.
#[derive(Debug, clap::Subcommand)]
pub enum AnalyticsCommand {
    /// TUV of a month (users x active rate x conversion x ARPU) and its change
    /// from the month before, split among the four factors (Shapley).
    Tuv {
        #[command(flatten)]
        db: DbArgs,
        /// The month, YYYY-MM (default: the month of the book's latest trade).
        #[arg(long)]
        month: Option<String>,
        /// firm, branch, advisor or group.
        #[arg(long, default_value = "firm")]
        by: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Each month's customers by stage: new, returning, resurrected, dormant.
    Lifecycle {
        #[command(flatten)]
        db: DbArgs,
        /// The first month, YYYY-MM (default: 11 months before the last).
        #[arg(long)]
        from: Option<String>,
        /// The last month, YYYY-MM (default: the month of the book's latest trade).
        #[arg(long)]
        to: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Cohorts by the month accounts opened: retention and revenue per customer.
    Cohorts {
        #[command(flatten)]
        db: DbArgs,
        /// The first cohort, YYYY-MM (default: 11 months before the last).
        #[arg(long)]
        from: Option<String>,
        /// The last month, YYYY-MM (default: the month of the book's latest trade).
        #[arg(long)]
        to: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Recompute every count from the stored events (they are kept current
    /// as events arrive; this is for a database loaded by other means).
    Rebuild {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// The months asked for, or the year up to the latest active month.
async fn range(db: &app::Db, from: Option<&str>, to: Option<&str>) -> anyhow::Result<(Month, Month)> {
    let last = match to {
        Some(t) => analytics::parse_month(t, "to")?,
        None => analytics::default_month(db).await?,
    };
    let first = match from {
        Some(f) => analytics::parse_month(f, "from")?,
        None => last.plus(-11),
    };
    Ok((first, last))
}

fn pct(d: Decimal) -> String {
    format!("{:.1}%", d * Decimal::from(100))
}

/// Runs an analytics command.
pub async fn run(command: AnalyticsCommand) -> anyhow::Result<()> {
    let operator = Principal::operator();
    match command {
        AnalyticsCommand::Tuv { db, month, by, json } => {
            let db = db.open().await?;
            let month = match month {
                Some(m) => analytics::parse_month(&m, "month")?,
                None => analytics::default_month(&db).await?,
            };
            let report = analytics::tuv(&db, &operator, month, Grouping::parse(&by)?).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(());
            }
            println!("TUV {} by {} (change from {}, split by Shapley value)", report.month, by, month.pred());
            println!(
                "{:<20} {:>9} {:>8} {:>7} {:>8} {:>10} {:>14} {:>13} {:>11} {:>11} {:>11} {:>11}",
                "",
                "users",
                "active",
                "rate",
                "paying",
                "conv.",
                "ARPU",
                "TUV",
                "Δ TUV",
                "Δ users",
                "Δ rate",
                "Δ conv./ARPU"
            );
            for l in &report.lines {
                let f = &l.figures;
                let name = if l.name.is_empty() { l.key.clone() } else { format!("{} {}", l.key, l.name) };
                println!(
                    "{:<20} {:>9} {:>8} {:>7} {:>8} {:>10} {:>14} {:>13} {:>11} {:>11} {:>11} {:>11}",
                    name,
                    f.users,
                    f.active,
                    pct(f.active_rate),
                    f.paying,
                    pct(f.conversion),
                    f.arpu.round_dp(2),
                    f.tuv.round_dp(2),
                    l.change.change.round_dp(2),
                    l.change.users.round_dp(2),
                    l.change.active_rate.round_dp(2),
                    format!("{}/{}", l.change.conversion.round_dp(2), l.change.arpu.round_dp(2)),
                );
            }
            Ok(())
        }
        AnalyticsCommand::Lifecycle { db, from, to, json } => {
            let db = db.open().await?;
            let (first, last) = range(&db, from.as_deref(), to.as_deref()).await?;
            let months = analytics::lifecycle(&db, &operator, first, last).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&months)?);
                return Ok(());
            }
            println!(
                "{:<8} {:>9} {:>7} {:>10} {:>12} {:>9} {:>8} {:>14}",
                "month", "users", "new", "returning", "resurrected", "dormant", "active", "TUV"
            );
            for m in &months {
                let s = &m.stages;
                println!(
                    "{:<8} {:>9} {:>7} {:>10} {:>12} {:>9} {:>8} {:>14}",
                    m.month.to_string(),
                    m.funnel.users,
                    s.new,
                    s.returning,
                    s.resurrected,
                    s.dormant,
                    m.funnel.active,
                    m.funnel.tuv.round_dp(2)
                );
            }
            Ok(())
        }
        AnalyticsCommand::Cohorts { db, from, to, json } => {
            let db = db.open().await?;
            let (first, last) = range(&db, from.as_deref(), to.as_deref()).await?;
            let table = analytics::cohorts(&db, &operator, first, last).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&table)?);
                return Ok(());
            }
            println!("retention by months since opening (lifetime value per customer, CNY)");
            for c in &table.cohorts {
                let cells: Vec<String> = c
                    .cells
                    .iter()
                    .map(|k| format!("{} ({})", pct(k.retention), k.lifetime_value.round_dp(2)))
                    .collect();
                println!("{} n={:<7} {}", c.opened, c.size, cells.join("  "));
            }
            Ok(())
        }
        AnalyticsCommand::Rebuild { db } => {
            let db = db.open().await?;
            let started = std::time::Instant::now();
            db.rebuild_analytics().await?;
            println!("analytics counts rebuilt in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
    }
}
