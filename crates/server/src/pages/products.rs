//! Products and suitability pages: the catalogue, a product with the
//! purchase form that goes through the gate (refusal, warning and
//! confirmation shown in place), the risk questionnaire, a customer's
//! suitability section, and the funnel.

use super::layout::{page, PageError, PageQuery};
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::{AppState, HttpError};
use access::Role;
use advice::questionnaire::QuestionKind;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::{to_shanghai, CustomerId, ProductId};
use maud::{html, Markup};
use serde::Deserialize;
use store::ProductRow;

/// The language, and for staff the customer a page acts for.
#[derive(Debug, Deserialize)]
pub struct ProductParams {
    lang: Option<String>,
    customer: Option<String>,
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    to_shanghai(t).format("%Y-%m-%d %H:%M").to_string()
}

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    to_shanghai(t).format("%Y-%m-%d").to_string()
}

/// The customer a page acts for: the viewer, if a customer; else `?customer=`.
fn acting_for(viewer: &Viewer, customer: Option<&str>, locale: Locale) -> Result<Option<CustomerId>, PageError> {
    if viewer.principal.role == Role::Customer {
        return Ok(viewer.principal.customer_id);
    }
    customer
        .filter(|c| !c.is_empty())
        .map(|c| crate::params::path_id::<CustomerId>(c, "customer").map_err(|e| PageError(e, locale)))
        .transpose()
}

fn terms_row(locale: Locale, p: &ProductRow) -> Markup {
    html! {
        td { (p.code) }
        td { a href={ "/products/" (p.id) "?lang=" (locale.tag()) } { (p.name) } }
        td { (locale.t(&format!("product-kind-{}", p.kind))) }
        td.risk { (p.risk) }
        td { (locale.t(&format!("horizon-{}", p.horizon))) }
        td { (locale.t(&format!("variety-{}", p.variety))) }
        td.num { (p.term_days) }
        td.num { (p.minimum.round_dp(2)) }
        td { @if let Some(l) = p.ladder { (locale.t(&format!("ladder-{l}"))) } }
        td { (locale.t(&format!("product-state-{}", p.state))) }
    }
}

/// GET /products: the catalogue.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = app::advice::products(&state.db, &viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("products-title")) }
        @if viewer.principal.role != Role::Customer {
            p { a href={ "/funnel?lang=" (locale.tag()) } { (locale.t("funnel-title")) } " · "
                a href={ "/suitability?lang=" (locale.tag()) } { (locale.t("exceptions-title")) } }
        }
        @if rows.is_empty() { p.empty { (locale.t("products-none")) } } @else {
            table.products {
                thead { tr {
                    th { (locale.t("product-code")) } th { (locale.t("product-name")) } th { (locale.t("product-kind")) }
                    th { (locale.t("product-risk")) } th { (locale.t("product-horizon")) } th { (locale.t("product-variety")) }
                    th.num { (locale.t("product-term")) } th.num { (locale.t("product-minimum")) }
                    th { (locale.t("product-ladder")) } th { (locale.t("product-state")) }
                } }
                tbody { @for p in &rows { tr.product { (terms_row(locale, p)) } } }
            }
        }
    };
    Ok(page(locale, &locale.t("products-title"), "/products", &viewer, body))
}

fn purchase_form(locale: Locale, product: ProductId, customer: CustomerId, amount: &str, confirm: bool) -> Markup {
    html! {
        form.purchase hx-post={ "/products/" (product) "/purchase?lang=" (locale.tag()) } hx-target="#purchase-result" hx-swap="innerHTML" {
            input type="hidden" name="customer" value=(customer);
            @if confirm {
                input type="hidden" name="amount" value=(amount);
                label.confirm { input type="checkbox" name="confirmed" value="true" required; " " (locale.t("product-confirm")) }
                button.confirm type="submit" { (locale.t("product-confirm-button")) }
            } @else {
                label { (locale.t("product-amount")) " " input type="text" name="amount" value=(amount) inputmode="decimal" required; }
                button.buy type="submit" { (locale.t("product-buy")) }
            }
        }
    }
}

