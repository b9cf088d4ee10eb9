//! The one mapping from errors to HTTP answers. Every error of every crate
//! has a stable code ([`domain::ErrorCode`]); its kind decides the status,
//! and the answer is the one JSON shape `{"code", "message", "field",
//! "details"}` with the message in the reader's language ([`localize`]).
//! Internal errors are logged with their cause and answered only as
//! `internal`.

use crate::i18n::Locale;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{Code, ErrorCode, ErrorKind};
use serde::Serialize;
use utoipa::ToSchema;

/// The server's own refusals: what HTTP itself can get wrong.
pub mod codes {
    domain::codes! {
        /// No session: sign in first.
        SIGN_IN_REQUIRED = "sign_in_required": Unauthenticated,
        /// A state-changing request without the session's CSRF token.
        CSRF_TOKEN = "csrf_token": Forbidden,
        /// A feed called without a live API token.
        FEED_TOKEN = "feed_token": Unauthenticated,
        /// A body that is not JSON, or not of the route's shape.
        BODY_UNREADABLE = "body_unreadable": Invalid,
        /// A query string that could not be read.
        QUERY_UNREADABLE = "query_unreadable": Invalid,
        /// A body not sent as application/json.
        JSON_REQUIRED = "json_required": Unsupported,
        /// No route answers this method and path.
        NO_SUCH_ROUTE = "no_such_route": NotFound,
        /// A chat socket opened from another site's page.
        CROSS_SITE_SOCKET = "cross_site_socket": Forbidden,
        /// A body larger than the route takes.
        BODY_TOO_LARGE = "body_too_large": TooLarge,
    }
}

/// Every table of codes the server can answer with, crate by crate.
pub fn every_code() -> Vec<Code> {
    [
        domain::codes::ALL,
        store::codes::ALL,
        market::indicators::codes::ALL,
        community::codes::ALL,
        advice::codes::ALL,
        growth::codes::ALL,
        ::service::codes::ALL,
        app::codes::ALL,
        codes::ALL,
    ]
    .concat()
}

/// An error on its way to becoming an HTTP answer.
#[derive(Debug, Clone)]
pub struct HttpError {
    code: Code,
    field: Option<&'static str>,
    args: Vec<(&'static str, String)>,
    /// For internal errors: the cause, for the log only.
    cause: Option<String>,
}

impl<E: ErrorCode + std::fmt::Display> From<E> for HttpError {
    fn from(e: E) -> Self {
        let code = e.code();
        let cause = (code.kind == ErrorKind::Internal).then(|| e.to_string());
        HttpError { code, field: e.field(), args: e.args(), cause }
    }
}

impl HttpError {
    /// A refusal with this code and nothing more.
    pub fn of(code: Code) -> Self {
        HttpError { code, field: None, args: Vec::new(), cause: None }
    }

