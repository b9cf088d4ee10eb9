//! Signing in and out. Each attempt is one unit of work with its audit
//! record: a failure counts towards the lockout and is on record together;
//! a success resets the count, opens the session and is on record together.

use crate::{codes, Error};
use access::{
    after_failure, hash_password, new_secret, secret_digest, session_lifetime, verify_password, AuditEntry, Principal,
};
use chrono::{DateTime, Utc};
use domain::UserId;
use store::{Db, StoreError};

/// A session just opened: the token for the cookie (the store keeps only its digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedSession {
    /// The session token.
    pub token: String,
}

fn entry(user_id: UserId, action: &str) -> AuditEntry {
    AuditEntry {
        actor: format!("user:{user_id}"),
        action: action.into(),
        entity: "users".into(),
        entity_id: user_id.to_string(),
        detail: "{}".into(),
    }
}

/// Checks a login and password against lockout and the stored hash, and
/// opens a session.
pub async fn sign_in(db: &Db, login: &str, password: &str, now: DateTime<Utc>) -> Result<OpenedSession, Error> {
    let Some(user) = db.sign_in_record(login.trim()).await? else {
        // Same answer, and the same argon2 work, as a wrong password, so
        // logins cannot be probed by content or by timing.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default());
        let _ = verify_password(password, dummy);
        return Err(codes::WRONG_PASSWORD.refuse().into());
    };
    if user.locked_until.is_some_and(|t| t > now) {
        return Err(codes::SIGN_IN_LOCKED.refuse().into());
    }
    let mut unit = db.begin().await?;
    if !verify_password(password, &user.password_hash) {
        let (failed, locked_until) = after_failure(user.failed_sign_ins, now);
        unit.set_sign_in_failures(user.user_id, failed, locked_until).await?;
        unit.audit(entry(user.user_id, if locked_until.is_some() { "lockout" } else { "sign_in_failed" })).await?;
        unit.commit().await?;
        let code = if locked_until.is_some() { codes::SIGN_IN_LOCKED } else { codes::WRONG_PASSWORD };
        return Err(code.refuse().into());
    }
    let token = new_secret();
    unit.set_sign_in_failures(user.user_id, 0, None).await?;
    unit.create_session(&secret_digest(&token), user.user_id, &new_secret(), now + session_lifetime()).await?;
    unit.audit(entry(user.user_id, "sign_in")).await?;
    unit.commit().await?;
    Ok(OpenedSession { token })
}

/// The principal and CSRF token of a live session token, if any.
pub async fn session(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<(Principal, String)>, StoreError> {
    db.session(&secret_digest(token), now).await
}

/// Ends a session.
pub async fn sign_out(db: &Db, token: &str) -> Result<(), StoreError> {
    db.delete_session(&secret_digest(token)).await
}
