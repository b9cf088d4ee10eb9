//! The `brokerdesk` binary: one module per subcommand (see [`commands`]),
//! each calling the use cases in `app`, the server, the generator or the
//! benchmarks. Errors become `anyhow` only here, at the edge.

use clap::{Parser, Subcommand};

mod commands;

use commands::*;

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
    Demo(demo::DemoArgs),
    /// Serve an existing database.
    Serve(serve::ServeArgs),
    /// Workers past one machine: `worker watch --nats URL --db URL --partition K/N`.
    #[command(subcommand)]
    Worker(commands::worker::WorkerCommand),
    /// Write a deterministic synthetic brokerage as CSV files.
    Gen(gen::GenArgs),
    /// Load a book directory (CSV files as the README documents) into a database.
    Import(import::ImportArgs),
    /// Measure performance; figures go into docs/performance.md.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Users who sign in.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// The keyring that seals customers' personal data.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// API tokens for machine feeds.
    #[command(subcommand)]
    Tokens(tokens::TokensCommand),
    /// Compute an indicator over a daily-bars CSV (date, open, high, low, close,
    /// volume by header name) and print date plus its columns as CSV.
    Indicators(indicators::IndicatorsArgs),
    /// Replay a real trading day as intraday snapshots, into a running server's
    /// events feed (--url and --token) or straight into a database (--db).
    Replay(replay::ReplayArgs),
    /// Compute every customer's features and labels (with reasons) from the
    /// database, store them, and report who moved between labels since the last run.
    Classify(classify::ClassifyArgs),
    /// Print row counts and the positions checksum of a database.
    Stats(stats::StatsArgs),
    /// Ideas and their track records: track one on daily bars, rank sources.
    #[command(subcommand)]
    Ideas(ideas::IdeasCommand),
    /// Order tools: judge a ticket by every pre-trade check.
    #[command(subcommand)]
    Orders(commands::orders::OrdersCommand),
    /// The points ledger: import steps with checkpoints, write a workload, check the books.
    #[command(subcommand)]
    Points(commands::points::PointsCommand),
    /// Analytics: TUV and its change by factor, lifecycle stages, cohorts.
    #[command(subcommand)]
    Analytics(commands::analytics::AnalyticsCommand),
    /// Judge whether a product suits an investor (C1-lowest..C5, professional,
    /// horizon, varieties, age against R1..R5, horizon, variety), as the gate at sale does.
    Suitability(suitability::SuitabilityArgs),
    /// The compliance archive: export records with a manifest of hashes, verify one.
    #[command(subcommand)]
    Archive(archive::ArchiveCommand),
    /// Screen a text, or score a corpus, as content and chat are screened.
    Screen(screen::ScreenArgs),
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
        Command::Demo(args) => demo::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Worker(command) => commands::worker::run(command).await,
        Command::Gen(args) => gen::run(args),
        Command::Import(args) => import::run(args).await,
        Command::Bench(command) => bench::run(command).await,
        Command::Audit(command) => audit::run(command).await,
        Command::Users(command) => users::run(command).await,
        Command::Keys(command) => keys::run(command).await,
        Command::Tokens(command) => tokens::run(command).await,
        Command::Indicators(args) => indicators::run(args),
        Command::Replay(args) => replay::run(args).await,
        Command::Classify(args) => classify::run(args).await,
        Command::Stats(args) => stats::run(args).await,
        Command::Suitability(args) => suitability::run(args),
        Command::Archive(command) => archive::run(command).await,
        Command::Screen(args) => screen::run(args),
        Command::Ideas(command) => ideas::run(command),
        Command::Orders(command) => commands::orders::run(command).await,
        Command::Points(command) => commands::points::run(command).await,
        Command::Analytics(command) => commands::analytics::run(command).await,
    }
}
