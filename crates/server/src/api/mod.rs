//! The JSON API under /api/v1, described by an OpenAPI document.

mod advisors;
mod customers;
mod feeds;
pub(crate) mod instruments;
pub(crate) mod knowing;
mod overview;
pub(crate) mod reminders;
mod session;
pub(crate) mod tasks;
mod tokens;

use crate::AppState;
use axum::routing::{get, post, MethodRouter};
use axum::Json;
use utoipa::OpenApi;

/// The OpenAPI document of /api/v1.
#[derive(OpenApi)]
#[openapi(
    info(title = "Brokerdesk API", description = "Customer operations for a securities brokerage."),
    servers((url = "/api/v1")),
    paths(overview::get, customers::list, customers::get, customers::reveal, advisors::handover, session::get, tokens::list, tokens::create, tokens::revoke, tasks::list, tasks::create, tasks::done, knowing::labels, knowing::plan, instruments::list, instruments::get, instruments::bars, instruments::indicators, instruments::snapshots, feeds::import, feeds::events, reminders::list, reminders::volume),
    components(schemas(crate::error::ErrorBody, overview::Overview, customers::CustomerSummary, customers::CustomerList, customers::CustomerRecord, customers::Holding, customers::RevealRequest, customers::Revealed, advisors::HandoverRequest, advisors::HandoverResult, session::SessionInfo, tokens::NewToken, tokens::CreatedToken, tokens::TokenInfo, feeds::Events, tasks::Task, tasks::NewTask, tasks::CreatedTask, tasks::Completion, instruments::InstrumentSummary, instruments::InstrumentDetail, instruments::Bar, instruments::IndicatorSeries, instruments::SnapshotView, reminders::Reminder, reminders::Volume, knowing::CustomerLabels, knowing::LabelView, knowing::WeekPlanView, knowing::SplitPart, knowing::PlannedContact)),
    modifiers(&ApiTokenScheme)
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the feed endpoints use.
struct ApiTokenScheme;

impl utoipa::Modify for ApiTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("api_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The machine feeds under /api/v1/feeds, as (path, handlers); they take an
/// API token instead of a session.
pub fn feed_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![("/api/v1/feeds/import/{file}", post(feeds::import)), ("/api/v1/feeds/events", post(feeds::events))]
}

/// The API's routes under /api/v1, as (path, handlers).
pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) })),
        ("/api/v1/overview", get(overview::get)),
        ("/api/v1/customers", get(customers::list)),
        ("/api/v1/customers/{id}", get(customers::get)),
        ("/api/v1/customers/{id}/reveal", post(customers::reveal)),
        ("/api/v1/customers/{id}/labels", get(knowing::labels)),
        ("/api/v1/plan", get(knowing::plan)),
        ("/api/v1/advisors/{id}/handover", post(advisors::handover)),
        ("/api/v1/session", get(session::get)),
        ("/api/v1/tokens", get(tokens::list).post(tokens::create)),
        ("/api/v1/tasks", get(tasks::list).post(tasks::create)),
        ("/api/v1/tasks/{id}/done", post(tasks::done)),
        ("/api/v1/instruments", get(instruments::list)),
        ("/api/v1/instruments/{code}", get(instruments::get)),
        ("/api/v1/instruments/{code}/bars", get(instruments::bars)),
        ("/api/v1/instruments/{code}/indicators", get(instruments::indicators)),
        ("/api/v1/instruments/{code}/snapshots", get(instruments::snapshots)),
        ("/api/v1/tokens/{id}/revoke", post(tokens::revoke)),
        ("/api/v1/reminders", get(reminders::list)),
        ("/api/v1/reminders/volume", get(reminders::volume)),
    ]
}
