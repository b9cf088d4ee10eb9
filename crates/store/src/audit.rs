use crate::{with_pool, Db, StoreError};
use access::{AuditEntry, AuditRecord};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;

type AuditRow = (i64, DateTime<Utc>, String, String, String, String, String, String, String);

fn record((seq, at, actor, action, entity, entity_id, detail, prev_hash, hash): AuditRow) -> AuditRecord {
    AuditRecord { seq, at, entry: AuditEntry { actor, action, entity, entity_id, detail }, prev_hash, hash }
}

/// The advisory lock key that serializes audit appends on PostgreSQL.
pub(crate) const AUDIT_LOCK_KEY: i64 = 0x0061_7564_6974; // "audit" in ASCII

/// Attempts before giving up on appending under contention.
pub(crate) const APPEND_ATTEMPTS: usize = 20;

/// Runs `$body` (which may use `$tx` and `?`) and appends `$entry` to the
/// audit trail in the same transaction: the change and its record commit
/// together or not at all. Appends are serialized so that racing writers
/// queue rather than collide (SQLite: the write lock taken up front, so a
/// racing writer waits on busy_timeout; PostgreSQL: a transaction-scoped
/// advisory lock); the primary key on `seq` is the last guard against a
/// fork, and a lost race is retried. Yields `(body's value, record)`.
///
/// The second form builds the entry from the body's value, for records that
/// name a row the body created (its id is known only inside the transaction).
macro_rules! audited {
    ($db:expr, $entry:expr, $tx:ident => $body:block) => {{
        let entry: &access::AuditEntry = $entry;
        $crate::audit::audited!($db, $tx => $body, |_value| entry.clone())
    }};
    ($db:expr, $tx:ident => $body:block, |$value:ident| $entry:expr) => {{
        let db: &$crate::Db = $db;
        let postgres = db.backend() == $crate::Backend::Postgres;
        let begin = if postgres { "BEGIN" } else { "BEGIN IMMEDIATE" };
        let mut outcome = None;
        for attempt in 0..$crate::audit::APPEND_ATTEMPTS {
            let result = $crate::with_pool!(db, pool => {
                async {
                    let mut $tx = pool.begin_with(begin).await?;
                    if postgres {
                        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind($crate::audit::AUDIT_LOCK_KEY).execute(&mut *$tx).await?;
                    }
                    let value = $body;
                    let entry: access::AuditEntry = {
                        let $value = &value;
                        $entry
                    };
                    let head: Option<(i64, String)> =
                        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                            .fetch_optional(&mut *$tx)
                            .await?;
                    let (seq, prev) = head.map_or((1, access::GENESIS_HASH.to_owned()), |(s, h)| (s + 1, h));
                    let r = access::AuditRecord::seal(seq, chrono::Utc::now(), entry, &prev);
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
                    .execute(&mut *$tx)
                    .await?;
                    $tx.commit().await?;
                    Ok::<_, $crate::StoreError>((value, r))
                }
                .await
            });
            let done = result.is_ok();
            outcome = Some(result);
            if done {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2 + 3 * attempt as u64)).await;
        }
        outcome.expect("at least one attempt")
    }};
}
pub(crate) use audited;

impl Db {
    /// Appends an entry to the audit trail, chained to the last record.
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<AuditRecord, StoreError> {
        audited!(self, entry, tx => {}).map(|((), record)| record)
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
