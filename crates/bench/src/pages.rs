//! `brokerdesk bench pages`: every page family and list API as each role
//! uses them, through a real `brokerdesk serve` (a child process) over a
//! brokerage of N customers, from this process with concurrent
//! connections: the overview, the customer list (first page, sorts,
//! filters, searches, the last page), a customer's page with a long
//! history, instruments, tasks, reminders, the plan, the groups, products
//! with the gate's verdict and a customer's suitability. Reports
//! p50 and p99 per route and the slowest route.

use crate::live::{seed_error, ServedBenchError};
use app::import::{import_dir, ImportOptions};
use chrono::{Duration as Days, Utc};
use generator::{generate, GenOptions};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::Db;
use tokio::sync::Mutex;

/// How to run the pages benchmark.
#[derive(Debug, Clone)]
pub struct PagesBenchOptions {
    /// Customers in the generated brokerage.
    pub customers: u64,
    /// Where the book and the SQLite database are kept; a rerun reuses them.
    pub work_dir: PathBuf,
    /// A database to serve instead of seeding one (PostgreSQL, or a SQLite
    /// file seeded by another bench); seeded here when empty.
    pub db: Option<String>,
    /// Concurrent connections per route.
    pub connections: usize,
    /// Requests per route.
    pub requests: usize,
}

/// One route as one role used it.
#[derive(Debug, Clone, Serialize)]
pub struct RouteRun {
    /// The role asking.
    pub role: &'static str,
    /// The route, with its query.
    pub route: String,
    /// Requests made.
    pub requests: usize,
    /// Answers that were not 200.
    pub errors: usize,
    /// Median time to the whole answer.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
}

/// What the pages benchmark found.
#[derive(Debug, Clone, Serialize)]
pub struct PagesBench {
    /// Customers in the database.
    pub customers: i64,
    /// sqlite or postgres.
    pub backend: &'static str,
    /// Concurrent connections per route.
    pub connections: usize,
    /// Serve started to ready, seconds.
    pub start_s: f64,
    /// Every route.
    pub routes: Vec<RouteRun>,
    /// The route with the highest p99.
    pub slowest_route: String,
    /// Its p99.
    pub slowest_route_p99_ms: f64,
    /// Answers that were not 200, over all routes.
    pub errors: usize,
}

/// A signed-in session per role, and the ids the routes name; kept for a rerun.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
struct Setup {
    /// (role, session token).
    sessions: Vec<(String, String)>,
    /// A customer of the advisor with the longest trade history among the first thousand.
    busy_customer: i64,
    /// The customer role's own customer.
    own_customer: i64,
    /// A much-held instrument.
    instrument: String,
    /// A product of the catalogue (the demo's, added when there is none).
    #[serde(default)]
    product: i64,
    /// (role, CSRF token) of each session, for the routes that write.
    #[serde(default)]
    csrf: Vec<(String, String)>,
    /// The demo's model portfolio and newest idea (issue 25), 0 when none.
    #[serde(default)]
    portfolio: i64,
    /// The newest published idea.
    #[serde(default)]
    idea: i64,
    /// The advisor whose book the routes read.
    #[serde(default)]
    advisor: i64,
}

/// The database to serve, seeded (a generated book imported) when it has no customers.
async fn database(opts: &PagesBenchOptions) -> Result<String, ServedBenchError> {
    seeded_database(&opts.work_dir, "pages", opts.customers, opts.db.as_deref()).await
}

