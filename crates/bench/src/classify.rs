//! `brokerdesk bench classify`: every customer's features computed in batch
//! from a synthetic brokerage held in memory (N customers, M trades), and the
//! same features computed by DuckDB SQL (`bench/classify_duckdb.py`) over the
//! same book in the same run, with the ratio; then incremental throughput:
//! trades fed one by one, interleaved across customers, as the desk would.
//!
//! The synthetic book has one account per customer, trades on distinct days
//! in each customer's history (so no sale meets a same-day buy), and sells
//! only of shares held (so first-in-first-out matching is the same whether
//! computed lot by lot or, as in SQL, by overlapping cumulative share ranges).

use super::peak_rss_bytes;
use chrono::NaiveDate;
use classify::activity::{day_of, Activity, Features, Holding, Profile, TradeEvent};
use domain::Side;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use thiserror::Error;

/// What to measure.
#[derive(Debug, Clone)]
pub struct ClassifyBenchOptions {
    /// Customers.
    pub customers: u32,
    /// Trades, about (each customer draws a count around the mean).
    pub trades: u64,
    /// Seed.
    pub seed: u64,
    /// Threads for the batch (DuckDB gets as many).
    pub threads: usize,
    /// The DuckDB peer script, if any; the book is written under `work_dir` for it.
    pub duckdb_script: Option<PathBuf>,
    /// Scratch directory.
    pub work_dir: PathBuf,
}

/// Why the benchmark stopped.
#[derive(Debug, Error)]
pub enum ClassifyBenchError {
    /// Writing the book for DuckDB failed.
    #[error("writing {path}: {source}")]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The DuckDB script failed.
    #[error("DuckDB peer: {0}")]
    DuckDb(String),
}

/// The measurements.
#[derive(Debug, Clone)]
pub struct ClassifyBench {
    /// Customers.
    pub customers: u32,
    /// Trades generated.
    pub trades: u64,
    /// Generating the book in memory, seconds.
    pub gen_s: f64,
    /// Every customer's features, in batch, milliseconds.
    pub batch_ms: f64,
    /// Trades a second fed one by one, interleaved across customers.
    pub incremental_trades_per_s: f64,
    /// Trades fed in the incremental measurement.
    pub incremental_trades: u64,
    /// Incremental features equal the batch's for the customers fed.
    pub incremental_agrees: bool,
    /// The same features in DuckDB, milliseconds (none without the script).
    pub duckdb_ms: Option<f64>,
    /// Every feature's sum over all customers equal on both sides.
    pub duckdb_agrees: Option<bool>,
    /// Peak resident memory of this process (DuckDB runs in its own).
    pub peak_rss_bytes: Option<u64>,
}

impl ClassifyBench {
    /// DuckDB's time over ours.
    pub fn ratio_vs_duckdb(&self) -> Option<f64> {
        self.duckdb_ms.map(|d| d / self.batch_ms)
    }
}

/// The day everything is computed as of.
fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("a valid date")
}

/// A range of customers and their trades and logins, column by column.
#[derive(Debug, Default)]
struct Chunk {
    /// First customer's number.
    first: u32,
    /// Per customer: market entry and account opening dates, cash, and where its trades, logins and holdings start.
    entry: Vec<NaiveDate>,
    opened: Vec<NaiveDate>,
    cash: Vec<i64>,
    trade_start: Vec<usize>,
    login_start: Vec<usize>,
    holding_start: Vec<usize>,
    day: Vec<i32>,
    instrument: Vec<u16>,
    sell: Vec<bool>,
    quantity: Vec<i32>,
    price: Vec<i32>,
    fee: Vec<i32>,
    logins: Vec<i32>,
    holdings: Vec<Holding>,
}

impl Chunk {
    fn len(&self) -> usize {
        self.entry.len()
    }

    fn trade(&self, k: usize) -> TradeEvent {
        TradeEvent {
            id: domain::TradeId(k as i64),
            account: domain::AccountId(0),
            instrument: u32::from(self.instrument[k]),
            side: if self.sell[k] { Side::Sell } else { Side::Buy },
            quantity: i64::from(self.quantity[k]),
            price: i64::from(self.price[k]),
            fee: i64::from(self.fee[k]),
            day: self.day[k],
            t_plus_zero: false,
        }
    }

    /// Customer `c`'s (within the chunk) features, in batch.
    fn features(&self, c: usize) -> Features {
        let mut activity = Activity::new();
        for k in self.trade_start[c]..self.trade_start[c + 1] {
            activity.on_trade(&self.trade(k)).expect("the synthetic book is valid");
        }
        for &d in &self.logins[self.login_start[c]..self.login_start[c + 1]] {
            activity.on_login(d);
        }
        self.features_of(&activity, c)
    }

