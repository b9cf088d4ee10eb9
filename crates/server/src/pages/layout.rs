use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::AppError;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use serde::de::DeserializeOwned;
use serde::Deserialize;

const STYLE: &str = "
body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#1d2433;background:#f5f6f8}
header{background:#0f3057;color:#fff;padding:.6rem 1.5rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.1rem}
header .lang{margin-left:auto}header form{margin:0}
.error{color:#b42318}form.signin{display:grid;gap:.8rem;max-width:22rem}form.signin label{display:grid;gap:.3rem}
main{padding:1.2rem 1.5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:1rem}
.card{background:#fff;border-radius:8px;padding:1rem;box-shadow:0 1px 2px #0002}
.card .label{color:#5b6577;font-size:.85rem}.card .value{font-size:1.5rem;font-weight:600;margin-top:.3rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:.45rem .6rem;border-bottom:1px solid #e4e7ec;text-align:left;font-size:.9rem}
td.num,th.num{text-align:right}
.pager{display:flex;gap:1rem;align-items:center;margin:.8rem 0}
input[type=search]{padding:.45rem;width:20rem;max-width:100%}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;background:#fff;padding:1rem;border-radius:8px}
dt{color:#5b6577}
button.reveal{font-size:.75rem;margin-left:.5rem}
#chart{margin-top:1rem;min-height:420px;background:#fff}#oscillator{min-height:180px;background:#fff}
form.chart-controls{display:flex;gap:1rem;flex-wrap:wrap;margin-top:1rem}
#messages{list-style:none;padding:.6rem;background:#fff;border-radius:8px;max-height:60vh;overflow-y:auto}
#messages li{padding:.3rem 0;border-bottom:1px solid #f0f1f3}#messages .sender{font-weight:600}
#messages .when{color:#5b6577;font-size:.8rem}#messages li.staff .sender{color:#0f3057}#messages li.system{color:#5b6577;font-style:italic}
#chat-form{display:flex;gap:.5rem;align-items:center}#chat-text{flex:1;padding:.5rem}
.notice{color:#b42318;min-height:1.2rem}pre.body{white-space:pre-wrap;background:#fff;padding:.8rem;border-radius:6px}
";

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
                style { (maud::PreEscaped(STYLE)) }
                // A refusal (4xx) is swapped in like an answer, so a form says why in place.
                meta name="htmx-config" content=r#"{"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"4..","swap":true,"error":false},{"code":"...","swap":false,"error":true}]}"#;
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
                    }
                    @if viewer.is_some_and(|v| v.principal.role != access::Role::Customer) {
                        a href={ "/tasks?lang=" (locale.tag()) } { (locale.t("nav-tasks")) }
                        a href={ "/plan?lang=" (locale.tag()) } { (locale.t("nav-plan")) }
                        a href={ "/questions?lang=" (locale.tag()) } { (locale.t("nav-questions")) }
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
                Err(PageError(AppError::from(rejection), Locale::choose(lang.as_deref(), &parts.headers)))
            }
        }
    }
}

/// An error shown as a page rather than JSON.
pub struct PageError(pub AppError, pub Locale);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(error, locale) = self;
        let (status, message) = match &error {
            AppError::BadRequest { .. } => (StatusCode::BAD_REQUEST, error.to_string()),
            AppError::Unreadable { status, .. } => (*status, error.to_string()),
            AppError::NotFound => (StatusCode::NOT_FOUND, locale.t("not-found")),
            AppError::Unauthenticated
            | AppError::Forbidden(_)
            | AppError::Store(_)
            | AppError::Feed(_)
            | AppError::Classify(_)
            | AppError::Refused(_)
            | AppError::Conflict(_) => return error.into_response(),
        };
        (status, shell(locale, &message, "/", None, html! { h1 { (message) } })).into_response()
    }
}