/// `db`, or a SQLite file `{name}-{customers}.db` under `work_dir`, seeded
/// with a generated book of `customers` (seed 7) through the importer when
/// it has none; its URL. A rerun at the same size reuses it.
pub(crate) async fn seeded_database(
    work_dir: &std::path::Path,
    name: &str,
    customers: u64,
    db: Option<&str>,
) -> Result<String, ServedBenchError> {
    std::fs::create_dir_all(work_dir).map_err(seed_error)?;
    let url = match db {
        Some(url) => url.to_owned(),
        None => format!("sqlite:{}", work_dir.join(format!("{name}-{customers}.db")).display()),
    };
    let db = Db::open(&url).await?.with_keys(store::Keys::from_text(&access::Keyring::generate())?);
    if db.count_rows("customers").await? == 0 {
        let book = work_dir.join("book");
        generate(&GenOptions::new(customers, 7, &book)).map_err(seed_error)?;
        let mut import = ImportOptions::new(&book);
        import.rejects = work_dir.join("rejects.csv");
        import_dir(&db, &import).await.map_err(seed_error)?;
        let _ = std::fs::remove_dir_all(&book);
    }
    db.close().await;
    Ok(url)
}

/// Users and sessions for every role, and the ids the routes use.
async fn setup(db: &Db, work_dir: &std::path::Path, url: &str) -> Result<Setup, ServedBenchError> {
    let key: String = url.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let file = work_dir.join(format!("pages-setup-{}.json", &key[..key.len().min(80)]));
    if let Some(setup) = std::fs::read_to_string(&file).ok().and_then(|t| serde_json::from_str(&t).ok()) {
        return Ok(setup);
    }
    let advisor =
        db.key_set(store::KeySet::Advisors).await?.into_iter().min().ok_or_else(|| seed_error("no advisor"))?;
    let advisor = domain::StaffId(advisor);
    let (manager, compliance, admin, customer) = db.demo_links(advisor).await?;
    let hash = access::hash_password("bench password, not for use").map_err(seed_error)?;
    let expires = Utc::now() + Days::days(365);
    let mut sessions = Vec::new();
    let mut csrf = Vec::new();
    let stamp = Utc::now().timestamp();
    for (role, staff_id, customer_id) in [
        (access::Role::Admin, admin, None),
        (access::Role::Manager, manager, None),
        (access::Role::Compliance, compliance, None),
        (access::Role::Advisor, Some(advisor), None),
        (access::Role::Customer, None, customer),
    ] {
        let login = domain::LoginName::parse(&format!("bench-pages-{}-{stamp}", role.as_str())).map_err(seed_error)?;
        let user = store::NewUser { login, password_hash: hash.clone(), role, staff_id, customer_id };
        let id = db.create_user(&user).await?;
        let token = access::new_secret();
        let form_token = access::new_secret();
        db.create_session(&access::secret_digest(&token), id, &form_token, expires).await?;
        sessions.push((role.as_str().to_owned(), token));
        csrf.push((role.as_str().to_owned(), form_token));
    }
    let busy = db.busiest_customer_of(advisor).await?.ok_or_else(|| seed_error("the advisor has no customers"))?;
    let instrument = db.most_held_instrument().await?.ok_or_else(|| seed_error("no positions"))?;
    let own_customer = customer.map_or(busy.0, |c| c.0);
    // The catalogue, and a questionnaire for the customers the routes read, so that
    // their pages judge and rank products as a served customer's would.
    if db.products(false).await?.is_empty() {
        for p in app::advice::demo_catalogue() {
            app::advice::add_product_as(db, "system:bench", &p).await.map_err(seed_error)?;
        }
    }
    let product = db.products(true).await?.first().map_or(0, |p| p.id.0);
    let answers: advice::Answers = app::advice::questionnaire()
        .questions
        .iter()
        .map(|q| (q.id.clone(), vec![if q.id == "varieties" { "b" } else { "c" }.to_owned()]))
        .collect();
    for c in [busy.0, own_customer] {
        app::advice::record_answers(db, "system:bench", domain::CustomerId(c), &answers).await.map_err(seed_error)?;
    }
    // Ideas with track records, research sources, a model portfolio with followers and a send,
    // as the demo makes them (issue 25's pages read them).
    let (mut portfolio, mut idea) = (0, 0);
    if let (Some(compliance), Some(admin)) = (compliance, admin) {
        let other = db.key_set(store::KeySet::Advisors).await?.into_iter().filter(|a| *a != advisor.0).min();
        let made = app::demo_ideas::set_up(db, advisor, other.map(domain::StaffId), compliance, admin, customer)
            .await
            .map_err(seed_error)?;
        portfolio = made.portfolio.map_or(0, |p| p.0 .0);
        idea = db.ideas(true, None).await?.first().map_or(0, |i| i.id.0);
    }
    let setup = Setup {
        sessions,
        busy_customer: busy.0,
        own_customer,
        instrument,
        product,
        csrf,
        portfolio,
        idea,
        advisor: advisor.0,
    };
    std::fs::write(&file, serde_json::to_string(&setup).expect("setup serializes")).map_err(seed_error)?;
    Ok(setup)
}

