//! Model portfolio pages: the list (advisors start one here), and a
//! portfolio with its weights, its performance against the benchmark for
//! followers and staff, the follow button through the suitability gate, and
//! the author's rebalance form.

use super::layout::{page, PageError, PageQuery};
use super::layout::{percent as pct, refused};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::{AppState, HttpError};
use access::Role;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::{to_shanghai, CustomerId, PortfolioId};
use maud::{html, Markup};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Weights from a form's lines, `600519.SH 20` (code and percent) each.
fn weights_of(text: &str) -> Result<app::portfolios::Weights, HttpError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut parts = line.split_whitespace();
            let (Some(code), Some(percent), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(HttpError::of(domain::codes::NOT_ONE_OF)
                    .on("weights")
                    .with("value", line)
                    .with("options", "600519.SH 20"));
            };
            let percent: Decimal = percent
                .trim_end_matches('%')
                .parse()
                .map_err(|_| HttpError::of(domain::codes::NUMBER_FORM).on("weights").with("value", percent))?;
            Ok((code.to_owned(), percent))
        })
        .collect()
}

/// GET /portfolios: the model portfolios the viewer may see.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = app::portfolios::list(&state.db, &viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("portfolios-title")) }
        p.explain { (locale.t("portfolios-explain")) }
        @if rows.is_empty() { p.empty { (locale.t("portfolios-none")) } } @else {
            table.portfolios {
                thead { tr {
                    th { (locale.t("portfolio-name")) } th { (locale.t("idea-source")) } th { (locale.t("idea-risk")) }
                    th { (locale.t("portfolio-followers")) } th { (locale.t("idea-published")) }
                } }
                tbody {
                    @for p in &rows {
                        tr id={ "portfolio-" (p.id) } {
                            td { a href={ "/portfolios/" (p.id) "?lang=" (locale.tag()) } { (p.name) } }
                            td { (p.advisor) }
                            td { (p.risk) }
                            td.num.followers { (p.followers) }
                            td { @match p.published_at { Some(t) => (to_shanghai(t).format("%Y-%m-%d")), None => (locale.t("idea-under-review")) } }
                        }
                    }
                }
            }
        }
        @if viewer.principal.role == Role::Advisor {
            section.propose {
                h2 { (locale.t("portfolio-start")) }
                form.portfolio hx-post={ "/portfolios?lang=" (locale.tag()) } hx-target="#portfolio-result" hx-swap="innerHTML" {
                    label { (locale.t("portfolio-name")) " " input type="text" name="name" required; }
                    label.wide { (locale.t("portfolio-description")) " " textarea name="description" rows="3" required {} }
                    label.wide { (locale.t("portfolio-weights")) " " textarea name="weights" rows="5" placeholder="600519.SH 20\n000333.SZ 15" required {} }
                    button type="submit" { (locale.t("idea-submit")) }
                }
                div #portfolio-result {}
            }
        }
    };
    Ok(page(locale, &locale.t("portfolios-title"), "/portfolios", &viewer, body))
}

/// POST /portfolios: an advisor starts a portfolio from the form.
pub async fn create(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let field = |f: &str| form.get(f).cloned().unwrap_or_default();
    let weights = match weights_of(&field("weights")) {
        Ok(w) => w,
        Err(e) => return refused(locale, e),
    };
    match app::portfolios::create(&state.db, &viewer.principal, &field("name"), &field("description"), &weights, None)
        .await
    {
        Ok((id, _)) => html! {
            p.proposed { (locale.t("portfolio-submitted")) " " a href={ "/portfolios/" (id) "?lang=" (locale.tag()) } { (locale.t("idea-open-link")) } }
        }
        .into_response(),
        Err(e) => refused(locale, e.into()),
    }
}

