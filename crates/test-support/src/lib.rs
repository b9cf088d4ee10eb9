//! Dev-only helpers for tests: throwaway databases on both backends, the real
//! app on 127.0.0.1:0, and a headless Chromium driven over WebDriver.

mod browser;

pub use browser::{eventually, Browser};
pub use test_db::{backends, events_token, postgres, postgres_url, sqlite, TestDb, TestUser};

use std::net::SocketAddr;
use store::Db;

/// The real app serving on a free loopback port until dropped.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    /// Past one machine: the NATS server and the watch worker beside it.
    _cluster: Option<(bus::local::LocalNats, tokio::sync::oneshot::Sender<()>)>,
}

/// True when tests run the app past one machine (`BROKERDESK_TEST_BUS=nats`):
/// a nats-server of its own and a watch worker beside each server, so that
/// the same tests prove both ways of running.
pub fn on_bus() -> bool {
    std::env::var("BROKERDESK_TEST_BUS").is_ok_and(|v| v == "nats")
}

impl TestApp {
    /// Starts the server over `db`. Tenure points are off: the server earns
    /// them for anniversaries of the real date, which would make tests that
    /// count points pass or fail by the day they run (tenure's own test
    /// calls it with its date).
    pub async fn spawn(db: Db) -> TestApp {
        let mut settings = app::risk_desk::DeskSettings { threads: 2, ..Default::default() };
        settings.growth.earning.tenure_year = 0;
        TestApp::spawn_with(db, settings).await
    }

