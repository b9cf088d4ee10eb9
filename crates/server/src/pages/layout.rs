use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::HttpError;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// A page for a signed-in viewer.
pub fn page(locale: Locale, title: &str, path_for_switch: &str, viewer: &Viewer, body: Markup) -> Markup {
    shell(locale, title, path_for_switch, Some(viewer), body)
}

/// The page shell: head, navigation (when signed in), language switch.
pub fn shell(locale: Locale, title: &str, path_for_switch: &str, viewer: Option<&Viewer>, body: Markup) -> Markup {
    let sep = if path_for_switch.contains('?') { '&' } else { '?' };
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (locale.t("app-name")) }
                // Styles and scripts come from the server only (see security_headers).
                link rel="stylesheet" href="/assets/brokerdesk.css";
                // A refusal (4xx) is swapped in like an answer, so a form says why in place. htmx
                // neither evaluates code nor adds its own inline style, which the policy forbids.
                meta name="htmx-config" content=r#"{"allowEval":false,"includeIndicatorStyles":false,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"4..","swap":true,"error":false},{"code":"...","swap":false,"error":true}]}"#;
                script src="/assets/htmx.min.js" {}
            }
            body {
                header {
                    a.brand href={ "/?lang=" (locale.tag()) } { (locale.t("app-name")) }
                    @if viewer.is_some() {
                        a href={ "/?lang=" (locale.tag()) } { (locale.t("nav-overview")) }
                        a href={ "/customers?lang=" (locale.tag()) } { (locale.t("nav-customers")) }
                        a href={ "/instruments?lang=" (locale.tag()) } { (locale.t("nav-instruments")) }
                        a href={ "/reminders?lang=" (locale.tag()) } { (locale.t("nav-reminders")) }
                        a href={ "/groups?lang=" (locale.tag()) } { (locale.t("nav-groups")) }
                        a href={ "/products?lang=" (locale.tag()) } { (locale.t("nav-products")) }
                        a href={ "/ideas?lang=" (locale.tag()) } { (locale.t("nav-ideas")) }
                        a href={ "/portfolios?lang=" (locale.tag()) } { (locale.t("nav-portfolios")) }
                        a href={ "/orders?lang=" (locale.tag()) } { (locale.t("nav-orders")) }
                        a href={ "/service?lang=" (locale.tag()) } { (locale.t("nav-service")) }
                        a href={ "/conversations?lang=" (locale.tag()) } { (locale.t("nav-conversations")) }
                    }
                    @if viewer.is_some_and(|v| v.principal.role == access::Role::Customer) {
                        a href={ "/inbox?lang=" (locale.tag()) } { (locale.t("nav-inbox")) }
                        a href={ "/points?lang=" (locale.tag()) } { (locale.t("nav-points")) }
                    }
                    @if viewer.is_some_and(|v| v.principal.role != access::Role::Customer) {
                        a href={ "/tasks?lang=" (locale.tag()) } { (locale.t("nav-tasks")) }
                        a href={ "/plan?lang=" (locale.tag()) } { (locale.t("nav-plan")) }
                        a href={ "/questions?lang=" (locale.tag()) } { (locale.t("nav-questions")) }
                        a href={ "/referrals?lang=" (locale.tag()) } { (locale.t("nav-referrals")) }
                        a href={ "/analytics?lang=" (locale.tag()) } { (locale.t("nav-analytics")) }
                        a href={ "/map?lang=" (locale.tag()) } { (locale.t("nav-map")) }
                    }
                    @if viewer.is_some_and(|v| matches!(v.principal.role, access::Role::Advisor | access::Role::Compliance)) {
                        a href={ "/content?lang=" (locale.tag()) } { (locale.t("nav-content")) }
                    }
                    a.lang href={ (path_for_switch) (sep) "lang=" (locale.other().tag()) } { (locale.t("language")) }
                    @if let Some(v) = viewer {
                        span.who { (v.principal.login) " · " (locale.t(&format!("role-{}", v.principal.role))) }
                        form method="post" action="/signout" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            button type="submit" { (locale.t("signout")) }
                        }
                    }
                }
                @if let Some(ends) = viewer.filter(|v| v.principal.role != access::Role::Customer).and_then(|v| v.calendar_ends) {
                    p.notice.calendar-ends { (locale.t_with("calendar-runs-out", &[("date", ends.to_string())])) }
                }
                @match viewer {
                    // htmx sends the session's CSRF token with every request from the page.
                    Some(v) => main hx-headers=(format!("{{\"X-CSRF-Token\":\"{}\"}}", v.csrf)) { (body) },
                    None => main { (body) },
                }
            }
        }
    }
}

/// A page's query-string parameters: a value of the wrong type is shown as a
/// 400 page in the reader's language naming it, not as axum's plain text.
#[derive(Debug)]
pub struct PageQuery<T>(pub T);

/// Only the language of a query string whose other parameters did not parse.
#[derive(Deserialize)]
struct LangOnly {
    lang: Option<String>,
}

impl<S, T> FromRequestParts<S> for PageQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(params)) => Ok(PageQuery(params)),
            Err(rejection) => {
                let lang = Query::<LangOnly>::try_from_uri(&parts.uri).ok().and_then(|Query(l)| l.lang);
                Err(PageError(
                    crate::api::input::unreadable_query(rejection),
                    crate::i18n::choose(lang.as_deref(), &parts.headers),
                ))
            }
        }
    }
}

/// An error shown as a page rather than JSON.
pub struct PageError(pub HttpError, pub Locale);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(error, locale) = self;
        let message = error.said(locale);
        let page = shell(locale, &message, "/", None, html! { h1 { (message) } p.error-code { (error.code().code) } });
        // The JSON answer's status and headers (Retry-After), and its log line for an internal error.
        let answer = error.into_response();
        let mut response = (answer.status(), page).into_response();
        if let Some(retry) = answer.headers().get(axum::http::header::RETRY_AFTER) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry.clone());
        }
        response
    }
}

/// A signed percentage for a record (`+12.5%`), or a dash when there is none.
pub(crate) fn percent(v: Option<rust_decimal::Decimal>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:+}%"))
}

/// A refusal shown in place of a form's answer, with its status.
pub(crate) fn refused(locale: Locale, e: HttpError) -> Response {
    let status = e.status();
    (status, html! { p.error { (e.said(locale)) } }).into_response()
}
