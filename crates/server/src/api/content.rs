//! Advisors' content over the API: drafts and versions, submission after the
//! banned-phrase check, compliance review, scheduled publishing into groups.

use super::input::JsonBody;
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::GroupId;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

/// A draft or a new version.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Writing {
    /// pre_market, post_market or article (new items only).
    #[serde(default)]
    #[schema(pattern = "^(pre_market|post_market|article)$")]
    pub kind: String,
    /// 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120, pattern = "\\S")]
    pub title: String,
    /// 1 to 20,000 characters.
    #[schema(min_length = 1, max_length = 20000, pattern = "\\S")]
    pub body: String,
}

/// The caller's content: an advisor's own items; compliance and administrators everyone's.
#[utoipa::path(get, path = "/content", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "items": state.community.content_list(&principal).await? })))
}

/// An advisor starts an item as a draft.
#[utoipa::path(post, path = "/content", request_body = Writing,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(request): JsonBody<Writing>,
) -> Result<Response, HttpError> {
    let id = state.community.draft_content(&principal, &request.kind, &request.title, &request.body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "version": 1 }))).into_response())
}

/// An item: every version for its author and compliance; what was published for a member (counted as read).
#[utoipa::path(get, path = "/content/{item}", params(("item" = i64, Path, description = "Content item id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(item): Path<String>,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!(state.community.content_for(&principal, path_id(&item, "item")?).await?)))
}

/// The author writes a new version; earlier ones are kept.
#[utoipa::path(post, path = "/content/{item}/versions", params(("item" = i64, Path, description = "Content item id")), request_body = Writing,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revise(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(item): Path<String>,
    JsonBody(request): JsonBody<Writing>,
) -> Result<Response, HttpError> {
    let version =
        state.community.revise_content(&principal, path_id(&item, "item")?, &request.title, &request.body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "version": version }))).into_response())
}

/// The author submits the newest draft for review; refused with the phrases when it holds banned ones.
#[utoipa::path(post, path = "/content/{item}/submit", params(("item" = i64, Path, description = "Content item id")),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(item): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let version = state.community.submit_content(&principal, path_id(&item, "item")?).await?;
    Ok(Json(json!({ "version": version, "status": "submitted" })))
}

/// Compliance's decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContentReview {
    /// The version reviewed.
    pub version: i64,
    /// true to approve.
    pub approve: bool,
    /// Comment (required to reject).
    #[serde(default)]
    pub comment: String,
}

/// Compliance approves or rejects a submitted version.
#[utoipa::path(post, path = "/content/{item}/review", params(("item" = i64, Path, description = "Content item id")), request_body = ContentReview,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(item): Path<String>,
    JsonBody(request): JsonBody<ContentReview>,
) -> Result<StatusCode, HttpError> {
    let item = path_id(&item, "item")?;
    state.community.review_content(&principal, item, request.version, request.approve, &request.comment).await?;
    // A rebalance approved tells its followers: pushed now to those connected.
    if let Err(e) = state.outreach.deliver_due(state.db.now()).await {
        tracing::error!(error = %e, "delivering a rebalance's notices failed; the outbox retries");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Where and when to publish.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Schedule {
    /// Groups the author runs.
    pub groups: Vec<GroupId>,
    /// When: RFC 3339, or YYYY-MM-DD HH:MM:SS in Shanghai time; now when absent.
    pub at: Option<String>,
}

/// The author schedules the approved version into groups; refused (409) before approval.
#[utoipa::path(post, path = "/content/{item}/schedule", params(("item" = i64, Path, description = "Content item id")), request_body = Schedule,
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(item): Path<String>,
    JsonBody(request): JsonBody<Schedule>,
) -> Result<Json<Value>, HttpError> {
    let at = request
        .at
        .as_deref()
        .map(|d| domain::parse_timestamp("at", d))
        .transpose()
        .map_err(|e| HttpError::from(e.for_field("at")))?;
    let made = state.community.schedule_content(&principal, path_id(&item, "item")?, &request.groups, at).await?;
    Ok(Json(json!({ "scheduled": made })))
}

/// Versions waiting for compliance (compliance only).
#[utoipa::path(get, path = "/content/review-queue", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn review_queue(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(json!({ "versions": state.community.review_queue(&principal).await? })))
}
