use crate::{with_pool, Db, StoreError};
use access::{AuditEntry, AuditRecord, GENESIS_HASH};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;

type AuditRow = (i64, DateTime<Utc>, String, String, String, String, String, String, String);

fn record((seq, at, actor, action, entity, entity_id, detail, prev_hash, hash): AuditRow) -> AuditRecord {
    AuditRecord { seq, at, entry: AuditEntry { actor, action, entity, entity_id, detail }, prev_hash, hash }
}

/// The advisory lock key that serializes audit appends on PostgreSQL.
const AUDIT_LOCK_KEY: i64 = 0x0061_7564_6974; // "audit" in ASCII

/// Attempts before giving up on appending under contention.
const APPEND_ATTEMPTS: usize = 20;

impl Db {
    /// Appends an entry to the audit trail, chained to the last record.
    ///
    /// Two writers racing for the same `seq` cannot fork the chain: the
    /// primary key lets one win, and the other re-reads the head and retries.
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<AuditRecord, StoreError> {
        let mut last_error = None;
        // Appends are serialized so that racing writers queue rather than
        // collide. SQLite: take the write lock up front, so that a racing
        // writer waits (busy_timeout) instead of failing its upgrade from
        // reader to writer. PostgreSQL: a transaction-scoped advisory lock.
        let serialize_with_advisory_lock = matches!(self, Db::Postgres(_));
        let begin = match self {
            Db::Sqlite(_) => "BEGIN IMMEDIATE",
            Db::Postgres(_) => "BEGIN",
        };
        for attempt in 0..APPEND_ATTEMPTS {
            let result: Result<AuditRecord, StoreError> = with_pool!(self, pool => {
                let mut tx = pool.begin_with(begin).await?;
                if serialize_with_advisory_lock {
                    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_LOCK_KEY).execute(&mut *tx).await?;
                }
                let head: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut *tx)
                        .await?;
                let (seq, prev) = head.map_or((1, GENESIS_HASH.to_owned()), |(s, h)| (s + 1, h));
                let r = AuditRecord::seal(seq, Utc::now(), entry.clone(), &prev);
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
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(r)
            });
            match result {
                Ok(r) => return Ok(r),
                // A lost race (duplicate seq) or a busy SQLite writer: try again.
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(std::time::Duration::from_millis(2 + 3 * attempt as u64)).await;
        }
        Err(last_error.expect("at least one attempt"))
    }

    /// Every audit record in chain order, for verification and review.
    pub async fn audit_records(&self) -> Result<Vec<AuditRecord>, StoreError> {
        let sql =
            "SELECT seq, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM audit_log ORDER BY seq";
        with_pool!(self, pool => {
            let rows: Vec<AuditRow> = sqlx::query_as(sql).fetch(pool).try_collect().await?;
            Ok(rows.into_iter().map(record).collect())
        })
    }
}
