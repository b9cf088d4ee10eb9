//! Analytics over the API (issue 28): TUV with its change split by factor,
//! the lifecycle by month and cohorts, as JSON and as CSV, over the
//! customers in the caller's scope.

use super::input::QueryParams;
use crate::{AppState, HttpError};
use access::Principal;
use analytics::{CohortTable, Month};
use app::analytics::{Grouping, LifecycleMonth, TuvReport};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::IntoParams;

/// Which figures: a month and a grouping for TUV; a range for the rest.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AnalyticsParams {
    /// The month of TUV, YYYY-MM (default: the month of the book's latest trade).
    pub month: Option<String>,
    /// firm (default), branch, advisor or group.
    pub by: Option<String>,
    /// The first month of a range, YYYY-MM (default: 11 months before `to`).
    pub from: Option<String>,
    /// The last month of a range, YYYY-MM (default: the month of the book's latest trade).
    pub to: Option<String>,
}

/// The parameters read, with their defaults.
pub(crate) struct Asked {
    /// TUV's month.
    pub month: Month,
    /// TUV's grouping.
    pub by: Grouping,
    /// The range's first month.
    pub first: Month,
    /// The range's last month.
    pub last: Month,
}

impl AnalyticsParams {
    /// Reads the parameters, refusing what is not a month or a grouping.
    pub(crate) async fn read(&self, db: &app::Db) -> Result<Asked, app::Error> {
        let given = |v: &Option<String>, field: &'static str| {
            v.as_deref().filter(|m| !m.is_empty()).map(|m| app::analytics::parse_month(m, field)).transpose()
        };
        let (month, last, first) = (given(&self.month, "month")?, given(&self.to, "to")?, given(&self.from, "from")?);
        // The book's month is looked up only when a month is left out.
        let latest = match (month, last) {
            (Some(_), Some(_)) => None,
            _ => Some(app::analytics::default_month(db).await?),
        };
        let pick = |m: Option<Month>| m.or(latest).expect("looked up when missing");
        let last = pick(last);
        Ok(Asked {
            month: pick(month),
            by: self
                .by
                .as_deref()
                .filter(|b| !b.is_empty())
                .map(Grouping::parse)
                .transpose()?
                .unwrap_or(Grouping::Firm),
            first: first.unwrap_or(last.plus(-11)),
            last,
        })
    }
}

/// TUV of a month by firm, branch, advisor or group: users, monthly active
/// users and rate, paying users and conversion, ARPU and TUV (CNY), beside
/// the month before, and the change split among the four factors by their
/// Shapley values (the parts sum to the change exactly).
#[utoipa::path(get, path = "/analytics/tuv", params(AnalyticsParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn tuv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<AnalyticsParams>,
) -> Result<Json<TuvReport>, HttpError> {
    let asked = p.read(&state.db).await?;
    Ok(Json(app::analytics::tuv(&state.db, &principal, asked.month, asked.by).await?))
}

/// Each month's customers by stage (new, returning, resurrected, dormant)
/// with the month's TUV figures, from `from` to `to`.
#[utoipa::path(get, path = "/analytics/lifecycle", params(AnalyticsParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn lifecycle(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<AnalyticsParams>,
) -> Result<Json<Vec<LifecycleMonth>>, HttpError> {
    let asked = p.read(&state.db).await?;
    Ok(Json(app::analytics::lifecycle(&state.db, &principal, asked.first, asked.last).await?))
}

/// Cohorts by the month accounts opened, from `from` to `to`: each month's
/// active share (retention) and revenue per customer since opening (lifetime value).
#[utoipa::path(get, path = "/analytics/cohorts", params(AnalyticsParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn cohorts(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<AnalyticsParams>,
) -> Result<Json<CohortTable>, HttpError> {
    let asked = p.read(&state.db).await?;
    Ok(Json(app::analytics::cohorts(&state.db, &principal, asked.first, asked.last).await?))
}

/// Every advisor in the caller's scope side by side for a month: answers
/// (median and p90 service minutes, share within the SLA), content published
/// and read, the plan's contacts done, reminders followed up, sends and the
/// customers who followed them through, and their customers' TUV.
#[utoipa::path(get, path = "/analytics/advisors", params(AnalyticsParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn advisors(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<AnalyticsParams>,
) -> Result<Json<Vec<app::analytics::AdvisorKpi>>, HttpError> {
    let asked = p.read(&state.db).await?;
    Ok(Json(app::analytics::advisor_kpis(&state.db, &principal, asked.month).await?))
}

/// The advisors' month as CSV, one line per advisor.
#[utoipa::path(get, path = "/analytics/advisors.csv", params(AnalyticsParams),
    responses((status = 200, description = "CSV, header first", content_type = "text/csv")))]
