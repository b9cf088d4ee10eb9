//! `brokerdesk bench cluster` (issue 30): Brokerdesk past one machine on
//! loopback. PostgreSQL, a nats-server with JetStream, S `serve --nats` and
//! W `worker watch` run as processes; the bench opens advisors' reminder
//! sockets spread over the servers and sends snapshots through the events
//! feed at rising rates, each call to the next server (as a load balancer
//! would). Beside it, in the same run and over the same database, one
//! embedded `serve` takes the same price paths. Each rate reports quotes
//! taken, quote-to-socket latency and the CPU time per quote summed over
//! every process (servers, workers, nats-server, PostgreSQL). Then a
//! worker is killed with SIGKILL while the feed goes on: the time until a
//! survivor serves its partition, and every reminder made checked against
//! every socket that should have had it (lost, doubled).

use crate::live::{
    percentile_ms, reminder_socket, seed, session_day, session_second, LiveBenchOptions, Path, ServedBenchError,
};
use crate::{ServeChild, WorkerChild};
use chrono::{DateTime, NaiveDate, Utc};
use rand::SeedableRng;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::Db;

/// How to run the cluster benchmark.
#[derive(Debug, Clone)]
pub struct ClusterBenchOptions {
    /// Accounts (one a customer, about 3 positions each).
    pub accounts: u64,
    /// Instruments in the generated book.
    pub instruments: u32,
    /// Where the generated book is kept while seeding, and the sessions made.
    pub work_dir: PathBuf,
    /// The PostgreSQL database (seeded on first use).
    pub postgres: String,
    /// Advisors whose reminder sockets are open (spread over the servers).
    pub advisors: usize,
    /// Quote rates offered, rising.
    pub rates: Vec<u32>,
    /// Seconds each rate is held.
    pub seconds: u64,
    /// The latency goal: p99 quote-to-socket, in milliseconds.
    pub goal_p99_ms: f64,
    /// Servers.
    pub servers: usize,
    /// Watch workers (and partitions).
    pub workers: usize,
    /// Seconds the feed runs at the first rate while a worker is killed.
    pub failover_seconds: u64,
}

/// One rate, as it went for the cluster or the single server.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterRate {
    /// Quotes a second offered.
    pub offered_per_s: u32,
    /// Quotes a second the feed took.
    pub quotes_per_s: f64,
    /// The p99 of a feed call's time.
    pub call_ms_p99: f64,
    /// Reminders stored during the rate.
    pub reminders: u64,
    /// Pushes that reached the open sockets.
    pub pushed: u64,
    /// Quote to socket, median.
    pub quote_to_socket_ms_p50: Option<f64>,
    /// Quote to socket, p99.
    pub quote_to_socket_ms_p99: Option<f64>,
    /// CPU time per quote taken, summed over every process, in microseconds.
    pub cpu_us_per_quote: f64,
    /// True when the feed kept up and the p99 met the goal.
    pub held: bool,
}

/// What the cluster benchmark found.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterBench {
    /// The processor the figures came from.
    pub processor: String,
    /// Cores.
    pub cores: usize,
    /// Accounts in the database.
    pub accounts: u64,
    /// Servers and workers.
    pub servers: usize,
    /// Watch workers.
    pub workers: usize,
    /// The highest rate the cluster held.
    pub quotes_per_s: u32,
    /// Its quote-to-socket p99 across the servers.
    pub quote_to_socket_ms_p99: Option<f64>,
    /// Its CPU time per quote, every process summed.
    pub cpu_us_per_quote: f64,
    /// The single embedded server's at the same rate.
    pub cpu_us_per_quote_single: f64,
    /// The one over the other.
    pub cpu_ratio: f64,
    /// The single side's CPU seconds a second with no feed (its fixed cost).
    pub idle_cpu_single: f64,
    /// The cluster's, every process summed.
    pub idle_cpu_cluster: f64,
    /// A worker killed with SIGKILL to its partition served again by another, seconds.
    pub failover_s: Option<f64>,
    /// Reminders made in the cluster's run, checked against every socket that should have had them.
    pub reminders_checked: u64,
    /// Reminders a socket should have had and did not.
    pub lost: u64,
    /// Pushes beyond the first of a reminder, or of one made before the run.
    pub doubled: u64,
    /// Each rate, the cluster.
    pub cluster: Vec<ClusterRate>,
    /// Each rate, the single embedded server.
    pub single: Vec<ClusterRate>,
}

