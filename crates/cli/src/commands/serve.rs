//! `brokerdesk serve`: the pages, the API and the feeds over a database.

use super::{KeysArgs, WatchArgs};
use anyhow::Context;
use app::Db;
use std::net::SocketAddr;

/// Serve an existing database.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
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
    /// A holidays file (date,name; one weekday closure a line) to count trading days by,
    /// instead of the one built in: next year's closures without a rebuild.
    #[arg(long, env = "BROKERDESK_HOLIDAYS")]
    holidays: Option<std::path::PathBuf>,
    /// The risk questionnaire as JSON (questions, options, points, cut-offs, validity; see
    /// crates/advice/questionnaire.json), instead of the one built in.
    #[arg(long, env = "BROKERDESK_QUESTIONNAIRE")]
    questionnaire: Option<std::path::PathBuf>,
    /// The screening lexicon as JSON (phrases by category, homophones, negations, contact
    /// markers; see crates/community/lexicon.json), instead of the one built in.
    #[arg(long, env = "BROKERDESK_LEXICON")]
    lexicon: Option<std::path::PathBuf>,
    /// Past one machine: NATS with JetStream (nats://host:4222). The feed's trades and quotes go
    /// to the watch workers (`brokerdesk worker watch`), chat and reminders come back through
    /// it to whichever server holds a reader's socket; any number of servers behind a load
    /// balancer. Without it this one process does everything.
    #[arg(long, env = "BROKERDESK_NATS")]
    nats: Option<String>,
}

/// Opens the database (a keyring is optional) and serves it.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.holidays {
        app::calendar::install(path)?;
    }
    if let Some(path) = &args.questionnaire {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let q = advice::Questionnaire::from_json(&text).with_context(|| format!("reading {}", path.display()))?;
        let version = q.version.clone();
        app::advice::install_questionnaire(q);
        println!("Risk questionnaire {version} from {}", path.display());
    }
    if let Some(path) = &args.lexicon {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let lexicon =
            community::screening::Lexicon::parse(&text).with_context(|| format!("reading {}", path.display()))?;
        community::screening::Screen::install(&lexicon);
        println!("Screening lexicon {} from {}", lexicon.version, path.display());
    }
    let settings = args.watch.settings()?;
    // Revenue (analytics) is the commission the firm's own schedule charges.
    let db = args.keys.open(&args.db, false).await?.with_revenue_fees(settings.orders.fees);
    let bus = match &args.nats {
        Some(url) => Some(bus::Bus::connect(url).await?),
        None => None,
    };
    serve(db, args.listen, settings, bus).await
}

/// Completes on Ctrl-C or SIGTERM (systemd's stop).
pub async fn stopped() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
    }
}

/// Serves the app until Ctrl-C or SIGTERM; past one machine with a `bus`.
pub async fn serve(
    db: Db,
    listen: SocketAddr,
    settings: app::risk_desk::DeskSettings,
    bus: Option<bus::Bus>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    let today = domain::to_shanghai(db.now()).date_naive();
    if let Some(ends) = app::calendar::current_runs_out(today) {
        let warning = format!(
            "warning: the trading calendar ends on {ends}, within {} days: give next year's holidays with --holidays \
             (days after {ends} would count every weekday as a trading day)",
            app::calendar::COVERAGE_AHEAD_DAYS
        );
        eprintln!("{warning}");
        tracing::warn!("{warning}");
    }
    if let Some(bus) = &bus {
        println!("Past one machine: the watch runs in workers, chat and reminders travel through {}", bus.url());
    }
    println!("Brokerdesk is serving on http://{addr}/");
    server::serve(listener, db, settings, bus, stopped()).await?;
    Ok(())
}