    /// The request field blamed, if one is.
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// Blames a request field (the request's name for it).
    pub fn on(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// Adds a value the message names.
    pub fn with(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The stable code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        status_of(self.code.kind)
    }

    /// The message in a language (never an internal error's cause).
    pub fn message(&self, locale: Locale) -> String {
        let mut args = self.args.clone();
        if let Some(field) = self.field {
            args.push(("field", field.to_owned()));
        }
        locale.t_with(&self.code.message_key(), &args)
    }

    /// The message as a page says it: the field to blame first, when one is.
    pub fn said(&self, locale: Locale) -> String {
        match self.field {
            Some(field) => format!("{field}: {}", self.message(locale)),
            None => self.message(locale),
        }
    }

    /// The answer's body in a language.
    fn body(&self, locale: Locale) -> ErrorBody {
        // A whole number is answered as one (an action id, a limit); the rest as text.
        let value =
            |v: &String| v.parse::<i64>().map_or_else(|_| serde_json::Value::from(v.clone()), serde_json::Value::from);
        let details =
            (!self.args.is_empty()).then(|| self.args.iter().map(|(k, v)| ((*k).to_owned(), value(v))).collect());
        ErrorBody {
            code: self.code.code.to_owned(),
            message: self.message(locale),
            field: self.field.map(str::to_owned),
            details,
        }
    }

    /// Seconds to wait before asking again, for a refusal that passes with time.
    fn retry_after(&self) -> Option<String> {
        matches!(self.code.kind, ErrorKind::TooMany | ErrorKind::Unavailable)
            .then(|| self.args.iter().find(|(k, _)| *k == "seconds").map(|(_, v)| v.clone()))
            .flatten()
    }
}

/// The HTTP status of each kind of error.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::TooMany => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The stable code (the README lists them); clients match this.
    pub code: String,
    /// What went wrong, in the reader's language.
    pub message: String,
    /// The request field to blame, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The values the message names (a blocked message's sanction, a limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ErrorBody {
    /// The body of an error in a language, for answers that are not HTTP
    /// responses (a chat socket's frames).
    pub fn of(error: &HttpError, locale: Locale) -> ErrorBody {
        error.body(locale)
    }
}

/// The code an error answer carries, for pages that show the error in place.
#[derive(Debug, Clone, Copy)]
pub struct Answered(pub &'static str);

/// Marks a response as an error, so that [`localize`] can put its message
/// in the reader's language.
#[derive(Debug, Clone)]
struct Unlocalized(HttpError);

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Some(cause) = &self.cause {
            tracing::error!(code = self.code.code, cause = %cause, "request failed");
        }
        let mut response = (status, Json(self.body(Locale::En))).into_response();
        if let Some(seconds) = self.retry_after().and_then(|s| HeaderValue::from_str(&s).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        response.extensions_mut().insert(Answered(self.code.code));
        response.extensions_mut().insert(Unlocalized(self));
        response
    }
}

/// Writes an error answer's message in the reader's language (`?lang=`, the
/// `lang` cookie, Accept-Language), whichever handler made it.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang =
        request.uri().query().and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")).map(str::to_owned));
    let locale = crate::i18n::choose(lang.as_deref(), request.headers());
    let mut response = next.run(request).await;
    if locale == Locale::En {
        return response;
    }
    if let Some(Unlocalized(error)) = response.extensions_mut().remove::<Unlocalized>() {
        let body = serde_json::to_vec(&error.body(locale)).expect("an error body serializes");
        response.headers_mut().remove(header::CONTENT_LENGTH);
        *response.body_mut() = axum::body::Body::from(body);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_has_a_message_in_both_languages() {
        let codes = every_code();
        let mut seen = std::collections::HashSet::new();
        for c in &codes {
            assert!(seen.insert(c.code), "{} is in two tables", c.code);
            for locale in Locale::ALL {
                assert!(locale.has(&c.message_key()), "{}: no {} in {}", c.code, c.message_key(), locale.tag());
            }
        }
        assert!(codes.len() > 80, "{}", codes.len());
    }

    #[test]
    fn the_readme_lists_every_code_with_its_status() {
        let readme = include_str!("../../../README.md");
        for c in every_code() {
            let row = format!("| `{}` | {} |", c.code, status_of(c.kind).as_u16());
            assert!(readme.contains(&row), "README.md lists no row {row}");
        }
    }

    #[test]
    fn a_refusal_answers_with_its_kinds_status_and_its_words_in_each_language() {
        let e = HttpError::from(domain::DomainError::new("at", domain::codes::TIME_FORM).with("value", ""));
        assert_eq!((e.status(), e.code().code), (StatusCode::BAD_REQUEST, "time_form"));
        assert!(e.message(Locale::En).starts_with("'' is not a time"), "{}", e.message(Locale::En));
        assert!(e.message(Locale::Zh).contains("不是时间"), "{}", e.message(Locale::Zh));
        let body = e.body(Locale::En);
        assert_eq!((body.code.as_str(), body.field.as_deref()), ("time_form", Some("at")));
    }
}
