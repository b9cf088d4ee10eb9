//! `brokerdesk bench analytics`: TUV by firm, branch, advisor and group for
//! twelve months, the lifecycle and the cohorts over a year of a generated
//! brokerage's events, asked of a real `brokerdesk serve` (a child process)
//! from this process, the way a manager's page asks; beside the same
//! figures computed by DuckDB SQL (`bench/analytics_duckdb.py`) from the
//! same events in the same run, with the ratio and a check that every
//! figure is equal. The time to rebuild the kept counts from the events
//! (what a bulk import does) is reported too.

use crate::live::{seed_error, ServedBenchError};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use store::Db;

/// How to run it.
#[derive(Debug, Clone)]
pub struct AnalyticsBenchOptions {
    /// Customers in the generated brokerage (when seeding one).
    pub customers: u64,
    /// Where the book, the database and the exported events are kept; a rerun reuses them.
    pub work_dir: PathBuf,
    /// A database to serve instead of seeding one.
    pub db: Option<String>,
    /// The DuckDB peer, if any.
    pub duckdb_script: Option<PathBuf>,
    /// Threads DuckDB may use.
    pub threads: usize,
    /// Timed rounds (the median is reported).
    pub rounds: usize,
}

/// What it found.
#[derive(Debug, Clone, Serialize)]
pub struct AnalyticsBench {
    /// Customers in the database.
    pub customers: i64,
    /// sqlite or postgres.
    pub backend: &'static str,
    /// The months asked for.
    pub first_month: String,
    /// The last.
    pub last_month: String,
    /// Recomputing every kept count from the events, seconds (what a bulk import does).
    pub rebuild_s: f64,
    /// Requests per round: TUV for every month and grouping, the lifecycle, the cohorts.
    pub requests: usize,
    /// One round through the server, milliseconds (median of the rounds).
    pub ms: f64,
    /// The slowest single answer of the median round, milliseconds.
    pub slowest_ms: f64,
    /// The same figures in DuckDB from the events, milliseconds.
    pub duckdb_ms: Option<f64>,
    /// DuckDB's time over ours.
    pub ratio_vs_duckdb: Option<f64>,
    /// Figures compared with DuckDB's.
    pub compared: usize,
    /// Every compared figure equal.
    pub figures_equal: Option<bool>,
    /// The first differences found, if any.
    pub differences: Vec<String>,
}

/// Writes the events DuckDB reads, once per database (SQLite only: a bench tool).
async fn export(db: &Db, dir: &std::path::Path) -> Result<(), ServedBenchError> {
    let done = dir.join("done");
    if done.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(seed_error)?;
    let store::Pool::Sqlite(pool) = db.pool() else {
        return Err(seed_error("the DuckDB peer reads events exported from a SQLite database"));
    };
    let tables: [(&str, &str, &str); 7] = [
        ("customers", "id,branch_id,advisor_id,opened_at", "SELECT id, branch_id, advisor_id, opened_at FROM customers"),
        ("accounts", "id,customer_id", "SELECT id, customer_id FROM accounts"),
        ("instruments", "code,kind", "SELECT code, kind FROM instruments"),
        ("trades", "account_id,instrument,quantity,price,time", "SELECT account_id, instrument, quantity, price, time FROM trades"),
        ("logins", "customer_id,time", "SELECT customer_id, time FROM logins"),
        ("messages", "sender_id,sent_at", "SELECT sender_id, at FROM group_messages WHERE sender_kind = 'customer'"),
        (
            "purchases",
            "customer_id,placed_at,kind,amount",
            "SELECT p.customer_id, p.placed_at, r.kind, p.amount FROM purchases p JOIN products r ON r.id = p.product_id",
        ),
    ];
    use futures_util::TryStreamExt;
    for (name, header, sql) in tables {
        let file = std::fs::File::create(dir.join(format!("{name}.csv"))).map_err(seed_error)?;
        let mut out = std::io::BufWriter::new(file);
        writeln!(out, "{header}").map_err(seed_error)?;
        let mut rows = sqlx::query(sql).fetch(pool);
        while let Some(row) = rows.try_next().await.map_err(|e| seed_error(e.to_string()))? {
            use sqlx::{Row, ValueRef};
            let mut fields = Vec::with_capacity(row.columns().len());
            for (i, _) in row.columns().iter().enumerate() {
                let raw = row.try_get_raw(i).map_err(|e| seed_error(e.to_string()))?;
                let text = if raw.is_null() {
                    String::new()
                } else if let Ok(n) = row.try_get::<i64, _>(i) {
                    n.to_string()
                } else {
                    row.try_get::<String, _>(i).map_err(|e| seed_error(e.to_string()))?
                };
                fields.push(text);
            }
            writeln!(out, "{}", fields.join(",")).map_err(seed_error)?;
        }
        out.flush().map_err(seed_error)?;
    }
    std::fs::write(done, "").map_err(seed_error)?;
    Ok(())
}

