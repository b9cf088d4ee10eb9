//! The `brokerdesk` binary: wires the use cases in `app` and the HTTP server
//! in `server` to subcommands. Errors become `anyhow` only here, at the edge.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use store::Db;

mod demo;

/// Brokerdesk: the customer-operations platform of a securities brokerage.
#[derive(Debug, Parser)]
#[command(name = "brokerdesk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a small brokerage, load it into ./brokerdesk-demo.db and serve it.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Customers to generate.
        #[arg(long, default_value_t = 20_000)]
        customers: u64,
        /// Real daily bars to use instead of the committed subset, e.g. ../shared/data/ashare-daily.
        #[arg(long)]
        bars: Option<PathBuf>,
        #[command(flatten)]
        watch: WatchArgs,
    },
    /// Serve an existing database.
    Serve {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
        #[command(flatten)]
        keys: KeysArgs,
        /// Address to listen on.
        #[arg(long, env = "BROKERDESK_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[command(flatten)]
        watch: WatchArgs,
    },
    /// Write a deterministic synthetic brokerage as CSV files.
    Gen {
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
    },
    /// Load a book directory (CSV files as the README documents) into a database.
    Import {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
        /// Where bad rows are reported.
        #[arg(long, default_value = "import-rejects.csv")]
        rejects: PathBuf,
        /// Rows per transaction.
        #[arg(long, default_value_t = 5_000)]
        batch_rows: usize,
        #[command(flatten)]
        keys: KeysArgs,
        /// The book directory.
        dir: PathBuf,
    },
    /// Measure performance; figures go into docs/performance.md.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Users who sign in.
    #[command(subcommand)]
    Users(UsersCommand),
    /// The keyring that seals customers' personal data.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// API tokens for machine feeds.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Compute an indicator over a daily-bars CSV (date, open, high, low, close,
    /// volume by header name) and print date plus its columns as CSV.
    Indicators {
        /// The bars file, e.g. ../shared/data/ashare-daily/600519.csv.
        #[arg(long)]
        bars: PathBuf,
        /// SMA, EMA, MACD, RSI, KDJ, BOLL, ATR, OBV or VR.
        #[arg(long)]
        name: String,
        /// Comma-separated parameters, e.g. 12,26,9; missing ones take the defaults.
        #[arg(long, default_value = "")]
        params: String,
    },
    /// Replay a real trading day as intraday snapshots, into a running server's
    /// events feed (--url and --token) or straight into a database (--db).
    Replay {
        /// Real daily bars, e.g. ../shared/data/ashare-daily (else the committed subset).
        #[arg(long)]
        bars: Option<PathBuf>,
        /// The day to replay (default: the last day in the bars).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Speed: 60 plays the 4-hour trading day in 4 minutes; 0 sends as fast as possible.
        #[arg(long, default_value_t = 60.0)]
        speed: f64,
        /// Snapshots per stock over the day (rounded up to 3n + 1).
        #[arg(long, default_value_t = 49)]
        points: u32,
        /// A running Brokerdesk, e.g. http://127.0.0.1:8080.
        #[arg(long, requires = "token")]
        url: Option<String>,
        /// An API token with the events scope.
        #[arg(long, env = "BROKERDESK_TOKEN")]
        token: Option<String>,
        /// Or a database to write the snapshots into.
        #[arg(long, conflicts_with = "url")]
        db: Option<String>,
    },
    /// Compute every customer's features and labels (with reasons) from the
    /// database, store them, and report who moved between labels since the last run.
    Classify {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
        /// Label thresholds as JSON ({"version", "newcomer_below_years", ...}); fields not named keep the defaults.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The day to classify as of (default: the day of the newest trade or login in the database).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// Moves to print, each with its reasons (all are counted).
        #[arg(long, default_value_t = 20)]
        show_moves: usize,
    },
    /// Print row counts and the positions checksum of a database.
    Stats {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
    },
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Add a user. The password is read from the first line of standard
    /// input; with empty input a random one is made and printed once.
    Add {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
        /// Login name.
        #[arg(long)]
        login: String,
        /// customer, advisor, manager, compliance or admin.
        #[arg(long)]
        role: access::Role,
        /// The staff member this user is (staff roles).
        #[arg(long)]
        staff_id: Option<i64>,
        /// The customer this user is (customer role).
        #[arg(long)]
        customer_id: Option<i64>,
    },
}

