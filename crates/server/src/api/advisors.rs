use super::input::JsonBody;
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
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
