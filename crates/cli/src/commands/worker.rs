//! `brokerdesk worker watch`: a watch worker past one machine. It leases
//! its partition of the accounts (and takes over others left free by a dead
//! worker), judges the feed's quotes and trades from NATS JetStream with the
//! same engine `serve` runs in process, and publishes the reminders.

use super::WatchArgs;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;

/// The workers.
#[derive(Debug, clap::Subcommand)]
pub enum WorkerCommand {
    /// The position watch for one partition of the accounts.
    Watch(WatchWorkerArgs),
}

/// A watch worker's arguments.
#[derive(Debug, clap::Args)]
pub struct WatchWorkerArgs {
    /// NATS with JetStream (nats://host:4222), as the servers were given.
    #[arg(long, env = "BROKERDESK_NATS")]
    nats: String,
    /// Database: postgres://... (a SQLite file works for one machine).
    #[arg(long, env = "BROKERDESK_DB")]
    db: String,
    /// This worker's partition, K/N (K from 0): the accounts whose id modulo N is K.
    #[arg(long)]
    partition: String,
    /// Where to answer /health, /ready (once its partition is served) and /metrics.
    #[arg(long, env = "BROKERDESK_WORKER_LISTEN", default_value = "127.0.0.1:9100")]
    listen: SocketAddr,
    #[command(flatten)]
    watch: WatchArgs,
}

/// Runs a worker command.
pub async fn run(command: WorkerCommand) -> anyhow::Result<()> {
    let WorkerCommand::Watch(args) = command;
    let own = app::cluster::Partition::parse(&args.partition).map_err(anyhow::Error::msg)?;
    let settings = args.watch.settings()?;
    let db = app::Db::open(&args.db).await.with_context(|| "opening the database".to_string())?;
    let bus = bus::Bus::connect(&args.nats).await?;
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    let status = Arc::new(app::cluster::worker::WorkerStatus::default());
    let routes = server::worker_routes(status.clone(), own);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, routes).await {
            tracing::error!(error = %e, "the worker's endpoints stopped");
        }
    });
    let holder = format!("worker-{}-{addr}", std::process::id());
    println!("Watch worker {holder} for partition {own}, health and metrics on http://{addr}/");
    app::cluster::worker::run(db, bus, settings, own, holder, status, super::serve::stopped()).await?;
    Ok(())
}
