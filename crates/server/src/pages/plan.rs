//! The weekly service plan page: an advisor's contacts for the week in the
//! 60/30/10 split, most pressing first, each marked done in place with its
//! outcome; adherence to the split; a CSV export. Managers pick an advisor.

use super::layout::{page, PageError, PageQuery};
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::params::PlanParams;
use crate::{AppState, HttpError};
use access::Role;
use app::plan::{plan_csv, WeekPlan};
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::NaiveDate;
use classify::plan::{split, Bucket};
use maud::{html, Markup};
use serde::Deserialize;
use store::PlanRow;

fn row(
    locale: Locale,
    advisor: domain::StaffId,
    week: NaiveDate,
    c: &PlanRow,
    recommended: Option<&app::advice::Recommended>,
) -> Markup {
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
            td.recommend {
                @if let Some(r) = recommended {
                    a href={ "/products/" (r.product.id) "?customer=" (c.customer_id) "&lang=" (locale.tag()) } { (r.product.name) }
                    " — " span.reason { (locale.t(r.because.message_key())) }
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
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let plan = app::plan::plan_for(&state.db, &viewer.principal, q.advisor.as_deref(), q.week.as_deref())
        .await
        .map_err(|e| fail(e.into()))?;
    let advisor = plan.advisor_id;
    let advisors = state.db.advisors_in_scope(viewer.principal.scope()).await.map_err(|e| fail(e.into()))?;
    let week = plan.week_start;
    let hours = state.db.contact_hours(advisor).await.map_err(|e| fail(e.into()))?.unwrap_or(0);
    let planned: Vec<domain::CustomerId> = plan.contacts.iter().map(|c| c.customer_id).collect();
    let recommended = app::advice::first_recommendations(&state.db, &planned).await.map_err(|e| fail(e.into()))?;
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
                    th { (locale.t("plan-triggers")) } th { (locale.t("plan-recommend")) } th {}
                } }
                tbody { @for c in &plan.contacts { (row(locale, advisor, week, c, recommended.get(&c.customer_id))) } }
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
) -> Result<Response, HttpError> {
    let plan = app::plan::plan_for(&state.db, &viewer.principal, q.advisor.as_deref(), q.week.as_deref()).await?;
    let advisor = plan.advisor_id;
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
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let customer = crate::params::path_id(&customer, "customer").map_err(fail)?;
    let (advisor, week) = (q.advisor.as_deref(), q.week.as_deref());
    let c = app::plan::complete_contact(&state.db, &viewer.principal, advisor, week, customer, &form.outcome)
        .await
        .map_err(|e| fail(e.into()))?;
    let (advisor, day) =
        app::plan::chosen(&state.db, &viewer.principal, advisor, week).await.map_err(|e| fail(e.into()))?;
    let week = app::plan::week_start_of(day);
    let recommended =
        app::advice::first_recommendations(&state.db, &[c.customer_id]).await.map_err(|e| fail(e.into()))?;
    Ok(row(locale, advisor, week, &c, recommended.get(&c.customer_id)))
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
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let advisor = crate::params::path_id(&advisor, "advisor").map_err(fail)?;
    let text = form.get("hours").map(String::as_str).unwrap_or_default();
    let hours = app::plan::set_hours(&state.db, &viewer.principal, advisor, text).await.map_err(|e| fail(e.into()))?;
    Ok(html! { span.saved { (locale.t_with("plan-hours-saved", &[("hours", hours.to_string())])) } }.into_response())
}