/// The routes each role uses, as (role, path).
fn routes(s: &Setup) -> Vec<(&'static str, String)> {
    let lists = [
        "",
        "?sort=assets",
        "?sort=last_trade&dormant=true",
        "?risk=C3&sort=open_reminders",
        "?reminders=true&sort=last_contact",
        "?tier=core&sort=assets",
        "?q=%E7%8E%8B%E4%BC%9F",
        "?q=%E5%BC%A0&sort=assets",
        "?q=%E6%AC%A7%E9%98%B3%E5%A8%9C",
        "?at=last&sort=assets",
    ];
    let mut out = Vec::new();
    for role in ["admin", "manager", "advisor"] {
        out.push((role, "/".to_owned()));
        out.push((role, "/api/v1/overview".to_owned()));
        for q in lists {
            out.push((role, format!("/customers{q}")));
            out.push((role, format!("/api/v1/customers{q}")));
        }
        out.push((role, format!("/customers/{}", s.busy_customer)));
        out.push((role, format!("/api/v1/customers/{}", s.busy_customer)));
        out.push((role, format!("/customers/{}/history/trades", s.busy_customer)));
        out.push((role, format!("/api/v1/customers/{}/history/logins", s.busy_customer)));
        out.push((role, "/tasks".to_owned()));
        out.push((role, "/reminders".to_owned()));
        out.push((role, "/groups".to_owned()));
        out.push((role, "/products".to_owned()));
        out.push((role, format!("/api/v1/customers/{}/suitability", s.busy_customer)));
        out.push((role, format!("/products/{}?customer={}", s.product, s.busy_customer)));
    }
    out.push(("advisor", "/plan".to_owned()));
    out.push(("advisor", "/api/v1/plan".to_owned()));
    out.push(("advisor", "/funnel".to_owned()));
    out.push(("compliance", "/".to_owned()));
    out.push(("compliance", "/customers?sort=assets".to_owned()));
    out.push(("compliance", "/questions".to_owned()));
    out.push(("compliance", "/content".to_owned()));
    out.push(("admin", "/instruments".to_owned()));
    out.push(("admin", format!("/instruments/{}", s.instrument)));
    out.push(("customer", "/".to_owned()));
    out.push(("customer", format!("/customers/{}", s.own_customer)));
    out.push(("customer", format!("/api/v1/customers/{}", s.own_customer)));
    out.push(("customer", format!("/api/v1/customers/{}/history/cash_flows", s.own_customer)));
    out.push(("customer", format!("/instruments/{}", s.instrument)));
    out.push(("customer", format!("/products/{}", s.product)));
    out.push(("customer", format!("/api/v1/customers/{}/suitability", s.own_customer)));
    // Ideas, ranking, portfolios, inbox and sends (issue 25).
    for role in ["advisor", "customer"] {
        out.push((role, "/ideas".to_owned()));
        out.push((role, "/ideas/ranking".to_owned()));
        out.push((role, "/api/v1/ideas/ranking".to_owned()));
        out.push((role, "/portfolios".to_owned()));
        out.push((role, format!("/portfolios/{}", s.portfolio)));
        out.push((role, format!("/ideas/{}", s.idea)));
    }
    out.push(("customer", "/inbox".to_owned()));
    out.push(("customer", "/api/v1/inbox".to_owned()));
    out.push(("advisor", "/sends".to_owned()));
    out.push(("advisor", "/api/v1/sends".to_owned()));
    out.push(("advisor", format!("/advisors/{}", s.advisor)));
    out
}

