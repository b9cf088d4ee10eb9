//! Access: who may see and do what (roles, scopes, sessions, API tokens),
//! personal data sealed at rest, and who did what to which row.
//!
//! The audit trail is append-only and hash-chained: each record carries the
//! hash of the one before, so editing, deleting or reordering any record
//! breaks the chain at that point, and [`verify_chain`] names where.

mod audit;
mod identity;
mod keyring;
mod tokens;

pub use audit::{verify_chain, AuditEntry, AuditRecord, ChainBreak, GENESIS_HASH};
pub use identity::{
    after_failure, hash_password, lockout_period, new_secret, secret_digest, session_lifetime, verify_password,
    PasswordError, PiiField, Principal, Role, Scope, LOOKUPS_PER_MINUTE, MAX_FAILED_SIGN_INS, MIN_PASSWORD_CHARS,
};
pub use keyring::{sealed_key_id, Keyring, KeyringError};
pub use tokens::{new_api_token, FeedCaller, FeedScope, API_TOKEN_PREFIX};