pub async fn advisors_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<AnalyticsParams>,
) -> Result<Response, HttpError> {
    let asked = p.read(&state.db).await?;
    let kpis = app::analytics::advisor_kpis(&state.db, &principal, asked.month).await?;
    let mut rows = vec![[
        "month",
        "advisor_id",
        "name",
        "customers",
        "active",
        "tuv",
        "answered",
        "answer_p50_minutes",
        "answer_p90_minutes",
        "answered_in_sla",
        "content_published",
        "content_reads",
        "plan_planned",
        "plan_done",
        "reminders",
        "reminders_followed",
        "sends",
        "conversions",
    ]
    .map(String::from)
    .to_vec()];
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for k in &kpis {
        rows.push(vec![
            asked.month.to_string(),
            k.advisor_id.to_string(),
            k.name.clone(),
            k.customers.to_string(),
            k.tuv.active.to_string(),
            k.tuv.tuv.to_string(),
            k.answered.to_string(),
            opt(k.answer_p50_minutes),
            opt(k.answer_p90_minutes),
            k.answered_in_sla.map(|d| d.to_string()).unwrap_or_default(),
            k.content_published.to_string(),
            k.content_reads.to_string(),
            k.plan_planned.to_string(),
            k.plan_done.to_string(),
            k.reminders.to_string(),
            k.reminders_followed.to_string(),
            k.sends.to_string(),
            k.conversions.to_string(),
        ]);
    }
    csv_response(&format!("advisors-{}.csv", asked.month), &rows)
}

/// TUV as CSV, one line per grouping, with the change's parts.
#[utoipa::path(get, path = "/analytics/tuv.csv", params(AnalyticsParams),
    responses((status = 200, description = "CSV, header first", content_type = "text/csv")))]
pub async fn tuv_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<AnalyticsParams>,
) -> Result<Response, HttpError> {
    let asked = p.read(&state.db).await?;
    let report = app::analytics::tuv(&state.db, &principal, asked.month, asked.by).await?;
    let mut rows = vec![[
        "month",
        "key",
        "name",
        "users",
        "active",
        "active_rate",
        "paying",
        "conversion",
        "arpu",
        "tuv",
        "tuv_before",
        "change",
        "from_users",
        "from_active_rate",
        "from_conversion",
        "from_arpu",
    ]
    .map(String::from)
    .to_vec()];
    for l in &report.lines {
        let (f, d) = (&l.figures, &l.change);
        rows.push(vec![
            report.month.to_string(),
            l.key.clone(),
            l.name.clone(),
            f.users.to_string(),
            f.active.to_string(),
            f.active_rate.to_string(),
            f.paying.to_string(),
            f.conversion.to_string(),
            f.arpu.to_string(),
            f.tuv.to_string(),
            l.previous.tuv.to_string(),
            d.change.to_string(),
            d.users.to_string(),
            d.active_rate.to_string(),
            d.conversion.to_string(),
            d.arpu.to_string(),
        ]);
    }
    csv_response(&format!("tuv-{}-{}.csv", report.month, asked.by.code()), &rows)
}

/// The lifecycle as CSV, one line per month.
#[utoipa::path(get, path = "/analytics/lifecycle.csv", params(AnalyticsParams),
    responses((status = 200, description = "CSV, header first", content_type = "text/csv")))]
pub async fn lifecycle_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<AnalyticsParams>,
) -> Result<Response, HttpError> {
    let asked = p.read(&state.db).await?;
    let months = app::analytics::lifecycle(&state.db, &principal, asked.first, asked.last).await?;
    let mut rows = vec![["month", "users", "new", "returning", "resurrected", "dormant", "active", "paying", "tuv"]
        .map(String::from)
        .to_vec()];
    for m in &months {
        let s = &m.stages;
        rows.push(vec![
            m.month.to_string(),
            m.funnel.users.to_string(),
            s.new.to_string(),
            s.returning.to_string(),
            s.resurrected.to_string(),
            s.dormant.to_string(),
            m.funnel.active.to_string(),
            m.funnel.paying.to_string(),
            m.funnel.tuv.to_string(),
        ]);
    }
    csv_response(&format!("lifecycle-{}-{}.csv", asked.first, asked.last), &rows)
}

/// The cohorts as CSV, one line per cohort and month.
#[utoipa::path(get, path = "/analytics/cohorts.csv", params(AnalyticsParams),
    responses((status = 200, description = "CSV, header first", content_type = "text/csv")))]
pub async fn cohorts_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<AnalyticsParams>,
) -> Result<Response, HttpError> {
    let asked = p.read(&state.db).await?;
    let table = app::analytics::cohorts(&state.db, &principal, asked.first, asked.last).await?;
    let mut rows = vec![["cohort", "size", "month", "age", "active", "retention", "revenue", "lifetime_value"]
        .map(String::from)
        .to_vec()];
    for c in &table.cohorts {
        for k in &c.cells {
            rows.push(vec![
                c.opened.to_string(),
                c.size.to_string(),
                k.month.to_string(),
                k.age.to_string(),
                k.active.to_string(),
                k.retention.to_string(),
                k.revenue.to_string(),
                k.lifetime_value.to_string(),
            ]);
        }
    }
    csv_response(&format!("cohorts-{}-{}.csv", asked.first, asked.last), &rows)
}

/// Rows as a CSV download.
pub(crate) fn csv_response(name: &str, rows: &[Vec<String>]) -> Result<Response, HttpError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(row).map_err(|_| HttpError::of(domain::codes::INTERNAL))?;
    }
    let body = out.into_inner().map_err(|_| HttpError::of(domain::codes::INTERNAL))?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response())
}
