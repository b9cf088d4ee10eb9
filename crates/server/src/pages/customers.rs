use super::layout::{page, PageError};
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::params::ListParams;
use crate::{AppError, AppState};
use access::PiiField;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use chrono::{Datelike, Utc};
use domain::to_shanghai;
use maud::{html, Markup};
use store::CustomerPage;

fn age(birth: chrono::NaiveDate) -> i32 {
    let today = to_shanghai(Utc::now()).date_naive();
    let had_birthday = (today.month(), today.day()) >= (birth.month(), birth.day());
    today.year() - birth.year() - i32::from(!had_birthday)
}

/// The list's URL for another page, keeping the search.
fn page_url(locale: Locale, q: &str, page: u32) -> String {
    let mut url = format!("/customers?lang={}&page={page}", locale.tag());
    if !q.is_empty() {
        url.push_str("&q=");
        url.extend(q.chars().flat_map(|c| match c {
            ' ' => vec!['+'],
            '&' | '#' | '+' | '%' | '=' | '?' => format!("%{:02X}", c as u32).chars().collect(),
            c => vec![c],
        }));
    }
    url
}

/// The table and pager, which htmx swaps in on search and paging.
fn table(locale: Locale, p: &CustomerPage, q: &str) -> Markup {
    let pages = p.pages();
    let nav = |target: u32, key: &str, rel: &str| {
        let url = page_url(locale, q, target);
        html! { a rel=(rel) href=(url) hx-get=(url) hx-target="#customer-table" hx-push-url="true" { (locale.t(key)) } }
    };
    html! {
        div id="customer-table" {
            p.total { span id="total" { (p.total) } " " (locale.t("customers-total")) }
            table {
                thead { tr {
                    th.num { (locale.t("col-id")) } th { (locale.t("col-name")) } th { (locale.t("col-phone")) }
                    th { (locale.t("col-gender")) } th.num { (locale.t("col-age")) } th { (locale.t("col-risk")) }
                    th { (locale.t("col-branch")) } th { (locale.t("col-advisor")) } th.num { (locale.t("col-assets")) }
                } }
                tbody {
                    @for r in &p.rows {
                        tr.customer {
                            td.num { (r.id) }
                            td { a href={ "/customers/" (r.id) "?lang=" (locale.tag()) } { (r.name) } }
                            td { (r.phone) }
                            td { (locale.t(&format!("gender-{}", r.gender))) }
                            td.num { (age(r.birth_date)) }
                            td { "C" (r.risk_level) }
                            td { (r.branch) }
                            td { (r.advisor) }
                            td.num { (locale.money(r.assets)) }
                        }
                    }
                }
            }
            nav.pager {
                @if p.page > 1 { (nav(p.page - 1, "page-prev", "prev")) }
                span.page-of { (locale.t_with("page-of", &[("page", p.page.to_string()), ("pages", pages.to_string())])) }
                @if p.page < pages { (nav(p.page + 1, "page-next", "next")) }
            }
        }
    }
}

/// The customer list with search and paging; only the table for htmx requests.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(params): Query<ListParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = Locale::choose(params.lang.as_deref(), &headers);
    let query = params.query(viewer.principal.scope()).map_err(|e| PageError(e, locale))?;
    let result = state.db.customers(&query).await.map_err(|e| PageError(e.into(), locale))?;
    let q = query.search.clone().unwrap_or_default();
    let fragment = table(locale, &result, &q);
    if headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request") {
        return Ok(fragment);
    }
    let body = html! {
        h1 { (locale.t("customers-title")) }
        input type="search" name="q" value=(q) placeholder=(locale.t("customers-search"))
            hx-get={ "/customers?lang=" (locale.tag()) } hx-trigger="input changed delay:300ms, search"
            hx-target="#customer-table" hx-push-url="true";
        (fragment)
    };
    Ok(page(
        locale,
        &locale.t("customers-title"),
        &page_url(locale, &q, result.page).replacen(&format!("lang={}&", locale.tag()), "", 1),
        &viewer,
        body,
    ))
}

/// A button that reveals one masked field in place, for roles that may; the
/// CSRF header comes from `hx-headers` on the page's main element.
fn reveal_button(locale: Locale, viewer: &Viewer, id: i64, field: PiiField) -> Markup {
    if !viewer.principal.may_reveal() {
        return html! {};
    }
    let url = format!("/customers/{id}/reveal?field={}&lang={}", field.as_str(), locale.tag());
    html! {
        button.reveal type="button" hx-post=(url) hx-swap="outerHTML" title=(locale.t("reveal-audited")) {
            (locale.t("reveal"))
        }
    }
}

