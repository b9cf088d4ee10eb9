//! `brokerdesk bench ledger`: points transfers per second through the real
//! server (a child process) and its database, from this process over HTTP:
//! one transfer a call, and batches of many; beside it, the store's batch
//! alone (no HTTP) with the server's commit setting and with every commit
//! waiting for the disk, to state what durability costs.

use crate::live::{seed_error, ServedBenchError};
use crate::ServeChild;
use app::{import_dir, ImportOptions};
use generator::{generate, GenOptions};
use growth::{Account, FirmAccount, Kind, Operation, Transfer};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use store::Db;

/// What to measure.
#[derive(Debug, Clone)]
pub struct LedgerBenchOptions {
    /// Customers in the generated book (when seeding one).
    pub customers: u64,
    /// Where the seeded book's database is kept; a rerun at the same size reuses it.
    pub work_dir: PathBuf,
    /// A PostgreSQL database to seed (when it has no customers) and measure as well.
    pub postgres: Option<String>,
    /// Transfers sent in batches (through the server, and again through the store alone).
    pub transfers: usize,
    /// Transfers per batch.
    pub batch: usize,
    /// Transfers sent one a call.
    pub single: usize,
    /// Concurrent HTTP clients.
    pub clients: usize,
}

/// One backend's figures.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerRun {
    /// sqlite or postgres.
    pub backend: &'static str,
    /// The settings a commit's durability depends on, as the database reports them (the server's).
    pub durability: String,
    /// Through the server, one transfer a call.
    pub transfers_per_s_single: f64,
    /// Latency of a one-transfer call, p50 and p99, ms.
    pub single_ms_p50: f64,
    /// p99.
    pub single_ms_p99: f64,
    /// Through the server, `batch` transfers a call.
    pub transfers_per_s_batched: f64,
    /// Latency of a batched call, p50, ms.
    pub batched_ms_p50: f64,
    /// The store's batches alone, the server's commit setting.
    pub store_per_s_batched: f64,
    /// The store's batches alone, every commit waiting for the disk (SQLite synchronous=FULL).
    pub store_per_s_batched_full: Option<f64>,
    /// Red-envelope opens answered per second through the server, every member trying every envelope at once.
    pub envelope_opens_per_s: f64,
    /// Opens that were paid (the rest found the envelope empty); `envelopes` × `shares` when all is well.
    pub envelope_opens_paid: usize,
    /// Open calls made.
    pub envelope_open_calls: usize,
    /// Every envelope paid exactly its shares, summing to its points.
    pub envelopes_exact: bool,
    /// Transfers refused (spends beyond the balance), of all sent.
    pub refused: usize,
    /// Transfers stored at the end.
    pub stored: i64,
    /// Every balance summed is zero, none below zero, the lots hold the balances.
    pub books_balance: bool,
}

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerBench {
    /// Customers the transfers went to.
    pub customers: i64,
    /// Transfers per batch.
    pub batch: usize,
    /// Concurrent clients.
    pub clients: usize,
    /// One per backend.
    pub runs: Vec<LedgerRun>,
}

/// Earnings and spends (seven to three) over customers `1..=customers`:
/// the spends use the lots the earnings left, and some are refused.
fn transfers(seed: u64, prefix: &str, n: usize, customers: i64) -> Vec<Operation> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let customer = Account::Customer(domain::CustomerId(rng.gen_range(1..=customers)));
            let (debit, credit, reason, amount) = if rng.gen_bool(0.7) {
                (Account::Firm(FirmAccount::Issuance), customer, "earn", rng.gen_range(1..=300))
            } else {
                (customer, Account::Firm(FirmAccount::Redemption), "redeem", rng.gen_range(1..=200))
            };
            Operation::Apply(Transfer {
                id: format!("{prefix}{i}"),
                debit,
                credit,
                amount,
                reason: reason.into(),
                kind: Kind::Single,
                corrects: None,
            })
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The highest customer id (the generator numbers them from 1).
async fn highest_customer(db: &Db) -> Result<i64, ServedBenchError> {
    let sql = "SELECT COALESCE(MAX(id), 0) FROM customers";
    let max: i64 = match db.pool() {
        store::Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.map_err(store::StoreError::from)?,
        store::Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.map_err(store::StoreError::from)?,
    };
    Ok(max)
}