    fn features_of(&self, activity: &Activity, c: usize) -> Features {
        let profile = Profile { market_entry: self.entry[c], opened: self.opened[c] };
        let holdings = &self.holdings[self.holding_start[c]..self.holding_start[c + 1]];
        activity.features(as_of(), &profile, holdings, self.cash[c])
    }
}

/// Instruments in the synthetic market, and their base prices (0.0001 CNY).
const INSTRUMENTS: usize = 5_000;

fn base_prices(seed: u64) -> Vec<i32> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed ^ 0x5eed);
    (0..INSTRUMENTS).map(|_| rng.gen_range(20_000..1_000_000)).collect()
}

/// Generates customers `first..first + n` with about `per_customer` trades each.
fn generate(first: u32, n: u32, per_customer: f64, seed: u64, prices: &[i32]) -> Chunk {
    let today = day_of(as_of());
    let mut rng = Pcg64Mcg::seed_from_u64(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ u64::from(first));
    let mut ch = Chunk { first, ..Chunk::default() };
    let history = 730; // two years of trading days, calendar days here
    for _ in 0..n {
        ch.trade_start.push(ch.day.len());
        ch.login_start.push(ch.logins.len());
        ch.holding_start.push(ch.holdings.len());
        let entry_days = rng.gen_range(30..7_300);
        ch.entry.push(as_of() - chrono::Duration::days(entry_days));
        ch.opened.push(as_of() - chrono::Duration::days(rng.gen_range(1..entry_days.min(3_650) + 1)));
        ch.cash.push(rng.gen_range(0..2_000_000_000));
        // Trades on distinct, increasing days.
        let count = (rng.gen_range(0.0..2.0 * per_customer) as usize).min(history);
        let mut days: Vec<i32> = (0..count).map(|_| today - rng.gen_range(0..history as i32)).collect();
        days.sort_unstable();
        for k in 1..days.len() {
            days[k] = days[k].max(days[k - 1] + 1);
        }
        let shift = days.last().map_or(0, |&d| (d - today).max(0));
        let universe: Vec<u16> = (0..rng.gen_range(1..9)).map(|_| rng.gen_range(0..INSTRUMENTS as u16)).collect();
        let mut held: Vec<(u16, i32)> = Vec::new();
        for d in days {
            let day = d - shift;
            let sell = !held.is_empty() && rng.gen_bool(0.45);
            let (instrument, quantity) = if sell {
                let h = rng.gen_range(0..held.len());
                let lots = held[h].1 / 100;
                let q = if rng.gen_bool(0.5) { held[h].1 } else { rng.gen_range(1..=lots) * 100 };
                let i = held[h].0;
                held[h].1 -= q;
                if held[h].1 == 0 {
                    held.swap_remove(h);
                }
                (i, q)
            } else {
                let i = universe[rng.gen_range(0..universe.len())];
                let q = rng.gen_range(1..50) * 100;
                match held.iter_mut().find(|h| h.0 == i) {
                    Some(h) => h.1 += q,
                    None => held.push((i, q)),
                }
                (i, q)
            };
            let price = (f64::from(prices[usize::from(instrument)]) * rng.gen_range(0.8..1.25)) as i32;
            let amount = i64::from(price) * i64::from(quantity);
            let fee = (amount / 4_000).max(50_000) + if sell { amount / 2_000 } else { 0 };
            ch.day.push(day);
            ch.instrument.push(instrument);
            ch.sell.push(sell);
            ch.quantity.push(quantity);
            ch.price.push(price);
            ch.fee.push(fee as i32);
        }
        let mut logins: Vec<i32> = (0..rng.gen_range(0..20)).map(|_| today - rng.gen_range(0..120)).collect();
        logins.sort_unstable();
        ch.logins.extend(logins);
        // Holdings now: what the trades left, at today's price, with a cost around it.
        for &(i, q) in &held {
            let price = i64::from(prices[usize::from(i)]);
            let value = price * i64::from(q);
            let cost = (value as f64 * rng.gen_range(0.6..1.5)) as i64;
            ch.holdings.push(Holding { value, cost });
        }
    }
    ch.trade_start.push(ch.day.len());
    ch.login_start.push(ch.logins.len());
    ch.holding_start.push(ch.holdings.len());
    ch
}

