//! The API's request extractors. A body or query string that cannot be read
//! answers with the API's JSON error (which part, and why) like every other
//! error, where axum's own extractors would answer in plain text.

use crate::AppError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

/// A JSON request body: no JSON content type is a 415; broken JSON or JSON of
/// the wrong shape is a 400 naming what was wrong, as for any field the API
/// refuses (422 stays what it means across the API: a rule stopped the request).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        Json::<T>::from_request(request, state).await.map(|Json(body)| JsonBody(body)).map_err(AppError::from)
    }
}

/// Query-string parameters: a value of the wrong type is a 400 naming it.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(params)| QueryParams(params))
            .map_err(AppError::from)
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let reason = match &rejection {
            JsonRejection::MissingJsonContentType(_) => "send JSON, with Content-Type: application/json".to_owned(),
            // serde's words name the field and the position: "missing field `name` at line 1 column 2".
            JsonRejection::JsonDataError(_) | JsonRejection::JsonSyntaxError(_) => {
                let text = rejection.body_text();
                let detail = text.split_once(": ").map_or(text.as_str(), |(_, d)| d);
                if matches!(rejection, JsonRejection::JsonSyntaxError(_)) {
                    format!("not valid JSON: {detail}")
                } else {
                    detail.to_owned()
                }
            }
            _ => rejection.body_text(),
        };
        let status = match rejection {
            JsonRejection::JsonDataError(_) => StatusCode::BAD_REQUEST,
            other => other.status(),
        };
        AppError::Unreadable { status, part: "body", reason }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        let text = rejection.body_text();
        // "Failed to deserialize query string: days: number too large ..." -> "days: number too large ..."
        let reason = text.split_once(": ").map_or(text.as_str(), |(_, d)| d).to_owned();
        AppError::Unreadable { status: rejection.status(), part: "query", reason }
    }
}
