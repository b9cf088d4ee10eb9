//! Sign-in, sessions and CSRF. Every route but the sign-in page and static
//! assets goes through [`require_principal`]; handlers receive the
//! [`Principal`] and pass its scope to the store.

use crate::error::codes;
use crate::i18n::Locale;
use crate::{AppState, HttpError};
use access::{new_secret, secret_digest, session_lifetime, Principal};
use axum::extract::{Form, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use maud::html;
use serde::Deserialize;

/// Session cookie name.
pub const SESSION_COOKIE: &str = "bd_session";
/// Pre-session CSRF cookie of the sign-in form (double-submit).
const SIGNIN_CSRF_COOKIE: &str = "bd_csrf";

/// The signed-in user as pages show them, with the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who.
    pub principal: Principal,
    /// The token every state-changing request must carry.
    pub csrf: String,
    /// The last day the trading calendar knows, when it runs out within 30
    /// days: staff pages say so (days beyond would count as trading days).
    pub calendar_ends: Option<chrono::NaiveDate>,
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
}

/// Cookie attributes: HttpOnly and SameSite=Lax always, Secure behind TLS.
fn cookie_attributes(headers: &HeaderMap, max_age: i64) -> String {
    let tls = crate::security_headers::behind_tls(headers);
    format!("Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if tls { "; Secure" } else { "" })
}

/// Loads the session; without one, API calls get 401 and pages a redirect to
/// the sign-in page. State-changing requests must carry the session's CSRF
/// token in an `X-CSRF-Token` header (forms are checked by their handlers).
pub async fn require_principal(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let session = match cookie(headers, SESSION_COOKIE) {
        Some(token) => match app::sign_in::session(&state.db, token, state.db.now()).await {
            Ok(s) => s,
            Err(e) => return HttpError::from(e).into_response(),
        },
        None => None,
    };
    let Some((principal, csrf)) = session else {
        let path = request.uri().path();
        if path.starts_with("/api/") {
            return HttpError::of(codes::SIGN_IN_REQUIRED).into_response();
        }
        let next = request.uri().path_and_query().map_or("/", |p| p.as_str());
        return Redirect::to(&format!("/signin?next={}", encode(next))).into_response();
    };
    let is_form_post = request.uri().path() == "/signout";
    if !matches!(*request.method(), Method::GET | Method::HEAD) && !is_form_post {
        let sent = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok());
        if sent != Some(csrf.as_str()) {
            return HttpError::of(codes::CSRF_TOKEN).into_response();
        }
    }
    let today = domain::to_shanghai(state.db.now()).date_naive();
    let calendar_ends = app::calendar::current_runs_out(today);
    request.extensions_mut().insert(Viewer { principal: principal.clone(), csrf, calendar_ends });
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// Checks the API token of a machine feed (`Authorization: Bearer bdt_...`).
/// Sessions do not open feeds, and tokens open nothing else. A missing,
/// unknown or revoked token gets 401.
pub async fn require_feed_caller(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with(access::API_TOKEN_PREFIX));
    let Some(token) = token else {
        return unauthorized_feed("missing");
    };
    match state.db.feed_caller(&secret_digest(token)).await {
        Ok(Some(caller)) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Ok(None) => unauthorized_feed("unknown"),
        Err(e) => HttpError::from(e).into_response(),
    }
}

/// A 401 that asks for a bearer token: `missing`, or `unknown` (or revoked).
fn unauthorized_feed(token: &'static str) -> Response {
    let mut response = HttpError::of(codes::FEED_TOKEN).with("token", token).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Percent-encodes a path for a query parameter.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only same-site relative paths may be redirected to after sign-in.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    login: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

fn sign_in_page(
    locale: Locale,
    csrf: &str,
    next: &str,
    error: Option<String>,
    status: StatusCode,
    headers: &HeaderMap,
) -> Response {
    let body = html! {
        h1 { (locale.t("signin-title")) }
        @if let Some(e) = &error { p.error role="alert" { (e) } }
        form method="post" action="/signin" class="signin" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label { (locale.t("signin-login")) input type="text" name="login" autocomplete="username" required; }
            label { (locale.t("signin-password")) input type="password" name="password" autocomplete="current-password" required; }
            button type="submit" { (locale.t("signin-submit")) }
        }
    };
    let page = crate::pages::shell(locale, &locale.t("signin-title"), "/signin", None, body);
    let cookie = format!("{SIGNIN_CSRF_COOKIE}={csrf}; {}", cookie_attributes(headers, 3600));
    (status, [(header::SET_COOKIE, cookie)], page).into_response()
}

/// The browser's sign-in CSRF token, kept while it looks like one of ours so
/// that two tabs (or a favicon's redirect) do not invalidate each other's form.
fn sign_in_csrf(headers: &HeaderMap) -> String {
    match cookie(headers, SIGNIN_CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => t.to_owned(),
        _ => new_secret(),
    }
}

/// GET /signin.
pub async fn sign_in_form(Query(q): Query<SignInQuery>, headers: HeaderMap) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    sign_in_page(locale, &sign_in_csrf(&headers), safe_next(q.next.as_deref()), None, StatusCode::OK, &headers)
}

/// POST /signin: checks CSRF, lockout and password; opens a session.
pub async fn sign_in(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<SignInForm>) -> Response {
    let locale = crate::i18n::choose(None, &headers);
    let next = safe_next(form.next.as_deref()).to_owned();
    if cookie(&headers, SIGNIN_CSRF_COOKIE) != Some(form.csrf.as_str()) || form.csrf.is_empty() {
        return sign_in_page(
            locale,
            &new_secret(),
            &next,
            Some(locale.t("signin-csrf")),
            StatusCode::FORBIDDEN,
            &headers,
        );
    }
    let fail =
        |message: &str, status| sign_in_page(locale, &new_secret(), &next, Some(locale.t(message)), status, &headers);
    let token = match app::sign_in::sign_in(&state.db, &form.login, &form.password, state.db.now()).await {
        Ok(opened) => opened.token,
        Err(e) if e.is(app::codes::WRONG_PASSWORD) => return fail("signin-wrong", StatusCode::UNAUTHORIZED),
        Err(e) if e.is(app::codes::SIGN_IN_LOCKED) => return fail("signin-locked", StatusCode::TOO_MANY_REQUESTS),
        Err(e) => return HttpError::from(e).into_response(),
    };
    let cookie = format!("{SESSION_COOKIE}={token}; {}", cookie_attributes(&headers, session_lifetime().num_seconds()));
    let mut response = Redirect::to(&next).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ascii cookie"));
    response
}

/// The sign-out form.
#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

/// POST /signout: ends the session (CSRF-checked).
pub async fn sign_out(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    if form.csrf != viewer.csrf {
        return HttpError::of(codes::CSRF_TOKEN).into_response();
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = app::sign_in::sign_out(&state.db, token).await {
            return HttpError::from(e).into_response();
        }
    }
    let clear = format!("{SESSION_COOKIE}=; {}", cookie_attributes(&headers, 0));
    ([(header::SET_COOKIE, clear)], Redirect::to("/signin")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/customers?page=2")), "/customers?page=2");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
