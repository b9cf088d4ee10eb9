//! `brokerdesk audit verify`: walks the audit trail and names the first
//! broken record.

use access::{verify_chain, ChainBreak};
use store::{Db, StoreError};

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every record is intact and linked; this many were checked.
    Intact(u64),
    /// The chain breaks here.
    Broken(ChainBreak),
}

/// Checks the whole audit trail.
pub async fn verify(db: &Db) -> Result<Verdict, StoreError> {
    let records = db.audit_records().await?;
    Ok(match verify_chain(records) {
        Ok(n) => Verdict::Intact(n),
        Err(b) => Verdict::Broken(b),
    })
}