/// A process whose CPU time counts.
#[derive(Debug, Clone, Copy)]
enum Counted {
    /// A process of ours (its own time).
    Own(u32),
    /// Every PostgreSQL process on the machine (with the time of backends that ended).
    Postgres,
}

/// CPU seconds of a /proc stat line: user and system, and with `children`
/// the ended children's too (PostgreSQL's postmaster reaps its backends).
fn stat_seconds(pid: &str, children: bool) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
    let Some((_, rest)) = stat.rsplit_once(')') else { return 0.0 };
    let f: Vec<u64> = rest.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    // After the state letter: utime is the 12th, stime, cutime, cstime follow (USER_HZ = 100).
    let ticks = f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0);
    let reaped = if children { f.get(12).copied().unwrap_or(0) + f.get(13).copied().unwrap_or(0) } else { 0 };
    (ticks + reaped) as f64 / 100.0
}

/// The CPU seconds used so far by `counted`.
fn cpu_seconds(counted: &[Counted]) -> f64 {
    let mut total = 0.0;
    for c in counted {
        match c {
            Counted::Own(pid) => total += stat_seconds(&pid.to_string(), false),
            Counted::Postgres => {
                let Ok(dir) = std::fs::read_dir("/proc") else { continue };
                for entry in dir.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if !name.bytes().all(|b| b.is_ascii_digit()) {
                        continue;
                    }
                    let comm = std::fs::read_to_string(format!("/proc/{name}/comm")).unwrap_or_default();
                    if comm.trim() == "postgres" {
                        total += stat_seconds(&name, true);
                    }
                }
            }
        }
    }
    total
}

/// The processor's model name (Linux).
fn processor() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// What the sockets received: (socket, reminder id, arrival).
#[derive(Default)]
struct Arrivals {
    seen: Mutex<Vec<(usize, i64, Instant)>>,
}

/// Opens advisor `k`'s reminder socket on `addr`, recording every push.
async fn open_socket(addr: &str, session: &str, k: usize, arrivals: Arc<Arrivals>) -> Result<(), ServedBenchError> {
    reminder_socket(addr, session, move |id, arrived| arrivals.seen.lock().expect("arrivals").push((k, id, arrived)))
        .await
}

/// The feed: price paths, the servers to send to in turn, and each call's quotes.
struct Feed {
    client: reqwest::Client,
    urls: Vec<String>,
    token: String,
    paths: Vec<Path>,
    day: NaiveDate,
    second: u64,
    cursor: usize,
    rng: rand_pcg::Pcg64,
    /// Each call's snapshot time, and when it was sent.
    sent: HashMap<DateTime<Utc>, Instant>,
}

impl Feed {
    fn new(urls: Vec<String>, token: &str, instruments: &[domain::Instrument]) -> Feed {
        Feed {
            client: reqwest::Client::new(),
            urls,
            token: token.to_owned(),
            paths: instruments.iter().map(Path::of).collect(),
            day: session_day(),
            second: 0,
            cursor: 0,
            rng: rand_pcg::Pcg64::seed_from_u64(30),
            sent: HashMap::new(),
        }
    }

    /// One call of `per_call` quotes to the next server; its time.
    async fn call(&mut self, per_call: usize, calls: u64) -> Result<Duration, ServedBenchError> {
        let time = session_second(self.day, self.second);
        self.second += 1;
        let mut events = Vec::with_capacity(per_call);
        for _ in 0..per_call.min(self.paths.len()) {
            let k = self.cursor % self.paths.len();
            self.cursor += 1;
            let path = &mut self.paths[k];
            path.step(&mut self.rng);
            events.push(path.snapshot(time));
        }
        let sent = Instant::now();
        self.sent.insert(time, sent);
        let url = &self.urls[calls as usize % self.urls.len()];
        let answer = self
            .client
            .post(url)
            .bearer_auth(&self.token)
            .json(&serde_json::json!({ "events": events }))
            .send()
            .await
            .map_err(|e| ServedBenchError::Server(e.to_string()))?;
        if !answer.status().is_success() {
            let status = answer.status();
            let body = answer.text().await.unwrap_or_default();
            return Err(ServedBenchError::Server(format!("the events feed answered {status}: {body}")));
        }
        Ok(sent.elapsed())
    }

