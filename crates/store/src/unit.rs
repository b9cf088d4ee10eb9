//! Units of work: writes that commit together or not at all, the audit
//! record among them. A use case in `app` that writes several things begins
//! one ([`Db::begin`]), calls the store's writes on it, and commits; an error
//! on the way drops it, and dropping rolls everything back.

use crate::{Db, Pool, StoreError};
use access::{AuditEntry, AuditRecord};

/// The backend's own transaction.
#[doc(hidden)]
pub enum TxConn {
    /// SQLite, begun with the write lock taken (BEGIN IMMEDIATE).
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// One unit of work on the database. Dropped without [`Tx::commit`], it is
/// rolled back.
pub struct Tx {
    conn: TxConn,
    clock: std::sync::Arc<dyn domain::Clock>,
    pub(crate) revenue_fees: std::sync::Arc<::orders::FeeSchedule>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match self.conn {
            TxConn::Sqlite(_) => "sqlite",
            TxConn::Postgres(_) => "postgres",
        };
        f.debug_struct("Tx").field("backend", &backend).finish()
    }
}

/// Runs the same body on whichever connection a [`Tx`] holds (as
/// `with_pool!` does on a pool): `$conn` is a `&mut` connection, compiled
/// once per backend.
#[macro_export]
#[doc(hidden)]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx.conn_mut() {
            $crate::TxConn::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::TxConn::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}

/// The advisory lock key that serializes audit appends on PostgreSQL.
const AUDIT_LOCK_KEY: i64 = 0x0061_7564_6974; // "audit" in ASCII

impl Db {
    /// Begins a unit of work. On SQLite the write lock is taken at once, so
    /// that a unit of work waits for another writer at its start (up to the
    /// busy timeout) rather than failing halfway through.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let conn = match self.pool() {
            Pool::Sqlite(pool) => TxConn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        Ok(Tx { conn, clock: self.clock(), revenue_fees: self.revenue_fees.clone() })
    }
}

impl Tx {
    /// The connection, for `with_tx!`.
    #[doc(hidden)]
    pub fn conn_mut(&mut self) -> &mut TxConn {
        &mut self.conn
    }

    /// This instant, by the database's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Makes every write of the unit durable, together.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Serializes this unit's writes with every other unit's from here to
    /// its end: on SQLite the write lock is held already; on PostgreSQL the
    /// audit's advisory lock is taken now, so that ids read as `MAX(id) + 1`
    /// cannot be read twice.
    pub async fn serialize(&mut self) -> Result<(), StoreError> {
        if let TxConn::Postgres(t) = &mut self.conn {
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_LOCK_KEY).execute(&mut **t).await?;
        }
        Ok(())
    }

    /// Appends an entry to the audit trail within this unit of work, chained
    /// to the last record. Appends are serialized: on SQLite by the write
    /// lock the unit holds, on PostgreSQL by a transaction-scoped advisory
    /// lock taken here; the primary key on `seq` is the last guard against a
    /// fork.
    pub async fn audit(&mut self, entry: AuditEntry) -> Result<AuditRecord, StoreError> {
        if let TxConn::Postgres(t) = &mut self.conn {
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_LOCK_KEY).execute(&mut **t).await?;
        }
        let now = self.now();
        with_tx!(self, conn => {
            let head: Option<(i64, String)> =
                sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *conn)
                    .await?;
            let (seq, prev) = head.map_or((1, access::GENESIS_HASH.to_owned()), |(s, h)| (s + 1, h));
            let r = AuditRecord::seal(seq, now, entry, &prev);
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, detail, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(r.seq)
            .bind(r.at)
            .bind(&r.entry.actor)
            .bind(&r.entry.action)
            .bind(&r.entry.entity)
            .bind(&r.entry.entity_id)
            .bind(&r.entry.detail)
            .bind(&r.prev_hash)
            .bind(&r.hash)
            .execute(&mut *conn)
            .await?;
            Ok(r)
        })
    }
}
