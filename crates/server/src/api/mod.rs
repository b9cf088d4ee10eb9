//! The JSON API under /api/v1, described by an OpenAPI document.

mod advisors;
pub(crate) mod communities;
mod content;
mod customers;
mod feeds;
pub(crate) mod input;
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
    paths(overview::get, customers::list, customers::get, customers::reveal, advisors::handover, session::get, tokens::list, tokens::create, tokens::revoke, tasks::list, tasks::create, tasks::done, knowing::labels, knowing::plan, instruments::list, instruments::get, instruments::bars, instruments::indicators, instruments::snapshots, feeds::import, feeds::events, reminders::list, reminders::volume, communities::list, communities::create, communities::get, communities::members, communities::add_admin, communities::apply, communities::applications, communities::decide, communities::invite, communities::accept_invite, communities::ban, communities::history, communities::send, communities::pin, communities::report, communities::moderation_log, communities::sanction, communities::appeal, communities::review, communities::reports, communities::resolve, communities::questions, communities::accept, communities::response_times, communities::seeds, communities::follow_ups, communities::add_follow_up, content::list, content::create, content::get, content::revise, content::submit, content::review, content::schedule, content::review_queue),
    components(schemas(crate::error::ErrorBody, overview::Overview, customers::CustomerSummary, customers::CustomerList, customers::CustomerRecord, customers::Holding, customers::RevealRequest, customers::Revealed, advisors::HandoverRequest, advisors::HandoverResult, session::SessionInfo, tokens::NewToken, tokens::CreatedToken, tokens::TokenInfo, feeds::Events, tasks::Task, tasks::NewTask, tasks::CreatedTask, tasks::Completion, instruments::InstrumentSummary, instruments::InstrumentDetail, instruments::Bar, instruments::IndicatorSeries, instruments::SnapshotView, reminders::Reminder, reminders::Volume, knowing::CustomerLabels, knowing::LabelView, knowing::WeekPlanView, knowing::SplitPart, knowing::PlannedContact, communities::NewGroup, communities::CoAdmin, communities::Application, communities::Decision, communities::InviteRequest, communities::Ban, communities::SendMessage, communities::Pin, communities::Report, communities::ManualSanction, communities::Appeal, communities::Review, communities::Resolution, communities::Accept, communities::FollowUp, content::Writing, content::ContentReview, content::Schedule)),
    modifiers(&ApiTokenScheme, &ErrorResponses)
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

/// Documents, on every operation, the errors it may answer with in the one
/// JSON shape of [`crate::error::ErrorBody`], so that a client built from the
/// document expects them: written once here rather than on every handler.
struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let names_a_thing = path.contains('{');
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                let takes_json =
                    operation.request_body.as_ref().is_some_and(|body| body.content.contains_key("application/json"));
                let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let mut document = |status: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error_response(description));
                };
                if has_parameters || takes_json {
                    document("400", "A parameter or the body is malformed or out of range; `field` names it.");
                }
                document("401", "No session (or, for a feed, no valid API token).");
                document("403", "The caller's role or scope does not allow it, or the CSRF token is missing.");
                if names_a_thing {
                    document("404", "Nothing with that id the caller may see.");
                }
                if takes_json {
                    document("415", "The body is not sent as application/json.");
                }
            }
        }
    }
}

/// An error response carrying [`crate::error::ErrorBody`].
fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
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
        ("/api/v1/groups", get(communities::list).post(communities::create)),
        ("/api/v1/groups/{group}", get(communities::get)),
        ("/api/v1/groups/{group}/members", get(communities::members)),
        ("/api/v1/groups/{group}/admins", post(communities::add_admin)),
        ("/api/v1/groups/{group}/applications", get(communities::applications).post(communities::apply)),
        ("/api/v1/applications/{application}/decision", post(communities::decide)),
        ("/api/v1/groups/{group}/invites", post(communities::invite)),
        ("/api/v1/invites/{token}/accept", post(communities::accept_invite)),
        ("/api/v1/groups/{group}/bans", post(communities::ban)),
        ("/api/v1/groups/{group}/messages", get(communities::history).post(communities::send)),
        ("/api/v1/groups/{group}/messages/{message}/pin", post(communities::pin)),
        ("/api/v1/messages/{message}/reports", post(communities::report)),
        ("/api/v1/groups/{group}/moderation", get(communities::moderation_log)),
        ("/api/v1/groups/{group}/members/{customer}/sanctions", post(communities::sanction)),
        ("/api/v1/moderation/{action}/appeal", post(communities::appeal)),
        ("/api/v1/moderation/{action}/review", post(communities::review)),
        ("/api/v1/groups/{group}/reports", get(communities::reports)),
        ("/api/v1/reports/{report}/resolve", post(communities::resolve)),
        ("/api/v1/questions", get(communities::questions)),
        ("/api/v1/questions/{question}/accept", post(communities::accept)),
        ("/api/v1/questions/response-times", get(communities::response_times)),
        ("/api/v1/groups/{group}/seeds", get(communities::seeds)),
        ("/api/v1/follow-ups", get(communities::follow_ups).post(communities::add_follow_up)),
        ("/api/v1/content", get(content::list).post(content::create)),
        ("/api/v1/content/review-queue", get(content::review_queue)),
        ("/api/v1/content/{item}", get(content::get)),
        ("/api/v1/content/{item}/versions", post(content::revise)),
        ("/api/v1/content/{item}/submit", post(content::submit)),
        ("/api/v1/content/{item}/review", post(content::review)),
        ("/api/v1/content/{item}/schedule", post(content::schedule)),
    ]
}
