//! Machine feeds, authorised by an API token of the matching scope
//! (`Authorization: Bearer bdt_...`), never by a session.

use super::input::JsonBody;
use crate::{AppState, HttpError};
use access::{FeedCaller, FeedScope};
use app::feeds::FeedReport;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::ToSchema;

fn require(caller: &FeedCaller, scope: FeedScope) -> Result<(), HttpError> {
    if caller.scope == scope {
        Ok(())
    } else {
        Err(HttpError::of(app::codes::TOKEN_SCOPE).with("scope", scope.as_str()))
    }
}

/// Loads one book file, sent as the CSV body (the columns `brokerdesk import`
/// reads). Bad rows are rejected with line, column and reason; good rows load;
/// a repeated call loads nothing twice.
#[utoipa::path(post, path = "/feeds/import/{file}", params(("file" = String, Path, description = "Book file, e.g. trades or trades.csv")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "What loaded and what was rejected"), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("api_token" = [])))]
pub async fn import(
    State(state): State<AppState>,
    Extension(caller): Extension<FeedCaller>,
    Path(file): Path<String>,
    body: Bytes,
) -> Result<Json<FeedReport>, HttpError> {
    require(&caller, FeedScope::Import)?;
    let file = app::feeds::book_file(&file).ok_or_else(|| HttpError::of(app::codes::UNKNOWN_BOOK_FILE).on("file"))?;
    let report = app::feeds::import_file(&state.db, file, body.to_vec(), &caller).await?;
    if file == app::book_files::CUSTOMERS {
        // New customers' referrals judged now, not at the next sweep: inviters see them at once.
        app::growth::referrals::settle(&state.db, &state.growth, state.db.now()).await?;
    }
    Ok(Json(report))
}

/// Events as they happen.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Events {
    /// Each an object with `type` (trade, cash_flow, login, service_event, daily_bar, snapshot, corporate_action)
    /// and the columns of that type's book file; or a `notice` (id, kind, title, body, link, source, time,
    /// deadline, instruments).
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
}

/// Stores events: each is checked as the importer checks a row; bad ones are
/// rejected by index with field and reason, good ones are stored.
#[utoipa::path(post, path = "/feeds/events", request_body = Events,
    responses((status = 200, description = "What was stored and what was rejected"), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 503, description = "The position watch is still loading (Retry-After)", body = crate::error::ErrorBody)),
    security(("api_token" = [])))]
pub async fn events(
    State(state): State<AppState>,
    Extension(caller): Extension<FeedCaller>,
    JsonBody(request): JsonBody<Events>,
) -> Result<Json<FeedReport>, HttpError> {
    require(&caller, FeedScope::Events)?;
    if !state.desk.is_ready() {
        return Err(HttpError::of(app::codes::WATCH_LOADING).with("seconds", crate::WATCH_LOADING_RETRY_SECONDS));
    }
    let (mut report, booked) = app::feeds::send_events(&state.db, &request.events, &caller).await?;
    // Notices on instruments: stored, and their holders (and advisors) reminded.
    report.files.extend(app::notices::receive(&state.db, &state.desk, &request.events).await?);
    // The events are stored; a watch that cannot take them is logged, not the caller's fault.
    if app::feeds::stored_corporate_actions(&report) {
        if let Err(e) = state.desk.on_corporate_actions(state.db.now()).await {
            tracing::error!(error = %e, "the corporate actions could not be applied");
        }
    }
    // Conditional orders fire and working paper orders fill on the snapshots: their fills are trades too.
    let mut booked = booked;
    match state.orders.on_ticks(&app::feeds::accepted_ticks(&request.events, &report)).await {
        Ok(filled) => booked.extend(filled),
        Err(e) => tracing::error!(error = %e, "the paper exchange could not take the snapshots"),
    }
    if !booked.is_empty() {
        if let Err(e) = state.desk.on_trades(&booked, state.db.now()).await {
            tracing::error!(error = %e, "the position watch could not take the trades");
        }
    }
    // Features and labels follow trades and logins as they arrive (once a classify run has set the thresholds).
    let (accounts, mut customers, newest) = app::feeds::accepted_activity(&request.events, &report);
    if let Some(newest) = newest {
        let relabel = async {
            customers.extend(state.db.customers_of_accounts(&accounts).await?);
            let day = newest.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")).date_naive();
            app::classify::refresh(&state.db, &customers, day).await
        };
        if let Err(e) = relabel.await {
            tracing::error!(error = %e, "customers' labels could not be brought up to date");
        }
    }
    // Points for the day's first sign-in and for a day's trading, each once (issue 27).
    let (logins, trades) = app::feeds::accepted_logins_and_trades(&request.events, &report);
    if let Err(e) = app::growth::earn_from_events(&state.db, &state.growth.earning, &logins, &trades).await {
        tracing::error!(error = %e, "points for logins and trades could not be earned");
    }
    // A deposit may qualify a referred friend: their inviter's reward posts now (only those who deposited are looked at).
    let accounts: Vec<i64> = request
        .events
        .iter()
        .filter(|e| e["type"] == "cash_flow" && e["kind"] == "deposit")
        .filter_map(|e| e["account_id"].as_i64().or_else(|| e["account_id"].as_str().and_then(|a| a.parse().ok())))
        .collect();
    if !accounts.is_empty() {
        let post = async {
            let owners: Vec<i64> = state.db.account_owners(&accounts).await?.into_iter().map(|(_, c)| c).collect();
            app::growth::referrals::post_qualified(&state.db, &state.growth, state.db.now(), Some(&owners)).await
        };
        if let Err(e) = post.await {
            tracing::error!(error = %e, "referral rewards could not be posted");
        }
    }
    let quotes = app::feeds::accepted_quotes(&request.events, &report);
    if !quotes.is_empty() {
        if let Err(e) = state.desk.on_quotes(quotes, state.db.now()).await {
            tracing::error!(error = %e, "the position watch could not take the snapshots");
        }
    }
    Ok(Json(report))
}
