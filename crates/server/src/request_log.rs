//! One log line per request: method, route template, status and time.
//!
//! The route template (`/api/v1/customers/{id}`) is logged, never the URI:
//! query strings carry searches by phone number or national ID, and logs
//! must never carry personal data.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Instant;

/// Logs the request after it is answered, and records its time in the metrics.
pub async fn log_request(
    State(metrics): State<Arc<crate::metrics::Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe_request(method.as_str(), &route, started.elapsed().as_secs_f64());
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1e3,
        "request"
    );
    response
}
