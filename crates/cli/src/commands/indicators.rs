//! `brokerdesk indicators`: an indicator over a bars file, as CSV.

use std::io::Write;
use std::path::PathBuf;

/// Compute an indicator over a daily-bars CSV (date, open, high, low, close,
/// volume by header name) and print date plus its columns as CSV.
#[derive(Debug, clap::Args)]
pub struct IndicatorsArgs {
    /// The bars file, e.g. ../shared/data/ashare-daily/600519.csv.
    #[arg(long)]
    bars: PathBuf,
    /// SMA, EMA, MACD, RSI, KDJ, BOLL, ATR, OBV, LB (volume ratio, 量比) or VR (成交量变异率).
    #[arg(long)]
    name: String,
    /// Comma-separated parameters, e.g. 12,26,9; missing ones take the defaults.
    #[arg(long, default_value = "")]
    params: String,
}

/// Prints the indicator's values from the first date it answers on.
pub fn run(args: IndicatorsArgs) -> anyhow::Result<()> {
    let params: Vec<f64> = args
        .params
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<f64>().map_err(|_| anyhow::anyhow!("--params: '{p}' is not a number")))
        .collect::<anyhow::Result<_>>()?;
    let series = app::market_data::indicator_over_file(&args.bars, &args.name, &params)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "date,{}", series.columns.join(","))?;
    for (date, values) in series.rows {
        let values: Vec<String> = values.iter().map(f64::to_string).collect();
        writeln!(out, "{date},{}", values.join(","))?;
    }
    Ok(())
}
