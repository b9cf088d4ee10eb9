//! API tokens for machine feeds, managed by admins. A token is shown once,
//! when made; the firm keeps only its digest.

use super::input::JsonBody;
use crate::{AppState, HttpError};
use access::{FeedScope, Principal};
use app::tokens::Operator;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::TokenId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A token to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    /// What it is for, e.g. "nightly book from the back office".
    pub name: String,
    /// import or events.
    #[schema(value_type = String, pattern = "^(import|events)$")]
    pub scope: FeedScope,
}

/// A token just made: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// Id, for revoking it.
    pub id: TokenId,
    /// Send as `Authorization: Bearer <token>`; it cannot be shown again.
    pub token: String,
    /// import or events.
    #[schema(value_type = String, pattern = "^(import|events)$")]
    pub scope: FeedScope,
}

/// A token as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// Id.
    pub id: TokenId,
    /// Name.
    pub name: String,
    /// import or events.
    pub scope: String,
    /// Who made it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// When revoked, if it was.
    pub revoked_at: Option<String>,
    /// When last used.
    pub last_used_at: Option<String>,
}

/// Every token, newest first (admins only).
#[utoipa::path(get, path = "/tokens", responses((status = 200, body = [TokenInfo]), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<TokenInfo>>, HttpError> {
    let tokens = app::tokens::list(&state.db, Operator::User(&principal)).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenInfo {
                id: t.id,
                name: t.name,
                scope: t.scope.to_string(),
                created_by: t.created_by,
                created_at: t.created_at.to_rfc3339(),
                revoked_at: t.revoked_at.map(|t| t.to_rfc3339()),
                last_used_at: t.last_used_at.map(|t| t.to_rfc3339()),
            })
            .collect(),
    ))
}

/// Makes a token (admins only); the answer is the only time it is shown.
#[utoipa::path(post, path = "/tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(request): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), HttpError> {
    let made = app::tokens::create(&state.db, Operator::User(&principal), &request.name, request.scope).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id: made.id, token: made.token, scope: made.scope })))
}

/// Revokes a token at once (admins only).
#[utoipa::path(post, path = "/tokens/{id}/revoke", params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let id = crate::params::path_id(&id, "token")?;
    app::tokens::revoke(&state.db, Operator::User(&principal), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