/// A session for an admin, made in the database.
async fn admin_session(db: &Db) -> Result<String, ServedBenchError> {
    let advisor =
        db.key_set(store::KeySet::Advisors).await?.into_iter().min().ok_or_else(|| seed_error("no advisor"))?;
    let (_, _, admin, _) = db.demo_links(domain::StaffId(advisor)).await?;
    let hash = access::hash_password("bench password, not for use").map_err(seed_error)?;
    let login = domain::LoginName::parse(&format!("bench-analytics-{}", chrono::Utc::now().timestamp_micros()))
        .map_err(seed_error)?;
    let user =
        store::NewUser { login, password_hash: hash, role: access::Role::Admin, staff_id: admin, customer_id: None };
    let id = db.create_user(&user).await?;
    let token = access::new_secret();
    let expires = chrono::Utc::now() + chrono::Duration::days(1);
    db.create_session(&access::secret_digest(&token), id, &access::new_secret(), expires).await?;
    Ok(token)
}

/// 0.0001 CNY from an API's decimal string (CNY).
fn units(v: &Value) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    let d: Decimal = v.as_str().and_then(|s| s.parse().ok()).unwrap_or_default();
    (d * Decimal::from(10_000)).round().to_i64().unwrap_or(i64::MIN)
}

/// Runs the benchmark.
pub async fn analytics_bench(opts: &AnalyticsBenchOptions) -> Result<AnalyticsBench, ServedBenchError> {
    let url = crate::pages::seeded_database(&opts.work_dir, "analytics", opts.customers, opts.db.as_deref()).await?;
    let db = Db::open(&url).await?;
    let customers = db.count_rows("customers").await?;
    let backend = if url.starts_with("postgres") { "postgres" } else { "sqlite" };
    let started = Instant::now();
    db.rebuild_analytics().await?;
    let rebuild_s = started.elapsed().as_secs_f64();
    eprintln!("kept counts rebuilt from the events in {rebuild_s:.1} s over {customers} customers");
    let last = app::analytics::default_month(&db).await.map_err(seed_error)?;
    let first = last.plus(-11);
    let events = opts.work_dir.join(format!("events-{customers}"));
    if opts.duckdb_script.is_some() {
        export(&db, &events).await?;
    }
    let session = admin_session(&db).await?;
    db.close().await;

    let server = crate::ServeChild::start(&url).map_err(ServedBenchError::Server)?;
    let client = reqwest::Client::new();
    let cookie = format!("bd_session={session}");
    let mut paths = Vec::new();
    for by in ["firm", "branch", "advisor", "group"] {
        for month in first.through(last) {
            paths.push(format!("/api/v1/analytics/tuv?month={month}&by={by}"));
        }
    }
    paths.push(format!("/api/v1/analytics/lifecycle?from={first}&to={last}"));
    paths.push(format!("/api/v1/analytics/cohorts?from={first}&to={last}"));
    let get = |path: String| {
        let (client, cookie, addr) = (client.clone(), cookie.clone(), server.addr.clone());
        async move {
            let started = Instant::now();
            let r = client.get(format!("http://{addr}{path}")).header("cookie", cookie).send().await;
            let body: Value = match r {
                Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
                Ok(r) => return Err(format!("{path}: {}", r.status())),
                Err(e) => return Err(format!("{path}: {e}")),
            };
            Ok((started.elapsed(), body))
        }
    };
    // One unmeasured round: connections made, the database's pages read once.
    for p in &paths {
        get(p.clone()).await.map_err(ServedBenchError::Server)?;
    }
    let mut rounds: Vec<(f64, f64, Vec<Value>)> = Vec::new();
    for _ in 0..opts.rounds.max(1) {
        let started = Instant::now();
        let mut slowest = Duration::ZERO;
        let mut bodies = Vec::new();
        for p in &paths {
            let (took, body) = get(p.clone()).await.map_err(ServedBenchError::Server)?;
            slowest = slowest.max(took);
            bodies.push(body);
        }
        rounds.push((started.elapsed().as_secs_f64() * 1000.0, slowest.as_secs_f64() * 1000.0, bodies));
    }
    drop(server);
    rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (ms, slowest_ms, bodies) = rounds.swap_remove(rounds.len() / 2);
    eprintln!("{} requests through the server in {ms:.1} ms (slowest {slowest_ms:.1} ms)", paths.len());

    let mut bench = AnalyticsBench {
        customers,
        backend,
        first_month: first.to_string(),
        last_month: last.to_string(),
        rebuild_s,
        requests: paths.len(),
        ms,
        slowest_ms,
        duckdb_ms: None,
        ratio_vs_duckdb: None,
        compared: 0,
        figures_equal: None,
        differences: Vec::new(),
    };
    let Some(script) = &opts.duckdb_script else { return Ok(bench) };
    let fees = orders::FeeSchedule::default();
    let rates: HashMap<&str, (i64, i64)> = [
        ("stock", domain::InstrumentKind::Stock),
        ("etf", domain::InstrumentKind::Etf),
        ("bond", domain::InstrumentKind::Bond),
        ("convertible", domain::InstrumentKind::ConvertibleBond),
    ]
    .into_iter()
    .map(|(name, kind)| {
        let c = fees.commission_of(kind);
        (name, (c.rate_ppm, c.minimum))
    })
    .collect();
    let output = std::process::Command::new("python3")
        .arg(script)
        .args(["--dir", &events.display().to_string(), "--threads", &opts.threads.to_string()])
        .args(["--first", &first.to_string(), "--last", &last.to_string()])
        .args(["--rates", &serde_json::to_string(&rates).expect("rates serialize")])
        .output()
        .map_err(|e| ServedBenchError::Server(format!("running {}: {e}", script.display())))?;
    if !output.status.success() {
        return Err(ServedBenchError::Server(format!("DuckDB peer: {}", String::from_utf8_lossy(&output.stderr))));
    }
    let peer: Value = serde_json::from_slice(output.stdout.trim_ascii())
        .map_err(|e| ServedBenchError::Server(format!("DuckDB peer's answer: {e}")))?;
    let duckdb_ms = peer["duckdb_ms"].as_f64().unwrap_or(0.0);
    bench.duckdb_ms = Some(duckdb_ms);
    bench.ratio_vs_duckdb = Some(duckdb_ms / ms);

    // Compare: TUV per grouping, key and month; the lifecycle; the cohorts.
    let mut compared = 0;
    let mut differ = |what: String, ours: i64, theirs: i64| {
        compared += 1;
        if ours != theirs && bench.differences.len() < 20 {
            bench.differences.push(format!("{what}: ours {ours}, DuckDB {theirs}"));
        }
    };
    let months: Vec<String> = first.through(last).map(|m| m.to_string()).collect();
    let mut k = 0;
    for by in ["firm", "branch", "advisor", "group"] {
        for month in &months {
            let body = &bodies[k];
            k += 1;
            if by == "group" {
                continue; // the generated book has no groups; DuckDB's peer has no group view
            }
            for line in body["lines"].as_array().into_iter().flatten() {
                let key = if by == "firm" { "0".to_owned() } else { line["key"].as_str().unwrap_or("").to_owned() };
                let Some(theirs) = peer["figures"][by][&key][month].as_array() else { continue };
                let f = &line["figures"];
                let n = |v: &Value| v.as_i64().unwrap_or(-1);
                let t = |i: usize| theirs[i].as_i64().unwrap_or(-2);
                differ(format!("{by} {key} {month} users"), n(&f["users"]), t(0));
                differ(format!("{by} {key} {month} active"), n(&f["active"]), t(1));
                differ(format!("{by} {key} {month} paying"), n(&f["paying"]), t(2));
                differ(format!("{by} {key} {month} revenue"), units(&f["tuv"]), t(3));
            }
        }
    }
    for m in bodies[k].as_array().into_iter().flatten() {
        let month = m["month"].as_str().unwrap_or("");
        let Some(theirs) = peer["figures"]["firm"]["0"][month].as_array() else { continue };
        let s = &m["stages"];
        let n = |v: &Value| v.as_i64().unwrap_or(-1);
        differ(format!("lifecycle {month} new"), n(&s["new"]), theirs[4].as_i64().unwrap_or(-2));
        differ(format!("lifecycle {month} returning"), n(&s["returning"]), theirs[5].as_i64().unwrap_or(-2));
        differ(format!("lifecycle {month} resurrected"), n(&s["resurrected"]), theirs[6].as_i64().unwrap_or(-2));
    }
    let theirs: HashMap<(String, String), (i64, i64)> = peer["cohorts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let s = |i: usize| c[i].as_str().unwrap_or("").to_owned();
            ((s(0), s(1)), (c[2].as_i64().unwrap_or(-2), c[3].as_i64().unwrap_or(-2)))
        })
        .collect();
    let sizes: HashMap<String, i64> = peer["sizes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| (s[0].as_str().unwrap_or("").to_owned(), s[1].as_i64().unwrap_or(-2)))
        .collect();
    for c in bodies[k + 1]["cohorts"].as_array().into_iter().flatten() {
        let opened = c["opened"].as_str().unwrap_or("").to_owned();
        differ(
            format!("cohort {opened} size"),
            c["size"].as_i64().unwrap_or(-1),
            sizes.get(&opened).copied().unwrap_or(0),
        );
        for cell in c["cells"].as_array().into_iter().flatten() {
            let month = cell["month"].as_str().unwrap_or("").to_owned();
            let (active, revenue) = theirs.get(&(opened.clone(), month.clone())).copied().unwrap_or((0, 0));
            differ(format!("cohort {opened} {month} active"), cell["active"].as_i64().unwrap_or(-1), active);
            differ(format!("cohort {opened} {month} revenue"), units(&cell["revenue"]), revenue);
        }
    }
    bench.compared = compared;
    bench.figures_equal = Some(bench.differences.is_empty());
    Ok(bench)
}
