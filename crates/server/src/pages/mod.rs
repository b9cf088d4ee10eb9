//! Server-rendered pages. Every word comes from the message catalogues.

mod customers;
mod layout;
mod overview;

pub use layout::shell;

use crate::AppState;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview::show))
        .route("/customers", get(customers::list))
        .route("/customers/{id}", get(customers::detail))
}
