//! The JSON API under /api/v1, described by an OpenAPI document.

mod customers;
mod overview;

use crate::AppState;
use axum::routing::{get, MethodRouter};
use axum::Json;
use utoipa::OpenApi;

/// The OpenAPI document of /api/v1.
#[derive(OpenApi)]
#[openapi(
    info(title = "Brokerdesk API", description = "Customer operations for a securities brokerage."),
    servers((url = "/api/v1")),
    paths(overview::get, customers::list, customers::get),
    components(schemas(crate::error::ErrorBody, overview::Overview, customers::CustomerSummary, customers::CustomerList, customers::CustomerRecord, customers::Holding))
)]
pub struct ApiDoc;

/// The API's routes under /api/v1, as (path, handlers).
pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) })),
        ("/api/v1/overview", get(overview::get)),
        ("/api/v1/customers", get(customers::list)),
        ("/api/v1/customers/{id}", get(customers::get)),
    ]
}
