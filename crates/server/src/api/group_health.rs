//! A group's health and its rules' history over the API (issue 28).

use super::input::JsonBody;
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Principal;
use app::analytics::GroupHealth;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use store::RuleChangeRow;
use utoipa::ToSchema;

/// A group's health over the last eight weeks: members, messages per member
/// per week and the weekly trend, the decay after members' first week,
/// questions answered within the SLA, content reads, seed users, the
/// advisor's presence, the last ten trading days' previews and reviews and
/// what is overdue today. For the group's admins and the staff who oversee it.
#[utoipa::path(get, path = "/groups/{group}/health", params(("group" = i64, Path, description = "Group id")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn health(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
) -> Result<Json<GroupHealth>, HttpError> {
    let group = path_id(&group, "group")?;
    Ok(Json(app::analytics::group_health(&state.db, &state.community, &principal, group).await?))
}

/// A group's health week by week as CSV (members, members' messages, members who wrote,
/// the advisor's messages), then the join cohorts' cells.
#[utoipa::path(get, path = "/groups/{group}/health.csv", params(("group" = i64, Path, description = "Group id")),
    responses((status = 200, description = "CSV, header first", content_type = "text/csv"),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn health_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
) -> Result<axum::response::Response, HttpError> {
    let group = path_id(&group, "group")?;
    let h = app::analytics::group_health(&state.db, &state.community, &principal, group).await?;
    let mut rows = vec![[
        "table",
        "week",
        "age",
        "members",
        "member_messages",
        "active_members",
        "staff_messages",
        "retention",
        "lifetime_value",
    ]
    .map(String::from)
    .to_vec()];
    for w in &h.weeks {
        rows.push(vec![
            "week".into(),
            w.week.to_string(),
            String::new(),
            w.members.to_string(),
            w.member_messages.to_string(),
            w.active_members.to_string(),
            w.staff_messages.to_string(),
            String::new(),
            String::new(),
        ]);
    }
    for c in &h.join_cohorts {
        for cell in &c.cells {
            rows.push(vec![
                "join_cohort".into(),
                c.week.to_string(),
                cell.age.to_string(),
                c.size.to_string(),
                String::new(),
                cell.active.to_string(),
                String::new(),
                format!("{:.4}", cell.retention),
                rust_decimal::Decimal::new(cell.lifetime_value, 4).to_string(),
            ]);
        }
    }
    super::analytics::csv_response(&format!("group-{}-health.csv", h.group_id), &rows)
}

/// The group's rules revised, and why.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RulesRevision {
    /// The rules (JSON of the group's content rules: guaranteed_returns,
    /// insider_tips, pushing_phrases, max_stock_codes, flood_messages,
    /// flood_seconds, stocks_only_in_trading_hours).
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
    /// Why (shown to the members), 1 to 500 characters.
    pub note: String,
}

/// An admin revises the group's rules: stored with the history members
/// read, and a notice in the chat.
#[utoipa::path(post, path = "/groups/{group}/rules", params(("group" = i64, Path, description = "Group id")),
    request_body = RulesRevision,
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revise(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    JsonBody(r): JsonBody<RulesRevision>,
) -> Result<Json<RuleChangeRow>, HttpError> {
    let group = path_id(&group, "group")?;
    Ok(Json(state.community.revise_rules(&principal, group, &r.rules.to_string(), &r.note).await?))
}

/// Every revision of the group's rules, newest first (members read it too).
#[utoipa::path(get, path = "/groups/{group}/rules", params(("group" = i64, Path, description = "Group id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
) -> Result<Json<Vec<RuleChangeRow>>, HttpError> {
    let group = path_id(&group, "group")?;
    Ok(Json(state.community.rule_history(&principal, group).await?))
}