/// GET /products/{id}: the product, the gate's verdict for the customer
/// acted for, and the purchase form.
pub async fn detail(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: app::Error| PageError(e.into(), locale);
    let id: ProductId = crate::params::path_id(&id, "product").map_err(|e| PageError(e, locale))?;
    let p = app::advice::product(&state.db, &viewer.principal, id).await.map_err(fail)?;
    let customer = acting_for(&viewer, q.customer.as_deref(), locale)?;
    let check = match customer {
        Some(c) => Some(app::advice::check(&state.db, &viewer.principal, c, id).await.map_err(fail)?),
        None => None,
    };
    let body = html! {
        h1 { (p.name) " · " (p.code) }
        p.description { (p.description) }
        table.products { tbody { tr.product { (terms_row(locale, &p)) } } }
        @if let (Some(c), Some(check)) = (customer, &check) {
            h2 { (locale.t("product-verdict")) }
            @if check.questionnaire_required {
                p.verdict.refused { (HttpError::of(app::codes::QUESTIONNAIRE_REQUIRED).with("until", "none").said(locale)) }
                p { a.questionnaire href={ "/questionnaire?customer=" (c) "&lang=" (locale.tag()) } { (locale.t("suitability-take")) } }
            } @else {
                p.verdict data-verdict=(check.verdict) { (locale.t(&format!("verdict-{}", check.verdict))) }
                ul.reasons { @for r in &check.reasons { li { (if locale == Locale::Zh { &r.zh } else { &r.en }) } } }
                @if viewer.principal.role != Role::Customer { p { (locale.t("product-buy-for")) " " (c) } }
                (purchase_form(locale, id, c, &p.minimum.round_dp(2).to_string(), false))
                div #purchase-result {}
            }
        }
    };
    Ok(page(locale, &p.name, &format!("/products/{id}"), &viewer, body))
}

/// The purchase form's fields.
#[derive(Debug, Deserialize)]
pub struct PurchaseForm {
    customer: String,
    amount: String,
    confirmed: Option<String>,
}

/// POST /products/{id}/purchase (htmx): buys through the gate and answers
/// the outcome in place: the purchase, the refusal with its reasons, or the
/// risk warning with the confirmation to give.
pub async fn purchase(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
    axum::extract::Form(form): axum::extract::Form<PurchaseForm>,
) -> Result<Response, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: ProductId = crate::params::path_id(&id, "product").map_err(|e| PageError(e, locale))?;
    let customer: CustomerId = crate::params::path_id(&form.customer, "customer").map_err(|e| PageError(e, locale))?;
    let amount: rust_decimal::Decimal = match form.amount.trim().parse() {
        Ok(a) => a,
        Err(_) => {
            let e = HttpError::of(domain::codes::NUMBER_FORM).on("amount").with("value", &form.amount);
            return Ok((StatusCode::BAD_REQUEST, html! { p.error { (e.said(locale)) } }).into_response());
        }
    };
    let request = app::advice::PurchaseRequest {
        customer,
        product: id,
        amount,
        confirmed: form.confirmed.as_deref() == Some("true"),
    };
    match app::advice::purchase(&state.db, &viewer.principal, &request).await {
        Ok(done) => Ok(html! {
            p.bought { (locale.t_with("product-bought", &[("id", done.id.to_string())])) }
            @if let Some(task) = done.return_visit {
                p.return-visit { (locale.t_with("product-return-visit", &[("task", task.to_string())])) }
            }
        }
        .into_response()),
        Err(e) if e.is(app::codes::CONFIRMATION_REQUIRED) => {
            let said = HttpError::from(e).said(locale);
            Ok((
                StatusCode::CONFLICT,
                html! {
                    div.warning {
                        h3 { (locale.t("product-warning")) }
                        p { (said) }
                        (purchase_form(locale, id, customer, &form.amount, true))
                    }
                },
            )
                .into_response())
        }
        Err(e) if e.is(app::codes::UNSUITABLE) => {
            let said = HttpError::from(e).said(locale);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                html! { div.refused { h3 { (locale.t("product-refused")) } p { (said) } } },
            )
                .into_response())
        }
        Err(e) => {
            let e = HttpError::from(e);
            let status = e.status();
            Ok((status, html! { p.error { (e.said(locale)) } }).into_response())
        }
    }
}

