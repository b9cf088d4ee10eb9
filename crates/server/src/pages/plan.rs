//! The weekly service plan page: an advisor's contacts for the week in the
//! 60/30/10 split, most pressing first, each marked done in place with its
//! outcome; adherence to the split; a CSV export. Managers pick an advisor.

use super::layout::{page, PageError, PageQuery};
use crate::api::knowing::{chosen, PlanParams};
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::{AppError, AppState};
use access::Role;
use app::plan::{plan_csv, plan_week, PlanSettings, WeekPlan};
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::NaiveDate;
use classify::plan::{split, Bucket};
use maud::{html, Markup};
use serde::Deserialize;
use store::PlanRow;

fn row(locale: Locale, advisor: i64, week: NaiveDate, c: &PlanRow) -> Markup {
    html! {
        tr.contact id={ "contact-" (c.customer_id) } {
            td { (c.rank) }
            td { a href={ "/customers/" (c.customer_id) "?lang=" (locale.tag()) } { (c.customer) } }
            td { (locale.t(&format!("bucket-{}", c.bucket))) }
            td {
                @for t in c.triggers.split(',').filter(|t| !t.is_empty()) {
                    span.trigger { (locale.t(&format!("trigger-{t}"))) } " "
                }
            }
            td {
                @match &c.done_at {
                    Some(d) => span.done { (locale.t("task-done-at")) " " (d.get(..16).unwrap_or(d)) ": " (c.outcome.as_deref().unwrap_or("")) },
                    None => form hx-post={ "/plan/" (c.customer_id) "/done?advisor=" (advisor) "&week=" (week) "&lang=" (locale.tag()) }
                        hx-target="closest tr" hx-swap="outerHTML" {
                        input type="text" name="outcome" placeholder=(locale.t("task-outcome")) maxlength="500";
                        button type="submit" { (locale.t("task-done")) }
                    },
                }
            }
        }
    }
}

fn summary(locale: Locale, plan: &WeekPlan) -> Markup {
    let target = split(plan.capacity);
    let a = plan.adherence;
    let shares = a.done_percent();
    html! {
        table.split {
            thead { tr {
                th { (locale.t("plan-bucket")) } th { (locale.t("plan-target")) } th { (locale.t("plan-planned")) }
                th { (locale.t("plan-done")) } th { (locale.t("plan-done-share")) }
            } }
            tbody {
                @for (k, b) in Bucket::ALL.iter().enumerate() {
                    tr {
                        td { (locale.t(&format!("bucket-{}", b.as_str()))) }
                        td { (b.percent()) "% · " (target[k]) }
                        td { (a.planned[k]) }
                        td { (a.done[k]) }
                        td { @if a.done_total() > 0 { (shares[k]) "%" } @else { "—" } }
                    }
                }
            }
        }
        p.adherence { (locale.t("plan-gap")) " " (a.largest_gap()) " " (locale.t("plan-points")) }
    }
}

/// GET /plan: the week's plan of the viewer (advisor) or of a chosen advisor (managers).
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<PlanParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = Locale::choose(q.lang.as_deref(), &headers);
    let fail = |e: AppError| PageError(e, locale);
    let (advisor, day) = chosen(&state, &viewer.principal, &q).await.map_err(fail)?;
    let plan = plan_week(&state.db, advisor, day, PlanSettings::default())
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or(fail(AppError::NotFound))?;
    let advisors = state.db.advisors_in_scope(viewer.principal.scope()).await.map_err(|e| fail(e.into()))?;
    let week = plan.week_start;
    let hours = state.db.contact_hours(advisor).await.map_err(|e| fail(e.into()))?.unwrap_or(0);
    let body = html! {
        h1 { (locale.t("plan-title")) " · " (week) }
        @if viewer.principal.role != Role::Advisor {
            form method="get" action="/plan" {
                input type="hidden" name="lang" value=(locale.tag());
                select name="advisor" {
                    @for (id, name) in &advisors {
                        option value=(id) selected[*id == advisor] { (name) }
                    }
                }
                button type="submit" { (locale.t("plan-show")) }
            }
        }
        @if viewer.principal.role == Role::Manager || viewer.principal.role == Role::Admin {
            form.hours hx-post={ "/plan/" (advisor) "/hours?lang=" (locale.tag()) } hx-target="#hours-saved" {
                label { (locale.t("plan-hours")) " " input type="number" name="hours" min="1" max="60" value=(hours); }
                button type="submit" { (locale.t("plan-hours-save")) }
                " " span id="hours-saved" {}
            }
        }
        p { (locale.t("plan-capacity")) " " (plan.capacity) " · "
            a href={ "/plan.csv?advisor=" (advisor) "&week=" (week) } { (locale.t("plan-export")) } }
        (summary(locale, &plan))
        @if plan.contacts.is_empty() {
            p.empty { (locale.t("plan-none")) }
        } @else {
            table.plan {
                thead { tr {
                    th { "#" } th { (locale.t("col-customer")) } th { (locale.t("plan-bucket")) }
                    th { (locale.t("plan-triggers")) } th {}
                } }
                tbody { @for c in &plan.contacts { (row(locale, advisor, week, c)) } }
            }
        }
    };
    Ok(page(locale, &locale.t("plan-title"), "/plan", &viewer, body))
}