/// How the position watch judges and when reminders may reach customers.
#[derive(Debug, clap::Args)]
struct WatchArgs {
    /// Rule thresholds as JSON: {"version", "firm": {...}, "accounts": {"<account id>": {...}}};
    /// fields not named keep the firm defaults.
    #[arg(long = "rules", env = "BROKERDESK_RULES")]
    rules: Option<PathBuf>,
    /// Customers' quiet hours (Asia/Shanghai), HH:MM-HH:MM: reminders wait until they end.
    #[arg(long = "quiet-hours", default_value = "22:00-08:00")]
    quiet_hours: String,
}

impl WatchArgs {
    fn settings(&self) -> anyhow::Result<app::risk_desk::DeskSettings> {
        let rules = match &self.rules {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                serde_json::from_str(&text).with_context(|| format!("{}: not a rule configuration", path.display()))?
            }
            None => watch::rules::RuleConfig::default(),
        };
        let quiet = self.quiet_hours.parse().map_err(|e: String| anyhow::anyhow!("--quiet-hours: {e}"))?;
        Ok(app::risk_desk::DeskSettings { rules, quiet, threads: 2 })
    }
}

/// Where the personal-data keyring comes from.
#[derive(Debug, clap::Args)]
struct KeysArgs {
    /// Keyring file sealing national IDs and phone numbers (make one with
    /// `brokerdesk keys new`). Without it, BROKERDESK_KEYS may hold the keyring's text.
    #[arg(long = "keys", env = "BROKERDESK_KEYS_FILE")]
    file: Option<PathBuf>,
}

impl KeysArgs {
    /// Opens the database with the keyring; `required` for commands that read or write personal data.
    async fn open(&self, url: &str, required: bool) -> anyhow::Result<Db> {
        let db = Db::open(url).await.context("opening the database")?;
        let text = std::env::var("BROKERDESK_KEYS").ok();
        match app::keys::load(self.file.as_deref(), text.as_deref()).context("reading the keyring")? {
            Some(keys) => Ok(db.with_keys(keys)),
            None if required => Err(store::StoreError::NoKeyring.into()),
            None => {
                tracing::warn!("no keyring: personal data cannot be revealed or searched exactly");
                Ok(db)
            }
        }
    }
}

