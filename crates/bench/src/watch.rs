//! `brokerdesk bench watch`: the position watch engine at scale. Builds N
//! accounts with about three positions each over 5,000 instruments
//! (popularity Zipf-like), then times full-market sweeps: every instrument
//! gets a new price, then every account is revalued.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};
use rand_pcg::Pcg64Mcg;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use watch::rules::{InstrumentState, RuleConfig};
use watch::{InstrumentInput, InstrumentProfile, Monitor, Period, PositionInput, Watch, HISTORY_DAYS};

/// What to measure.
#[derive(Debug, Clone)]
pub struct WatchBenchOptions {
    /// Accounts.
    pub accounts: u32,
    /// Instruments.
    pub instruments: u32,
    /// Full-market sweeps to time.
    pub sweeps: usize,
    /// Threads for the sweep.
    pub threads: usize,
    /// Seed.
    pub seed: u64,
    /// Run the same revaluation in DuckDB with this script (bench/watch_duckdb.py), writing the book under `work_dir`.
    pub duckdb_script: Option<PathBuf>,
    /// Judged sweeps DuckDB replays (the first ones; each takes it seconds at 10 M accounts).
    pub duckdb_judged_sweeps: usize,
    /// Scratch directory for the DuckDB comparison's files.
    pub work_dir: PathBuf,
}

/// The DuckDB peer's result.
#[derive(Debug, Clone)]
pub struct DuckDbRun {
    /// Median revaluation sweep (with the account-level checks) as SQL, milliseconds.
    pub duckdb_ms: f64,
    /// DuckDB's revaluation time over the engine's median sweep.
    pub ratio: f64,
    /// Both computed the same total value.
    pub agrees: bool,
    /// Judged sweeps replayed in DuckDB (the engine's first ones, same prices).
    pub judged_sweeps: usize,
    /// Median judged sweep as SQL (every rule, what was sent before), milliseconds.
    pub judged_ms: f64,
    /// The engine's median over the same judged sweeps, milliseconds.
    pub engine_judged_ms: f64,
    /// DuckDB's judged time over the engine's, same sweeps.
    pub judged_ratio: f64,
    /// Reminders DuckDB made in those sweeps, sweep by sweep.
    pub reminders_per_sweep: Vec<u64>,
    /// Both made the same reminders, sweep by sweep.
    pub reminders_agree: bool,
}