/// GET /questionnaire: the risk questionnaire for the customer acted for.
pub async fn questionnaire(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let qn = app::advice::questionnaire();
    let Some(customer) = acting_for(&viewer, q.customer.as_deref(), locale)? else {
        // Staff without a customer read the questions as they stand.
        let body = html! {
            h1 { (locale.t("questionnaire-title")) " · " (qn.version) }
            ol.questions { @for question in &qn.questions {
                li { (question.text(locale)) ul { @for o in &question.options { li { (o.text(locale)) } } } }
            } }
        };
        return Ok(page(locale, &locale.t("questionnaire-title"), "/questionnaire", &viewer, body));
    };
    // The customer must be one the viewer may act for.
    app::customers::record(&state.db, &viewer.principal, customer).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("questionnaire-title")) " · " (customer) }
        form.questionnaire hx-post={ "/customers/" (customer) "/questionnaire?lang=" (locale.tag()) } hx-target="#questionnaire-result" {
            @for question in &qn.questions {
                fieldset data-question=(question.id) {
                    legend { (question.text(locale)) }
                    @for o in &question.options {
                        @let multi = question.kind == QuestionKind::Varieties;
                        label {
                            input type=(if multi { "checkbox" } else { "radio" }) name=(question.id) value=(o.id) required[!multi];
                            " " (o.text(locale))
                        }
                    }
                }
            }
            button type="submit" { (locale.t("questionnaire-submit")) }
        }
        div #questionnaire-result {}
    };
    Ok(page(locale, &locale.t("questionnaire-title"), "/questionnaire", &viewer, body))
}

/// POST /customers/{id}/questionnaire (htmx): scores the answers and says the result.
pub async fn answer(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
    axum::extract::Form(pairs): axum::extract::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: CustomerId = crate::params::path_id(&id, "customer").map_err(|e| PageError(e, locale))?;
    // A form repeats a checkbox's name once per option ticked.
    let mut answers = advice::Answers::new();
    for (k, v) in pairs {
        answers.entry(k).or_default().push(v);
    }
    match app::advice::take_questionnaire(&state.db, &viewer.principal, id, &answers, &state.growth.earning).await {
        Ok(a) => {
            let args = [
                ("score", a.score.to_string()),
                ("class", a.class.to_string()),
                ("horizon", locale.t(&format!("horizon-{}", a.horizon))),
            ];
            Ok(html! {
                p.assessed data-class=(a.class) { (locale.t_with("questionnaire-result", &args)) }
                p { a href={ "/customers/" (id) "?lang=" (locale.tag()) } { (locale.t("suitability-title")) } }
            }
            .into_response())
        }
        Err(e) => {
            let e = HttpError::from(e);
            Ok((e.status(), html! { p.error { (e.said(locale)) } }).into_response())
        }
    }
}

/// The suitability section of a customer's page: class and validity,
/// professional status, recommendations with their reasons, the gate's trail.
pub async fn section(
    state: &AppState,
    locale: Locale,
    c: &store::CustomerDetail,
    staff: bool,
) -> Result<Markup, PageError> {
    let id = c.summary.id;
    let s = app::advice::suitability_of(&state.db, c).await.map_err(|e| PageError(e.into(), locale))?;
    let lang = locale.tag();
    Ok(html! {
        section.suitability {
            h2 { (locale.t("suitability-title")) }
            @match (&s.profile.assessment, s.profile.assessment_current) {
                (Some(a), true) => p.assessment data-class=(a.class) {
                    (locale.t("suitability-class")) " " strong { (a.class) } " · "
                    (locale.t_with("suitability-score", &[("score", a.score.to_string()), ("version", a.version.clone()), ("until", day(a.valid_until))]))
                },
                (Some(a), false) => p.assessment.expired { (locale.t_with("suitability-expired", &[("until", day(a.valid_until))])) },
                (None, _) => p.assessment.none { (locale.t("suitability-none")) },
            }
            p { a.questionnaire href={ "/questionnaire?customer=" (id) "&lang=" (lang) } { (locale.t("suitability-take")) } }
            @if s.profile.professional {
                p.professional { @match &s.profile.professional_test {
                    Some(t) => (locale.t_with("suitability-professional-until", &[("until", day(t.expires_at))])),
                    None => (locale.t("suitability-professional-yes")),
                } }
            }
            @if staff { (professional_form(locale, id)) }
            (permissions_table(locale, id, &s.permissions))
            h3 { (locale.t("suitability-recommendations")) }
            @if s.recommendations.is_empty() { p.empty { (locale.t("suitability-no-recommendations")) } } @else {
                ul.recommendations { @for r in &s.recommendations {
                    li.recommendation data-product=(r.product.id) {
                        a href={ "/products/" (r.product.id) "?customer=" (id) "&lang=" (lang) } { (r.product.name) }
                        " (" (r.product.risk) ") — " (locale.t(r.because.message_key()))
                    }
                } }
            }
            @if !s.purchases.is_empty() {
                h3 { (locale.t("suitability-purchases")) }
                table.purchases { tbody { @for p in &s.purchases {
                    tr { td { (when(p.placed_at)) } td { (p.product) } td.num { (locale.money(p.amount)) }
                         td { (locale.t(&format!("verdict-{}", p.verdict))) } }
                } } }
            }
            @if !s.trail.is_empty() {
                h3 { (locale.t("suitability-trail")) }
                table.trail {
                    thead { tr { th { (locale.t("col-when")) } th { (locale.t("product-name")) } th { (locale.t("suitability-step")) }
                                 th { (locale.t("suitability-reasons")) } } }
                    tbody { @for t in &s.trail {
                        tr.step data-step=(t.step) {
                            td { (when(t.at)) } td { (t.product) }
                            td { (locale.t(&format!("suitability-step-{}", t.step))) }
                            (reasons_cell(locale, &t.reasons, t.questionnaire_version.as_deref(), t.audit_seq))
                        }
                    } }
                }
            }
        }
    })
}

