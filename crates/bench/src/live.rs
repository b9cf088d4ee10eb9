//! `brokerdesk bench live`: the product's own event path, end to end. A real
//! `brokerdesk serve` runs as a child process over a seeded database of N
//! accounts; the bench opens advisors' reminder sockets, then sends
//! snapshots through the events feed at rising rates (one call every 100 ms,
//! as a feed handler batches an exchange's stream) and times each quote to
//! the reminders it causes reaching a socket. A rate holds when every call
//! keeps up and the p99 of quote-to-socket stays within the goal.

use app::import::{import_dir, ImportOptions};
use chrono::{DateTime, Duration as Days, NaiveDate, NaiveTime, TimeZone, Utc};
use futures_util::StreamExt;
use generator::{generate, GenOptions};
use rand::{Rng, SeedableRng};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::Db;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// How to run the live benchmark.
#[derive(Debug, Clone)]
pub struct LiveBenchOptions {
    /// Accounts (one a customer, about 3 positions each).
    pub accounts: u64,
    /// Instruments in the generated book.
    pub instruments: u32,
    /// Where the book and the database are kept; a second run reuses them.
    pub work_dir: PathBuf,
    /// A PostgreSQL URL to seed and serve from instead of SQLite in `work_dir`.
    pub postgres: Option<String>,
    /// Advisors whose reminder sockets are open.
    pub advisors: usize,
    /// Offered quote rates, rising; the run stops at the first that fails.
    pub rates: Vec<u32>,
    /// Seconds each rate is held.
    pub seconds: u64,
    /// The latency goal: p99 quote-to-socket, in milliseconds.
    pub goal_p99_ms: f64,
    /// Conditional orders waiting in the server (issue 26), set before it starts.
    pub conditionals: u64,
}

/// One offered rate, as it went.
#[derive(Debug, Clone, Serialize)]
pub struct RateRun {
    /// Quotes a second offered.
    pub offered_per_s: u32,
    /// Quotes a second the feed took (sent over the time it took).
    pub quotes_per_s: f64,
    /// Trades sent beside the quotes.
    pub trades: u64,
    /// Feed calls made, and the slowest's time.
    pub calls: u64,
    /// The p99 of a feed call's time.
    pub call_ms_p99: f64,
    /// Reminders stored by the server during the rate.
    pub reminders: u64,
    /// Reminders reaching the open sockets.
    pub delivered: u64,
    /// Quote to socket, median and p99.
    pub quote_to_socket_ms_p50: Option<f64>,
    /// Quote to socket, p99.
    pub quote_to_socket_ms_p99: Option<f64>,
    /// True when the feed kept up and the p99 met the goal.
    pub held: bool,
}

/// One series of rising rates (quotes only, or with trades mixed in).
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// One trade per this many quotes (0: none).
    pub trade_every: u32,
    /// Each rate tried.
    pub rates: Vec<RateRun>,
    /// The highest rate held.
    pub quotes_per_s: u32,
    /// At that rate.
    pub quote_to_socket_ms_p50: Option<f64>,
    /// At that rate.
    pub quote_to_socket_ms_p99: Option<f64>,
    /// Reminders a second at that rate.
    pub reminders_per_s: f64,
}

/// What the live benchmark found.
#[derive(Debug, Clone, Serialize)]
pub struct LiveBench {
    /// Accounts in the database.
    pub accounts: u64,
    /// Positions in the database.
    pub positions: u64,
    /// Conditional orders waiting in the server (every kind, none near its trigger).
    pub conditionals: u64,
    /// Serve started to ready (the watch loaded), seconds.
    pub start_s: f64,
    /// Quotes only: the highest rate held.
    pub quotes_per_s: u32,
    /// At that rate.
    pub quote_to_socket_ms_p50: Option<f64>,
    /// At that rate.
    pub quote_to_socket_ms_p99: Option<f64>,
    /// At that rate.
    pub reminders_per_s: f64,
    /// The server's peak resident memory.
    pub server_peak_rss_bytes: Option<u64>,
    /// The whole market's rate: 5,000 instruments every 3 s.
    pub market_rate: f64,
    /// Quotes only.
    pub quotes: Series,
    /// One trade per 10 quotes.
    pub with_trades: Series,
}