/// GET /plan.csv: the same plan as CSV.
pub async fn csv(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<PlanParams>,
) -> Result<Response, AppError> {
    let (advisor, day) = chosen(&state, &viewer.principal, &q).await?;
    let plan = plan_week(&state.db, advisor, day, PlanSettings::default()).await?.ok_or(AppError::NotFound)?;
    let name = format!("attachment; filename=\"plan-{advisor}-{}.csv\"", plan.week_start);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
        plan_csv(&plan),
    )
        .into_response())
}

/// The outcome typed into a contact's row.
#[derive(Debug, Deserialize)]
pub struct Outcome {
    outcome: String,
}

/// POST /plan/{id}/done (htmx), `id` the customer: marks the contact made and answers its new row.
pub async fn done(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(customer): Path<String>,
    PageQuery(q): PageQuery<PlanParams>,
    headers: HeaderMap,
    Form(form): Form<Outcome>,
) -> Result<Markup, PageError> {
    let locale = Locale::choose(q.lang.as_deref(), &headers);
    let fail = |e: AppError| PageError(e, locale);
    let (advisor, day) = chosen(&state, &viewer.principal, &q).await.map_err(fail)?;
    let customer: i64 = customer.parse().map_err(|_| fail(AppError::NotFound))?;
    if form.outcome.trim().is_empty() || form.outcome.chars().count() > 500 {
        return Err(fail(AppError::BadRequest {
            field: "outcome",
            reason: "say in 1 to 500 characters what came of it".into(),
        }));
    }
    let week = app::plan::week_start_of(day);
    let done = state
        .db
        .complete_contact(&viewer.principal, advisor, week, customer, form.outcome.trim())
        .await
        .map_err(|e| fail(e.into()))?;
    if !done {
        return Err(fail(AppError::NotFound));
    }
    let rows = state.db.plan(advisor, week).await.map_err(|e| fail(e.into()))?;
    let c = rows.iter().find(|c| c.customer_id == customer).ok_or(fail(AppError::NotFound))?;
    Ok(row(locale, advisor, week, c))
}

/// POST /plan/{id}/hours, `id` the advisor: a manager sets the advisor's
/// weekly contact hours (1 to 60) for plans made from now on.
pub async fn hours(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(advisor): Path<String>,
    PageQuery(q): PageQuery<PlanParams>,
    headers: HeaderMap,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let locale = Locale::choose(q.lang.as_deref(), &headers);
    let fail = |e: AppError| PageError(e, locale);
    if !matches!(viewer.principal.role, Role::Manager | Role::Admin) {
        return Err(fail(AppError::Forbidden("only a manager sets an advisor's contact hours")));
    }
    let advisor: i64 = advisor.parse().map_err(|_| fail(AppError::NotFound))?;
    let text = form.get("hours").map(|h| h.trim()).unwrap_or_default();
    let hours = match text.parse::<i64>() {
        Ok(h) if (1..=60).contains(&h) => h,
        _ => {
            let known = state.db.advisors_in_scope(viewer.principal.scope()).await.map_err(|e| fail(e.into()))?;
            if !known.iter().any(|a| a.0 == advisor) {
                return Err(fail(AppError::NotFound));
            }
            let reason = format!("'{text}' is not a whole number of hours from 1 to 60");
            return Err(fail(AppError::BadRequest { field: "hours", reason }));
        }
    };
    let done = state.db.set_contact_hours(&viewer.principal, advisor, hours).await.map_err(|e| fail(e.into()))?;
    if !done {
        return Err(fail(AppError::NotFound));
    }
    Ok(html! { span.saved { (locale.t_with("plan-hours-saved", &[("hours", hours.to_string())])) } }.into_response())
}