/// GET /portfolios/{id}: a portfolio, its weights and (followers, staff) its performance.
pub async fn detail(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: PortfolioId = crate::params::path_id(&id, "portfolio").map_err(|e| PageError(e, locale))?;
    let v = app::portfolios::view(&state.db, &viewer.principal, id).await.map_err(|e| PageError(e.into(), locale))?;
    let p = &v.portfolio;
    let current = v.rebalances.iter().rev().find(|r| r.effective_at.is_some());
    let description = state
        .db
        .content_versions(p.content_id)
        .await
        .ok()
        .and_then(|vs| vs.into_iter().find(|x| x.status == domain::ContentStatus::Approved).map(|x| x.body))
        .unwrap_or_default();
    let author = viewer.principal.role == Role::Advisor && viewer.principal.staff_id == Some(p.advisor_id);
    // The advisory product the portfolio backs (the professional rung of the ladder), if any.
    let backs = match p.product_id {
        Some(id) => state.db.product(id).await.map_err(|e| PageError(app::Error::from(e).into(), locale))?,
        None => None,
    };
    let body = html! {
        h1 { (p.name) }
        p.by { (locale.t("idea-source")) ": " a href={ "/advisors/" (p.advisor_id) "?lang=" (locale.tag()) } { (p.advisor) }
            " · " (locale.t("idea-risk")) " " (p.risk) " · " span.followers data-count=(p.followers) { (locale.t_with("portfolio-followed-by", &[("count", p.followers.to_string())])) } }
        pre.description { (description) }
        @if let Some(product) = backs {
            p.backs { (locale.t("portfolio-backs")) " " a href={ "/products/" (product.id) "?lang=" (locale.tag()) } { (product.name) } " (" (product.risk) ")" }
        }
        @if let Some(r) = current {
            h2 { (locale.t("portfolio-weights-now")) }
            table.weights {
                tbody { @for (code, bp) in &r.weights {
                    tr { td { a href={ "/instruments/" (code) "?lang=" (locale.tag()) } { (code) } } td.num { (Decimal::new(i64::from(*bp), 2)) "%" } }
                } }
            }
        }
        @match &v.performance {
            Some(perf) => {
                h2 { (locale.t("portfolio-performance")) }
                dl.performance {
                    dt { (locale.t("idea-return")) } dd.return { (pct(Some(perf.return_pct))) }
                    dt { (locale.t("idea-drawdown")) } dd { (pct(Some(-perf.max_drawdown_pct))) }
                    dt { (locale.t("idea-benchmark")) } dd { (pct(perf.benchmark_pct)) }
                    dt { (locale.t("idea-excess")) } dd.excess { (pct(perf.excess_pct)) }
                    @if let (Some(first), Some(last)) = (perf.values.first(), perf.values.last()) {
                        dt { (locale.t("portfolio-since")) } dd { (first.0) " – " (last.0) }
                    }
                }
            }
            None => { @if viewer.principal.role == Role::Customer { p.explain { (locale.t("portfolio-followers-see")) } } }
        }
        h2 { (locale.t("portfolio-rebalances")) }
        ul.rebalances {
            @for r in v.rebalances.iter().rev() {
                li { (r.effective_at.map(|t| to_shanghai(t).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| locale.t("idea-under-review"))) " — " (r.note) }
            }
        }
        @if viewer.principal.role == Role::Customer && p.published_at.is_some() {
            @if v.following { p.following { (locale.t("portfolio-following")) } }
            @else {
                (follow_form(locale, id, viewer.principal.customer_id.unwrap_or(CustomerId(0)), false))
                div #follow-result {}
            }
        }
        @if author && p.published_at.is_some() {
            section.rebalance {
                h2 { (locale.t("portfolio-rebalance")) }
                form.rebalance hx-post={ "/portfolios/" (id) "/rebalances?lang=" (locale.tag()) } hx-target="#rebalance-result" hx-swap="innerHTML" {
                    label.wide { (locale.t("portfolio-weights")) " " textarea name="weights" rows="5" required {} }
                    label.wide { (locale.t("portfolio-note")) " " textarea name="note" rows="2" required {} }
                    button type="submit" { (locale.t("idea-submit")) }
                }
                div #rebalance-result {}
            }
        }
    };
    let kind = growth::referral::ShareKind::Portfolio;
    let share = super::sharing::share_box(&state, &viewer, locale, &headers, kind, id.0).await;
    let body = html! { (body) (share) };
    Ok(page(locale, &p.name, &format!("/portfolios/{id}"), &viewer, body))
}

fn follow_form(locale: Locale, id: PortfolioId, customer: CustomerId, confirm: bool) -> Markup {
    html! {
        form.follow hx-post={ "/portfolios/" (id) "/follow?lang=" (locale.tag()) } hx-target="#follow-result" hx-swap="innerHTML" {
            input type="hidden" name="customer" value=(customer);
            @if confirm {
                label.confirm { input type="checkbox" name="confirmed" value="true" required; " " (locale.t("product-confirm")) }
            }
            button.follow type="submit" { (locale.t("portfolio-follow")) }
        }
    }
}

/// POST /portfolios/{id}/follow: follows through the gate; a warning is confirmed in place.
pub async fn follow(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let parsed = crate::params::path_id::<PortfolioId>(&id, "portfolio").and_then(|id| {
        crate::params::path_id::<CustomerId>(form.get("customer").map(String::as_str).unwrap_or(""), "customer")
            .map(|c| (id, c))
    });
    let (id, customer) = match parsed {
        Ok(x) => x,
        Err(e) => return refused(locale, e),
    };
    let confirmed = form.get("confirmed").map(String::as_str) == Some("true");
    match app::portfolios::follow(&state.db, &viewer.principal, id, customer, confirmed).await {
        Ok(_) => html! { p.following { (locale.t("portfolio-following")) } }.into_response(),
        Err(e) if e.is(app::codes::CONFIRMATION_REQUIRED) => {
            let said = HttpError::from(e).said(locale);
            (
                StatusCode::CONFLICT,
                html! { div.warning { h3 { (locale.t("product-warning")) } p { (said) } (follow_form(locale, id, customer, true)) } },
            )
                .into_response()
        }
        Err(e) => refused(locale, e.into()),
    }
}

/// POST /portfolios/{id}/rebalances: the author proposes new weights.
pub async fn rebalance(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id = match crate::params::path_id::<PortfolioId>(&id, "portfolio") {
        Ok(id) => id,
        Err(e) => return refused(locale, e),
    };
    let weights = match weights_of(form.get("weights").map(String::as_str).unwrap_or("")) {
        Ok(w) => w,
        Err(e) => return refused(locale, e),
    };
    let note = form.get("note").cloned().unwrap_or_default();
    match app::portfolios::rebalance(&state.db, &viewer.principal, id, &weights, &note).await {
        Ok(_) => html! { p.proposed { (locale.t("portfolio-submitted")) } }.into_response(),
        Err(e) => refused(locale, e.into()),
    }
}
