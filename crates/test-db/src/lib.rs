//! Dev-only: throwaway databases for one test each, on SQLite always and on
//! PostgreSQL whenever one can be had (see [`postgres_url`]). The store's
//! tests use this alone; tests that need the app or a browser use
//! `test-support`, which re-exports it.

mod postgres;

pub use postgres::postgres_url;

use std::path::PathBuf;
use store::Db;
use tempfile::TempDir;

/// A user to sign in as: one per role where a book was loaded with users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    /// Role.
    pub role: access::Role,
    /// Login name.
    pub login: String,
    /// Password.
    pub password: String,
}

/// A database for one test, with whatever keeps it alive.
pub struct TestDb {
    /// Backend name for messages: "sqlite" or "postgres".
    pub name: &'static str,
    /// The open database, schema applied.
    pub db: Db,
    /// Its URL, for handing to a child process.
    pub url: String,
    /// Users (one per role), where a book was loaded with them.
    pub users: Vec<TestUser>,
    /// The personal-data keyring file the database is opened with.
    pub keys_file: PathBuf,
    _dir: TempDir,
}

impl TestDb {
    /// Runs raw SQL, as someone with direct database access would.
    pub async fn execute(&self, sql: &str) -> u64 {
        match self.db.pool() {
            store::Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.expect(sql).rows_affected(),
            store::Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await.expect(sql).rows_affected(),
        }
    }

    /// One text value by raw SQL.
    pub async fn text(&self, sql: &str) -> String {
        match self.db.pool() {
            store::Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql),
            store::Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql),
        }
    }

    /// Every row's text value by raw SQL.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        match self.db.pool() {
            store::Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.expect(sql),
            store::Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.expect(sql),
        }
    }
}

/// Opens `url` with a new keyring written to a file in `dir`.
async fn open_with_new_keys(url: &str, dir: &std::path::Path) -> (Db, PathBuf) {
    let keys_file = dir.join("pii.keys");
    std::fs::write(&keys_file, access::Keyring::generate()).expect("write keyring");
    let keys = store::Keys::from_file(&keys_file).expect("read keyring");
    (Db::open(url).await.expect("open database").with_keys(keys), keys_file)
}

/// A fresh SQLite file in a temporary directory.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("test.db").display().to_string();
    let (db, keys_file) = open_with_new_keys(&url, dir.path()).await;
    TestDb { name: "sqlite", db, url, users: Vec::new(), keys_file, _dir: dir }
}

/// A fresh PostgreSQL database, or None (with one line saying why) where no
/// PostgreSQL can be had. With BROKERDESK_REQUIRE_POSTGRES=1 (as in CI) an
/// absent PostgreSQL fails the test instead.
pub async fn postgres() -> Option<TestDb> {
    let url = postgres_url().await?;
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, keys_file) = open_with_new_keys(&url, dir.path()).await;
    Some(TestDb { name: "postgres", db, url, users: Vec::new(), keys_file, _dir: dir })
}

/// A new events-feed token for `db` (as an admin would make one).
pub async fn events_token(db: &Db) -> String {
    let token = access::new_api_token();
    let name = domain::TokenName::parse("events").expect("a name");
    db.create_api_token("test", &name, access::FeedScope::Events, &access::secret_digest(&token))
        .await
        .expect("token stored");
    token
}

/// Every backend available here: SQLite always, PostgreSQL when reachable.
pub async fn backends() -> Vec<TestDb> {
    let mut all = vec![sqlite().await];
    all.extend(postgres().await);
    all
}

impl TestDb {
    /// The user of a role.
    pub fn user(&self, role: access::Role) -> &TestUser {
        self.users.iter().find(|u| u.role == role).expect("a user of each role")
    }
}

/// True when the environment says a missing service must fail tests (CI):
/// `BROKERDESK_REQUIRE_POSTGRES=1`, `BROKERDESK_REQUIRE_BROWSER=1`.
pub fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}
