//! `brokerdesk stats`: row counts and the positions checksum.

use super::DbArgs;

/// Print row counts and the positions checksum of a database.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    #[command(flatten)]
    db: DbArgs,
}

/// Prints the counts and the checksum.
pub async fn run(args: StatsArgs) -> anyhow::Result<()> {
    let stats = app::import::stats(&args.db.open().await?).await?;
    for (table, n) in &stats.counts {
        println!("{table:>16} {n}");
    }
    println!("positions checksum {}", stats.positions_checksum);
    Ok(())
}