/// GET /funnel: content read, product viewed, purchased.
pub async fn funnel(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = app::advice::funnel(&state.db, &viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("funnel-title")) }
        @if rows.is_empty() { p.empty { (locale.t("funnel-none")) } } @else {
            table.funnel {
                thead { tr { th { (locale.t("product-name")) } th { (locale.t("funnel-by")) } th {}
                             th.num { (locale.t("funnel-read")) } th.num { (locale.t("funnel-viewed")) } th.num { (locale.t("funnel-purchased")) } } }
                tbody { @for r in &rows {
                    tr data-by=(r.by) { td { (r.product) } td { (locale.t(&format!("funnel-by-{}", r.by))) } td { (r.by_name) }
                        td.num { (r.read) } td.num { (r.viewed) } td.num { (r.purchased) } }
                } }
            }
        }
    };
    Ok(page(locale, &locale.t("funnel-title"), "/funnel", &viewer, body))
}

/// The boards' trading permissions as last checked, and the button that checks them again.
fn permissions_table(locale: Locale, id: CustomerId, rows: &[store::PermissionRow]) -> Markup {
    html! {
        div #permissions {
            h3 { (locale.t("permissions-title")) }
            @if rows.is_empty() { p.empty { (locale.t("permissions-none")) } } @else {
                table.permissions { tbody { @for p in rows {
                    @let evidence: serde_json::Value = serde_json::from_str(&p.evidence).unwrap_or_default();
                    tr data-board=(p.board) data-granted=(p.granted) {
                        td { (locale.t(&format!("board-{}", p.board))) }
                        td { (locale.t(if p.granted { "permission-granted" } else { "permission-not-granted" })) }
                        td { (locale.t_with("permission-evidence", &[
                            ("average", evidence["average_assets"].as_str().unwrap_or_default().to_owned()),
                            ("needed", evidence["assets_needed"].as_str().unwrap_or_default().to_owned()),
                            ("months", evidence["experience_months"].to_string()),
                        ])) }
                        td { (when(p.checked_at)) }
                    }
                } } }
            }
            button.check-permissions hx-post={ "/customers/" (id) "/permissions?lang=" (locale.tag()) } hx-target="#permissions" hx-swap="outerHTML" {
                (locale.t("permissions-check"))
            }
        }
    }
}

/// POST /customers/{id}/permissions (htmx): checks the boards' permissions from the book and answers the table.
pub async fn check_permissions(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: CustomerId = crate::params::path_id(&id, "customer").map_err(|e| PageError(e, locale))?;
    app::advice::check_permissions(&state.db, &viewer.principal, id).await.map_err(|e| PageError(e.into(), locale))?;
    let rows = state.db.permissions(id).await.map_err(|e| PageError(e.into(), locale))?;
    Ok(permissions_table(locale, id, &rows))
}

