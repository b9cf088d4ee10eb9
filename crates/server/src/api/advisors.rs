use super::input::JsonBody;
use crate::{AppError, AppState};
use access::Principal;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use store::HandoverRefusal;
use utoipa::ToSchema;

/// Whom to hand the book to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HandoverRequest {
    /// The receiving advisor's staff id.
    pub to: i64,
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
) -> Result<Json<HandoverResult>, AppError> {
    let from: i64 = crate::params::path_id(&id, "staff")?;
    match state.db.hand_over(&principal, from, request.to).await? {
        Ok(h) => Ok(Json(HandoverResult { customers: h.customers, open_tasks: h.open_tasks })),
        Err(HandoverRefusal::SameAdvisor) => {
            Err(AppError::BadRequest { field: "to", reason: "is the advisor handing over".into() })
        }
        // Not allowed looks like absent, so staff ids outside one's remit leak nothing.
        Err(HandoverRefusal::NoSuchAdvisor | HandoverRefusal::NotAllowed) => Err(AppError::NotFound),
    }
}
