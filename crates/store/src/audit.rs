use crate::{with_pool, Db, StoreError};
use access::{AuditEntry, AuditRecord};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;

type AuditRow = (i64, DateTime<Utc>, String, String, String, String, String, String, String);

fn record((seq, at, actor, action, entity, entity_id, detail, prev_hash, hash): AuditRow) -> AuditRecord {
    AuditRecord { seq, at, entry: AuditEntry { actor, action, entity, entity_id, detail }, prev_hash, hash }
}

/// Attempts before giving up on appending under contention.
pub(crate) const APPEND_ATTEMPTS: usize = 20;

/// Runs `$body` (which may use `$tx`, a `&mut` connection, and `?`) in a
/// unit of work ([`crate::Tx`]) and appends `$entry` to the audit trail in
/// it: the change and its record commit together or not at all. A lost race
/// (another writer's record took the next `seq`) is retried. Yields
/// `(body's value, record)`.
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
        let mut outcome = None;
        for attempt in 0..$crate::audit::APPEND_ATTEMPTS {
            let result = async {
                let mut unit = db.begin().await?;
                let value = $crate::with_tx!(unit, $tx => $body);
                let entry: access::AuditEntry = {
                    let $value = &value;
                    $entry
                };
                let record = unit.audit(entry).await?;
                unit.commit().await?;
                Ok::<_, $crate::StoreError>((value, record))
            }
            .await;
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
        audited!(self, entry, _tx => {}).map(|((), record)| record)
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
