//! Server-rendered pages. Every word comes from the message catalogues.

mod customers;
mod instruments;
mod layout;
mod overview;
mod plan;
mod reminders;
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
        ("/reminders", get(reminders::list)),
        ("/reminders/volume", get(reminders::volume)),
        ("/reminders/live", get(reminders::live)),
        ("/tasks/{id}/done", post(tasks::done)),
        ("/plan", get(plan::show)),
        ("/plan.csv", get(plan::csv)),
        ("/plan/{id}/done", post(plan::done)),
        ("/plan/{id}/hours", post(plan::hours)),
    ]
}