/// Every feature summed over customers (none counted as 0), in the order
/// the DuckDB script prints them.
const SUMS: [&str; 22] = [
    "years_in_market",
    "days_since_opened",
    "logins_30d",
    "logins_90d",
    "trades_30d",
    "trades_90d",
    "days_since_last_trade",
    "days_since_last_login",
    "days_since_return",
    "turnover_90d_bp",
    "realized_pnl",
    "round_trips",
    "win_rate_bp",
    "avg_holding_days",
    "untracked_shares_sold",
    "positions",
    "largest_weight_bp",
    "hhi_bp",
    "unrealized_pnl",
    "assets",
    "commission",
    "cash_share_bp",
];

fn sums(features: &[Features]) -> Vec<i128> {
    let mut s = vec![0i128; SUMS.len()];
    for f in features {
        let o = |v: Option<u32>| i128::from(v.unwrap_or(0));
        let row = [
            i128::from(f.years_in_market),
            i128::from(f.days_since_opened),
            i128::from(f.logins_30d),
            i128::from(f.logins_90d),
            i128::from(f.trades_30d),
            i128::from(f.trades_90d),
            o(f.days_since_last_trade),
            o(f.days_since_last_login),
            o(f.days_since_return),
            i128::from(f.turnover_90d_bp),
            i128::from(f.realized_pnl),
            i128::from(f.round_trips),
            o(f.win_rate_bp),
            o(f.avg_holding_days),
            i128::from(f.untracked_shares_sold),
            i128::from(f.positions),
            i128::from(f.largest_weight_bp),
            i128::from(f.hhi_bp),
            i128::from(f.unrealized_pnl),
            i128::from(f.assets),
            i128::from(f.commission),
            i128::from(f.cash_share_bp),
        ];
        for (a, v) in s.iter_mut().zip(row) {
            *a += v;
        }
    }
    s
}

