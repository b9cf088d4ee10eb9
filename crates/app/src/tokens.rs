//! API tokens for machine feeds: made by an admin (or at the console), shown
//! once, kept as a digest, revocable at once; each change audited.

use access::{new_api_token, secret_digest, Principal, Role};

pub use access::FeedScope;
use store::{ApiToken, Db, StoreError};
use thiserror::Error;

/// Who manages tokens: a signed-in user (an admin), or the operator at the
/// server's console (`brokerdesk tokens ...`), who holds the database already.
#[derive(Debug, Clone, Copy)]
pub enum Operator<'a> {
    /// A signed-in user.
    User(&'a Principal),
    /// The command line.
    Console,
}

impl Operator<'_> {
    /// The actor the audit trail names.
    fn actor(&self) -> String {
        match self {
            Operator::User(p) => p.actor(),
            Operator::Console => "system:cli".to_owned(),
        }
    }

    /// Only admins (and the console) manage tokens.
    fn check(&self) -> Result<(), TokenError> {
        match self {
            Operator::User(p) if p.role != Role::Admin => Err(TokenError::NotAdmin),
            _ => Ok(()),
        }
    }
}

/// Why a token request was refused.
#[derive(Debug, Error)]
pub enum TokenError {
    /// Not an admin.
    #[error("only an admin manages API tokens")]
    NotAdmin,
    /// The name is empty or too long.
    #[error("give the token a name of 1 to 100 characters")]
    Name,
    /// No live token has this id.
    #[error("no live token has this id")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A token just made: the secret is here once, never again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeToken {
    /// Token id.
    pub id: i64,
    /// The secret, `bdt_...`.
    pub token: String,
    /// What it opens.
    pub scope: FeedScope,
}

/// Makes a token for a feed.
pub async fn create(db: &Db, by: Operator<'_>, name: &str, scope: FeedScope) -> Result<MadeToken, TokenError> {
    by.check()?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(TokenError::Name);
    }
    let token = new_api_token();
    let id = db.create_api_token(&by.actor(), name, scope, &secret_digest(&token)).await?;
    Ok(MadeToken { id, token, scope })
}

/// Every token, newest first (never their secrets).
pub async fn list(db: &Db, by: Operator<'_>) -> Result<Vec<ApiToken>, TokenError> {
    by.check()?;
    Ok(db.api_tokens().await?)
}

/// Revokes a live token at once.
pub async fn revoke(db: &Db, by: Operator<'_>, id: i64) -> Result<(), TokenError> {
    by.check()?;
    if db.revoke_api_token(&by.actor(), id).await? {
        Ok(())
    } else {
        Err(TokenError::NotFound)
    }
}
