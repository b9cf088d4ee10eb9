use crate::{Keys, StoreError};
use chrono::{DateTime, Utc};
use domain::{Clock, SystemClock};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A connection pool to one of the backends.
#[derive(Debug, Clone)]
pub enum Pool {
    /// SQLite, in WAL mode.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// How a bulk load writes: batches at once, and rows per batch (one transaction each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkLoad {
    /// Batches written side by side.
    pub writers: usize,
    /// Rows per batch.
    pub rows_per_batch: usize,
}

/// The database, the keyring that seals its personal data, and the clock
/// every use case reads the time from. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    pub(crate) keys: Option<Arc<Keys>>,
    clock: Arc<dyn Clock>,
    /// Searches whose first piece this many names hold, or fewer, read the
    /// list from the matching names; more, and each row is tested.
    pub(crate) few_names: i64,
    /// The fee schedule whose commission is the firm's revenue from a trade (analytics).
    pub(crate) revenue_fees: Arc<::orders::FeeSchedule>,
}

/// Runs the same body against whichever pool `db` holds. The body is compiled
/// once per backend, so a query that does not suit both fails to build.
#[macro_export]
#[doc(hidden)]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db.pool() {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}

impl Db {
    /// Opens the database the URL names, creating a SQLite file if needed,
    /// and brings its schema up to date.
    ///
    /// `postgres://` or `postgresql://` selects PostgreSQL; `sqlite:PATH` or a
    /// bare path selects SQLite (`?synchronous=full` after it: every commit
    /// waits for the disk).
    pub async fn open(url: &str) -> Result<Db, StoreError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(|source| StoreError::Connect { backend: "postgres", source })?;
            Pool::Postgres(pool)
        } else {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            // `?synchronous=full` makes every commit wait for the disk (an OS crash then loses nothing).
            let (path, synchronous) = match path.split_once("?synchronous=") {
                Some((p, "full")) => (p, SqliteSynchronous::Full),
                Some((p, "normal")) => (p, SqliteSynchronous::Normal),
                Some(_) => return Err(StoreError::BadUrl(redact(url))),
                None => (path, SqliteSynchronous::Normal),
            };
            if path.is_empty() || url.contains("://") && !url.starts_with("sqlite:") {
                return Err(StoreError::BadUrl(redact(url)));
            }
            let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))
                .map_err(|source| StoreError::Connect { backend: "sqlite", source })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // NORMAL (the default) is durable across application crashes in WAL
                // mode; only an OS crash can lose the last commits, never corrupt the file.
                .synchronous(synchronous)
                .foreign_keys(true)
                // A 256 MiB page cache (default: 2 MiB) keeps the indexes of a
                // large book in memory while it loads and while it is queried.
                .pragma("cache_size", "-262144")
                // Statement journals (a multi-row INSERT keeps one, to undo
                // itself if a row fails) in memory rather than a temp file.
                .pragma("temp_store", "memory")
                // Checkpoint when the WAL holds 40 MB (default: 4 MB): a large
                // load's commits each checkpointed (with an fsync) otherwise.
                .pragma("wal_autocheckpoint", "10000")
                // A WAL that grew while a long reader held checkpoints back (a
                // large load, a server warming up) shrinks back once they pass.
                .pragma("journal_size_limit", "67108864")
                .busy_timeout(Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .map_err(|source| StoreError::Connect { backend: "sqlite", source })?;
            Pool::Sqlite(pool)
        };
        let db = Db {
            pool: db,
            keys: None,
            clock: Arc::new(SystemClock),
            few_names: crate::name_search::FEW_NAMES,
            revenue_fees: Arc::default(),
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Applies any migrations the database lacks.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        self.fill_missing_label_sets().await?;
        self.fill_missing_figures().await?;
        self.fill_missing_analytics().await
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The connection pool, for the few callers (tests, tools) that need raw SQL.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// This database read with another clock (tests set the time with it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Db {
        self.clock = clock;
        self
    }

    /// This database with another bound between a search (or a tier
    /// filter) read from its few matches and one tested row by row (tests
    /// take both ways with it).
    pub fn with_few_names(mut self, few_names: i64) -> Db {
        self.few_names = few_names;
        self
    }

    /// This database counting the firm's revenue from trades by this fee
    /// schedule's commission (the one order tickets are charged by).
    pub fn with_revenue_fees(mut self, fees: ::orders::FeeSchedule) -> Db {
        self.revenue_fees = Arc::new(fees);
        self
    }

    /// The fee schedule revenue is counted by.
    pub fn revenue_fees(&self) -> &::orders::FeeSchedule {
        &self.revenue_fees
    }

    /// The clock every use case over this database reads the time from.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// This instant, by the database's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in Beijing, by the database's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// This database with a keyring for sealing and opening personal data.
    pub fn with_keys(mut self, keys: Keys) -> Db {
        self.keys = Some(Arc::new(keys));
        self
    }

    /// The keyring, or an error saying how to provide one.
    pub(crate) fn keys(&self) -> Result<&Keys, StoreError> {
        self.keys.as_deref().ok_or(StoreError::NoKeyring)
    }

    /// How a bulk load (the import) writes best on this backend.
    pub fn bulk_load(&self) -> BulkLoad {
        match self.pool {
            // One writer at a time. Large transactions: each commit writes
            // every page it dirtied to the WAL, and the indexes' pages are
            // dirtied by every batch, so fewer commits write far less.
            Pool::Sqlite(_) => BulkLoad { writers: 1, rows_per_batch: 50_000 },
            // Several COPYs side by side; each batch one commit (an fsync).
            Pool::Postgres(_) => BulkLoad { writers: 3, rows_per_batch: 20_000 },
        }
    }

    /// The settings that decide whether a commit survives a crash, as the
    /// database reports them (for benchmarks to state what they measured).
    pub async fn durability(&self) -> Result<String, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await?;
                let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(pool).await?;
                let level = ["OFF", "NORMAL", "FULL", "EXTRA"].get(synchronous as usize).copied().unwrap_or("?");
                format!("journal_mode={journal} synchronous={level}")
            }
            Pool::Postgres(pool) => {
                let mut settings = Vec::new();
                for name in ["fsync", "synchronous_commit", "full_page_writes"] {
                    let value: String = sqlx::query_scalar(&format!("SHOW {name}")).fetch_one(pool).await?;
                    settings.push(format!("{name}={value}"));
                }
                settings.join(" ")
            }
        })
    }

    /// Closes every connection, flushing SQLite's WAL.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

/// A URL safe to print: no password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => format!("{}://***{}", &url[..scheme_end], &url[at..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_credentials() {
        assert_eq!(redact("mysql://bob:secret@host/db"), "mysql://***@host/db");
        assert_eq!(redact("file.db"), "file.db");
    }
}
