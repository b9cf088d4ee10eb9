//! `brokerdesk bench ...`: the benchmarks, each printed for a reader and,
//! with --json, as one JSON object on the last line.

use std::path::PathBuf;

/// Measure performance; figures go into docs/performance.md.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Points transfers per second through a real `serve` (a child process) and its database, one a
    /// call and in batches, from this process; beside it the store's batches alone, with the
    /// server's commit setting and with every commit waiting for the disk.
    Ledger {
        /// Customers in the generated brokerage (seeded once, reused).
        #[arg(long, default_value_t = 100_000)]
        customers: u64,
        /// Where the seeded database is kept.
        #[arg(long, default_value = "bench-work/ledger")]
        work_dir: PathBuf,
        /// A PostgreSQL database to seed (when it has no customers) and measure as well.
        #[arg(long)]
        postgres: Option<String>,
        /// Transfers sent in batches.
        #[arg(long, default_value_t = 200_000)]
        transfers: usize,
        /// Transfers per batch.
        #[arg(long, default_value_t = 1_000)]
        batch: usize,
        /// Transfers sent one a call.
        #[arg(long, default_value_t = 20_000)]
        single: usize,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Screening (issue 29): texts per second through the normalized screen, beside the exact
    /// phrase check it replaced, and what each catches of the committed corpus.
    Screen {
        /// Times the corpus is screened each way.
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Order tools: pre-trade checks per second, and conditional orders per quote through the
    /// trigger-price index against a plain scan of every waiting order.
    Orders {
        /// Tickets to check.
        #[arg(long, default_value_t = 2_000_000)]
        tickets: usize,
        /// Threads checking (default: the machine's cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Conditional orders waiting.
        #[arg(long, default_value_t = 1_000_000)]
        conditionals: usize,
        /// Instruments.
        #[arg(long, default_value_t = 5_000)]
        instruments: u32,
        /// Full market rounds through the index.
        #[arg(long, default_value_t = 50)]
        rounds: usize,
        /// Quotes judged by the full scan.
        #[arg(long, default_value_t = 200)]
        scan_quotes: usize,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// The position watch engine: build N accounts, time full-market sweeps and single quotes.
    Watch {
        /// Accounts (about 3 positions each).
        #[arg(long, default_value_t = 1_000_000)]
        accounts: u32,
        /// Instruments.
        #[arg(long, default_value_t = 5_000)]
        instruments: u32,
        /// Sweeps to time.
        #[arg(long, default_value_t = 30)]
        sweeps: usize,
        /// The DuckDB peer script; `none` to skip the comparison.
        #[arg(long, default_value = "bench/watch_duckdb.py")]
        duckdb_script: String,
        /// Judged sweeps DuckDB replays (the first ones, with the same prices).
        #[arg(long, default_value_t = 5)]
        duckdb_judged_sweeps: usize,
        /// Scratch directory for the comparison's files.
        #[arg(long, default_value = "bench-work")]
        work_dir: PathBuf,
        /// Threads for the sweep (default: the machine's cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Customer features in batch over a synthetic brokerage, beside the same features in DuckDB SQL,
    /// and incremental throughput.
    Classify {
        /// Customers.
        #[arg(long, default_value_t = 2_000_000)]
        customers: u32,
        /// Trades (about).
        #[arg(long, default_value_t = 50_000_000)]
        trades: u64,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The DuckDB peer script; `none` to skip the comparison.
        #[arg(long, default_value = "bench/classify_duckdb.py")]
        duckdb_script: String,
        /// Scratch directory for the comparison's files.
        #[arg(long, default_value = "bench-work")]
        work_dir: PathBuf,
        /// Threads (default: the machine's cores); DuckDB gets as many.
        #[arg(long)]
        threads: Option<usize>,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Streaming updates of all indicators over many instruments, day by day (bars per second).
    Indicators {
        /// Instruments to follow.
        #[arg(long, default_value_t = 5_000)]
        instruments: usize,
        /// Real daily bars, e.g. ../shared/data/ashare-daily (else the committed subset).
        #[arg(long)]
        bars: Option<PathBuf>,
        /// Worker threads (default: the machine's cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Group chat fan-out: thousands of WebSocket clients on loopback against the real server (a child
    /// process); delivery latency at a steady pace, with one member flooding, and a burst's throughput.
    Chat {
        /// WebSocket clients in all.
        #[arg(long, default_value_t = 10_000)]
        clients: usize,
        /// Members of the group the advisor writes to (the rest sit in a second group).
        #[arg(long, default_value_t = 5_000)]
        members: usize,
        /// Advisor messages in each paced phase.
        #[arg(long, default_value_t = 200)]
        messages: usize,
        /// Rounds the paced phases alternate in: steady, half the kernel floor's, one member flooding,
        /// the floor's other half.
        #[arg(long, default_value_t = 10)]
        rounds: usize,
        /// Advisor messages per second in the paced phases.
        #[arg(long, default_value_t = 10)]
        rate: u32,
        /// Advisor messages sent back to back to measure throughput.
        #[arg(long, default_value_t = 200)]
        burst: usize,
        /// Scratch directory for the book and the database.
        #[arg(long, default_value = "bench-work/chat")]
        work_dir: PathBuf,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// The live event path: a real `serve` (a child process) over N accounts, advisors' reminder
    /// sockets open, snapshots through the events feed at rising rates; quote-to-socket latency.
    Live {
        /// Accounts (one per customer, about 3 positions each).
        #[arg(long, default_value_t = 1_000_000)]
        accounts: u64,
        /// Instruments in the generated book.
        #[arg(long, default_value_t = 5_000)]
        instruments: u32,
        /// Advisors whose reminder sockets are open.
        #[arg(long, default_value_t = 20)]
        advisors: usize,
        /// Quote rates offered, rising, comma-separated; the run stops at the first not held.
        #[arg(long, value_delimiter = ',', default_value = "1000,2000,5000,10000,20000")]
        rates: Vec<u32>,
        /// Seconds each rate is held.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// The goal: quote-to-socket p99, in milliseconds.
        #[arg(long, default_value_t = 100.0)]
        goal_p99_ms: f64,
        /// Where the book and the database are kept; a rerun at the same size reuses them.
        #[arg(long, default_value = "bench-work/live")]
        work_dir: PathBuf,
        /// A PostgreSQL database to seed and serve from instead (empty, or seeded by an earlier run).
        #[arg(long)]
        postgres: Option<String>,
        /// Conditional orders waiting in the server, of every kind, none near its trigger (issue 26).
        #[arg(long, default_value_t = 0)]
        conditionals: u64,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Past one machine on loopback (issue 30): PostgreSQL, nats-server, S `serve --nats` and W
    /// `worker watch` as processes, snapshots at rising rates to the servers in turn, advisors'
    /// reminder sockets spread over them; beside it one embedded `serve` over the same database
    /// and price paths. CPU per quote over every process, quote-to-socket latency, then a worker
    /// killed with SIGKILL: failover time, and reminders lost or doubled.
    Cluster {
        /// Accounts (one per customer, about 3 positions each).
        #[arg(long, default_value_t = 1_000_000)]
        accounts: u64,
        /// Instruments in the generated book.
        #[arg(long, default_value_t = 5_000)]
        instruments: u32,
        /// The PostgreSQL database (seeded on first use).
        #[arg(long)]
        postgres: String,
        /// Advisors whose reminder sockets are open, spread over the servers.
        #[arg(long, default_value_t = 30)]
        advisors: usize,
        /// Quote rates offered, rising, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "500,1000,2000")]
        rates: Vec<u32>,
        /// Seconds each rate is held.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// The goal: quote-to-socket p99, in milliseconds.
        #[arg(long, default_value_t = 200.0)]
        goal_p99_ms: f64,
        /// Servers.
        #[arg(long, default_value_t = 3)]
        servers: usize,
        /// Watch workers (one partition each).
        #[arg(long, default_value_t = 3)]
        workers: usize,
        /// Seconds of feed at the first rate while a worker is killed.
        #[arg(long, default_value_t = 30)]
        failover_seconds: u64,
        /// Where the generated book is kept while seeding, and the sessions made.
        #[arg(long, default_value = "bench-work/cluster")]
        work_dir: PathBuf,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// TUV by firm, branch, advisor and group for 12 months, the lifecycle and the cohorts, asked
    /// of a real `serve` (a child process) over N customers; beside the same figures as SQL in
    /// DuckDB from the same events (bench/analytics_duckdb.py), with the ratio and an equality check.
    Analytics {
        /// Customers in the generated brokerage (when seeding one).
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
        /// Where the book, the database and the exported events are kept; a rerun reuses them.
        #[arg(long, default_value = "bench-work/analytics")]
        work_dir: PathBuf,
        /// Serve this database instead of seeding one (e.g. the one `bench pages` seeded).
        #[arg(long)]
        db: Option<String>,
        /// The DuckDB peer script (needs `pip install duckdb`); none: no peer.
        #[arg(long, default_value = "bench/analytics_duckdb.py")]
        duckdb: Option<PathBuf>,
        /// Leave the DuckDB peer out.
        #[arg(long)]
        no_duckdb: bool,
        /// Threads DuckDB may use (the server's machine has as many cores).
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Timed rounds; the median is reported.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Every page family and list API as each role uses them, through a real `serve` (a child
    /// process) over N customers, 16 connections per route from this process; p50/p99 per route.
    Pages {
        /// Customers in the generated brokerage (when seeding one).
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
        /// Where the book and the database are kept; a rerun at the same size reuses them.
        #[arg(long, default_value = "bench-work/pages")]
        work_dir: PathBuf,
        /// Serve this database instead of seeding one (e.g. the one `bench live` seeded).
        #[arg(long)]
        db: Option<String>,
        /// A PostgreSQL database to seed (when empty) and serve from.
        #[arg(long, conflicts_with = "db")]
        postgres: Option<String>,
        /// Concurrent connections per route.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Requests per route.
        #[arg(long, default_value_t = 320)]
        requests: usize,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// The chat bench's kernel floor: writes each line of standard input as one WebSocket frame to
    /// every socket it accepted (started by `bench chat`, not by hand).
    #[command(hide = true)]
    ChatFloor {
        /// Sockets to accept before reading standard input.
        #[arg(long)]
        sockets: usize,
    },
    /// Generate a book (time, peak memory), import it into SQLite and optionally PostgreSQL (rows/s), compare.
    Import {
        /// Customers to generate.
        #[arg(long, default_value_t = 1_000_000)]
        customers: u64,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Scratch directory for the book and the SQLite file.
        #[arg(long, default_value = "bench-work")]
        work_dir: PathBuf,
        /// Real daily bars for the generator, e.g. ../shared/data/ashare-daily.
        #[arg(long)]
        bars: Option<PathBuf>,
        /// An empty PostgreSQL database to import into as well.
        #[arg(long)]
        postgres: Option<String>,
        /// Import into PostgreSQL only (needs --postgres).
        #[arg(long, requires = "postgres")]
        skip_sqlite: bool,
        /// Batches written at once (default: the backend's, 1 on SQLite, 3 on PostgreSQL).
        #[arg(long)]
        writers: Option<usize>,
        /// Rows per batch (default: the backend's, 50,000 on SQLite, 20,000 on PostgreSQL).
        #[arg(long)]
        batch_rows: Option<usize>,
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one benchmark and prints its figures.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Watch {
            accounts,
            instruments,
            sweeps,
            duckdb_script,
            duckdb_judged_sweeps,
            work_dir,
            threads,
            json,
        } => {
            let threads =
                threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get));
            let duckdb_script = (duckdb_script != "none").then(|| PathBuf::from(duckdb_script));
            let opts = bench::watch::WatchBenchOptions {
                accounts,
                instruments,
                sweeps,
                threads,
                seed: 1,
                duckdb_script,
                duckdb_judged_sweeps,
                work_dir,
            };
            let b = bench::watch::watch_bench(&opts)?;
            let gib =
                b.peak_rss_bytes.map_or("n/a".to_owned(), |x| format!("{:.2} GiB", x as f64 / (1u64 << 30) as f64));
            println!("accounts             {} ({} positions, {} instruments)", b.accounts, b.positions, b.instruments);
            println!("build                {:.2} s", b.build_s);
            println!(
                "full sweep           median {:.1} ms, p99 {:.1} ms ({} threads)",
                b.sweep_ms_median, b.sweep_ms_p99, b.threads
            );
            println!("single quotes        {:.1} ns per holder", b.quote_ns_per_holder);
            println!(
                "sweep + every rule   median {:.1} ms, p99 {:.1} ms: {} reminders, {:.0} reminders/s",
                b.judged_sweep_ms_median, b.judged_sweep_ms_p99, b.reminders, b.reminders_per_s
            );
            println!("quotes + rules       {:.1} ns per holder, judging every holder", b.judged_quote_ns_per_holder);
            println!(
                "quotes + triggers    {:.1} us per quote, {:.1} accounts judged per quote (trigger prices, set in {:.2} s)",
                b.triggered_quote_us, b.triggered_quote_visits, b.arm_s
            );
            println!("peak RSS             {gib} (this process; DuckDB runs in its own)");
            if let Some(d) = &b.duckdb {
                println!(
                    "DuckDB, revaluation  {:.1} ms: engine {:.1}x faster; totals agree: {}",
                    d.duckdb_ms, d.ratio, d.agrees
                );
                println!(
                    "DuckDB, every rule   {:.1} ms over the first {} judged sweeps (engine {:.1} ms): \
                 engine {:.1}x faster; reminders agree sweep by sweep: {}",
                    d.judged_ms, d.judged_sweeps, d.engine_judged_ms, d.judged_ratio, d.reminders_agree
                );
            }
            if json {
                let summary = serde_json::json!({
                    "accounts": b.accounts,
                    "positions": b.positions,
                    "instruments": b.instruments,
                    "threads": b.threads,
                    "build_s": b.build_s,
                    "sweep_ms_median": b.sweep_ms_median,
                    "sweep_ms_p99": b.sweep_ms_p99,
                    "quote_ns_per_holder": b.quote_ns_per_holder,
                    "judged_sweep_ms_median": b.judged_sweep_ms_median,
                    "judged_sweep_ms_p99": b.judged_sweep_ms_p99,
                    "reminders": b.reminders,
                    "reminders_per_s": b.reminders_per_s,
                    "judged_quote_ns_per_holder": b.judged_quote_ns_per_holder,
                    "triggered_quote_us": b.triggered_quote_us,
                    "triggered_quote_visits": b.triggered_quote_visits,
                    "arm_s": b.arm_s,
                    "peak_rss_bytes": b.peak_rss_bytes,
                    "total_value": b.total_value,
                    "duckdb_ms": b.duckdb.as_ref().map(|d| d.judged_ms),
                    "duckdb_judged_sweeps": b.duckdb.as_ref().map(|d| d.judged_sweeps),
                    "engine_judged_ms_same_sweeps": b.duckdb.as_ref().map(|d| d.engine_judged_ms),
                    "ratio_vs_duckdb": b.duckdb.as_ref().map(|d| d.judged_ratio),
                    "duckdb_reminders_agree": b.duckdb.as_ref().map(|d| d.reminders_agree),
                    "duckdb_revaluation_ms": b.duckdb.as_ref().map(|d| d.duckdb_ms),
                    "ratio_vs_duckdb_revaluation_only": b.duckdb.as_ref().map(|d| d.ratio),
                    "duckdb_agrees": b.duckdb.as_ref().map(|d| d.agrees),
                });
                println!("{summary}");
            }
            Ok(())
        }
        BenchCommand::Classify { customers, trades, seed, duckdb_script, work_dir, threads, json } => {
            let threads =
                threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get));
            let duckdb_script = (duckdb_script != "none").then(|| PathBuf::from(duckdb_script));
            let opts =
                bench::classify::ClassifyBenchOptions { customers, trades, seed, threads, duckdb_script, work_dir };
            let b = bench::classify::classify_bench(&opts)?;
            let gib = |b: Option<u64>| {
                b.map_or("n/a".to_string(), |b| format!("{:.2} GiB", b as f64 / f64::from(1u32 << 30)))
            };
            println!("customers            {} ({} trades, generated in {:.1} s)", b.customers, b.trades, b.gen_s);
            println!("batch features       {:.0} ms ({threads} threads)", b.batch_ms);
            if let (Some(d), Some(r)) = (b.duckdb_ms, b.ratio_vs_duckdb()) {
                let agree = if b.duckdb_agrees == Some(true) { "every feature's sum equal" } else { "SUMS DIFFER" };
                println!("DuckDB, same features {d:.0} ms: {r:.1}x ({agree})");
            }
            println!(
                "incremental          {:.0} trades/s over {} trades ({})",
                b.incremental_trades_per_s,
                b.incremental_trades,
                if b.incremental_agrees { "features equal the batch's" } else { "DIFFERS FROM THE BATCH" }
            );
            println!("peak RSS             {} (this process; DuckDB runs in its own)", gib(b.peak_rss_bytes));
            if json {
                let out = serde_json::json!({
                    "customers": b.customers,
                    "trades": b.trades,
                    "gen_s": b.gen_s,
                    "batch_ms": b.batch_ms,
                    "duckdb_ms": b.duckdb_ms,
                    "ratio_vs_duckdb": b.ratio_vs_duckdb(),
                    "duckdb_agrees": b.duckdb_agrees,
                    "incremental_trades_per_s": b.incremental_trades_per_s,
                    "incremental_trades": b.incremental_trades,
                    "incremental_agrees": b.incremental_agrees,
                    "peak_rss_bytes": b.peak_rss_bytes,
                    "threads": threads,
                });
                println!("{out}");
            }
            anyhow::ensure!(b.incremental_agrees, "incremental features differ from the batch's");
            anyhow::ensure!(b.duckdb_agrees != Some(false), "DuckDB's features differ from ours");
            Ok(())
        }
        BenchCommand::Ledger { customers, work_dir, postgres, transfers, batch, single, clients, json } => {
            let opts =
                bench::ledger::LedgerBenchOptions { customers, work_dir, postgres, transfers, batch, single, clients };
            let b = bench::ledger::ledger_bench(&opts).await?;
            for r in &b.runs {
                println!(
                    "{}: one a call {:.0}/s (p50 {:.1} ms, p99 {:.1} ms); {} a call {:.0}/s (p50 {:.1} ms); the store alone {:.0}/s{}; {} refused; red-envelope opens {:.0}/s ({} of {} paid, exact: {}); books balance: {} ({})",
                    r.backend, r.transfers_per_s_single, r.single_ms_p50, r.single_ms_p99, b.batch,
                    r.transfers_per_s_batched, r.batched_ms_p50, r.store_per_s_batched,
                    r.store_per_s_batched_full.map(|f| format!(", synchronous=FULL {f:.0}/s")).unwrap_or_default(),
                    r.refused, r.envelope_opens_per_s, r.envelope_opens_paid, r.envelope_open_calls, r.envelopes_exact,
                    r.books_balance, r.durability
                );
            }
            anyhow::ensure!(b.runs.iter().all(|r| r.books_balance), "the books do not balance");
            if json {
                println!("{}", serde_json::to_string(&b)?);
            }
            Ok(())
        }
        BenchCommand::Screen { rounds, json } => {
            let b = bench::screen::screen_bench(rounds);
            println!(
                "screen: {} texts x {} rounds: {:.0} texts/s ({:.1} us each); the exact phrase check {:.0} texts/s ({:.1}x faster)",
                b.texts, b.rounds, b.screen_texts_per_s, b.screen_us_per_text, b.exact_texts_per_s, b.slowdown
            );
            println!(
                "corpus: the screen catches {:.1}% of the evasions, flags {:.2}% of the harmless; the exact check {:.1}% and {:.2}%",
                b.screen_recall * 100.0,
                b.screen_false_positive_rate * 100.0,
                b.exact_recall * 100.0,
                b.exact_false_positive_rate * 100.0
            );
            if json {
                println!("{}", serde_json::to_string(&b)?);
            }
            Ok(())
        }
        BenchCommand::Orders { tickets, threads, conditionals, instruments, rounds, scan_quotes, json } => {
            let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            let b = bench::orders::orders_bench(&bench::orders::OrdersBenchOptions {
                tickets,
                threads,
                conditionals,
                instruments,
                rounds,
                scan_quotes,
            });
            println!(
                "checks: {} tickets on {} threads: {:.0}/s ({:.2} findings each)",
                b.tickets, b.threads, b.checks_per_s, b.findings_per_ticket
            );
            println!(
                "conditional: {} orders over {} instruments: {:.0} ns/quote through the index ({} fired); a plain scan {:.0} ns/quote ({:.0}x); the instrument's orders only {:.0} ns/quote",
                b.conditionals, b.instruments, b.conditional_ns_per_quote, b.fired, b.scan_ns_per_quote, b.ratio_vs_scan, b.bucket_scan_ns_per_quote
            );
            if json {
                println!("{}", serde_json::to_string(&b)?);
            }
            Ok(())
        }
        BenchCommand::Indicators { instruments, bars, threads, json } => {
            let threads =
                threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get));
            let opts = bench::indicators::IndicatorBenchOptions { instruments, bars, threads };
            let b = bench::indicators::indicators_bench(&opts)?;
            println!("instruments          {} (bars from {} real stocks)", b.instruments, b.source_stocks);
            println!("bars streamed        {} ({} indicators each)", b.bars, b.indicators_per_bar);
            println!("1 thread             {:.0} bars/s", b.single_thread_bars_per_s);
            println!("{} threads            {:.0} bars/s ({:.3} s)", b.threads, b.bars_per_s, b.seconds);
            if json {
                let summary = serde_json::json!({
                    "instruments": b.instruments,
                    "source_stocks": b.source_stocks,
                    "bars": b.bars,
                    "indicators_per_bar": b.indicators_per_bar,
                    "threads": b.threads,
                    "seconds": b.seconds,
                    "bars_per_s": b.bars_per_s.round(),
                    "single_thread_bars_per_s": b.single_thread_bars_per_s.round(),
                    "checksum": b.checksum,
                });
                println!("{summary}");
            }
            Ok(())
        }
        BenchCommand::Chat { clients, members, messages, rounds, rate, burst, work_dir, json } => {
            if members > clients || members < 2 {
                anyhow::bail!("--members must be from 2 to --clients ({clients})");
            }
            let opts = bench::chat::ChatBenchOptions { clients, members, messages, rounds, rate, burst, work_dir };
            let b = bench::chat::run(&opts).await?;
            let mib =
                |b: Option<u64>| b.map_or("n/a".to_owned(), |b| format!("{:.0} MiB", b as f64 / (1 << 20) as f64));
            println!("clients              {} connected in {:.1} s", b.clients, b.connect_seconds);
            println!(
                "fan-out              {} members per advisor message, {} messages a phase at {rate}/s in {} rounds",
                b.members, b.messages, b.rounds
            );
            println!("delivery latency     p50 {:.2} ms, p99 {:.2} ms", b.p50_ms, b.p99_ms);
            println!(
                "with one flooding    p50 {:.2} ms, p99 {:.2} ms ({} flood messages sent)",
                b.p50_ms_with_flood, b.p99_ms_with_flood, b.flood_messages
            );
            println!(
                "kernel floor         p50 {:.2} ms, p99 {:.2} ms (the same frames, written by plain loops)",
                b.floor_p50_ms, b.floor_p99_ms
            );
            println!(
            "fan-out length       steady {:.1} ms, flooding {:.1} ms, floor {:.1} ms (median message's slowest delivery)",
            b.fan_out_ms, b.fan_out_ms_with_flood, b.floor_fan_out_ms
        );
            let us = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.1} µs"));
            println!(
                "CPU per delivery     server {} (steady), floor {}",
                us(b.server_cpu_us_per_delivery),
                us(b.floor_cpu_us_per_delivery)
            );
            println!(
                "burst                {} messages: {:.0} messages/s, {:.0} deliveries/s",
                b.burst_messages, b.messages_per_second, b.deliveries_per_second
            );
            println!("missing deliveries   {}", b.missing);
            println!("peak memory          server {}, driver {}", mib(b.peak_rss_bytes), mib(b.driver_peak_rss_bytes));
            if json {
                println!("{}", serde_json::to_string(&b)?);
            }
            Ok(())
        }
        BenchCommand::Cluster {
            accounts,
            instruments,
            postgres,
            advisors,
            rates,
            seconds,
            goal_p99_ms,
            servers,
            workers,
            failover_seconds,
            work_dir,
            json,
        } => {
            anyhow::ensure!(!rates.is_empty() && seconds > 0, "give at least one rate and --seconds above 0");
            anyhow::ensure!(servers > 0 && workers > 0, "give at least one server and one worker");
            let opts = bench::cluster::ClusterBenchOptions {
                accounts,
                instruments,
                work_dir,
                postgres,
                advisors,
                rates,
                seconds,
                goal_p99_ms,
                servers,
                workers,
                failover_seconds,
            };
            let b = bench::cluster::cluster_bench(&opts).await?;
            let ms = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.1} ms"));
            println!("processor            {} ({} cores)", b.processor, b.cores);
            println!("accounts             {}, {} servers, {} workers", b.accounts, b.servers, b.workers);
            println!(
                "cluster              {} quotes/s held, quote to socket p99 {}",
                b.quotes_per_s,
                ms(b.quote_to_socket_ms_p99)
            );
            println!(
                "CPU per quote        {:.0} µs in the cluster, {:.0} µs in one embedded serve ({:.2}x)",
                b.cpu_us_per_quote, b.cpu_us_per_quote_single, b.cpu_ratio
            );
            println!(
                "CPU with no feed     {:.0} ms a second in the cluster, {:.0} ms in one embedded serve",
                b.idle_cpu_cluster * 1000.0,
                b.idle_cpu_single * 1000.0
            );
            println!(
                "failover             {}",
                b.failover_s.map_or("not seen".to_owned(), |s| format!("{s:.1} s to the partition served again"))
            );
            println!("reminders checked    {}: {} lost, {} doubled", b.reminders_checked, b.lost, b.doubled);
            if json {
                println!("{}", serde_json::to_string(&b)?);
            }
            Ok(())
        }
        BenchCommand::Live {
            accounts,
            instruments,
            advisors,
            rates,
            seconds,
            goal_p99_ms,
            work_dir,
            postgres,
            conditionals,
            json,
        } => {
            anyhow::ensure!(!rates.is_empty() && seconds > 0, "give at least one rate and --seconds above 0");
            let opts = bench::live::LiveBenchOptions {
                accounts,
                instruments,
                work_dir,
                postgres,
                advisors,
                rates,
                seconds,
                goal_p99_ms,
                conditionals,
            };
            let b = bench::live::live_bench(&opts).await?;
            let ms = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.1} ms"));
            println!("accounts             {} ({} positions)", b.accounts, b.positions);
            println!("start                {:.1} s to ready (the watch loaded)", b.start_s);
            for s in [&b.quotes, &b.with_trades] {
                let what = if s.trade_every == 0 {
                    "quotes only".to_owned()
                } else {
                    format!("1 trade per {} quotes", s.trade_every)
                };
                println!(
                    "{what:<20} {} quotes/s held (market {:.0}/s), quote to socket p50 {}, p99 {}, {:.0} reminders/s",
                    s.quotes_per_s,
                    b.market_rate,
                    ms(s.quote_to_socket_ms_p50),
                    ms(s.quote_to_socket_ms_p99),
                    s.reminders_per_s
                );
            }
            let gib =
                |v: Option<u64>| v.map_or("n/a".to_owned(), |v| format!("{:.2} GiB", v as f64 / (1u64 << 30) as f64));
            println!("server peak RSS      {}", gib(b.server_peak_rss_bytes));
            if json {
                println!("{}", serde_json::to_string(&b)?);
            }
            Ok(())
        }
        BenchCommand::Pages { customers, work_dir, db, postgres, connections, requests, json } => {
            anyhow::ensure!(connections > 0 && requests > 0, "give --connections and --requests above 0");
            let opts =
                bench::pages::PagesBenchOptions { customers, work_dir, db: db.or(postgres), connections, requests };
            let b = bench::pages::pages_bench(&opts).await?;
            println!(
                "{} customers ({}), {} connections: slowest route {} at p99 {:.1} ms; {} errors",
                b.customers, b.backend, b.connections, b.slowest_route, b.slowest_route_p99_ms, b.errors
            );
            if json {
                println!("{}", serde_json::to_string(&b)?);
            }
            Ok(())
        }
        BenchCommand::Analytics { customers, work_dir, db, duckdb, no_duckdb, threads, rounds, json } => {
            let opts = bench::analytics::AnalyticsBenchOptions {
                customers,
                work_dir,
                db,
                duckdb_script: if no_duckdb { None } else { duckdb },
                threads,
                rounds,
            };
            let b = bench::analytics::analytics_bench(&opts).await?;
            println!(
                "{} customers ({}), {}..{}: {} requests in {:.1} ms through the server; DuckDB {}; figures equal: {}",
                b.customers,
                b.backend,
                b.first_month,
                b.last_month,
                b.requests,
                b.ms,
                b.duckdb_ms.map_or("not run".into(), |d| format!("{d:.1} ms ({:.1}x ours)", d / b.ms)),
                b.figures_equal.map_or("not compared".into(), |e| format!("{e} ({} compared)", b.compared)),
            );
            for d in &b.differences {
                println!("  differs: {d}");
            }
            if json {
                println!("{}", serde_json::to_string(&b)?);
            }
            Ok(())
        }
        BenchCommand::ChatFloor { sockets } => {
            tokio::task::spawn_blocking(move || bench::chat::serve_floor(sockets)).await??;
            Ok(())
        }
        BenchCommand::Import { customers, seed, work_dir, bars, postgres, skip_sqlite, writers, batch_rows, json } => {
            let opts = bench::ImportBenchOptions {
                customers,
                seed,
                work_dir,
                bars,
                postgres,
                skip_sqlite,
                writers,
                batch_rows,
            };
            let result = bench::import_bench(&opts).await?;
            print_bench(&result, json);
            anyhow::ensure!(result.backends_agree(), "the backends ended with different books");
            Ok(())
        }
    }
}

fn print_bench(b: &bench::ImportBench, json: bool) {
    let gib =
        |bytes: Option<u64>| bytes.map_or("n/a".to_owned(), |b| format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64));
    println!("customers            {}", b.customers);
    println!("rows in the book     {}", b.rows);
    println!("gen                  {:.1} s, peak RSS {}", b.gen_seconds, gib(b.gen_peak_rss_bytes));
    for r in &b.runs {
        println!(
            "import {:<13} {:.1} s, {:.0} rows/s ({}; {} writers, {} rows a batch)",
            r.backend, r.seconds, r.rows_per_s, r.durability, r.load.writers, r.load.rows_per_batch
        );
        for (file, rows, seconds) in &r.files {
            println!("  {file:<20} {rows:>11} rows {seconds:>8.1} s {:>9.0} rows/s", *rows as f64 / seconds.max(1e-9));
        }
        println!("  {:<20} {:>16} {:>8.1} s", "finishing", "", r.finishing_s);
    }
    if let Some(first) = b.runs.first() {
        println!("positions checksum   {}", first.stats.positions_checksum);
    }
    println!("backends agree       {}", b.backends_agree());
    if json {
        let imports: Vec<_> = b
            .runs
            .iter()
            .map(|r| {
                let files: serde_json::Map<String, serde_json::Value> = r
                    .files
                    .iter()
                    .map(|(file, rows, seconds)| {
                        (file.to_string(), serde_json::json!({ "rows": rows, "seconds": seconds }))
                    })
                    .collect();
                serde_json::json!({
                    "backend": r.backend,
                    "seconds": r.seconds,
                    "rows_per_s": r.rows_per_s.round(),
                    "durability": r.durability,
                    "writers": r.load.writers,
                    "rows_per_batch": r.load.rows_per_batch,
                    "files": files,
                    "finishing_s": r.finishing_s,
                    "positions_checksum": r.stats.positions_checksum,
                })
            })
            .collect();
        let summary = serde_json::json!({
            "customers": b.customers,
            "rows": b.rows,
            "gen_s": b.gen_seconds,
            "gen_peak_rss_bytes": b.gen_peak_rss_bytes,
            "imports": imports,
            "backends_agree": b.backends_agree(),
        });
        println!("{summary}");
    }
}
