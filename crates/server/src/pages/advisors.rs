//! An advisor's profile page: what a customer opens from a group or an idea
//! (licence, experience, the approved introduction, their ideas' record and
//! model portfolios); the advisor writes their introduction here.

use super::layout::{page, PageError, PageQuery};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::AppState;
use crate::HttpError;
use access::Role;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use maud::{html, Markup};
use std::collections::HashMap;

/// GET /advisors/{advisor}: the advisor's profile.
pub async fn profile(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: domain::StaffId = crate::params::path_id(&id, "advisor").map_err(|e| PageError(e, locale))?;
    let p = app::ideas::advisor_profile(&state.db, id).await.map_err(|e| PageError(e.into(), locale))?;
    let own = viewer.principal.role == Role::Advisor && viewer.principal.staff_id == Some(id);
    let pct = super::layout::percent;
    let body = html! {
        h1 { (p.name) }
        dl.advisor {
            dt { (locale.t("licence-no")) } dd.licence { (p.licence_no.clone().unwrap_or_else(|| "—".into())) }
            dt { (locale.t("advisor-experience")) } dd { @match p.experience_years { Some(y) => (locale.t_with("advisor-years", &[("years", y.to_string())])), None => "—" } }
        }
        @match &p.introduction {
            Some(text) => { pre.introduction { (text) } }
            None => { p.empty { (locale.t("advisor-no-introduction")) } }
        }
        @if p.introduction_pending && own { p.explain { (locale.t("advisor-introduction-pending")) } }
        h2 { (locale.t("advisor-record")) }
        @match &p.record {
            Some(r) => {
                dl.record {
                    dt { (locale.t("ranking-ideas")) } dd { (r.ideas) }
                    dt { (locale.t("ranking-hit-rate")) } dd { (r.hit_rate_pct.map_or_else(|| "—".to_owned(), |h| format!("{h}%"))) }
                    dt { (locale.t("ranking-return")) } dd { (pct(Some(r.average_return_pct))) }
                    dt { (locale.t("ranking-drawdown")) } dd { (pct(Some(-r.average_drawdown_pct))) }
                    dt { (locale.t("ranking-excess")) } dd.excess { (pct(r.average_excess_pct)) }
                }
            }
            None => { p.empty { (locale.t("ideas-none")) } }
        }
        @if !p.ideas.is_empty() {
            ul.ideas { @for t in &p.ideas {
                li { a href={ "/ideas/" (t.idea.id) "?lang=" (locale.tag()) } { (t.idea.instrument_name) " " (t.idea.instrument) }
                    " " (pct(t.track.as_ref().map(|x| x.return_pct))) }
            } }
        }
        @if !p.portfolios.is_empty() {
            h2 { (locale.t("portfolios-title")) }
            ul.portfolios { @for m in &p.portfolios {
                li { a href={ "/portfolios/" (m.id) "?lang=" (locale.tag()) } { (m.name) } " · " (locale.t_with("portfolio-followed-by", &[("count", m.followers.to_string())])) }
            } }
        }
        @if own {
            section.introduce {
                h2 { (locale.t("advisor-write-introduction")) }
                form.introduce hx-post={ "/advisors/" (id) "/introduction?lang=" (locale.tag()) } hx-target="#introduce-result" hx-swap="innerHTML" {
                    label { (locale.t("advisor-experience")) " " input type="number" name="experience_years" min="0" max="60" value=(p.experience_years.unwrap_or(0)) required; }
                    label.wide { (locale.t("advisor-introduction")) " " textarea name="introduction" rows="4" required { (p.introduction.clone().unwrap_or_default()) } }
                    button type="submit" { (locale.t("idea-submit")) }
                }
                div #introduce-result {}
            }
        }
    };
    Ok(page(locale, &p.name, &format!("/advisors/{id}"), &viewer, body))
}

/// POST /advisors/{advisor}/introduction: the advisor's new introduction, to compliance.
pub async fn introduce(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let outcome = async {
        let id: domain::StaffId = crate::params::path_id(&id, "advisor")?;
        if viewer.principal.staff_id != Some(id) {
            return Err(HttpError::of(app::codes::ADVISORS_WRITE_CONTENT));
        }
        let years = crate::params::number("experience_years", &form.get("experience_years").cloned(), 0, 60)?
            .unwrap_or(0) as i32;
        let text = form.get("introduction").cloned().unwrap_or_default();
        app::ideas::write_introduction(&state.db, &viewer.principal, years, &text).await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => html! { p.proposed { (locale.t("advisor-introduction-pending")) } }.into_response(),
        Err(e) => {
            let status = e.status();
            (status, html! { p.error { (e.said(locale)) } }).into_response()
        }
    }
}