    /// The opening snapshot, unmeasured: every instrument at its previous close.
    async fn open(&mut self) -> Result<(), ServedBenchError> {
        let opening: Vec<serde_json::Value> =
            self.paths.iter().map(|p| p.snapshot(session_second(self.day, 0))).collect();
        for chunk in opening.chunks(app::feeds::MAX_EVENTS_PER_CALL) {
            let answer = self
                .client
                .post(&self.urls[0])
                .bearer_auth(&self.token)
                .json(&serde_json::json!({ "events": chunk }))
                .send()
                .await
                .map_err(|e| ServedBenchError::Server(e.to_string()))?;
            if !answer.status().is_success() {
                return Err(ServedBenchError::Server(format!("the opening snapshot answered {}", answer.status())));
            }
        }
        self.second = 1;
        Ok(())
    }
}

/// A reminder made: its id, its advisor, and the time of the quote it was judged on.
type Made = (i64, i64, Option<DateTime<Utc>>);

/// The reminders stored after `after`.
async fn made_after(db: &Db, after: i64) -> Result<Vec<Made>, ServedBenchError> {
    let rows: Vec<(i64, i64, String)> = match db.pool() {
        store::Pool::Postgres(pool) => {
            sqlx::query_as("SELECT r.id, r.advisor_id, r.figures FROM reminders r WHERE r.id > $1 ORDER BY r.id")
                .bind(after)
                .fetch_all(pool)
                .await
                .map_err(|e| ServedBenchError::Server(e.to_string()))?
        }
        store::Pool::Sqlite(pool) => {
            sqlx::query_as("SELECT r.id, r.advisor_id, r.figures FROM reminders r WHERE r.id > $1 ORDER BY r.id")
                .bind(after)
                .fetch_all(pool)
                .await
                .map_err(|e| ServedBenchError::Server(e.to_string()))?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(id, advisor, figures)| {
            let quoted = serde_json::from_str::<serde_json::Value>(&figures)
                .ok()
                .and_then(|f| f["quote_time"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()))
                .map(|t| t.to_utc());
            (id, advisor, quoted)
        })
        .collect())
}

/// Each push's latency: from the send of the call whose quotes it was judged
/// on (each call's snapshots carry a time of their own) to its arrival.
fn latencies_us(
    arrivals: &[(usize, i64, Instant)],
    made: &HashMap<i64, Option<DateTime<Utc>>>,
    sent: &HashMap<DateTime<Utc>, Instant>,
) -> Vec<u64> {
    let mut out: Vec<u64> = arrivals
        .iter()
        .filter_map(|(_, id, arrived)| {
            let call = sent.get(&(*made.get(id)?)?)?;
            Some(arrived.saturating_duration_since(*call).as_micros() as u64)
        })
        .collect();
    out.sort_unstable();
    out
}

/// How long each side is watched with no feed, for its fixed CPU cost.
const IDLE_WINDOW: Duration = Duration::from_secs(10);