/// Seeds the book once into `url` (skipped when it has customers); the customers' count.
async fn seed(opts: &LedgerBenchOptions, url: &str) -> Result<i64, ServedBenchError> {
    let db = Db::open(url).await?.with_keys(store::Keys::from_text(&access::Keyring::generate())?);
    if highest_customer(&db).await? == 0 {
        let book = opts.work_dir.join("ledger-book");
        generate(&GenOptions::new(opts.customers, 5, &book)).map_err(seed_error)?;
        let mut import = ImportOptions::new(&book);
        import.rejects = opts.work_dir.join("ledger-rejects.csv");
        import_dir(&db, &import).await.map_err(seed_error)?;
        let _ = std::fs::remove_dir_all(&book);
    }
    let customers = highest_customer(&db).await?;
    db.close().await;
    Ok(customers)
}

/// Sends `ops` in calls of `per_call` from `clients` clients; the seconds,
/// each call's milliseconds, and how many were refused.
async fn send(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    ops: Vec<Operation>,
    per_call: usize,
    clients: usize,
) -> Result<(f64, Vec<f64>, usize), ServedBenchError> {
    let calls: Vec<Vec<Operation>> = ops.chunks(per_call).map(<[Operation]>::to_vec).collect();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(calls));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, queue) = (client.clone(), queue.clone());
        let (url, token) = (format!("{base}/api/v1/feeds/points"), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let (mut ms, mut refused) = (Vec::new(), 0usize);
            loop {
                let Some(call) = queue.lock().expect("the queue's lock").pop() else { break };
                let t = Instant::now();
                let answer = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&serde_json::json!({ "operations": call }))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !answer.status().is_success() {
                    return Err(format!("{}: {}", answer.status(), answer.text().await.unwrap_or_default()));
                }
                let report: serde_json::Value = answer.json().await.map_err(|e| e.to_string())?;
                ms.push(t.elapsed().as_secs_f64() * 1e3);
                refused += report["refused"].as_u64().unwrap_or(0) as usize;
            }
            Ok::<_, String>((ms, refused))
        }));
    }
    let (mut all_ms, mut refused) = (Vec::new(), 0);
    for t in tasks {
        let (ms, r) =
            t.await.map_err(|e| ServedBenchError::Server(e.to_string()))?.map_err(ServedBenchError::Server)?;
        all_ms.extend(ms);
        refused += r;
    }
    let seconds = started.elapsed().as_secs_f64();
    all_ms.sort_by(f64::total_cmp);
    Ok((seconds, all_ms, refused))
}

/// The store's batches alone over `url`: transfers per second.
async fn through_store(url: &str, ops: &[Operation], batch: usize) -> Result<(f64, usize), ServedBenchError> {
    let db = Db::open(url).await?;
    let started = Instant::now();
    let mut refused = 0;
    for chunk in ops.chunks(batch) {
        refused += db.ledger_run(chunk, db.now()).await?.iter().filter(|o| o.is_err()).count();
    }
    let per_s = ops.len() as f64 / started.elapsed().as_secs_f64();
    db.close().await;
    Ok((per_s, refused))
}

