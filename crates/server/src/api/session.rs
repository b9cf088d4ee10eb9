use crate::auth::Viewer;
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

/// Who is signed in, and the token state-changing calls must send.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Login name.
    pub login: String,
    /// customer, advisor, manager, compliance or admin.
    pub role: String,
    /// Send as `X-CSRF-Token` on every POST.
    pub csrf: String,
}

/// The current session.
#[utoipa::path(get, path = "/session", responses((status = 200, body = SessionInfo), (status = 401, body = crate::error::ErrorBody)))]
pub async fn get(Extension(viewer): Extension<Viewer>) -> Json<SessionInfo> {
    Json(SessionInfo {
        login: viewer.principal.login.clone(),
        role: viewer.principal.role.to_string(),
        csrf: viewer.csrf,
    })
}