/// GET /suitability: the gate's refusals, warnings and confirmations in the
/// viewer's scope, newest first, for compliance (and managers) to review.
pub async fn exceptions(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = app::advice::exceptions(&state.db, &viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("exceptions-title")) }
        @if rows.is_empty() { p.empty { (locale.t("exceptions-none")) } } @else {
            table.exceptions {
                thead { tr { th { (locale.t("col-when")) } th { (locale.t("col-customer")) } th { (locale.t("product-name")) }
                             th { (locale.t("suitability-step")) } th { (locale.t("suitability-reasons")) } } }
                tbody { @for e in &rows {
                    tr.exception data-step=(e.step) {
                        td { (when(e.at)) }
                        td { a href={ "/customers/" (e.customer_id) "?lang=" (locale.tag()) } { (e.customer) } }
                        td { (e.product) }
                        td { (locale.t(&format!("suitability-step-{}", e.step))) }
                        (reasons_cell(locale, &e.reasons, e.questionnaire_version.as_deref(), e.audit_seq))
                    }
                } }
            }
        }
    };
    Ok(page(locale, &locale.t("exceptions-title"), "/suitability", &viewer, body))
}

/// Staff record a professional investor test: what the customer declares,
/// with the documents that show it; the book supplies the rest.
fn professional_form(locale: Locale, id: CustomerId) -> Markup {
    html! {
        details.professional-test {
            summary { (locale.t("professional-test")) }
            form hx-post={ "/customers/" (id) "/professional?lang=" (locale.tag()) } hx-target="#professional-result" {
                label { (locale.t("professional-assets-elsewhere")) " " input type="text" name="assets_elsewhere" value="0" inputmode="decimal"; }
                label { (locale.t("professional-income")) " " input type="text" name="income_3y" value="0" inputmode="decimal"; }
                label { (locale.t("professional-work-months")) " " input type="number" name="work_months" value="0" min="0"; }
                label { (locale.t("professional-documents")) " " input type="text" name="documents" maxlength="500" required; }
                button type="submit" { (locale.t("professional-record")) }
            }
            div #professional-result {}
        }
    }
}

/// The professional test's form fields (left empty: nothing declared).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfessionalForm {
    assets_elsewhere: String,
    income_3y: String,
    work_months: String,
    documents: String,
}

/// POST /customers/{id}/professional (htmx): tests the customer and says the outcome in place.
pub async fn professional(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<ProductParams>,
    headers: HeaderMap,
    axum::extract::Form(form): axum::extract::Form<ProfessionalForm>,
) -> Result<Response, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: CustomerId = crate::params::path_id(&id, "customer").map_err(|e| PageError(e, locale))?;
    let number = |field: &'static str, value: &str| -> Result<rust_decimal::Decimal, HttpError> {
        match value.trim() {
            "" => Ok(rust_decimal::Decimal::ZERO),
            v => v.parse().map_err(|_| HttpError::of(domain::codes::NUMBER_FORM).on(field).with("value", value)),
        }
    };
    let declared = (|| -> Result<app::advice::Declared, HttpError> {
        Ok(app::advice::Declared {
            assets_elsewhere: number("assets_elsewhere", &form.assets_elsewhere)?,
            income_3y: number("income_3y", &form.income_3y)?,
            work_months: match form.work_months.trim() {
                "" => 0,
                v => v.parse().map_err(|_| {
                    HttpError::of(domain::codes::NUMBER_FORM).on("work_months").with("value", &form.work_months)
                })?,
            },
            documents: form.documents.clone(),
        })
    })();
    let outcome = match declared {
        Ok(declared) => {
            app::advice::test_professional(&state.db, &viewer.principal, id, &declared).await.map_err(HttpError::from)
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok((test, row)) => {
            let passed = |ok: bool| locale.t(if ok { "permission-granted" } else { "permission-not-granted" });
            Ok(html! {
                p.professional-outcome data-qualified=(test.qualified) {
                    (locale.t(if test.qualified { "professional-qualified" } else { "professional-not-qualified" }))
                    " · " (locale.t("professional-wealth")) " " (passed(test.wealth))
                    " · " (locale.t("professional-experience")) " " (passed(test.experience))
                    " · " (locale.t_with("suitability-professional-until", &[("until", day(row.expires_at))]))
                }
            }
            .into_response())
        }
        Err(e) => Ok((e.status(), html! { p.error { (e.said(locale)) } }).into_response()),
    }
}

/// A step's reasons in the reader's language, with the questionnaire version
/// it relied on and its audit record's number.
fn reasons_cell(locale: Locale, reasons: &str, version: Option<&str>, audit_seq: i64) -> Markup {
    let reasons: Vec<serde_json::Value> = serde_json::from_str(reasons).unwrap_or_default();
    html! {
        td {
            @for r in &reasons { (r[locale.tag()].as_str().unwrap_or_default()) " " }
            span.meta { "(" (version.unwrap_or("—")) ", #" (audit_seq) ")" }
        }
    }
}