/// Why a benchmark through a served child process (live, pages) could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServedBenchError {
    /// Seeding the book or the database failed.
    #[error("seeding: {0}")]
    Seed(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The server failed to start or answer.
    #[error("server: {0}")]
    Server(String),
}

/// A seeding failure, with its cause.
pub(crate) fn seed_error(e: impl std::fmt::Display) -> ServedBenchError {
    ServedBenchError::Seed(e.to_string())
}

/// The sessions and token a seeded database was given, kept for a rerun.
#[derive(Debug, Serialize, serde::Deserialize)]
pub(crate) struct Secrets {
    pub(crate) events_token: String,
    pub(crate) advisor_sessions: Vec<String>,
}

/// Generates and imports the book once; a rerun with the same accounts reuses it.
pub(crate) async fn seed(opts: &LiveBenchOptions) -> Result<(String, Secrets), ServedBenchError> {
    let (url, backend) = match &opts.postgres {
        Some(url) => (url.clone(), "-postgres"),
        None => (format!("sqlite:{}", opts.work_dir.join("live.db").display()), ""),
    };
    let secrets_file = opts.work_dir.join(format!("secrets-{}{backend}.json", opts.accounts));
    if let Ok(text) = std::fs::read_to_string(&secrets_file) {
        if let Ok(secrets) = serde_json::from_str::<Secrets>(&text) {
            if secrets.advisor_sessions.len() >= opts.advisors {
                return Ok((url, secrets));
            }
        }
    }
    std::fs::create_dir_all(&opts.work_dir).map_err(seed_error)?;
    if opts.postgres.is_none() {
        for stale in ["live.db", "live.db-wal", "live.db-shm"] {
            let _ = std::fs::remove_file(opts.work_dir.join(stale));
        }
    }
    let book = opts.work_dir.join("book");
    let mut gen = GenOptions::new(opts.accounts, 5, &book);
    gen.instruments = opts.instruments as usize;
    generate(&gen).map_err(seed_error)?;
    let db = Db::open(&url).await?.with_keys(store::Keys::from_text(&access::Keyring::generate())?);
    let mut import = ImportOptions::new(&book);
    import.rejects = opts.work_dir.join("rejects.csv");
    import_dir(&db, &import).await.map_err(seed_error)?;
    // The CSV book is as large as the database; it is not read again.
    let _ = std::fs::remove_dir_all(&book);
    let mut advisors: Vec<i64> = db.key_set(store::KeySet::Advisors).await?.into_iter().collect();
    advisors.sort_unstable();
    advisors.truncate(opts.advisors);
    let hash = access::hash_password("bench password, not for use").map_err(seed_error)?;
    let expires = Utc::now() + Days::days(365);
    let mut advisor_sessions = Vec::new();
    for a in advisors {
        let login = domain::LoginName::parse(&format!("bench-advisor-{a}")).map_err(seed_error)?;
        let user = store::NewUser {
            login,
            password_hash: hash.clone(),
            role: access::Role::Advisor,
            staff_id: Some(domain::StaffId(a)),
            customer_id: None,
        };
        let id = db.create_user(&user).await?;
        let token = access::new_secret();
        db.create_session(&access::secret_digest(&token), id, &access::new_secret(), expires).await?;
        advisor_sessions.push(token);
    }
    let events_token = access::new_api_token();
    let name = domain::TokenName::parse("bench live").map_err(seed_error)?;
    db.create_api_token("bench", &name, access::FeedScope::Events, &access::secret_digest(&events_token)).await?;
    db.close().await;
    let secrets = Secrets { events_token, advisor_sessions };
    std::fs::write(&secrets_file, serde_json::to_string(&secrets).expect("secrets serialize")).map_err(seed_error)?;
    Ok((url, secrets))
}

