//! `brokerdesk gen`: a deterministic synthetic brokerage as CSV files.

use std::path::PathBuf;

/// Write a deterministic synthetic brokerage as CSV files.
#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// Number of customers.
    #[arg(long, default_value_t = 20_000)]
    customers: u64,
    /// Seed; the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Real daily bars to use instead of the committed subset, e.g. ../shared/data/ashare-daily.
    #[arg(long)]
    bars: Option<PathBuf>,
}

/// Generates the book and prints its row counts.
pub fn run(args: GenArgs) -> anyhow::Result<()> {
    let mut opts = generator::GenOptions::new(args.customers, args.seed, args.out);
    opts.bars = args.bars;
    let summary = generator::generate(&opts)?;
    for (file, rows) in &summary.rows {
        println!("{file:>20} {rows:>12} rows");
    }
    println!("generated in {:.1} s into {}", summary.elapsed.as_secs_f64(), opts.out.display());
    Ok(())
}
