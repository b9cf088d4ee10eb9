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

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // A store error met while planning is a store error like any other.
        let this = match self {
            AppError::Classify(app::classify::ClassifyRunError::Store(e)) => AppError::Store(e),
            other => other,
        };
        let (status, error, field) = match &this {
            AppError::BadRequest { field, reason } => {
                (StatusCode::BAD_REQUEST, format!("{field}: {reason}"), Some(field.to_string()))
            }
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "sign in first".to_owned(), None),
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, why.to_string(), None),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not found".to_owned(), None),
            AppError::Store(StoreError::Constraint { constraint }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, format!("the change conflicts with {constraint}"), None)
            }
            AppError::Store(StoreError::NoKeyring) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "personal data cannot be revealed: this server was started without its keyring".to_owned(),
                None,
            ),
            AppError::Store(e) => {
                tracing::error!(error = %e, source = ?std::error::Error::source(e), "store error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned(), None)
            }
            AppError::Feed(e @ app::feeds::FeedError::TooMany(_)) => {
                (StatusCode::PAYLOAD_TOO_LARGE, e.to_string(), Some("events".to_owned()))
            }
            AppError::Feed(e) => {
                tracing::error!(error = %e, source = ?std::error::Error::source(e), "feed error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned(), None)
            }
            AppError::Classify(e) => {
                tracing::error!(error = %e, "stored labels unreadable");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned(), None)
            }
        };
        (status, Json(ErrorBody { error, field })).into_response()
    }
}