/// The sum of a server's `brokerdesk_follow_lag` gauges (every stream it follows).
fn follow_lag(metrics: &str) -> i64 {
    metrics
        .lines()
        .filter(|l| l.starts_with("brokerdesk_follow_lag{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<i64>().ok())
        .sum()
}

/// Everything one side (cluster or single) needs through its rates.
struct Side<'a> {
    db: &'a Db,
    feed: Feed,
    arrivals: Arc<Arrivals>,
    counted: Vec<Counted>,
    /// Waits until every judgement asked for has been made (the cluster's consumers caught up).
    bus: Option<(bus::Bus, usize)>,
    /// The servers' /metrics, read until their followers have taken every reminder event.
    metrics: Vec<String>,
}

impl Side<'_> {
    async fn settle(&self) -> Result<(), ServedBenchError> {
        if let Some((bus, workers)) = &self.bus {
            let started = Instant::now();
            loop {
                let mut lag = 0;
                for k in 0..*workers {
                    let name = app::cluster::Partition { index: k as u32, count: *workers as u32 }.name();
                    lag += bus.feed_lag(&name).await.map_err(|e| ServedBenchError::Server(e.to_string()))?;
                }
                if lag == 0 || started.elapsed() > Duration::from_secs(120) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        // Then the servers: every reminder event followed to the sockets.
        let started = Instant::now();
        let client = reqwest::Client::new();
        for url in &self.metrics {
            while started.elapsed() < Duration::from_secs(120) {
                let text = match client.get(url).send().await {
                    Ok(r) => r.text().await.unwrap_or_default(),
                    Err(e) => return Err(ServedBenchError::Server(e.to_string())),
                };
                if follow_lag(&text) == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        // Pushes of the last reminders still on their way.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        Ok(())
    }

    /// Ready for the rates: settled, the tables the start and the clearing
    /// churned vacuumed and counted now (autovacuum would otherwise land in
    /// some rate's window), then the side's CPU a second with no feed.
    async fn prepare(&self) -> Result<f64, ServedBenchError> {
        self.settle().await?;
        if let store::Pool::Postgres(pool) = self.db.pool() {
            sqlx::query("VACUUM ANALYZE").execute(pool).await.map_err(|e| ServedBenchError::Server(e.to_string()))?;
        }
        let before = cpu_seconds(&self.counted);
        tokio::time::sleep(IDLE_WINDOW).await;
        Ok((cpu_seconds(&self.counted) - before) / IDLE_WINDOW.as_secs_f64())
    }

    async fn rate(&mut self, rate: u32, seconds: u64, goal_p99_ms: f64) -> Result<ClusterRate, ServedBenchError> {
        self.arrivals.seen.lock().expect("arrivals").clear();
        let before = self.db.newest_reminder_id().await?;
        let per_call = (rate / 10).max(1) as usize;
        let calls = seconds * 10;
        let mut call_us = Vec::with_capacity(calls as usize);
        let cpu_before = cpu_seconds(&self.counted);
        let started = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for k in 0..calls {
            tick.tick().await;
            call_us.push(self.feed.call(per_call, k).await?.as_micros() as u64);
        }
        let elapsed = started.elapsed().as_secs_f64();
        self.settle().await?;
        let cpu = cpu_seconds(&self.counted) - cpu_before;
        let sent = (calls as usize * per_call.min(self.feed.paths.len())) as f64;
        let made = made_after(self.db, before).await?;
        let by_id: HashMap<i64, Option<DateTime<Utc>>> = made.iter().map(|(id, _, quoted)| (*id, *quoted)).collect();
        let arrivals = self.arrivals.seen.lock().expect("arrivals").clone();
        let latencies = latencies_us(&arrivals, &by_id, &self.feed.sent);
        call_us.sort_unstable();
        let quotes_per_s = sent / elapsed;
        let p99 = percentile_ms(&latencies, 99.0);
        Ok(ClusterRate {
            offered_per_s: rate,
            quotes_per_s,
            call_ms_p99: percentile_ms(&call_us, 99.0).unwrap_or(0.0),
            reminders: made.len() as u64,
            pushed: arrivals.len() as u64,
            quote_to_socket_ms_p50: percentile_ms(&latencies, 50.0),
            quote_to_socket_ms_p99: p99,
            cpu_us_per_quote: cpu * 1e6 / sent.max(1.0),
            held: quotes_per_s >= 0.95 * f64::from(rate) && p99.is_none_or(|p| p <= goal_p99_ms),
        })
    }

    /// Every rate, rising, until one is not held; each rate's pushes are added to `kept`.
    async fn rates(
        &mut self,
        opts: &ClusterBenchOptions,
        name: &str,
        kept: &mut Vec<(usize, i64, Instant)>,
    ) -> Result<Vec<ClusterRate>, ServedBenchError> {
        let mut runs = Vec::new();
        for &rate in &opts.rates {
            let run = self.rate(rate, opts.seconds, opts.goal_p99_ms).await?;
            kept.extend(self.arrivals.seen.lock().expect("arrivals").iter().copied());
            eprintln!(
                "  {name} {rate:>6}/s offered: {:.0}/s taken, call p99 {:.1} ms, {} reminders, {} pushed, socket p50 {:?} p99 {:?} ms, {:.0} µs CPU a quote{}",
                run.quotes_per_s,
                run.call_ms_p99,
                run.reminders,
                run.pushed,
                run.quote_to_socket_ms_p50,
                run.quote_to_socket_ms_p99,
                run.cpu_us_per_quote,
                if run.held { "" } else { ": not held" }
            );
            let held = run.held;
            runs.push(run);
            if !held {
                break;
            }
        }
        Ok(runs)
    }
}

/// True when a worker other than `victim` says it serves `partition`.
async fn served_again(client: &reqwest::Client, workers: &[WorkerChild], victim: usize, partition: &str) -> bool {
    let served = format!("brokerdesk_partition_served{{partition=\"{partition}\"}} 1");
    for (j, w) in workers.iter().enumerate() {
        if j == victim {
            continue;
        }
        if let Ok(r) = client.get(format!("http://{}/metrics", w.addr)).send().await {
            if r.text().await.unwrap_or_default().contains(&served) {
                return true;
            }
        }
    }
    false
}

/// The advisors whose sessions the seed made, in the same order.
async fn advisors(db: &Db, n: usize) -> Result<Vec<i64>, ServedBenchError> {
    let mut advisors: Vec<i64> = db.key_set(store::KeySet::Advisors).await?.into_iter().collect();
    advisors.sort_unstable();
    advisors.truncate(n);
    Ok(advisors)
}

/// Today's reminders cleared, so that both sides start from the same day.
async fn clear_session(db: &Db) -> Result<(), ServedBenchError> {
    let day = session_day();
    let sql = "DELETE FROM reminders WHERE trading_day >= $1";
    match db.pool() {
        store::Pool::Postgres(pool) => sqlx::query(sql).bind(day).execute(pool).await.map(|_| ()),
        store::Pool::Sqlite(pool) => sqlx::query(sql).bind(day).execute(pool).await.map(|_| ()),
    }
    .map_err(|e| ServedBenchError::Server(e.to_string()))?;
    Ok(())
}

async fn wait_ready(url: &str, what: &str) -> Result<f64, ServedBenchError> {
    let started = Instant::now();
    let client = reqwest::Client::new();
    loop {
        if client.get(url).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(started.elapsed().as_secs_f64());
        }
        if started.elapsed() > Duration::from_secs(900) {
            return Err(ServedBenchError::Server(format!("{what} not ready in 15 minutes")));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs the benchmark.
pub async fn cluster_bench(opts: &ClusterBenchOptions) -> Result<ClusterBench, ServedBenchError> {
    let seeding = LiveBenchOptions {
        accounts: opts.accounts,
        instruments: opts.instruments,
        work_dir: opts.work_dir.clone(),
        postgres: Some(opts.postgres.clone()),
        advisors: opts.advisors,
        rates: opts.rates.clone(),
        seconds: opts.seconds,
        goal_p99_ms: opts.goal_p99_ms,
        conditionals: 0,
    };
    let (url, secrets) = seed(&seeding).await?;
    let db = Db::open(&url).await?;
    let accounts = db.count_rows("accounts").await?.max(0) as u64;
    let instruments = db.all_instruments().await?;
    let advisor_ids = advisors(&db, opts.advisors).await?;
    let exe = std::env::current_exe().map_err(|e| ServedBenchError::Server(e.to_string()))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    // The single embedded server first.
    clear_session(&db).await?;
    eprintln!("one embedded serve");
    let single_server = ServeChild::start_with(&exe, &url, &[]).map_err(ServedBenchError::Server)?;
    wait_ready(&format!("http://{}/ready", single_server.addr), "serve").await?;
    let arrivals = Arc::new(Arrivals::default());
    for (k, session) in secrets.advisor_sessions.iter().take(opts.advisors).enumerate() {
        open_socket(&single_server.addr, session, k, arrivals.clone()).await?;
    }
    let feed_url = |addr: &str| format!("http://{addr}/api/v1/feeds/events");
    let mut single = Side {
        db: &db,
        feed: Feed::new(vec![feed_url(&single_server.addr)], &secrets.events_token, &instruments),
        arrivals,
        counted: vec![Counted::Own(single_server.child.id()), Counted::Postgres],
        bus: None,
        metrics: Vec::new(),
    };
    single.feed.open().await?;
    let idle_cpu_single = single.prepare().await?;
    eprintln!("  single: {:.0} ms of CPU a second with no feed", idle_cpu_single * 1000.0);
    let single_runs = single.rates(opts, "single ", &mut Vec::new()).await?;
    drop(single);
    drop(single_server);

    // The cluster over the same day, the same price paths.
    clear_session(&db).await?;
    eprintln!("{} servers, {} workers, nats-server, PostgreSQL", opts.servers, opts.workers);
    let nats = bus::local::LocalNats::start().map_err(|e| ServedBenchError::Server(e.to_string()))?;
    let mut workers = Vec::new();
    for k in 0..opts.workers {
        let partition = format!("{k}/{}", opts.workers);
        workers.push(WorkerChild::start(&exe, &url, &nats.url(), &partition).map_err(ServedBenchError::Server)?);
    }
    for w in &workers {
        let s = wait_ready(&format!("http://{}/ready", w.addr), "a worker").await?;
        eprintln!("  worker {} serving after {s:.1} s", w.partition);
    }
    let mut servers = Vec::new();
    for _ in 0..opts.servers {
        let s = ServeChild::start_with(&exe, &url, &["--nats", &nats.url()]).map_err(ServedBenchError::Server)?;
        wait_ready(&format!("http://{}/ready", s.addr), "a server").await?;
        servers.push(s);
    }
    let bus = bus::Bus::connect(&nats.url()).await.map_err(|e| ServedBenchError::Server(e.to_string()))?;
    let arrivals = Arc::new(Arrivals::default());
    for (k, session) in secrets.advisor_sessions.iter().take(opts.advisors).enumerate() {
        open_socket(&servers[k % servers.len()].addr, session, k, arrivals.clone()).await?;
    }
    let mut counted: Vec<Counted> = servers.iter().map(|s| Counted::Own(s.child.id())).collect();
    counted.extend(workers.iter().map(|w| Counted::Own(w.child.id())));
    counted.push(Counted::Own(nats.pid()));
    counted.push(Counted::Postgres);
    let mut cluster = Side {
        db: &db,
        feed: Feed::new(servers.iter().map(|s| feed_url(&s.addr)).collect(), &secrets.events_token, &instruments),
        arrivals: arrivals.clone(),
        counted,
        bus: Some((bus.clone(), opts.workers)),
        metrics: servers.iter().map(|s| format!("http://{}/metrics", s.addr)).collect(),
    };
    let run_start = db.newest_reminder_id().await?;
    cluster.feed.open().await?;
    let idle_cpu_cluster = cluster.prepare().await?;
    eprintln!("  cluster: {:.0} ms of CPU a second with no feed", idle_cpu_cluster * 1000.0);
    // Every push of the whole run is kept for the check (the opening's too): the rates clear theirs.
    let mut whole_run = arrivals.seen.lock().expect("arrivals").clone();
    let cluster_runs = cluster.rates(opts, "cluster", &mut whole_run).await?;

    // Failover: the feed at the first rate; a worker killed a quarter of the way in.
    let rate = opts.rates[0];
    let per_call = (rate / 10).max(1) as usize;
    let calls = opts.failover_seconds * 10;
    let victim = opts.workers / 2;
    let victim_partition = workers[victim].partition.clone();
    arrivals.seen.lock().expect("arrivals").clear();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut killed_at = None;
    let mut failover_s = None;
    let client = reqwest::Client::new();
    for k in 0..calls {
        tick.tick().await;
        cluster.feed.call(per_call, k).await?;
        if k == calls / 4 && opts.workers > 1 {
            workers[victim].kill();
            killed_at = Some(Instant::now());
            eprintln!("  killed the worker of partition {victim_partition}");
        }
        if let (Some(at), None) = (killed_at, failover_s) {
            if served_again(&client, &workers, victim, &victim_partition).await {
                failover_s = Some(at.elapsed().as_secs_f64());
                eprintln!("  partition {victim_partition} served again after {:.1} s", at.elapsed().as_secs_f64());
            }
        }
    }
    // Still not served when the feed ended: keep looking a while.
    if let Some(at) = killed_at {
        while failover_s.is_none() && at.elapsed() < Duration::from_secs(120) {
            if served_again(&client, &workers, victim, &victim_partition).await {
                failover_s = Some(at.elapsed().as_secs_f64());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    cluster.settle().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    whole_run.extend(arrivals.seen.lock().expect("arrivals").iter().copied());

    // Every reminder made in the run, against every socket that should have had it.
    let made = made_after(&db, run_start).await?;
    let mut expected: BTreeMap<usize, Vec<i64>> = BTreeMap::new();
    for (id, advisor, _) in &made {
        if let Some(k) = advisor_ids.iter().position(|a| a == advisor) {
            expected.entry(k).or_default().push(*id);
        }
    }
    let mut received: BTreeMap<usize, BTreeMap<i64, u64>> = BTreeMap::new();
    for (k, id, _) in &whole_run {
        *received.entry(*k).or_default().entry(*id).or_default() += 1;
    }
    let (mut lost, mut doubled) = (0u64, 0u64);
    for (k, advisor) in advisor_ids.iter().enumerate() {
        let want = expected.get(&k).cloned().unwrap_or_default();
        let got = received.get(&k).cloned().unwrap_or_default();
        let missing: Vec<&i64> = want.iter().filter(|id| !got.contains_key(id)).collect();
        if !missing.is_empty() {
            eprintln!("  lost on advisor {advisor}'s socket: reminders {missing:?}");
        }
        lost += missing.len() as u64;
        for (id, n) in &got {
            doubled += if want.binary_search(id).is_ok() { n - 1 } else { *n };
        }
    }
    let reminders_checked = expected.values().map(|v| v.len() as u64).sum();
    let best = cluster_runs.iter().rfind(|r| r.held);
    let single_at = best.and_then(|b| single_runs.iter().find(|r| r.offered_per_s == b.offered_per_s));
    let cpu_us_per_quote = best.map_or(0.0, |b| b.cpu_us_per_quote);
    let cpu_us_per_quote_single = single_at.map_or(0.0, |s| s.cpu_us_per_quote);
    drop(servers);
    drop(workers);
    drop(nats);
    db.close().await;
    Ok(ClusterBench {
        processor: processor(),
        cores,
        accounts,
        servers: opts.servers,
        workers: opts.workers,
        quotes_per_s: best.map_or(0, |b| b.offered_per_s),
        quote_to_socket_ms_p99: best.and_then(|b| b.quote_to_socket_ms_p99),
        cpu_us_per_quote,
        cpu_us_per_quote_single,
        cpu_ratio: if cpu_us_per_quote_single > 0.0 { cpu_us_per_quote / cpu_us_per_quote_single } else { 0.0 },
        idle_cpu_single,
        idle_cpu_cluster,
        failover_s,
        reminders_checked,
        lost,
        doubled,
        cluster: cluster_runs,
        single: single_runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_is_timed_from_the_call_whose_quotes_it_was_judged_on() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let second = |k: i64| DateTime::<Utc>::from_timestamp(1_765_000_000 + k, 0).unwrap();
        let sent = HashMap::from([(second(1), at(0)), (second(2), at(100))]);
        let made = HashMap::from([(7, Some(second(2))), (8, None), (9, Some(second(0)))]);
        // Judged on the second call's quotes, arriving at 250 ms: 150 ms. One judged on no
        // quote (a trade, the start) or on an unmeasured call is not timed.
        let latencies = latencies_us(&[(0, 7, at(250)), (0, 8, at(260)), (0, 9, at(270))], &made, &sent);
        assert_eq!(latencies, vec![150_000]);
    }

    #[test]
    fn a_servers_lag_is_the_sum_of_its_streams() {
        let text = "# HELP brokerdesk_follow_lag x\nbrokerdesk_follow_lag{stream=\"BD_REMINDERS\"} 3\n\
                    brokerdesk_follow_lag{stream=\"BD_LIVE\"} 0\nbrokerdesk_sockets{kind=\"chat\"} 9\n";
        assert_eq!(follow_lag(text), 3);
        assert_eq!(follow_lag("# EOF\n"), 0);
    }

    #[test]
    fn cpu_time_is_read_from_proc_with_reaped_children_on_request() {
        let me = std::process::id().to_string();
        let own = stat_seconds(&me, false);
        assert!(own >= 0.0 && stat_seconds(&me, true) >= own);
    }
}