/// Replaces the conditional orders with `n` of every kind, spread over the
/// instruments and the first thousand accounts, each far from its trigger
/// (35-60% away, beyond any day's band), so that the run measures what the
/// orders waiting cost every quote, not what firing them costs.
async fn set_conditionals(
    db: &Db,
    n: u64,
    instruments: &[domain::Instrument],
    accounts: &[i64],
) -> Result<u64, ServedBenchError> {
    use orders::conditional::Condition;
    let mut owners = Vec::new();
    for a in accounts.iter().take(1_000) {
        owners.extend(db.order_account(*a).await?);
    }
    if owners.is_empty() || instruments.is_empty() {
        return Ok(db.replace_conditionals(&[]).await?);
    }
    let until = session_day() + chrono::Duration::days(300);
    let rows: Vec<store::NewConditional> = (0..n as usize)
        .map(|i| {
            let inst = &instruments[i % instruments.len()];
            let p = domain::FixedPoint::to_fixed(&inst.last_close, "last_close").unwrap_or(10_000).max(100);
            let at = |bp: i64| p / 10_000 * bp + p % 10_000 * bp / 10_000;
            let (kind, side, condition) = match i % 6 {
                0 => ("price_trigger", "buy", Condition::FallsTo { price: at(5_000) }),
                1 => ("take_profit", "sell", Condition::RisesTo { price: at(16_000) }),
                2 => ("stop_loss", "sell", Condition::FallsTo { price: at(6_000) }),
                3 => ("rebound_buy", "buy", Condition::ReboundFromLow { bp: 500, low: p, fall_to: at(5_000) }),
                4 => ("trailing_stop", "sell", Condition::TrailFromHigh { bp: 3_500, high: p }),
                _ => ("grid", "buy", Condition::Grid { bp: 4_000, base: p, floor: at(5_000), ceiling: at(20_000) }),
            };
            store::NewConditional {
                account: owners[i % owners.len()].clone(),
                instrument: inst.code.to_string(),
                kind,
                side,
                quantity: 100,
                condition: serde_json::to_string(&condition).expect("a condition serializes"),
                valid_until: until,
                placed_by: "system:bench".into(),
            }
        })
        .collect();
    Ok(db.replace_conditionals(&rows).await?)
}

/// The trading day a server started now watches (as `RiskDesk::current_session`).
pub(crate) fn session_day() -> NaiveDate {
    market::TradingCalendar::current().session_of(domain::to_shanghai(Utc::now()).date_naive())
}

/// The `k`th second of the session's continuous trading (morning, then afternoon).
pub(crate) fn session_second(day: NaiveDate, k: u64) -> DateTime<Utc> {
    let (start, offset) =
        if k < 7200 { (NaiveTime::from_hms_opt(9, 30, 0), k) } else { (NaiveTime::from_hms_opt(13, 0, 0), k - 7200) };
    let local = day.and_time(start.expect("a time")) + Days::seconds(offset.min(7199) as i64);
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8").from_local_datetime(&local).unwrap().to_utc()
}

/// An instrument's price path: a random walk inside its band, in 0.01 CNY ticks.
pub(crate) struct Path {
    pub(crate) code: String,
    pub(crate) prev: f64,
    pub(crate) last: f64,
    high: f64,
    low: f64,
    band: f64,
}

impl Path {
    /// An instrument's path from its last close, inside its band.
    pub(crate) fn of(i: &domain::Instrument) -> Path {
        let prev = i.last_close.to_f64().unwrap_or(10.0).max(0.05);
        let band = if i.st { 0.045 } else { 0.095 };
        Path { code: i.code.to_string(), prev, last: prev, high: prev, low: prev, band }
    }

    pub(crate) fn step(&mut self, rng: &mut impl Rng) {
        // Drifting down a little, so that some holders cross each drop step.
        let moved = self.last * (1.0 + rng.gen_range(-0.006..0.005));
        let (floor, ceiling) = (self.prev * (1.0 - self.band), self.prev * (1.0 + self.band));
        self.last = (moved.clamp(floor, ceiling) * 100.0).round() / 100.0;
        self.high = self.high.max(self.last);
        self.low = self.low.min(self.last);
    }

    pub(crate) fn snapshot(&self, time: DateTime<Utc>) -> serde_json::Value {
        serde_json::json!({ "type": "snapshot", "code": self.code, "time": time.to_rfc3339(),
            "last": format!("{:.2}", self.last), "prev_close": format!("{:.2}", self.prev),
            "high": format!("{:.2}", self.high), "low": format!("{:.2}", self.low), "volume": "10000" })
    }
}

/// What the sockets received: each reminder's id and when it arrived.
#[derive(Default)]
struct Readings {
    arrivals: Mutex<Vec<(i64, Instant)>>,
}

/// One feed call: when it was sent, and the newest reminder id once it was
/// answered (the server stores a call's reminders before answering it).
struct Call {
    sent: Instant,
    newest_after: i64,
}

