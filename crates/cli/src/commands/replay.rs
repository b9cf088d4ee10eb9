//! `brokerdesk replay`: a real trading day as intraday snapshots.

use anyhow::Context;
use std::path::PathBuf;

/// Replay a real trading day as intraday snapshots, into a running server's
/// events feed (--url and --token) or straight into a database (--db).
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
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
}

/// How long a replay waits for a server that is still loading its watch.
const MAX_WAIT_FOR_READY: std::time::Duration = std::time::Duration::from_secs(600);

/// Sends the day moment by moment, paced by the speed.
pub async fn run(args: ReplayArgs) -> anyhow::Result<()> {
    let ReplayArgs { bars, date, speed, points, url, token, db } = args;
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
        Some(url) => Some(app::Db::open(url).await.context("opening the database")?),
        None => None,
    };
    let client = reqwest::Client::new();
    // Trading minutes between moments, in wall-clock time at this speed.
    let pause =
        (speed > 0.0).then(|| std::time::Duration::from_secs_f64(240.0 * 60.0 / (moments.len() - 1) as f64 / speed));
    println!("replaying {date}: {} moments of {} stocks", moments.len(), moments[0].len());
    // How long each moment took to be taken (stored, and judged by a server's watch).
    let mut took = Vec::with_capacity(moments.len());
    for (k, moment) in moments.iter().enumerate() {
        let mut started = std::time::Instant::now();
        if let Some(db) = &store {
            app::replay::store_moment(db, moment).await?;
        } else if let (Some(url), Some(token)) = (&url, &token) {
            let events: Vec<_> = moment.iter().map(app::replay::as_event).collect();
            let body = serde_json::json!({ "events": events });
            let feed = format!("{}/api/v1/feeds/events", url.trim_end_matches('/'));
            let mut waited = std::time::Duration::ZERO;
            let response = loop {
                let response = client
                    .post(&feed)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .with_context(|| format!("sending to {url}"))?;
                // A server still loading its watch says when to ask again.
                if response.status() != reqwest::StatusCode::SERVICE_UNAVAILABLE || waited > MAX_WAIT_FOR_READY {
                    break response;
                }
                let seconds = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                    .unwrap_or(1)
                    .clamp(1, 30);
                println!("  the server is loading its position watch; asking again in {seconds} s");
                let pause = std::time::Duration::from_secs(seconds);
                tokio::time::sleep(pause).await;
                waited += pause;
                started = std::time::Instant::now();
            };
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            anyhow::ensure!(status.is_success(), "the events feed answered {status}: {body}");
        }
        let elapsed = started.elapsed();
        took.push(elapsed);
        if let Some(first) = moment.first() {
            let ms = elapsed.as_secs_f64() * 1000.0;
            println!("  {}  {} snapshots in {ms:.1} ms", app::replay::beijing_clock(first.time), moment.len());
        }
        if let (Some(pause), true) = (pause, k + 1 < moments.len()) {
            tokio::time::sleep(pause).await;
        }
    }
    let quotes: usize = moments.iter().map(Vec::len).sum();
    let busy: f64 = took.iter().map(|d| d.as_secs_f64()).sum();
    took.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} moments: median {:.1} ms, slowest {:.1} ms; {:.0} quotes a second taken",
        took.len(),
        ms(took[took.len() / 2]),
        ms(took[took.len() - 1]),
        quotes as f64 / busy.max(f64::EPSILON)
    );
    Ok(())
}
