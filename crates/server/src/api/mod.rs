//! The JSON API under /api/v1, described by an OpenAPI document.

mod customers;
mod overview;

use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
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

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route("/overview", get(overview::get))
        .route("/customers", get(customers::list))
        .route("/customers/{id}", get(customers::get))
}
