use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is being recorded, before it has a place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Who: `staff:12`, `customer:5`, `system:import`.
    pub actor: String,
    /// What: `import`, `reveal`, `update`, `handover` ...
    pub action: String,
    /// Which kind of row: a table name or `book`.
    pub entity: String,
    /// Which row.
    pub entity_id: String,
    /// Particulars, as JSON text.
    pub detail: String,
}

/// A record in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When, to the microsecond.
    pub at: DateTime<Utc>,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Hash of the record before (or [`GENESIS_HASH`]).
    pub prev_hash: String,
    /// SHA-256 of this record's fields and `prev_hash`, in hex.
    pub hash: String,
}

impl AuditRecord {
    /// Seals an entry as record `seq` after a record whose hash is `prev_hash`.
    pub fn seal(seq: i64, at: DateTime<Utc>, entry: AuditEntry, prev_hash: &str) -> AuditRecord {
        // Microseconds: what both databases keep, so a stored record re-hashes equal.
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        let hash = content_hash(seq, at, &entry, prev_hash);
        AuditRecord { seq, at, entry, prev_hash: prev_hash.to_owned(), hash }
    }

    /// The hash this record's content calls for.
    pub fn expected_hash(&self) -> String {
        content_hash(self.seq, self.at, &self.entry, &self.prev_hash)
    }
}

fn content_hash(seq: i64, at: DateTime<Utc>, e: &AuditEntry, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields, so that no two different records share an input.
    for field in [
        seq.to_string().as_str(),
        &at.to_rfc3339_opts(SecondsFormat::Micros, true),
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.detail,
        prev_hash,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where and why a chain stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainBreak {
    /// A record's content does not match its own hash: it was edited.
    #[error("record {seq}: its content does not match its hash (edited)")]
    Altered {
        /// The record.
        seq: i64,
    },
    /// A record does not point at the one before: one was removed or replaced.
    #[error("record {seq}: it does not follow record {after} (a record was removed, replaced or reordered)")]
    Unlinked {
        /// The record.
        seq: i64,
        /// The record before it in the walk, 0 for the start.
        after: i64,
    },
}

/// Walks records in `seq` order and names the first break; returns how many
/// records were checked when there is none.
pub fn verify_chain(records: impl IntoIterator<Item = AuditRecord>) -> Result<u64, ChainBreak> {
    let mut prev_seq = 0;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut n = 0;
    for r in records {
        if r.seq != prev_seq + 1 || r.prev_hash != prev_hash {
            return Err(ChainBreak::Unlinked { seq: r.seq, after: prev_seq });
        }
        if r.expected_hash() != r.hash {
            return Err(ChainBreak::Altered { seq: r.seq });
        }
        prev_seq = r.seq;
        prev_hash = r.hash;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map_or(GENESIS_HASH.to_owned(), |r| r.hash.clone());
            let entry = AuditEntry {
                actor: "staff:2".into(),
                action: "reveal".into(),
                entity: "customers".into(),
                entity_id: seq.to_string(),
                detail: "{}".into(),
            };
            out.push(AuditRecord::seal(seq, Utc::now(), entry, &prev));
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(chain(5)), Ok(5));
        assert_eq!(verify_chain(Vec::new()), Ok(0));
    }

    #[test]
    fn an_edit_is_named() {
        let mut c = chain(5);
        c[2].entry.actor = "staff:3".into();
        assert_eq!(verify_chain(c), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_removal_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(c), Err(ChainBreak::Unlinked { seq: 3, after: 1 }));
    }

    #[test]
    fn a_rehashed_edit_still_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].entry.detail = "{\"forged\":true}".into();
        c[2].hash = c[2].expected_hash();
        assert_eq!(verify_chain(c), Err(ChainBreak::Unlinked { seq: 4, after: 3 }));
    }
}
