//! API tokens: made, listed and revoked by an admin, each change audited;
//! looked up by digest on every feed request.

use crate::audit::audited;
use crate::{with_pool, Db, StoreError};
use access::{AuditEntry, FeedCaller, FeedScope};
use chrono::{DateTime, Utc};
use domain::{TokenId, TokenName};
use serde::Serialize;

/// A token as an admin sees it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Id.
    pub id: TokenId,
    /// What it is for, in the admin's words.
    pub name: String,
    /// What it may do.
    pub scope: FeedScope,
    /// Who made it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
}

type TokenRow = (TokenId, String, String, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn scope(text: &str) -> Result<FeedScope, StoreError> {
    text.parse().map_err(|reason| StoreError::Corrupt { what: "api_tokens.scope", reason })
}

impl Db {
    /// Stores a new token's digest and returns its id, in one audited step.
    pub async fn create_api_token(
        &self,
        actor: &str,
        name: &TokenName,
        scope: FeedScope,
        token_digest: &str,
    ) -> Result<TokenId, StoreError> {
        let now = self.now();
        let entry = |id: TokenId| AuditEntry {
            actor: actor.to_owned(),
            action: "create_api_token".into(),
            entity: "api_tokens".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "name": name, "scope": scope.as_str() }).to_string(),
        };
        // The id is taken inside the audited transaction, so the record names it.
        let next: TokenId = with_pool!(self, pool => sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM api_tokens")
            .fetch_one(pool).await?);
        let (id, _) = audited!(self, &entry(next), tx => {
            sqlx::query(
                "INSERT INTO api_tokens (id, name, scope, token_digest, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(next)
            .bind(name)
            .bind(scope.as_str())
            .bind(token_digest)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            next
        })?;
        Ok(id)
    }

    /// Every token, newest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let sql =
            "SELECT id, name, scope, created_by, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY id DESC";
        let rows: Vec<TokenRow> = with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(id, name, s, created_by, created_at, revoked_at, last_used_at)| {
                Ok(ApiToken { id, name, scope: scope(&s)?, created_by, created_at, revoked_at, last_used_at })
            })
            .collect()
    }

    /// Revokes a token; false when there is no such live token.
    pub async fn revoke_api_token(&self, actor: &str, id: TokenId) -> Result<bool, StoreError> {
        let now = self.now();
        let entry = AuditEntry {
            actor: actor.to_owned(),
            action: "revoke_api_token".into(),
            entity: "api_tokens".into(),
            entity_id: id.to_string(),
            detail: "{}".into(),
        };
        let live: Option<i64> = with_pool!(self, pool => sqlx::query_scalar(
            "SELECT id FROM api_tokens WHERE id = $1 AND revoked_at IS NULL",
        ).bind(id).fetch_optional(pool).await?);
        if live.is_none() {
            return Ok(false);
        }
        let (revoked, _) = audited!(self, &entry, tx => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        })?;
        Ok(revoked == 1)
    }

    /// The caller a live token stands for, noting the time of use (to the
    /// minute: a feed called many times a second writes it once a minute,
    /// not with every call, which on SQLite would queue behind the writer).
    pub async fn feed_caller(&self, token_digest: &str) -> Result<Option<FeedCaller>, StoreError> {
        let now = self.now();
        let row: Option<(TokenId, String, String, Option<DateTime<Utc>>)> = with_pool!(self, pool => {
            let row: Option<(TokenId, String, String, Option<DateTime<Utc>>)> = sqlx::query_as(
                "SELECT id, name, scope, last_used_at FROM api_tokens WHERE token_digest = $1 AND revoked_at IS NULL",
            ).bind(token_digest).fetch_optional(pool).await?;
            if row.as_ref().is_some_and(|r| r.3.is_none_or(|used| now - used >= chrono::Duration::minutes(1))) {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_digest = $2")
                    .bind(now).bind(token_digest).execute(pool).await?;
            }
            row
        });
        let row = row.map(|(id, name, scope, _)| (id, name, scope));
        row.map(|(token_id, name, s)| Ok(FeedCaller { token_id, name, scope: scope(&s)? })).transpose()
    }
}