async fn run_backend(
    opts: &LedgerBenchOptions,
    backend: &'static str,
    url: &str,
) -> Result<(LedgerRun, i64), ServedBenchError> {
    let customers = seed(opts, url).await?;
    let run_id = chrono::Utc::now().timestamp_millis();
    let db = Db::open(url).await?;
    let durability = db.durability().await?;
    let token = access::new_api_token();
    let name = domain::TokenName::parse("bench ledger").map_err(seed_error)?;
    db.create_api_token("bench", &name, access::FeedScope::Points, &access::secret_digest(&token)).await?;
    db.close().await;

    // The store alone, as the server commits, then (SQLite) with every commit waiting for the disk.
    let ops = transfers(1, &format!("b{run_id}-s-"), opts.transfers, customers);
    let (store_per_s_batched, _) = through_store(url, &ops, opts.batch).await?;
    let store_per_s_batched_full = if backend == "sqlite" {
        let ops = transfers(2, &format!("b{run_id}-f-"), opts.transfers, customers);
        Some(through_store(&format!("{url}?synchronous=full"), &ops, opts.batch).await?.0)
    } else {
        None
    };

    let server = ServeChild::start(url).map_err(ServedBenchError::Server)?;
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::builder().pool_max_idle_per_host(opts.clients).build().map_err(seed_error)?;
    let single_ops = transfers(3, &format!("b{run_id}-1-"), opts.single, customers);
    let (single_s, single_ms, single_refused) = send(&client, &base, &token, single_ops, 1, opts.clients).await?;
    let batched_ops = transfers(4, &format!("b{run_id}-b-"), opts.transfers, customers);
    let (batched_s, batched_ms, batched_refused) =
        send(&client, &base, &token, batched_ops, opts.batch, opts.clients).await?;
    let envelopes = envelope_opens(url, &client, &base, run_id, opts.clients).await?;
    drop(server);

    let db = Db::open(url).await?;
    let totals = db.ledger_totals().await?;
    db.close().await;
    let run = LedgerRun {
        backend,
        durability,
        transfers_per_s_single: opts.single as f64 / single_s,
        single_ms_p50: percentile(&single_ms, 0.5),
        single_ms_p99: percentile(&single_ms, 0.99),
        transfers_per_s_batched: opts.transfers as f64 / batched_s,
        batched_ms_p50: percentile(&batched_ms, 0.5),
        store_per_s_batched,
        store_per_s_batched_full,
        envelope_opens_per_s: envelopes.0,
        envelope_opens_paid: envelopes.1,
        envelope_open_calls: envelopes.2,
        envelopes_exact: envelopes.3,
        refused: single_refused + batched_refused,
        stored: totals.transfers,
        books_balance: envelopes.3
            && totals.net == 0
            && totals.pending == 0
            && totals.lowest_available >= 0
            && totals.in_lots == totals.customers_net,
    };
    Ok((run, customers))
}

/// Envelopes sent, their shares, and members opening.
const ENVELOPES: usize = 20;
const SHARES: i64 = 10;
const OPENERS: i64 = 100;

