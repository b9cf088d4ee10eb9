//! API tokens for machine feeds: made by an admin (or at the console), shown
//! once, kept as a digest, revocable at once; each change audited.

use access::{new_api_token, secret_digest, Principal, Role};
use domain::TokenId;

use crate::{codes, Error};
pub use access::FeedScope;
use store::{ApiToken, Db};

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
    fn check(&self) -> Result<(), Error> {
        match self {
            Operator::User(p) if p.role != Role::Admin => Err(codes::ADMIN_ONLY.refuse().with("what", "tokens").into()),
            _ => Ok(()),
        }
    }
}

/// A token just made: the secret is here once, never again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeToken {
    /// Token id.
    pub id: TokenId,
    /// The secret, `bdt_...`.
    pub token: String,
    /// What it opens.
    pub scope: FeedScope,
}

/// Makes a token for a feed.
pub async fn create(db: &Db, by: Operator<'_>, name: &str, scope: FeedScope) -> Result<MadeToken, Error> {
    by.check()?;
    let name = domain::TokenName::parse(name)?;
    let token = new_api_token();
    let id = db.create_api_token(&by.actor(), &name, scope, &secret_digest(&token)).await?;
    Ok(MadeToken { id, token, scope })
}

/// Every token, newest first (never their secrets).
pub async fn list(db: &Db, by: Operator<'_>) -> Result<Vec<ApiToken>, Error> {
    by.check()?;
    Ok(db.api_tokens().await?)
}

/// Revokes a live token at once.
pub async fn revoke(db: &Db, by: Operator<'_>, id: TokenId) -> Result<(), Error> {
    by.check()?;
    if db.revoke_api_token(&by.actor(), id).await? {
        Ok(())
    } else {
        Err(codes::TOKEN_NOT_FOUND.refuse().into())
    }
}