/// Runs the benchmark.
pub fn classify_bench(opts: &ClassifyBenchOptions) -> Result<ClassifyBench, ClassifyBenchError> {
    let threads = opts.threads.max(1);
    let started = Instant::now();
    let prices = base_prices(opts.seed);
    let per_customer = opts.trades as f64 / f64::from(opts.customers.max(1));
    // Chunks of customers, generated in parallel.
    let chunk_size = 50_000u32;
    let starts: Vec<u32> = (0..opts.customers).step_by(chunk_size as usize).collect();
    let chunks: Vec<Chunk> = std::thread::scope(|scope| {
        let per_thread = starts.len().div_ceil(threads);
        let handles: Vec<_> = starts
            .chunks(per_thread.max(1))
            .map(|mine| {
                let prices = &prices;
                scope.spawn(move || {
                    mine.iter()
                        .map(|&first| {
                            let n = chunk_size.min(opts.customers - first);
                            generate(first, n, per_customer, opts.seed, prices)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a generating thread does not panic")).collect()
    });
    let gen_s = started.elapsed().as_secs_f64();
    let trades: u64 = chunks.iter().map(|c| c.day.len() as u64).sum();

    // Batch: every customer's features, chunks split over the threads.
    let started = Instant::now();
    let features: Vec<Vec<Features>> = std::thread::scope(|scope| {
        let per_thread = chunks.len().div_ceil(threads);
        let handles: Vec<_> = chunks
            .chunks(per_thread.max(1))
            .map(|mine| {
                scope.spawn(move || {
                    mine.iter().map(|ch| (0..ch.len()).map(|c| ch.features(c)).collect::<Vec<_>>()).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a batch thread does not panic")).collect()
    });
    let batch_ms = started.elapsed().as_secs_f64() * 1e3;
    let all: Vec<Features> = features.iter().flatten().copied().collect();

    // Incremental: the first chunk's trades (and logins) in time order across its customers, one by one.
    let first = &chunks[0];
    let mut events: Vec<(i32, u32, usize)> = Vec::with_capacity(first.day.len());
    for c in 0..first.len() {
        events.extend((first.trade_start[c]..first.trade_start[c + 1]).map(|k| (first.day[k], c as u32, k)));
    }
    events.sort_unstable();
    let mut activities = vec![Activity::new(); first.len()];
    let started = Instant::now();
    for &(_, c, k) in &events {
        activities[c as usize].on_trade(&first.trade(k)).expect("the synthetic book is valid");
    }
    let incremental_s = started.elapsed().as_secs_f64();
    for (c, a) in activities.iter_mut().enumerate() {
        for &d in &first.logins[first.login_start[c]..first.login_start[c + 1]] {
            a.on_login(d);
        }
    }
    let incremental_agrees = activities.iter().enumerate().all(|(c, a)| first.features_of(a, c) == features[0][c]);
    drop(activities);

    let mut duckdb_ms = None;
    let mut duckdb_agrees = None;
    if let Some(script) = &opts.duckdb_script {
        let dir = opts.work_dir.join("classify");
        write_book(&dir, &chunks)?;
        let (ms, theirs) = duckdb(script, &dir, threads)?;
        duckdb_ms = Some(ms);
        duckdb_agrees = Some(theirs == sums(&all));
    }
    Ok(ClassifyBench {
        customers: opts.customers,
        trades,
        gen_s,
        batch_ms,
        incremental_trades_per_s: events.len() as f64 / incremental_s.max(1e-9),
        incremental_trades: events.len() as u64,
        incremental_agrees,
        duckdb_ms,
        duckdb_agrees,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// Writes the book as CSV files for the DuckDB script.
fn write_book(dir: &Path, chunks: &[Chunk]) -> Result<(), ClassifyBenchError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ClassifyBenchError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(fail(dir))?;
    let open = |name: &str| -> Result<(PathBuf, BufWriter<std::fs::File>), ClassifyBenchError> {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).map_err(fail(&path))?;
        Ok((path, BufWriter::with_capacity(1 << 20, file)))
    };
    let (cp, mut customers) = open("customers.csv")?;
    let (tp, mut trades) = open("trades.csv")?;
    let (lp, mut logins) = open("logins.csv")?;
    let (hp, mut holdings) = open("holdings.csv")?;
    let io = |path: &PathBuf, r: std::io::Result<()>| r.map_err(fail(path));
    io(&cp, writeln!(customers, "customer,entry,opened,cash"))?;
    io(&tp, writeln!(trades, "customer,day,instrument,sell,quantity,price,fee"))?;
    io(&lp, writeln!(logins, "customer,day"))?;
    io(&hp, writeln!(holdings, "customer,value,cost"))?;
    for ch in chunks {
        for c in 0..ch.len() {
            let id = ch.first + c as u32;
            io(&cp, writeln!(customers, "{id},{},{},{}", ch.entry[c], ch.opened[c], ch.cash[c]))?;
            for k in ch.trade_start[c]..ch.trade_start[c + 1] {
                let (d, i, s) = (ch.day[k], ch.instrument[k], u8::from(ch.sell[k]));
                let (q, p, f) = (ch.quantity[k], ch.price[k], ch.fee[k]);
                io(&tp, writeln!(trades, "{id},{d},{i},{s},{q},{p},{f}"))?;
            }
            for d in &ch.logins[ch.login_start[c]..ch.login_start[c + 1]] {
                io(&lp, writeln!(logins, "{id},{d}"))?;
            }
            for h in &ch.holdings[ch.holding_start[c]..ch.holding_start[c + 1]] {
                io(&hp, writeln!(holdings, "{id},{},{}", h.value, h.cost))?;
            }
        }
    }
    for (path, w) in [(cp, customers), (tp, trades), (lp, logins), (hp, holdings)] {
        w.into_inner().map_err(|e| ClassifyBenchError::Write { path, source: e.into_error() })?;
    }
    Ok(())
}

/// Runs the DuckDB script; answers its time and its sums.
fn duckdb(script: &Path, dir: &Path, threads: usize) -> Result<(f64, Vec<i128>), ClassifyBenchError> {
    let args = [
        "--dir".into(),
        dir.display().to_string(),
        "--threads".into(),
        threads.to_string(),
        "--as-of-day".into(),
        day_of(as_of()).to_string(),
        "--as-of".into(),
        as_of().to_string(),
    ];
    let (json, line) = super::run_peer(script, &args).map_err(ClassifyBenchError::DuckDb)?;
    let ms = json["duckdb_ms"].as_f64().ok_or_else(|| ClassifyBenchError::DuckDb(format!("no duckdb_ms: {line}")))?;
    let sums = json["sums"]
        .as_array()
        .ok_or_else(|| ClassifyBenchError::DuckDb(format!("no sums: {line}")))?
        .iter()
        .map(|v| v.as_str().and_then(|s| s.parse::<i128>().ok()).unwrap_or(i128::MIN))
        .collect();
    Ok((ms, sums))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_agrees_with_itself_incrementally() {
        let opts = ClassifyBenchOptions {
            customers: 2_000,
            trades: 40_000,
            seed: 3,
            threads: 2,
            duckdb_script: None,
            work_dir: PathBuf::from("unused"),
        };
        let b = classify_bench(&opts).unwrap();
        assert!(b.incremental_agrees);
        assert!((30_000..50_000).contains(&b.trades), "{}", b.trades);
        assert!(b.batch_ms > 0.0 && b.incremental_trades > 0);
    }
}