/// Each arrival's latency from the call that caused it: the first call
/// answered with a newest id at or above the reminder's.
fn latencies_us(calls: &[Call], arrivals: &[(i64, Instant)]) -> Vec<u64> {
    let mut out: Vec<u64> = arrivals
        .iter()
        .filter_map(|&(id, arrived)| {
            let k = calls.partition_point(|c| c.newest_after < id);
            calls.get(k).map(|c| arrived.saturating_duration_since(c.sent).as_micros() as u64)
        })
        .collect();
    out.sort_unstable();
    out
}

/// Opens an advisor's reminder socket and records each reminder's latency.
async fn watch_socket(addr: &str, session: &str, readings: Arc<Readings>) -> Result<(), ServedBenchError> {
    reminder_socket(addr, session, move |id, arrived| readings.arrivals.lock().expect("readings").push((id, arrived)))
        .await
}

/// Opens a staff member's reminder socket (by their session's secret) and
/// hands each reminder pushed to `on_push` with when it arrived.
pub(crate) async fn reminder_socket(
    addr: &str,
    session: &str,
    mut on_push: impl FnMut(i64, Instant) + Send + 'static,
) -> Result<(), ServedBenchError> {
    let failed = |e: &dyn std::fmt::Display| ServedBenchError::Server(format!("reminder socket: {e}"));
    let mut request = format!("ws://{addr}/reminders/live").into_client_request().map_err(|e| failed(&e))?;
    request.headers_mut().insert("cookie", format!("bd_session={session}").parse().map_err(|_| failed(&"cookie"))?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| failed(&e))?;
    tokio::spawn(async move {
        while let Some(Ok(frame)) = socket.next().await {
            let Message::Text(text) = frame else { continue };
            let arrived = Instant::now();
            let Ok(line) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
            if let Some(id) = line["id"].as_i64() {
                on_push(id, arrived);
            }
        }
    });
    Ok(())
}

pub(crate) fn percentile_ms(sorted_us: &[u64], p: f64) -> Option<f64> {
    if sorted_us.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted_us.len() as f64).ceil().max(1.0) as usize;
    Some(sorted_us[rank.min(sorted_us.len()) - 1] as f64 / 1000.0)
}

/// Everything one series needs between rates.
struct Feed<'a> {
    client: reqwest::Client,
    url: String,
    token: &'a str,
    paths: Vec<Path>,
    accounts: Vec<i64>,
    day: NaiveDate,
    second: u64,
    next_trade: i64,
    rng: rand_pcg::Pcg64,
}

async fn reminder_count(db: &Db) -> Result<u64, ServedBenchError> {
    Ok(db.count_rows("reminders").await?.max(0) as u64)
}