/// The measurements.
#[derive(Debug, Clone)]
pub struct WatchBench {
    /// Accounts.
    pub accounts: u32,
    /// Positions.
    pub positions: usize,
    /// Instruments.
    pub instruments: u32,
    /// Threads.
    pub threads: usize,
    /// Seconds to build the engine, generating the positions as it goes.
    pub build_s: f64,
    /// Median sweep, milliseconds.
    pub sweep_ms_median: f64,
    /// 99th-percentile sweep, milliseconds (the slowest of fewer than 100).
    pub sweep_ms_p99: f64,
    /// Single quotes: nanoseconds per holder revalued, over quotes of every instrument.
    pub quote_ns_per_holder: f64,
    /// Median full-market sweep with every account judged by every rule and
    /// the ledger deciding what is new, milliseconds.
    pub judged_sweep_ms_median: f64,
    /// 99th percentile of the same.
    pub judged_sweep_ms_p99: f64,
    /// Reminders made over all judged sweeps.
    pub reminders: usize,
    /// Reminders made per second of judged-sweep time.
    pub reminders_per_s: f64,
    /// Single quotes with every holder judged (no trigger prices): nanoseconds per holder.
    pub judged_quote_ns_per_holder: f64,
    /// Single quotes (every instrument 0.1% down) through the trigger prices:
    /// microseconds per quote, whatever the holder count.
    pub triggered_quote_us: f64,
    /// Accounts those quotes judged, per quote.
    pub triggered_quote_visits: f64,
    /// Setting every holding's trigger prices after everyone was judged, seconds.
    pub arm_s: f64,
    /// Peak resident memory of the process.
    pub peak_rss_bytes: Option<u64>,
    /// Sum of all accounts' values after the last sweep (a check that the work happened).
    pub total_value: i64,
    /// The same work in DuckDB, when asked for.
    pub duckdb: Option<DuckDbRun>,
}

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum WatchBenchError {
    /// The engine refused the book.
    #[error(transparent)]
    Engine(#[from] watch::WatchError),
    /// The comparison's files could not be written.
    #[error("writing the DuckDB comparison's files under {path}: {source}")]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The DuckDB script failed or printed no result.
    #[error("the DuckDB comparison failed: {0}")]
    DuckDb(String),
}

/// Writes the book at its current prices for the DuckDB script (the month
/// before today is flat in this book: `month_prior` 0 for everyone).
fn export(engine: &Watch, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("positions.csv"))?);
    writeln!(w, "account,instrument,quantity,cost,trapped_days")?;
    let mut result = Ok(());
    engine.visit_rows(0..engine.accounts(), |a, _, holdings| {
        for h in holdings.iter().filter(|h| h.quantity > 0) {
            if result.is_ok() {
                result = writeln!(w, "{a},{},{},{},{}", h.instrument, h.quantity, h.cost, h.trapped_days);
            }
        }
    });
    result?;
    w.flush()?;
    let mut w = BufWriter::new(File::create(dir.join("prices.csv"))?);
    writeln!(w, "instrument,price,prev_close")?;
    for i in 0..engine.instruments() as u32 {
        writeln!(w, "{i},{},{}", engine.price(i), engine.prev_close(i))?;
    }
    w.flush()?;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("accounts.csv"))?);
    writeln!(w, "account,peak_prior,month_prior")?;
    for a in 0..engine.accounts() as u32 {
        writeln!(w, "{a},{},0", engine.peak_before_today(a))?;
    }
    w.flush()
}

/// Writes each instrument's fixed facts for the judged replay.
fn export_judged_facts(dir: &Path, profiles: &[InstrumentProfile], prev_closes: &[i32]) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(dir.join("instruments.csv"))?);
    writeln!(w, "instrument,prev_close,limit_down,outstanding,is_stock")?;
    for (i, (p, prev)) in profiles.iter().zip(prev_closes).enumerate() {
        let limit = p.limit_down.map(|l| l.to_string()).unwrap_or_default();
        writeln!(w, "{i},{prev},{limit},{},{}", p.outstanding_shares, p.is_stock)?;
    }
    w.flush()
}

/// Writes, per judged sweep to replay, each instrument's price and the
/// signals the monitor computed from it (5,000 rows a sweep, given to both
/// sides: the work compared is per position and per account).
fn export_judged_sweeps(dir: &Path, sweeps: &[Vec<InstrumentState>]) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("quotes.csv"))?);
    writeln!(w, "sweep,instrument,price,below_ma20,macd_cross")?;
    for (k, states) in sweeps.iter().enumerate() {
        for (i, s) in states.iter().enumerate() {
            writeln!(w, "{k},{i},{},{},{}", s.price, s.crossed_below_ma20, s.macd_death_cross)?;
        }
    }
    w.flush()
}

/// What the engine measured that DuckDB is compared with.
struct EngineSide {
    sweep_ms: f64,
    total_value: i64,
    judged_ms: Vec<f64>,
    reminders_per_sweep: Vec<u64>,
}