/// The order routes (issue 26), which name the busy customer's account.
fn order_routes(s: &Setup, account: i64) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("advisor", "/orders".to_owned()),
        (
            "advisor",
            format!("/orders/ticket?account_id={account}&instrument={}&side=sell&source=position", s.instrument),
        ),
        ("advisor", "/api/v1/orders".to_owned()),
        ("advisor", format!("/api/v1/orders?account_id={account}")),
        ("customer", "/orders".to_owned()),
        ("customer", "/api/v1/orders".to_owned()),
    ];
    for role in ["admin", "manager", "advisor"] {
        out.push((role, "/orders/prevented".to_owned()));
        out.push((role, "/api/v1/orders-prevented".to_owned()));
    }
    out
}

/// The `p`th percentile of sorted milliseconds.
/// Requests per write route.
const WRITES: usize = 48;

/// The writes measured, as (role, path, JSON body): a send of the newest
/// idea to the advisor's whole book, previewed (every member judged) and made
/// (every suitable member's copy stored and delivered).
fn writes(s: &Setup, account: i64, price: &str) -> Vec<(&'static str, String, serde_json::Value, String)> {
    let send = |preview: bool| serde_json::json!({ "item": { "idea": s.idea }, "segment": { "filter": "sort=id" }, "preview": preview });
    // A ticket for the busy customer's account on the much-held instrument, at its close.
    let ticket = serde_json::json!({ "account_id": account, "instrument": s.instrument, "side": "buy", "price": price, "quantity": 100 });
    vec![
        ("advisor", "/api/v1/sends".to_owned(), send(true), "POST /api/v1/sends (preview, the advisor's book)".into()),
        ("advisor", "/api/v1/sends".to_owned(), send(false), "POST /api/v1/sends (send, the advisor's book)".into()),
        (
            "advisor",
            "/api/v1/orders/check".to_owned(),
            ticket.clone(),
            "POST /api/v1/orders/check (every check)".into(),
        ),
        ("advisor", "/api/v1/orders".to_owned(), ticket, "POST /api/v1/orders (checked, stored, working)".into()),
    ]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let k = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[k]
}

/// `requests` GETs of one path over `connections` concurrent connections.
async fn drive(
    client: &reqwest::Client,
    url: &str,
    session: &str,
    connections: usize,
    requests: usize,
    write: Option<(&str, &serde_json::Value)>,
) -> (Vec<f64>, usize) {
    let left = Arc::new(Mutex::new(requests));
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (client, url, cookie, left) =
            (client.clone(), url.to_owned(), format!("bd_session={session}"), left.clone());
        let write = write.map(|(csrf, body)| (csrf.to_owned(), body.clone()));
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            loop {
                {
                    let mut n = left.lock().await;
                    if *n == 0 {
                        break;
                    }
                    *n -= 1;
                }
                let started = Instant::now();
                let request = match &write {
                    Some((csrf, body)) => client.post(&url).header("x-csrf-token", csrf).json(body),
                    None => client.get(&url),
                };
                let answer = request.header("cookie", &cookie).send().await;
                let ok = match answer {
                    Ok(r) => {
                        let status = r.status();
                        r.bytes().await.is_ok() && status.is_success()
                    }
                    Err(_) => false,
                };
                times.push(started.elapsed().as_secs_f64() * 1e3);
                errors += usize::from(!ok);
            }
            (times, errors)
        }));
    }
    let mut times = Vec::with_capacity(requests);
    let mut errors = 0;
    for w in workers {
        let (t, e) = w.await.expect("a request worker");
        times.extend(t);
        errors += e;
    }
    times.sort_by(f64::total_cmp);
    (times, errors)
}

