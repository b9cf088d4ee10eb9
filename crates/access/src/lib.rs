//! Access: who did what to which row, and (as issue 3 lands) who may.
//!
//! The audit trail is append-only and hash-chained: each record carries the
//! hash of the one before, so editing, deleting or reordering any record
//! breaks the chain at that point, and [`verify_chain`] names where.

mod audit;

pub use audit::{verify_chain, AuditEntry, AuditRecord, ChainBreak, GENESIS_HASH};