    /// Starts the server over `db` with the risk desk's settings.
    pub async fn spawn_with(db: Db, settings: app::risk_desk::DeskSettings) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let cluster = if on_bus() { Some(TestApp::worker(&db, &settings).await) } else { None };
        let bus = cluster.as_ref().map(|(bus, _, _)| bus.clone());
        tokio::spawn(async move {
            server::serve(listener, db, settings, bus, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        let app = TestApp { addr, _stop: stop, _cluster: cluster.map(|(_, nats, worker)| (nats, worker)) };
        app.wait_until_ready().await;
        app
    }

    /// A nats-server and one watch worker owning every account, serving
    /// before the server starts (so that no quote goes unjudged).
    async fn worker(
        db: &Db,
        settings: &app::risk_desk::DeskSettings,
    ) -> (bus::Bus, bus::local::LocalNats, tokio::sync::oneshot::Sender<()>) {
        let nats = bus::local::LocalNats::start().expect("BROKERDESK_TEST_BUS=nats needs nats-server");
        let bus = bus::Bus::connect(&nats.url()).await.expect("the bus connects");
        let own = app::cluster::Partition { index: 0, count: 1 };
        let status = std::sync::Arc::new(app::cluster::worker::WorkerStatus::default());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (db, bus_for_worker, settings, watched) = (db.clone(), bus.clone(), settings.clone(), status.clone());
        tokio::spawn(async move {
            let stopped = async {
                let _ = stopped.await;
            };
            app::cluster::worker::run(db, bus_for_worker, settings, own, "test-worker".into(), watched, stopped)
                .await
                .expect("the worker runs");
        });
        for _ in 0..600 {
            if status.serves(own) {
                return (bus, nats, stop);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the watch worker was not serving in 30 s");
    }

    /// Waits until every feed call answered so far has been judged: at once
    /// in one process; past one machine, once the watch worker has taken
    /// and acknowledged every batch (its reminders stored and published).
    pub async fn settled(&self) {
        let Some((nats, _)) = &self._cluster else { return };
        let bus = bus::Bus::connect(&nats.url()).await.expect("the bus connects");
        let name = app::cluster::Partition { index: 0, count: 1 }.name();
        for _ in 0..600 {
            if bus.feed_lag(&name).await.expect("the feed's lag") == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the watch worker did not take the feed in 12 s");
    }

    /// Waits until the position watch is loaded and the feed open (`/ready`).
    pub async fn wait_until_ready(&self) {
        let client = http();
        for _ in 0..600 {
            let answer = client.get(self.url("/ready")).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server was not ready in 30 s");
    }

    /// Signs in through the real form (CSRF cookie and field included).
    pub async fn sign_in(&self, login: &str, password: &str) -> Option<Session> {
        sign_in_at(&self.url(""), login, password).await
    }

    /// An absolute URL for a path on this app.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Signs in to the app at `base` (e.g. http://127.0.0.1:8080) through its form.
pub async fn sign_in_at(base: &str, login: &str, password: &str) -> Option<Session> {
    let url = |path: &str| format!("{base}{path}");
    {
        let client = http();
        let form = client.get(url("/signin")).send().await.expect("sign-in page");
        let csrf = set_cookie(&form, "bd_csrf").expect("csrf cookie");
        let response = client
            .post(url("/signin"))
            .header("cookie", format!("bd_csrf={csrf}"))
            .form(&[("login", login), ("password", password), ("csrf", &csrf), ("next", "/")])
            .send()
            .await
            .expect("sign in");
        let token = set_cookie(&response, "bd_session")?;
        Some(Session { cookie: format!("bd_session={token}"), client })
    }
}

/// The repository's root, for fixtures.
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// A SQLite database holding a generated book of `customers` customers
/// (seed 7), loaded through the real importer, with a demo user per role.
pub async fn sqlite_with_book(customers: u64) -> TestDb {
    sqlite_with_firm(customers, generator::CUSTOMERS_PER_ADVISOR).await
}

/// Like [`sqlite_with_book`], with `per_advisor` customers per advisor (six
/// advisors a branch), for books with several advisors and branches.
pub async fn sqlite_with_firm(customers: u64, per_advisor: u64) -> TestDb {
    let mut t = sqlite().await;
    load_book(&mut t, customers, per_advisor).await;
    t
}

/// Loads a generated book (seed 7) into `t` through the real importer and
/// adds a demo user per role.
pub async fn load_book(t: &mut TestDb, customers: u64, per_advisor: u64) {
    let book = tempfile::tempdir().expect("temp dir");
    generator::generate(&book_options(book.path(), customers, per_advisor)).expect("generate");
    let mut opts = app::ImportOptions::new(book.path());
    opts.rejects = book.path().join("rejects.csv");
    opts.progress = false;
    let report = app::import_dir(&t.db, &opts).await.expect("import");
    assert_eq!(report.rejected(), 0);
    let users = app::demo_users::create_demo_users(&t.db).await.expect("demo users");
    t.users = users.into_iter().map(|u| TestUser { role: u.role, login: u.login, password: u.password }).collect();
}

/// The most held main-board stock with real bars, not ST (the day's mover in
/// the watch's tests): its code, its last bar day, and the close before that
/// day in 0.0001 CNY.
pub async fn most_held_stock(book: &TestDb) -> (String, String, i64) {
    let code = book
        .text(
            "SELECT p.instrument FROM positions p JOIN instruments i ON i.code = p.instrument \
             WHERE NOT i.st AND i.kind = 'stock' AND i.board IN ('sse_main', 'szse_main') \
             AND EXISTS (SELECT 1 FROM daily_bars b WHERE b.instrument = p.instrument) \
             GROUP BY p.instrument ORDER BY COUNT(*) DESC, p.instrument LIMIT 1",
        )
        .await;
    let day = book.text(&format!("SELECT CAST(MAX(date) AS TEXT) FROM daily_bars WHERE instrument = '{code}'")).await;
    let prev = book
        .text(&format!(
            "SELECT CAST(close AS TEXT) FROM daily_bars WHERE instrument = '{code}' AND date < '{day}' \
             ORDER BY date DESC LIMIT 1"
        ))
        .await
        .parse()
        .expect("a close");
    (code, day, prev)
}

/// The generator's options for the test books: seed 7, 1,000 instruments.
fn book_options(dir: &std::path::Path, customers: u64, per_advisor: u64) -> generator::GenOptions {
    let mut gen = generator::GenOptions::new(customers, 7, dir);
    gen.instruments = 1_000;
    gen.customers_per_advisor = per_advisor;
    // Tests count points exactly: no generated referral earns a reward behind their back.
    gen.referred_share = 0.0;
    gen
}

/// A customer of a generated test book with the personal data pages must
/// mask, as the brokerage's own file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookPerson {
    /// Customer id.
    pub id: i64,
    /// The full national ID.
    pub national_id: String,
    /// The full mobile number.
    pub phone: String,
    /// `M` or `F`.
    pub gender: String,
    /// Birth date.
    pub birth_date: chrono::NaiveDate,
}

/// The customers of the book [`load_book`] loads for these sizes (the
/// generator is deterministic, so generating it again gives the same people).
pub fn book_people(customers: u64, per_advisor: u64) -> Vec<BookPerson> {
    let book = tempfile::tempdir().expect("temp dir");
    generator::generate(&book_options(book.path(), customers, per_advisor)).expect("generate");
    let text = std::fs::read_to_string(book.path().join("customers.csv")).expect("customers.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (id, nid, phone, gender, birth) =
        (column("id"), column("national_id"), column("phone"), column("gender"), column("birth_date"));
    // Generated fields hold no commas or quotes.
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            BookPerson {
                id: f[id].parse().expect("id"),
                national_id: f[nid].to_owned(),
                phone: f[phone].to_owned(),
                gender: f[gender].to_owned(),
                birth_date: f[birth].parse().expect("birth date"),
            }
        })
        .collect()
}

/// A signed-in HTTP client: the session cookie on every request.
#[derive(Debug, Clone)]
pub struct Session {
    /// `bd_session=...`.
    pub cookie: String,
    client: reqwest::Client,
}

impl Session {
    /// A POST with the session's cookie and its CSRF token (read from
    /// /api/v1/session on the same app), its body still to add.
    async fn post(&self, base: &str, path: &str) -> reqwest::RequestBuilder {
        let info: serde_json::Value = self.get(&format!("{base}/api/v1/session")).await.json().await.expect("session");
        let csrf = info["csrf"].as_str().expect("csrf").to_owned();
        self.client.post(format!("{base}{path}")).header("cookie", &self.cookie).header("x-csrf-token", csrf)
    }

    /// POST a JSON body with the session and its CSRF token (read from
    /// /api/v1/session on the same app).
    pub async fn post_json(&self, base: &str, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.post(base, path).await.json(body).send().await.expect("request")
    }

    /// POST a form body with the session and its CSRF header, as htmx does from a page.
    pub async fn post_form(&self, base: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.post(base, path).await.header("hx-request", "true").form(form).send().await.expect("request")
    }

    /// POST a body as given, with the session and its CSRF token: for
    /// requests a well-behaved client would not send.
    pub async fn post_raw(&self, base: &str, path: &str, content_type: &str, body: &str) -> reqwest::Response {
        self.post(base, path)
            .await
            .header("content-type", content_type)
            .body(body.to_owned())
            .send()
            .await
            .expect("request")
    }

    /// POST bytes (a file upload) with the session and its CSRF token.
    pub async fn post_bytes(&self, base: &str, path: &str, body: Vec<u8>) -> reqwest::Response {
        self.post(base, path)
            .await
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// GET with the session.
    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.client.get(url).header("cookie", &self.cookie).send().await.expect("request")
    }
}

/// Takes the value of `name` from a response's Set-Cookie headers.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next()?.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

/// A client that shows redirects instead of following them.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// The first unmasked personal number in a text: a run of exactly 11 digits
/// starting with 1 (a mobile number) or of 17-18 digits (a national ID).
pub fn unmasked_pii(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = std::str::from_utf8(&bytes[start..i]).expect("ASCII digits");
        let after_decimal_point = start > 0 && bytes[start - 1] == b'.';
        let inside_word = start > 0 && (bytes[start - 1] as char).is_ascii_alphanumeric();
        if !after_decimal_point
            && !inside_word
            && ((run.len() == 11 && run.starts_with('1')) || run.len() == 17 || run.len() == 18)
        {
            return Some(run.to_owned());
        }
        i += 1;
    }
    None
}

/// Signs in as a further customer of the book (a user made for them).
pub async fn customer_session(t: &TestDb, app: &TestApp, customer_id: i64) -> Session {
    customer_session_at(t, &app.url(""), customer_id).await
}

/// A customer's sign-in, made in the database, then signed in at `base` (a server run elsewhere).
pub async fn customer_session_at(t: &TestDb, base: &str, customer_id: i64) -> Session {
    let login = format!("customer{customer_id}");
    let password = "a long enough password";
    t.db.create_user(&store::NewUser {
        login: domain::LoginName::parse(&login).expect("a login"),
        password_hash: access::hash_password(password).expect("hash"),
        role: access::Role::Customer,
        staff_id: None,
        customer_id: Some(domain::CustomerId(customer_id)),
    })
    .await
    .expect("customer user");
    sign_in_at(base, &login, password).await.expect("customer signs in")
}

#[cfg(test)]
mod tests {
    use super::unmasked_pii;

    #[test]
    fn the_pii_scanner_finds_what_it_looks_for() {
        assert_eq!(unmasked_pii("call 13812345678 now").as_deref(), Some("13812345678"));
        assert_eq!(unmasked_pii("id 11010519491231002X").as_deref(), Some("11010519491231002"));
        assert_eq!(unmasked_pii("王13812345678").as_deref(), Some("13812345678"));
        assert_eq!(unmasked_pii("138****5678 110105********1234 1234567.89 a12345678901"), None);
    }
}
