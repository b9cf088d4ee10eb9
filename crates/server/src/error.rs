//! The one mapping from errors to HTTP responses. Internal errors are logged
//! with their cause and shown to users only as a generic message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use store::StoreError;
use thiserror::Error;
use utoipa::ToSchema;

/// Everything a handler can fail with.
#[derive(Debug, Error)]
pub enum AppError {
    /// The request is malformed: which parameter, and why.
    #[error("{field}: {reason}")]
    BadRequest {
        /// Parameter name.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The request's body or query string could not be read (400, 413 or 415).
    #[error("{part}: {reason}")]
    Unreadable {
        /// The status that says how: 415 for no JSON, 413 for too much, else 400.
        status: StatusCode,
        /// `body` or `query`.
        part: &'static str,
        /// What is wrong, naming the field where one is to blame.
        reason: String,
    },
    /// No valid session or token.
    #[error("sign in first")]
    Unauthenticated,
    /// Signed in, but the request lacks what it needs (a CSRF token).
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such row (or not one the caller may see).
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A feed call failed as a whole.
    #[error(transparent)]
    Feed(#[from] app::feeds::FeedError),
    /// Refused, with words for the user (e.g. admission, a mute).
    #[error("{0}")]
    Refused(String),
    /// The thing is not in a state that allows the request.
    #[error("{0}")]
    Conflict(String),
    /// Stored labels could not be read (planning).
    #[error(transparent)]
    Classify(#[from] app::classify::ClassifyRunError),
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable message.
    pub error: String,
    /// The offending parameter, when one is to blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<app::community::CommunityError> for AppError {
    fn from(e: app::community::CommunityError) -> Self {
        use app::community::CommunityError as E;
        match e {
            E::NotFound => AppError::NotFound,
            E::Forbidden(why) => AppError::Forbidden(why),
            E::Invalid { field, reason } => AppError::BadRequest { field, reason },
            E::Store(e) => AppError::Store(e),
            e @ (E::Refused(_) | E::Muted(_)) => AppError::Refused(e.to_string()),
            e @ E::Conflict(_) => AppError::Conflict(e.to_string()),
        }
    }
}

impl From<app::tokens::TokenError> for AppError {
    fn from(e: app::tokens::TokenError) -> Self {
        use app::tokens::TokenError as E;
        match e {
            E::NotAdmin => AppError::Forbidden("only an admin manages API tokens"),
            E::Name => AppError::BadRequest { field: "name", reason: "give 1 to 100 characters".into() },
            E::NotFound => AppError::NotFound,
            E::Store(e) => AppError::Store(e),
        }
    }
}

impl AppError {
    /// A 400 for a request field that did not make a domain value; the message
    /// names the request's field once, with the domain's reason.
    pub fn invalid(field: &'static str, e: domain::DomainError) -> Self {
        AppError::BadRequest { field, reason: e.reason().to_owned() }
    }

    /// The response's status, message and field; internal errors say only "internal error".
    fn parts(&self) -> (StatusCode, String, Option<String>) {
        let internal = (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned(), None);
        match self {
            AppError::BadRequest { field, reason } => {
                (StatusCode::BAD_REQUEST, format!("{field}: {reason}"), Some(field.to_string()))
            }
            AppError::Unreadable { status, part, reason } => {
                (*status, format!("{part}: {reason}"), Some(part.to_string()))
            }
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "sign in first".to_owned(), None),
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, why.to_string(), None),
            AppError::Refused(why) => (StatusCode::FORBIDDEN, why.clone(), None),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not found".to_owned(), None),
            AppError::Conflict(why) => (StatusCode::CONFLICT, why.clone(), None),
            AppError::Store(StoreError::Constraint { constraint }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, format!("the change conflicts with {constraint}"), None)
            }
            AppError::Store(e @ StoreError::LookupLimit { .. }) => {
                (StatusCode::TOO_MANY_REQUESTS, e.to_string(), Some("q".to_owned()))
            }
            AppError::Store(StoreError::NoKeyring) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "personal data cannot be revealed: this server was started without its keyring".to_owned(),
                None,
            ),
            // A store error met while planning is a store error like any other.
            AppError::Store(_) | AppError::Classify(_) => internal,
            AppError::Feed(e @ app::feeds::FeedError::TooMany(_)) => {
                (StatusCode::PAYLOAD_TOO_LARGE, e.to_string(), Some("events".to_owned()))
            }
            AppError::Feed(_) => internal,
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    /// What the user is told (never an internal error's cause).
    pub fn public_message(&self) -> String {
        self.parts().1
    }

    /// Seconds to wait before asking again, for a refusal that passes with time.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Store(StoreError::LookupLimit { retry_after_s, .. }) => Some(*retry_after_s),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, error, field) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, source = ?std::error::Error::source(&self), "request failed");
        }
        let mut response = (status, Json(ErrorBody { error, field })).into_response();
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_refusal_names_the_request_field_once() {
        let e = AppError::invalid("at", domain::DomainError::invalid("at", "'' is not a time"));
        assert_eq!((e.status(), e.public_message()), (StatusCode::BAD_REQUEST, "at: '' is not a time".to_owned()));
        // The request's name for the field wins over the domain's.
        let e = AppError::invalid("code", domain::DomainError::invalid("instrument", "'0' is not six digits"));
        assert_eq!(e.public_message(), "code: '0' is not six digits");
    }
}