/// POST /customers/{id}/reveal?field=...: the full value as a fragment that
/// replaces the reveal button. Audited by the store, like the API's reveal.
pub async fn reveal(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    Query(params): Query<RevealParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = Locale::choose(params.lang.as_deref(), &headers);
    let id: i64 = id.parse().map_err(|_| PageError(AppError::NotFound, locale))?;
    let field: PiiField = params.field.parse().map_err(|_| {
        PageError(AppError::BadRequest { field: "field", reason: "expected national_id or phone".into() }, locale)
    })?;
    if !viewer.principal.may_reveal() {
        return Err(PageError(AppError::Forbidden("this role may not reveal personal data"), locale));
    }
    let value = state
        .db
        .reveal(&viewer.principal, id, field)
        .await
        .map_err(|e| PageError(e.into(), locale))?
        .ok_or(PageError(AppError::NotFound, locale))?;
    Ok(html! { strong.revealed title=(locale.t("reveal-audited")) { (value) } })
}

/// Parameters of the page's reveal action.
#[derive(Debug, serde::Deserialize)]
pub struct RevealParams {
    /// national_id or phone.
    pub field: String,
    /// Page language.
    pub lang: Option<String>,
}

/// One customer: profile (personal data masked) and holdings.
pub async fn detail(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = Locale::choose(params.lang.as_deref(), &headers);
    let id: i64 = id.parse().map_err(|_| PageError(AppError::NotFound, locale))?;
    let c = state
        .db
        .customer(id, viewer.principal.scope())
        .await
        .map_err(|e| PageError(e.into(), locale))?
        .ok_or(PageError(AppError::NotFound, locale))?;
    let yes_no = |b: bool| locale.t(if b { "yes" } else { "no" });
    let s = &c.summary;
    let body = html! {
        h1 { (s.name) " · " (s.id) }
        dl {
            dt { (locale.t("col-phone")) } dd { (s.phone) " " (reveal_button(locale, &viewer, id, PiiField::Phone)) }
            dt { (locale.t("customer-national-id")) }
            dd { (c.national_id) " " (reveal_button(locale, &viewer, id, PiiField::NationalId)) }
            dt { (locale.t("col-gender")) } dd { (locale.t(&format!("gender-{}", s.gender))) }
            dt { (locale.t("col-age")) } dd { (age(s.birth_date)) }
            dt { (locale.t("customer-market-entry")) } dd { (c.market_entry_date) }
            dt { (locale.t("col-risk")) } dd { "C" (s.risk_level) }
            dt { (locale.t("customer-horizon")) } dd { (c.horizon) }
            dt { (locale.t("customer-verified")) } dd { (yes_no(c.real_name_verified)) }
            dt { (locale.t("customer-professional")) } dd { (yes_no(c.professional)) }
            dt { (locale.t("col-branch")) } dd { (s.branch) }
            dt { (locale.t("col-advisor")) } dd { (s.advisor) }
            dt { (locale.t("customer-cash")) } dd { (locale.money(c.cash)) }
            dt { (locale.t("col-assets")) } dd { (locale.money(s.assets)) }
            dt { (locale.t("customer-last-trade")) }
            dd { @match c.last_trade { Some(t) => (to_shanghai(t).format("%Y-%m-%d %H:%M")), None => (locale.t("none")) } }
        }
        h2 { (locale.t("customer-positions")) }
        table {
            thead { tr {
                th { (locale.t("col-instrument")) } th.num { (locale.t("col-quantity")) } th.num { (locale.t("col-sellable")) }
                th.num { (locale.t("col-cost")) } th.num { (locale.t("col-close")) } th.num { (locale.t("col-value")) }
            } }
            tbody {
                @for p in &c.positions {
                    tr.position {
                        td { (p.instrument) " " (p.name) } td.num { (p.quantity) } td.num { (p.sellable_quantity) }
                        td.num { (p.cost_price) } td.num { (p.last_close) } td.num { (locale.money(p.market_value)) }
                    }
                }
            }
        }
    };
    Ok(page(locale, &s.name, &format!("/customers/{id}"), &viewer, body))
}
