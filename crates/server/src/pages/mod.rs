//! Server-rendered pages. Every word comes from the message catalogues.

mod customers;
mod instruments;
mod layout;
mod overview;
mod tasks;

pub use layout::shell;

use crate::AppState;
use axum::routing::{get, post, MethodRouter};

/// The pages, as (path, handlers).
pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/", get(overview::show)),
        ("/customers", get(customers::list)),
        ("/customers/{id}", get(customers::detail)),
        ("/customers/{id}/reveal", post(customers::reveal)),
        ("/instruments", get(instruments::list)),
        ("/instruments/{code}", get(instruments::detail)),
        ("/tasks", get(tasks::list)),
        ("/tasks/{id}/done", post(tasks::done)),
    ]
}
