//! The work queue page: an advisor's open tasks, soonest due first, each
//! marked done in place with its outcome.

use super::layout::{page, PageError, PageQuery};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::AppState;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::Extension;
use domain::to_shanghai;
use maud::{html, Markup};
use serde::Deserialize;
use store::TaskRow;

fn row(locale: Locale, t: &TaskRow) -> Markup {
    let when = |d: chrono::DateTime<chrono::Utc>| to_shanghai(d).format("%Y-%m-%d %H:%M").to_string();
    html! {
        tr.task id={ "task-" (t.id) } {
            td { @match t.due_at { Some(d) => (when(d)), None => "—" } }
            td { (locale.t(&format!("task-kind-{}", t.kind))) }
            td { (t.title) }
            td { a href={ "/customers/" (t.customer_id) "?lang=" (locale.tag()) } { (t.customer) } }
            td { (t.advisor) }
            td {
                @match &t.done_at {
                    Some(d) => span.done { (locale.t("task-done-at")) " " (when(*d)) ": " (t.outcome.as_deref().unwrap_or("")) },
                    None => form hx-post={ "/tasks/" (t.id) "/done?lang=" (locale.tag()) } hx-target="closest tr" hx-swap="outerHTML" {
                        input type="text" name="outcome" placeholder=(locale.t("task-outcome")) maxlength="500";
                        button type="submit" { (locale.t("task-done")) }
                    },
                }
            }
        }
    }
}

/// GET /tasks: the open tasks of the customers in the viewer's scope.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let tasks = app::tasks::list(&state.db, &viewer.principal, false).await.map_err(|e| PageError(e.into(), locale))?;
    let reminders = super::reminders::panel(&state, &viewer, locale, 50).await?;
    let body = html! {
        h1 { (locale.t("tasks-title")) }
        (reminders)
        h2 { (locale.t("tasks-open")) }
        @if tasks.is_empty() {
            p.empty { (locale.t("tasks-none")) }
        } @else {
            table {
                thead { tr {
                    th { (locale.t("col-due")) } th { (locale.t("col-kind")) } th { (locale.t("col-task")) }
                    th { (locale.t("col-customer")) } th { (locale.t("col-advisor")) } th {}
                } }
                tbody { @for t in &tasks { (row(locale, t)) } }
            }
        }
    };
    Ok(page(locale, &locale.t("tasks-title"), "/tasks", &viewer, body))
}

/// The outcome typed into a task's row.
#[derive(Debug, Deserialize)]
pub struct Outcome {
    outcome: String,
}

/// POST /tasks/{id}/done (htmx): completes the task and answers its new row.
pub async fn done(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<Outcome>,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id = crate::params::path_id(&id, "task").map_err(|e| PageError(e, locale))?;
    let task = app::tasks::complete(&state.db, &viewer.principal, id, &form.outcome)
        .await
        .map_err(|e| PageError(e.into(), locale))?;
    Ok(row(locale, &task))
}
