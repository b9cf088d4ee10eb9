//! One-to-one conversations over the API (issue 29): an advisor and a
//! customer they serve; managers and compliance read them in their scope.

use super::input::{JsonBody, QueryParams};
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::CustomerId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A conversation to open.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewConversation {
    /// An advisor: the customer (one they serve). A customer: omitted (their own advisor).
    pub customer_id: Option<CustomerId>,
}

/// The id of a conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Opened {
    /// Id.
    pub id: i64,
}

/// A message to send.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Say {
    /// The text, 1 to 2,000 characters.
    #[serde(default)]
    pub text: String,
}

/// Which messages.
#[derive(Debug, Deserialize, IntoParams)]
pub struct After {
    /// Only those after this id.
    pub after: Option<i64>,
}

fn conversation_id(id: &str) -> Result<i64, HttpError> {
    crate::params::path_id(id, "conversation")
}

/// The caller's conversations, most recent first.
#[utoipa::path(get, path = "/conversations", responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<store::ConversationRow>>, HttpError> {
    Ok(Json(state.conversations.list(&principal).await?))
}

/// Opens (or finds) the conversation of an advisor and a customer they serve.
#[utoipa::path(post, path = "/conversations", request_body = NewConversation,
    responses((status = 200, body = Opened), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<NewConversation>,
) -> Result<Json<Opened>, HttpError> {
    Ok(Json(Opened { id: state.conversations.open(&principal, r.customer_id).await? }))
}

/// A conversation's messages, oldest first.
#[utoipa::path(get, path = "/conversations/{conversation}/messages",
    params(("conversation" = i64, Path, description = "Conversation id"), After),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn messages(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<After>,
) -> Result<Json<Vec<store::ConversationMessageRow>>, HttpError> {
    let id = conversation_id(&id)?;
    Ok(Json(state.conversations.messages(&principal, id, q.after.unwrap_or(0)).await?))
}

/// Sends a message; the advisor's is screened as content is.
#[utoipa::path(post, path = "/conversations/{conversation}/messages",
    params(("conversation" = i64, Path, description = "Conversation id")), request_body = Say,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Say>,
) -> Result<(StatusCode, Json<store::ConversationMessageRow>), HttpError> {
    let id = conversation_id(&id)?;
    Ok((StatusCode::CREATED, Json(state.conversations.send(&principal, id, &r.text).await?)))
}
