//! The JSON API under /api/v1, described by an OpenAPI document.

mod advisors;
mod customers;
mod overview;
mod session;

use crate::AppState;
use axum::routing::{get, post, MethodRouter};
use axum::Json;
use utoipa::OpenApi;

/// The OpenAPI document of /api/v1.
#[derive(OpenApi)]
#[openapi(
    info(title = "Brokerdesk API", description = "Customer operations for a securities brokerage."),
    servers((url = "/api/v1")),
    paths(overview::get, customers::list, customers::get, customers::reveal, advisors::handover, session::get),
    components(schemas(crate::error::ErrorBody, overview::Overview, customers::CustomerSummary, customers::CustomerList, customers::CustomerRecord, customers::Holding, customers::RevealRequest, customers::Revealed, advisors::HandoverRequest, advisors::HandoverResult, session::SessionInfo))
)]
pub struct ApiDoc;

/// The API's routes under /api/v1, as (path, handlers).
pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) })),
        ("/api/v1/overview", get(overview::get)),
        ("/api/v1/customers", get(customers::list)),
        ("/api/v1/customers/{id}", get(customers::get)),
        ("/api/v1/customers/{id}/reveal", post(customers::reveal)),
        ("/api/v1/advisors/{id}/handover", post(advisors::handover)),
        ("/api/v1/session", get(session::get)),
    ]
}