/// Runs the DuckDB script and reads its JSON line.
fn duckdb(
    script: &Path,
    dir: &Path,
    threads: usize,
    judged_sweeps: usize,
    engine: &EngineSide,
) -> Result<DuckDbRun, WatchBenchError> {
    let args = [
        "--dir".into(),
        dir.display().to_string(),
        "--threads".into(),
        threads.to_string(),
        "--judged-sweeps".into(),
        judged_sweeps.to_string(),
    ];
    let (json, line) = super::run_peer(script, &args).map_err(WatchBenchError::DuckDb)?;
    let number = |key: &str| json[key].as_f64().ok_or_else(|| WatchBenchError::DuckDb(format!("no {key} in {line}")));
    let duckdb_ms = number("duckdb_ms")?;
    let judged_ms = if judged_sweeps > 0 { number("duckdb_judged_ms")? } else { 0.0 };
    let reminders_per_sweep: Vec<u64> =
        json["reminders_per_sweep"].as_array().map_or(Vec::new(), |a| a.iter().filter_map(|x| x.as_u64()).collect());
    let mut ours = engine.judged_ms[..judged_sweeps.min(engine.judged_ms.len())].to_vec();
    ours.sort_by(f64::total_cmp);
    let engine_judged_ms = ours.get(ours.len() / 2).copied().unwrap_or(0.0);
    Ok(DuckDbRun {
        duckdb_ms,
        ratio: duckdb_ms / engine.sweep_ms,
        agrees: json["total_value"].as_i64() == Some(engine.total_value),
        judged_sweeps,
        judged_ms,
        engine_judged_ms,
        judged_ratio: if engine_judged_ms > 0.0 { judged_ms / engine_judged_ms } else { 0.0 },
        reminders_agree: reminders_per_sweep[..] == engine.reminders_per_sweep[..judged_sweeps],
        reminders_per_sweep,
    })
}

/// Closes of history per synthetic instrument: enough to seed MACD(12,26,9)
/// and the MA20, so the trend rules can fire (the engine keeps the last 19).
const SYNTHETIC_HISTORY: usize = 60;

/// Synthetic instruments: a random start price and 60 closes of a gentle walk each.
pub fn synthetic_instruments(instruments: u32, seed: u64) -> Vec<InstrumentInput> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    (0..instruments)
        .map(|_| {
            let base: i32 = rng.gen_range(2_000..200_000);
            let closes = (0..SYNTHETIC_HISTORY.max(HISTORY_DAYS))
                .scan(base, |p, _| {
                    *p = (*p as f64 * rng.gen_range(0.97..1.03)).max(100.0) as i32;
                    Some(*p)
                })
                .collect();
            InstrumentInput { closes }
        })
        .collect()
}

/// Shares outstanding of a synthetic instrument: one in a hundred is a thin
/// small cap of 100,000 shares, where the largest holdings pass the 5%
/// disclosure line; the rest have a billion.
fn synthetic_outstanding(instrument: u32) -> i64 {
    if instrument % 100 == 99 {
        100_000
    } else {
        1_000_000_000
    }
}

/// Synthetic positions, 1 to 5 an account (mean 3) over Zipf-popular
/// instruments, streamed account by account with accounts grouped by their
/// number of positions, as a database query can deliver them (`ORDER BY`
/// the account's position count, then account). Each account draws from its
/// own seeded stream, so the book does not depend on the order.
pub fn synthetic_positions<'a>(
    accounts: u32,
    instruments: &'a [InstrumentInput],
    seed: u64,
) -> impl Iterator<Item = PositionInput> + 'a {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let counts: Vec<u8> = (0..accounts).map(|_| rng.gen_range(1..=5)).collect();
    let mut order: Vec<u32> = (0..accounts).collect();
    order.sort_by_key(|&a| counts[a as usize]);
    let zipf = Zipf::new(instruments.len() as u64, 1.1).expect("valid Zipf");
    order.into_iter().flat_map(move |account| {
        let mut rng = Pcg64Mcg::seed_from_u64(seed ^ (u64::from(account) << 8) ^ 0xacc0);
        let mut held: Vec<u32> = Vec::with_capacity(5);
        while held.len() < usize::from(counts[account as usize]) {
            let i = (zipf.sample(&mut rng) as u32 - 1).min(instruments.len() as u32 - 1);
            if !held.contains(&i) {
                held.push(i);
            }
        }
        held.into_iter()
            .map(|instrument| {
                let last = *instruments[instrument as usize].closes.last().expect("closes");
                let cost = (last as f64 * rng.gen_range(0.6..1.6)) as i32;
                let quantity = rng.gen_range(1..=50) * 100;
                // A position well below its cost has been there a while, or not.
                let trapped_days = if cost as f64 > last as f64 / 0.7 { rng.gen_range(0..120) } else { 0 };
                PositionInput { account, instrument, quantity, cost, trapped_days }
            })
            .collect::<Vec<_>>()
    })
}

