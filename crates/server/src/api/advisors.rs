use super::input::JsonBody;
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::StaffId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whom to hand the book to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HandoverRequest {
    /// The receiving advisor's staff id.
    pub to: StaffId,
}

/// What moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverResult {
    /// Customers now served by the receiving advisor.
    pub customers: u64,
    /// Open tasks now the receiving advisor's.
    pub open_tasks: u64,
}

/// Moves an advisor's whole book to another advisor: one transaction, one
/// audit record. Admins anywhere; managers within their branch.
#[utoipa::path(post, path = "/advisors/{id}/handover", params(("id" = i64, Path, description = "The handing-over advisor")),
    request_body = HandoverRequest,
    responses((status = 200, body = HandoverResult), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn handover(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<HandoverRequest>,
) -> Result<Json<HandoverResult>, HttpError> {
    let from: StaffId = crate::params::path_id(&id, "staff")?;
    let h = app::handover::hand_over(&state.db, &principal, from, request.to).await?;
    Ok(Json(HandoverResult { customers: h.customers, open_tasks: h.open_tasks }))
}

/// An advisor's profile: licence, experience, the approved introduction,
/// their ideas' record and their model portfolios (any signed-in user).
#[utoipa::path(get, path = "/advisors/{advisor}/profile", params(("advisor" = i64, Path, description = "Staff id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn profile(
    State(state): State<AppState>,
    Extension(_principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<app::ideas::AdvisorProfile>, HttpError> {
    let id: domain::StaffId = crate::params::path_id(&id, "advisor")?;
    Ok(Json(app::ideas::advisor_profile(&state.db, id).await?))
}

/// An introduction to write.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Introduction {
    /// Years of experience.
    pub experience_years: i32,
    /// A short introduction, reviewed by compliance before customers see it.
    pub introduction: String,
}

/// The caller (an advisor) writes their introduction; it goes to compliance.
#[utoipa::path(post, path = "/advisor-profile", request_body = Introduction,
    responses((status = 202, description = "With compliance"), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn introduce(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<Introduction>,
) -> Result<StatusCode, HttpError> {
    app::ideas::write_introduction(&state.db, &principal, r.experience_years, &r.introduction).await?;
    Ok(StatusCode::ACCEPTED)
}
