//! Red envelopes over the API (issue 27): send one to a group, open one,
//! read one with the shares opened so far.

use super::input::JsonBody;
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Principal;
use app::community::envelopes::{EnvelopeView, Opened};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use growth::envelope::Split;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An envelope to send.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewEnvelope {
    /// Points in it: at least one a share, at most 1,000,000.
    pub points: i64,
    /// Shares, 1 to 200.
    pub shares: i64,
    /// equal or random (each share at least a point).
    #[schema(value_type = String)]
    pub split: Split,
}

/// An envelope sent.
#[derive(Debug, Serialize)]
pub struct SentEnvelope {
    /// Its id.
    pub id: i64,
    /// The chat message that carries it.
    pub message_id: i64,
    /// When what is left goes back to the sender.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Sends a red envelope to the group: an admin's from the firm's budget, a
/// member's from their own points. The points move to escrow; the first
/// `shares` members to open it get a share; after 24 hours what is left returns.
#[utoipa::path(post, path = "/groups/{group}/red-envelopes", params(("group" = i64, Path, description = "Group id")),
    request_body = NewEnvelope,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    JsonBody(r): JsonBody<NewEnvelope>,
) -> Result<(StatusCode, Json<SentEnvelope>), HttpError> {
    let group = path_id(&group, "group")?;
    let (e, message) = state.community.send_envelope(&principal, group, r.points, r.shares, r.split).await?;
    Ok((StatusCode::CREATED, Json(SentEnvelope { id: e.id, message_id: message.id.0, expires_at: e.expires_at })))
}

/// Opens a red envelope: the next share for a member who has not opened it
/// (the same share again for one who has), while shares are left and its day lasts.
#[utoipa::path(post, path = "/red-envelopes/{envelope}/open", params(("envelope" = i64, Path, description = "Envelope id")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(envelope): Path<String>,
) -> Result<Json<Opened>, HttpError> {
    let id: i64 = path_id(&envelope, "envelope")?;
    Ok(Json(state.community.open_envelope(&principal, id).await?))
}

/// A red envelope with the shares opened so far (and the caller's).
#[utoipa::path(get, path = "/red-envelopes/{envelope}", params(("envelope" = i64, Path, description = "Envelope id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(envelope): Path<String>,
) -> Result<Json<EnvelopeView>, HttpError> {
    let id: i64 = path_id(&envelope, "envelope")?;
    Ok(Json(state.community.envelope_view(&principal, id).await?))
}