/// The 99th percentile of sorted times (the slowest of fewer than 100).
fn percentile_99(sorted: &[f64]) -> f64 {
    sorted[((sorted.len() as f64 * 0.99).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Runs the benchmark.
pub fn watch_bench(opts: &WatchBenchOptions) -> Result<WatchBench, WatchBenchError> {
    let accounts = opts.accounts.max(1);
    let instruments = synthetic_instruments(opts.instruments.max(1), opts.seed);
    let started = Instant::now();
    // Streamed, as from the database: the whole input is never held beside the engine.
    let positions = synthetic_positions(accounts, &instruments, opts.seed);
    let mut engine = Watch::build_streaming(accounts, &instruments, 3000, accounts as usize * 3, positions)?;
    let build_s = started.elapsed().as_secs_f64();
    let positions = engine.positions();

    let mut rng = Pcg64Mcg::seed_from_u64(opts.seed ^ 0x5eed);
    let mut times = Vec::with_capacity(opts.sweeps);
    for _ in 0..opts.sweeps.max(1) {
        for i in 0..engine.instruments() as u32 {
            let moved = (engine.prev_close(i) as f64 * rng.gen_range(0.9..1.1)) as i32;
            engine.set_price(i, moved.max(1))?;
        }
        let started = Instant::now();
        engine.sweep(opts.threads);
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let p99 = percentile_99(&times);
    let total_value = (0..engine.accounts() as u32).map(|a| engine.figures(a).value).sum();
    let dir = opts.work_dir.join("watch-book");
    let write_error = |source| WatchBenchError::Write { path: dir.clone(), source };
    if opts.duckdb_script.is_some() {
        export(&engine, &dir).map_err(write_error)?;
    }

    // Tick by tick: one quote per instrument, each revaluing its holders.
    let started = Instant::now();
    let mut holders = 0usize;
    for i in 0..engine.instruments() as u32 {
        let price = (engine.price(i) as f64 * 1.001) as i32 + 1;
        holders += engine.quote(i, price)?.len();
    }
    let quote_ns_per_holder = started.elapsed().as_secs_f64() * 1e9 / holders.max(1) as f64;

    // The same sweeps with the rules: every account judged, the ledger keeping what is new.
    let profiles = instruments
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let last = *i.closes.last().expect("closes");
            InstrumentProfile {
                is_stock: true,
                limit_down: Some(last - last / 10),
                limit_up: Some(last + last / 10),
                outstanding_shares: synthetic_outstanding(k as u32),
                closes: i.closes.clone(),
            }
        })
        .collect::<Vec<_>>();
    let month_prior = vec![0; engine.accounts()];
    let prev_closes: Vec<i32> = (0..engine.instruments() as u32).map(|i| engine.prev_close(i)).collect();
    let compared = if opts.duckdb_script.is_some() { opts.duckdb_judged_sweeps.min(opts.sweeps.max(1)) } else { 0 };
    if compared > 0 {
        export_judged_facts(&dir, &profiles, &prev_closes).map_err(write_error)?;
    }
    let mut monitor = Monitor::new(engine, profiles, month_prior, RuleConfig::default(), Period { day: 1, month: 1 })?;
    let mut judged = Vec::with_capacity(opts.sweeps);
    let mut reminders = 0;
    // A volatile day: each instrument opens up to 6% away from its last close,
    // then every sweep (a full-market snapshot, every 3 s in practice) moves
    // it up to 0.5% either way within its ±10% band.
    let watch = monitor.watch();
    let band = |i: u32, p: f64| p.clamp(watch.prev_close(i) as f64 * 0.9, watch.prev_close(i) as f64 * 1.1);
    let mut walk: Vec<f64> =
        (0..watch.instruments() as u32).map(|i| watch.prev_close(i) as f64 * rng.gen_range(0.94..1.06)).collect();
    let mut moves = Vec::with_capacity(opts.sweeps);
    for _ in 0..opts.sweeps.max(1) {
        let prices: Vec<(u32, i32)> = walk
            .iter_mut()
            .enumerate()
            .map(|(i, p)| {
                *p = band(i as u32, *p * rng.gen_range(0.995..1.005));
                (i as u32, (*p as i32).max(1))
            })
            .collect();
        moves.push(prices);
    }
    let mut reminders_per_sweep = Vec::with_capacity(moves.len());
    let mut signals = Vec::with_capacity(compared);
    for prices in moves {
        let mut made = 0;
        let started = Instant::now();
        monitor.sweep_into(&prices, opts.threads, &mut |batch| made += batch.len())?;
        judged.push(started.elapsed().as_secs_f64() * 1e3);
        reminders += made;
        reminders_per_sweep.push(made as u64);
        if signals.len() < compared {
            signals.push((0..monitor.watch().instruments() as u32).map(|i| monitor.instrument_state(i)).collect());
        }
    }
    let judged_total_s: f64 = judged.iter().sum::<f64>() / 1e3;
    // Tick by tick with the rules: each quote judges the accounts it touched.
    let holders: usize = (0..monitor.watch().instruments() as u32).map(|i| monitor.watch().holders(i).count()).sum();
    let instruments = monitor.watch().instruments() as u32;
    let started = Instant::now();
    for i in 0..instruments {
        let price = (monitor.watch().price(i) as f64 * 0.999) as i32;
        monitor.quote_judging_every_holder(i, price.max(1))?;
    }
    let judged_quote_ns_per_holder = started.elapsed().as_secs_f64() * 1e9 / holders.max(1) as f64;
    // The same through the trigger prices, armed after a sweep that moves nothing.
    monitor.sweep(&[], opts.threads)?;
    let started = Instant::now();
    monitor.arm();
    let arm_s = started.elapsed().as_secs_f64();
    let visits = monitor.quote_visits();
    let started = Instant::now();
    for i in 0..instruments {
        let price = (monitor.watch().price(i) as f64 * 0.999) as i32;
        monitor.quote(i, price.max(1))?;
    }
    let triggered_quote_us = started.elapsed().as_secs_f64() * 1e6 / f64::from(instruments.max(1));
    let triggered_quote_visits = (monitor.quote_visits() - visits) as f64 / f64::from(instruments.max(1));
    let peak_rss_bytes = super::peak_rss_bytes();
    drop(monitor);
    let duckdb = match &opts.duckdb_script {
        None => None,
        Some(script) => {
            export_judged_sweeps(&dir, &signals).map_err(write_error)?;
            let ours = EngineSide {
                sweep_ms: median,
                total_value,
                judged_ms: judged.clone(),
                reminders_per_sweep: reminders_per_sweep.clone(),
            };
            Some(duckdb(script, &dir, opts.threads, compared, &ours)?)
        }
    };
    judged.sort_by(f64::total_cmp);
    let (judged_median, judged_p99) = (judged[judged.len() / 2], percentile_99(&judged));

    Ok(WatchBench {
        accounts: opts.accounts,
        positions,
        instruments: opts.instruments,
        threads: opts.threads,
        build_s,
        sweep_ms_median: median,
        sweep_ms_p99: p99,
        quote_ns_per_holder,
        judged_sweep_ms_median: judged_median,
        judged_sweep_ms_p99: judged_p99,
        reminders,
        reminders_per_s: reminders as f64 / judged_total_s.max(1e-9),
        judged_quote_ns_per_holder,
        triggered_quote_us,
        triggered_quote_visits,
        arm_s,
        peak_rss_bytes,
        total_value,
        duckdb,
    })
}