/// An advisor's envelopes in a group of 100 members, each member opening
/// every envelope, `clients` calls at a time through the server: opens per
/// second, paid, calls, and whether each envelope paid exactly its shares.
async fn envelope_opens(
    url: &str,
    client: &reqwest::Client,
    base: &str,
    run_id: i64,
    clients: usize,
) -> Result<(f64, usize, usize, bool), ServedBenchError> {
    use app::community::Communities;
    let db = Db::open(url).await?;
    let row: (i64, i64) = match db.pool() {
        store::Pool::Sqlite(p) => {
            sqlx::query_as("SELECT advisor_id, branch_id FROM customers WHERE id = 1").fetch_one(p).await
        }
        store::Pool::Postgres(p) => {
            sqlx::query_as("SELECT advisor_id, branch_id FROM customers WHERE id = 1").fetch_one(p).await
        }
    }
    .map_err(store::StoreError::from)?;
    let group = db
        .create_group(&store::NewGroup {
            advisor_id: domain::StaffId(row.0),
            name: domain::GroupName::parse(&format!("bench {run_id}")).map_err(seed_error)?,
            description: domain::GroupDescription::parse("").map_err(seed_error)?,
            rules: "{}".into(),
            capacity: 500,
        })
        .await?;
    let members: Vec<domain::CustomerId> = (1..=OPENERS).map(domain::CustomerId).collect();
    db.add_members(group, &members, chrono::Utc::now()).await?;
    let hash = access::hash_password("bench password, not for use").map_err(seed_error)?;
    let mut sessions = Vec::new();
    for c in &members {
        let login = domain::LoginName::parse(&format!("bench-member-{run_id}-{c}")).map_err(seed_error)?;
        let user = db
            .create_user(&store::NewUser {
                login,
                password_hash: hash.clone(),
                role: access::Role::Customer,
                staff_id: None,
                customer_id: Some(*c),
            })
            .await?;
        let (token, csrf) = (access::new_secret(), access::new_secret());
        db.create_session(&access::secret_digest(&token), user, &csrf, chrono::Utc::now() + chrono::Duration::hours(2))
            .await?;
        sessions.push((format!("bd_session={token}"), csrf));
    }
    let advisor = access::Principal {
        user_id: domain::UserId(0),
        login: "bench".into(),
        role: access::Role::Advisor,
        staff_id: Some(domain::StaffId(row.0)),
        branch_id: Some(domain::BranchId(row.1)),
        customer_id: None,
    };
    let community = Communities::new(db.clone());
    let mut ids = Vec::new();
    for _ in 0..ENVELOPES {
        let (e, _) = community
            .send_envelope(&advisor, group, 1_000, SHARES, growth::envelope::Split::Random)
            .await
            .map_err(seed_error)?;
        ids.push(e.id);
    }
    // Every member tries every envelope, the members of one envelope side by side.
    let calls: Vec<(i64, (String, String))> =
        ids.iter().flat_map(|id| sessions.iter().map(move |s| (*id, s.clone()))).collect();
    let n = calls.len();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(calls));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, queue, base) = (client.clone(), queue.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut paid = 0usize;
            loop {
                let Some((id, (cookie, csrf))) = queue.lock().expect("the queue's lock").pop() else { break };
                let r = client
                    .post(format!("{base}/api/v1/red-envelopes/{id}/open"))
                    .header("cookie", cookie)
                    .header("x-csrf-token", csrf)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                match r.status().as_u16() {
                    200 => paid += 1,
                    409 => {}
                    other => return Err(format!("open: {other} {}", r.text().await.unwrap_or_default())),
                }
            }
            Ok::<_, String>(paid)
        }));
    }
    let mut paid = 0;
    for t in tasks {
        paid += t.await.map_err(|e| ServedBenchError::Server(e.to_string()))?.map_err(ServedBenchError::Server)?;
    }
    let per_s = n as f64 / started.elapsed().as_secs_f64();
    let mut exact = true;
    for id in ids {
        let e = db.envelope(id).await?.ok_or_else(|| seed_error("an envelope went missing"))?;
        exact &= e.opened == SHARES && e.opened_points == e.points;
    }
    db.close().await;
    Ok((per_s, paid, n, exact))
}

/// Runs the benchmark on SQLite, and on PostgreSQL when given.
pub async fn ledger_bench(opts: &LedgerBenchOptions) -> Result<LedgerBench, ServedBenchError> {
    std::fs::create_dir_all(&opts.work_dir).map_err(seed_error)?;
    // Seeded once; every run starts from a copy, so runs are alike.
    let seeded = opts.work_dir.join(format!("ledger-{}.db", opts.customers));
    let seed_url = format!("sqlite:{}", seeded.display());
    seed(opts, &seed_url).await?;
    let run_db = opts.work_dir.join("ledger-run.db");
    for stale in ["ledger-run.db-wal", "ledger-run.db-shm"] {
        let _ = std::fs::remove_file(opts.work_dir.join(stale));
    }
    std::fs::copy(&seeded, &run_db).map_err(seed_error)?;
    let sqlite = format!("sqlite:{}", run_db.display());
    let mut runs = Vec::new();
    let (run, customers) = run_backend(opts, "sqlite", &sqlite).await?;
    runs.push(run);
    if let Some(pg) = &opts.postgres {
        runs.push(run_backend(opts, "postgres", pg).await?.0);
    }
    Ok(LedgerBench { customers, batch: opts.batch, clients: opts.clients, runs })
}