/// Runs one rate: a call every 100 ms for `seconds`.
async fn run_rate(
    feed: &mut Feed<'_>,
    db: &Db,
    readings: &Readings,
    rate: u32,
    trade_every: u32,
    opts: &LiveBenchOptions,
) -> Result<RateRun, ServedBenchError> {
    readings.arrivals.lock().expect("readings").clear();
    let before = reminder_count(db).await?;
    let mut made = Vec::with_capacity((opts.seconds * 10) as usize);
    let per_call = (rate / 10).max(1) as usize;
    let calls = opts.seconds * 10;
    let mut call_us = Vec::with_capacity(calls as usize);
    let (mut sent, mut trades, mut cursor) = (0u64, 0u64, 0usize);
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for _ in 0..calls {
        tick.tick().await;
        let time = session_second(feed.day, feed.second);
        feed.second += 1;
        let mut events = Vec::with_capacity(per_call + per_call / 10 + 1);
        let mut codes = Vec::with_capacity(per_call);
        for _ in 0..per_call.min(feed.paths.len()) {
            let k = cursor % feed.paths.len();
            cursor += 1;
            let path = &mut feed.paths[k];
            path.step(&mut feed.rng);
            events.push(path.snapshot(time));
            codes.push(k);
            if trade_every > 0
                && (sent + codes.len() as u64).is_multiple_of(u64::from(trade_every))
                && !feed.accounts.is_empty()
            {
                let account = feed.accounts[feed.rng.gen_range(0..feed.accounts.len())];
                events.push(serde_json::json!({ "type": "trade", "id": feed.next_trade, "account_id": account,
                    "instrument": path.code, "side": "buy", "quantity": 100, "price": format!("{:.2}", path.last),
                    "fee": "5", "time": time.to_rfc3339() }));
                feed.next_trade += 1;
                trades += 1;
            }
        }
        let now = Instant::now();
        let answer = feed
            .client
            .post(&feed.url)
            .bearer_auth(feed.token)
            .json(&serde_json::json!({ "events": events }))
            .send()
            .await
            .map_err(|e| ServedBenchError::Server(e.to_string()))?;
        let status = answer.status();
        if !status.is_success() {
            let body = answer.text().await.unwrap_or_default();
            return Err(ServedBenchError::Server(format!("the events feed answered {status}: {body}")));
        }
        call_us.push(now.elapsed().as_micros() as u64);
        made.push(Call { sent: now, newest_after: db.newest_reminder_id().await? });
        sent += codes.len() as u64;
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Reminders of the last calls still on their way.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let reminders = reminder_count(db).await?.saturating_sub(before);
    let arrivals = readings.arrivals.lock().expect("readings").clone();
    let latencies = latencies_us(&made, &arrivals);
    call_us.sort_unstable();
    let quotes_per_s = sent as f64 / elapsed;
    let p99 = percentile_ms(&latencies, 99.0);
    let held = quotes_per_s >= 0.95 * f64::from(rate) && p99.is_none_or(|p| p <= opts.goal_p99_ms);
    Ok(RateRun {
        offered_per_s: rate,
        quotes_per_s,
        trades,
        calls,
        call_ms_p99: percentile_ms(&call_us, 99.0).unwrap_or(0.0),
        reminders,
        delivered: arrivals.len() as u64,
        quote_to_socket_ms_p50: percentile_ms(&latencies, 50.0),
        quote_to_socket_ms_p99: p99,
        held,
    })
}

async fn series(
    feed: &mut Feed<'_>,
    db: &Db,
    readings: &Readings,
    trade_every: u32,
    opts: &LiveBenchOptions,
) -> Result<Series, ServedBenchError> {
    let mut rates = Vec::new();
    for &rate in &opts.rates {
        let run = run_rate(feed, db, readings, rate, trade_every, opts).await?;
        eprintln!(
            "  {rate:>6}/s offered: {:.0}/s taken, call p99 {:.1} ms, {} reminders, socket p50 {:?} p99 {:?} ms{}",
            run.quotes_per_s,
            run.call_ms_p99,
            run.reminders,
            run.quote_to_socket_ms_p50,
            run.quote_to_socket_ms_p99,
            if run.held { "" } else { ": not held" }
        );
        let held = run.held;
        rates.push(run);
        if !held {
            break;
        }
    }
    let best = rates.iter().rfind(|r| r.held);
    Ok(Series {
        trade_every,
        quotes_per_s: best.map_or(0, |r| r.offered_per_s),
        quote_to_socket_ms_p50: best.and_then(|r| r.quote_to_socket_ms_p50),
        quote_to_socket_ms_p99: best.and_then(|r| r.quote_to_socket_ms_p99),
        reminders_per_s: best.map_or(0.0, |r| r.reminders as f64 / opts.seconds as f64),
        rates,
    })
}

/// Runs the benchmark.
pub async fn live_bench(opts: &LiveBenchOptions) -> Result<LiveBench, ServedBenchError> {
    let (url, secrets) = seed(opts).await?;
    let db = Db::open(&url).await?;
    let counts = [db.count_rows("accounts").await?, db.count_rows("positions").await?];
    let instruments = db.all_instruments().await?;
    let mut accounts: Vec<i64> = db.key_set(store::KeySet::Accounts).await?.into_iter().collect();
    accounts.sort_unstable();
    accounts.truncate(100_000);
    let conditionals = set_conditionals(&db, opts.conditionals, &instruments, &accounts).await?;

    let started = Instant::now();
    let server = crate::ServeChild::start(&url).map_err(ServedBenchError::Server)?;
    let client = reqwest::Client::new();
    loop {
        let ready = client.get(format!("http://{}/ready", server.addr)).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err(ServedBenchError::Server("not ready in 10 minutes".into()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let start_s = started.elapsed().as_secs_f64();
    eprintln!("serve ready in {start_s:.1} s");

    let readings = Arc::new(Readings::default());
    for session in secrets.advisor_sessions.iter().take(opts.advisors) {
        watch_socket(&server.addr, session, readings.clone()).await?;
    }
    let paths: Vec<Path> = instruments.iter().map(Path::of).collect();
    let mut feed = Feed {
        client,
        url: format!("http://{}/api/v1/feeds/events", server.addr),
        token: &secrets.events_token,
        paths,
        accounts,
        day: session_day(),
        second: 0,
        next_trade: Utc::now().timestamp() * 1_000_000,
        rng: rand_pcg::Pcg64::seed_from_u64(22),
    };
    // The session's opening snapshot, unmeasured: every instrument at its previous close, so that the
    // start's own reminders (held over a weekend) are not counted against the first rate.
    let opening: Vec<serde_json::Value> = feed.paths.iter().map(|p| p.snapshot(session_second(feed.day, 0))).collect();
    for chunk in opening.chunks(app::feeds::MAX_EVENTS_PER_CALL) {
        let answer = feed
            .client
            .post(&feed.url)
            .bearer_auth(feed.token)
            .json(&serde_json::json!({ "events": chunk }))
            .send()
            .await
            .map_err(|e| ServedBenchError::Server(e.to_string()))?;
        if !answer.status().is_success() {
            return Err(ServedBenchError::Server(format!("the opening snapshot answered {}", answer.status())));
        }
    }
    feed.second = 1;
    eprintln!("quotes only");
    let quotes = series(&mut feed, &db, &readings, 0, opts).await?;
    eprintln!("one trade per 10 quotes");
    let with_trades = series(&mut feed, &db, &readings, 10, opts).await?;
    let server_peak_rss_bytes = crate::peak_rss_bytes_of(server.child.id());
    drop(server);
    db.close().await;
    Ok(LiveBench {
        accounts: counts[0] as u64,
        positions: counts[1] as u64,
        conditionals,
        start_s,
        quotes_per_s: quotes.quotes_per_s,
        quote_to_socket_ms_p50: quotes.quote_to_socket_ms_p50,
        quote_to_socket_ms_p99: quotes.quote_to_socket_ms_p99,
        reminders_per_s: quotes.reminders_per_s,
        server_peak_rss_bytes,
        market_rate: 5000.0 / 3.0,
        quotes,
        with_trades,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_stamped_inside_the_sessions_continuous_trading() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let bj = |t: DateTime<Utc>| domain::to_shanghai(t).format("%H:%M:%S").to_string();
        assert_eq!(bj(session_second(day, 0)), "09:30:00");
        assert_eq!(bj(session_second(day, 7199)), "11:29:59");
        assert_eq!(bj(session_second(day, 7200)), "13:00:00");
        assert_eq!(bj(session_second(day, 20_000)), "14:59:59");
    }

    #[test]
    fn a_reminder_is_timed_from_the_call_that_stored_it() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // Call 1 stored reminders 1-3, call 2 none, call 3 reminders 4-5.
        let calls = [
            Call { sent: at(0), newest_after: 3 },
            Call { sent: at(100), newest_after: 3 },
            Call { sent: at(200), newest_after: 5 },
        ];
        let arrivals = [(2, at(30)), (5, at(260)), (4, at(250)), (9, at(400))];
        let us = latencies_us(&calls, &arrivals);
        assert_eq!(us, vec![30_000, 50_000, 60_000], "reminder 9 came from no timed call");
        assert_eq!(percentile_ms(&us, 50.0), Some(50.0));
        assert_eq!(percentile_ms(&us, 99.0), Some(60.0));
        assert_eq!(percentile_ms(&[], 99.0), None);
    }

    #[test]
    fn a_path_stays_inside_its_band_in_ticks() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
        let mut p = Path { code: "600000.SH".into(), prev: 10.0, last: 10.0, high: 10.0, low: 10.0, band: 0.095 };
        for _ in 0..10_000 {
            p.step(&mut rng);
            assert!((9.05..=10.95).contains(&p.last), "{}", p.last);
            assert!(p.low <= p.last && p.last <= p.high);
            assert!(((p.last * 100.0).round() - p.last * 100.0).abs() < 1e-6);
        }
    }
}