/// Seeds (or reuses) the brokerage, starts `serve`, and drives every route.
pub async fn pages_bench(opts: &PagesBenchOptions) -> Result<PagesBench, ServedBenchError> {
    let url = database(opts).await?;
    let db = Db::open(&url).await?;
    let backend = match db.backend() {
        store::Backend::Sqlite => "sqlite",
        store::Backend::Postgres => "postgres",
    };
    let customers = db.count_rows("customers").await?;
    let setup = setup(&db, &opts.work_dir, &url).await?;
    // The account the order routes name, and a price on the tick at the instrument's close.
    let account =
        db.accounts_of_customer(domain::CustomerId(setup.busy_customer)).await?.into_iter().min().unwrap_or(0);
    let code = domain::InstrumentCode::parse(&setup.instrument).map_err(seed_error)?;
    let price = db.instrument(&code).await?.map(|i| i.last_close.round_dp(2).to_string()).unwrap_or_default();
    db.close().await;

    let started = Instant::now();
    let server = crate::ServeChild::start(&url).map_err(ServedBenchError::Server)?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(opts.connections).build().map_err(seed_error)?;
    loop {
        let ready = client.get(format!("http://{}/ready", server.addr)).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        if started.elapsed() > Duration::from_secs(900) {
            return Err(ServedBenchError::Server("not ready in 15 minutes".into()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let start_s = started.elapsed().as_secs_f64();
    eprintln!("serve ready in {start_s:.1} s over {customers} customers ({backend})");

    let mut runs = Vec::new();
    let reads = routes(&setup).into_iter().chain(order_routes(&setup, account)).map(|(role, path)| (role, path, None));
    let sends =
        writes(&setup, account, &price).into_iter().map(|(role, path, body, label)| (role, path, Some((body, label))));
    for (role, path, body) in reads.chain(sends) {
        let (body, label) = match body {
            Some((b, l)) => (Some(b), Some(l)),
            None => (None, None),
        };
        let session = &setup.sessions.iter().find(|(r, _)| r == role).expect("a session per role").1;
        let csrf = setup.csrf.iter().find(|(r, _)| r == role).map_or("", |c| c.1.as_str());
        let write = body.as_ref().map(|b| (csrf, b));
        let target = format!("http://{}{path}", server.addr);
        // One unmeasured round warms the connections and the caches a user's first visit warms.
        drive(&client, &target, session, opts.connections, opts.connections, write).await;
        // A send writes a copy per recipient: fewer of them, as an advisor makes a few a day.
        let requests = if write.is_some() { opts.requests.min(WRITES) } else { opts.requests };
        let (times, errors) = drive(&client, &target, session, opts.connections, requests, write).await;
        let route = label.unwrap_or(path);
        let run = RouteRun {
            role,
            route,
            requests: times.len(),
            errors,
            p50_ms: percentile(&times, 0.5),
            p99_ms: percentile(&times, 0.99),
        };
        eprintln!(
            "{:<10} {:<48} p50 {:>8.1} ms  p99 {:>8.1} ms  errors {}",
            run.role, run.route, run.p50_ms, run.p99_ms, run.errors
        );
        runs.push(run);
    }
    let slowest = runs.iter().max_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms)).cloned();
    Ok(PagesBench {
        customers,
        backend,
        connections: opts.connections,
        start_s,
        errors: runs.iter().map(|r| r.errors).sum(),
        slowest_route: slowest.as_ref().map(|r| format!("{} {}", r.role, r.route)).unwrap_or_default(),
        slowest_route_p99_ms: slowest.map_or(0.0, |r| r.p99_ms),
        routes: runs,
    })
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn the_99th_percentile_of_a_hundred_is_the_99th() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!((percentile(&v, 0.5), percentile(&v, 0.99)), (50.0, 99.0));
    }
}