#[derive(Debug, Subcommand)]
enum TokensCommand {
    /// Make a token; it is printed once and only its digest is kept.
    Add {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
        /// What it is for.
        #[arg(long)]
        name: String,
        /// import or events.
        #[arg(long)]
        scope: access::FeedScope,
    },
    /// List tokens (never their secrets).
    List {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
    },
    /// Revoke a token at once.
    Revoke {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
        /// Token id.
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Write a new keyring file (readable by its owner only); never overwrites.
    New {
        /// The file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Append a new key to the keyring file and re-seal every customer's
    /// personal data under it, while the application keeps serving.
    Rotate {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
        /// The keyring file to rotate.
        #[arg(long = "keys", env = "BROKERDESK_KEYS_FILE")]
        file: PathBuf,
        /// Do not add a key: finish an interrupted rotation, or seal data
        /// written before encryption at rest, under the current key.
        #[arg(long)]
        reseal_only: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 1 and name the first broken record if any.
    Verify {
        /// Database: a SQLite file path, sqlite:PATH or postgres://...
        #[arg(long, env = "BROKERDESK_DB", default_value = "brokerdesk.db")]
        db: String,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
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
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in log files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match Cli::parse().command {
        Command::Demo { listen, customers, bars, watch } => demo::run(listen, customers, bars, watch.settings()?).await,
        Command::Serve { db, keys, listen, watch } => {
            let db = keys.open(&db, false).await?;
            serve(db, listen, watch.settings()?).await
        }
        Command::Gen { customers, seed, out, bars } => {
            let mut opts = generator::GenOptions::new(customers, seed, out);
            opts.bars = bars;
            let summary = generator::generate(&opts)?;
            for (file, rows) in &summary.rows {
                println!("{file:>20} {rows:>12} rows");
            }
            println!("generated in {:.1} s into {}", summary.elapsed.as_secs_f64(), opts.out.display());
            Ok(())
        }
        Command::Import { db, rejects, batch_rows, keys, dir } => {
            let db = keys.open(&db, true).await?;
            let mut opts = app::ImportOptions::new(dir);
            opts.rejects = rejects;
            opts.batch_rows = batch_rows;
            let started = std::time::Instant::now();
            let report = app::import_dir(&db, &opts).await?;
            db.close().await;
            print_import(&report, &opts, started.elapsed());
            Ok(())
        }
        Command::Bench(BenchCommand::Watch {
            accounts,
            instruments,
            sweeps,
            duckdb_script,
            duckdb_judged_sweeps,
            work_dir,
            threads,
            json,
        }) => {
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
            println!("quotes + rules       {:.1} ns per holder", b.judged_quote_ns_per_holder);
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
        Command::Bench(BenchCommand::Classify { customers, trades, seed, duckdb_script, work_dir, threads, json }) => {
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
        Command::Bench(BenchCommand::Indicators { instruments, bars, threads, json }) => {
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
        Command::Bench(BenchCommand::Chat { clients, members, messages, rounds, rate, burst, work_dir, json }) => {
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
        Command::Bench(BenchCommand::ChatFloor { sockets }) => {
            tokio::task::spawn_blocking(move || bench::chat::serve_floor(sockets)).await??;
            Ok(())
        }
        Command::Bench(BenchCommand::Import { customers, seed, work_dir, bars, postgres, json }) => {
            let opts = bench::ImportBenchOptions { customers, seed, work_dir, bars, postgres };
            let result = bench::import_bench(&opts).await?;
            print_bench(&result, json);
            anyhow::ensure!(result.backends_agree(), "the backends ended with different books");
            Ok(())
        }
        Command::Users(UsersCommand::Add { db, login, role, staff_id, customer_id }) => {
            anyhow::ensure!(
                (role == access::Role::Customer) == customer_id.is_some()
                    && staff_id.is_some() != customer_id.is_some(),
                "a customer user needs --customer-id, a staff user --staff-id (and not both)"
            );
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
            let typed = line.trim_end_matches(['\r', '\n']).to_owned();
            let password = if typed.is_empty() { access::new_secret()[..16].to_owned() } else { typed };
            let db = Db::open(&db).await.context("opening the database")?;
            let user = store::NewUser {
                login: login.clone(),
                password_hash: access::hash_password(&password)?,
                role,
                staff_id,
                customer_id,
            };
            let id = db.create_user(&user).await.with_context(|| format!("adding user {login}"))?;
            db.append_audit(&access::AuditEntry {
                actor: "system:cli".into(),
                action: "create_user".into(),
                entity: "users".into(),
                entity_id: id.to_string(),
                detail: format!("{{\"role\":\"{role}\"}}"),
            })
            .await?;
            if line.trim().is_empty() {
                println!("user {login} ({role}) added; password {password}");
            } else {
                println!("user {login} ({role}) added");
            }
            Ok(())
        }
        Command::Tokens(TokensCommand::Add { db, name, scope }) => {
            anyhow::ensure!(!name.trim().is_empty(), "--name must not be empty");
            let db = Db::open(&db).await.context("opening the database")?;
            let token = access::new_api_token();
            let id = db.create_api_token("system:cli", name.trim(), scope, &access::secret_digest(&token)).await?;
            println!("token {id} ({scope}): {token}");
            println!("send it as `Authorization: Bearer {token}`; it is not shown again");
            Ok(())
        }
        Command::Tokens(TokensCommand::List { db }) => {
            let db = Db::open(&db).await.context("opening the database")?;
            for t in db.api_tokens().await? {
                let state = t.revoked_at.map_or("live".to_owned(), |at| format!("revoked {}", at.to_rfc3339()));
                println!("{:>5} {:<7} {:<30} {state}", t.id, t.scope.as_str(), t.name);
            }
            Ok(())
        }
        Command::Tokens(TokensCommand::Revoke { db, id }) => {
            let db = Db::open(&db).await.context("opening the database")?;
            anyhow::ensure!(db.revoke_api_token("system:cli", id).await?, "no live token {id}");
            println!("token {id} revoked");
            Ok(())
        }
        Command::Keys(KeysCommand::New { out }) => {
            app::keys::create_keyring_file(&out)?;
            println!("keyring written to {}; keep it out of the database and its backups", out.display());
            Ok(())
        }
        Command::Keys(KeysCommand::Rotate { db, file, reseal_only }) => {
            if !reseal_only {
                let id = app::keys::add_key(&file)?;
                println!("key {id} added to {}; new data is sealed under it", file.display());
            }
            let db = KeysArgs { file: Some(file.clone()) }.open(&db, true).await?;
            let rotation = app::keys::reseal_all(&db, "system:cli", true).await?;
            println!("{} customers re-sealed", rotation.resealed);
            if rotation.remaining > 0 {
                println!("{} customers are still under an older key: run again with --reseal-only", rotation.remaining);
                std::process::exit(1);
            }
            println!("every customer is sealed under the current key; older key lines may now be removed");
            Ok(())
        }
        Command::Audit(AuditCommand::Verify { db }) => {
            let db = Db::open(&db).await.context("opening the database")?;
            match app::audit::verify(&db).await? {
                app::audit::Verdict::Intact(n) => {
                    println!("audit trail intact: {n} records");
                    Ok(())
                }
                app::audit::Verdict::Broken(b) => {
                    println!("audit trail BROKEN at {b}");
                    std::process::exit(1);
                }
            }
        }
        Command::Indicators { bars, name, params } => {
            let params: Vec<f64> = params
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| p.parse::<f64>().with_context(|| format!("--params: '{p}' is not a number")))
                .collect::<anyhow::Result<_>>()?;
            let mut indicator = market::indicators::AnyIndicator::parse(&name, &params)?;
            let file = std::fs::File::open(&bars).with_context(|| format!("opening {}", bars.display()))?;
            let series = market::read_ohlcv(std::io::BufReader::new(file))
                .with_context(|| format!("reading {}", bars.display()))?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            use std::io::Write;
            writeln!(out, "date,{}", indicator.columns().join(","))?;
            for (date, bar) in &series {
                if let Some(values) = indicator.update(bar) {
                    let values: Vec<String> = values.iter().map(f64::to_string).collect();
                    writeln!(out, "{date},{}", values.join(","))?;
                }
            }
            Ok(())
        }
        Command::Replay { bars, date, speed, points, url, token, db } => {
            anyhow::ensure!(url.is_some() || db.is_some(), "give --url and --token (a running server) or --db");
            anyhow::ensure!(speed >= 0.0 && speed.is_finite(), "--speed must be 0 or more");
            let stocks = match &bars {
                Some(dir) => app::market_data::stocks_in_dir(dir)?,
                None => app::market_data::embedded_stocks(),
            };
            let date = date.or_else(|| app::replay::last_date(&stocks)).context("the bars hold no day")?;
            let moments = app::replay::day_snapshots(&stocks, date, points);
            anyhow::ensure!(!moments.is_empty(), "no stock has bars on {date} and the day before");
            let store = match &db {
                Some(url) => Some(Db::open(url).await.context("opening the database")?),
                None => None,
            };
            let client = reqwest::Client::new();
            // Trading minutes between moments, in wall-clock time at this speed.
            let pause = (speed > 0.0)
                .then(|| std::time::Duration::from_secs_f64(240.0 * 60.0 / (moments.len() - 1) as f64 / speed));
            println!("replaying {date}: {} moments of {} stocks", moments.len(), moments[0].len());
            for (k, moment) in moments.iter().enumerate() {
                if let Some(db) = &store {
                    db.insert(&store::Rows::Snapshots(moment.clone())).await?;
                } else if let (Some(url), Some(token)) = (&url, &token) {
                    let events: Vec<_> = moment.iter().map(app::replay::as_event).collect();
                    let response = client
                        .post(format!("{}/api/v1/feeds/events", url.trim_end_matches('/')))
                        .bearer_auth(token)
                        .json(&serde_json::json!({ "events": events }))
                        .send()
                        .await
                        .with_context(|| format!("sending to {url}"))?;
                    let status = response.status();
                    let body: serde_json::Value = response.json().await.unwrap_or_default();
                    anyhow::ensure!(status.is_success(), "the events feed answered {status}: {body}");
                }
                if let Some(first) = moment.first() {
                    let local = domain::to_shanghai(first.time).format("%H:%M");
                    println!("  {local}  {} snapshots", moment.len());
                }
                if let (Some(pause), true) = (pause, k + 1 < moments.len()) {
                    tokio::time::sleep(pause).await;
                }
            }
            Ok(())
        }
        Command::Classify { db, config, as_of, show_moves } => {
            let config = match config {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    classify::LabelConfig::from_json(&text).with_context(|| format!("in {}", path.display()))?
                }
                None => classify::LabelConfig::default(),
            };
            let db = Db::open(&db).await.context("opening the database")?;
            let as_of = match as_of {
                Some(day) => day,
                None => app::classify::book_day(&db).await?.unwrap_or_else(|| chrono::Local::now().date_naive()),
            };
            let report = app::classify::classify_all(&db, &config, as_of, true).await?;
            db.close().await;
            println!("classified {} customers as of {as_of} (labels version {})", report.customers, config.version);
            let tiers: Vec<String> = report.tiers.iter().map(|(tier, n)| format!("{tier} {n}")).collect();
            println!("service tiers: {}", tiers.join(", "));
            println!("{} customers moved between labels ({} moves)", report.moved_customers, report.moves.len());
            for (customer, m) in report.moves.iter().take(show_moves) {
                let reasons: Vec<String> = m.reasons.iter().map(ToString::to_string).collect();
                let from = if m.from.is_empty() { "-" } else { &m.from };
                println!("  customer {customer}: {} {from} -> {} because {}", m.dimension, m.to, reasons.join("; "));
            }
            if !report.refused.is_empty() {
                println!("{} trades left out of the features:", report.refused.len());
                for r in report.refused.iter().take(show_moves) {
                    println!("  {r}");
                }
            }
            Ok(())
        }
        Command::Stats { db } => {
            let db = Db::open(&db).await.context("opening the database")?;
            let stats = db.stats().await?;
            for (table, n) in &stats.counts {
                println!("{table:>16} {n}");
            }
            println!("positions checksum {}", stats.positions_checksum);
            Ok(())
        }
    }
}

fn print_import(report: &app::ImportReport, opts: &app::ImportOptions, elapsed: std::time::Duration) {
    println!("{:>20} {:>10} {:>10} {:>10} {:>10}", "file", "read", "loaded", "present", "rejected");
    for f in &report.files {
        if f.present {
            println!("{:>20} {:>10} {:>10} {:>10} {:>10}", f.file, f.read, f.loaded, f.already_present, f.rejected);
        } else {
            println!("{:>20} (no such file, skipped)", f.file);
        }
    }
    let secs = elapsed.as_secs_f64();
    let read: u64 = report.files.iter().map(|f| f.read).sum();
    println!("{read} rows in {secs:.1} s ({:.0} rows/s)", read as f64 / secs.max(1e-9));
    if report.rejected() > 0 {
        println!("{} rows rejected: see {}", report.rejected(), opts.rejects.display());
    }
}

fn print_bench(b: &bench::ImportBench, json: bool) {
    let gib =
        |bytes: Option<u64>| bytes.map_or("n/a".to_owned(), |b| format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64));
    println!("customers            {}", b.customers);
    println!("rows in the book     {}", b.rows);
    println!("gen                  {:.1} s, peak RSS {}", b.gen_seconds, gib(b.gen_peak_rss_bytes));
    for r in &b.runs {
        println!("import {:<13} {:.1} s, {:.0} rows/s", r.backend, r.seconds, r.rows_per_s);
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
                serde_json::json!({
                    "backend": r.backend,
                    "seconds": r.seconds,
                    "rows_per_s": r.rows_per_s.round(),
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

/// Serves the app until Ctrl-C.
pub(crate) async fn serve(db: Db, listen: SocketAddr, settings: app::risk_desk::DeskSettings) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    println!("Brokerdesk is serving on http://{addr}/");
    server::serve(listener, db, settings, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
