//! The API's request extractors. A body or query string that cannot be read
//! answers with the API's JSON error (which part, and why) like every other
//! error, where axum's own extractors would answer in plain text.

use crate::error::codes;
use crate::HttpError;
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
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, HttpError> {
        Json::<T>::from_request(request, state).await.map(|Json(body)| JsonBody(body)).map_err(unreadable_json)
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
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, HttpError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(params)| QueryParams(params))
            .map_err(unreadable_query)
    }
}

/// A JSON body that could not be read, as the API answers it.
pub fn unreadable_json(rejection: JsonRejection) -> HttpError {
    {
        // serde's words name the field and the position: "missing field `name` at line 1 column 2".
        let text = rejection.body_text();
        let detail = text.split_once(": ").map_or(text.as_str(), |(_, d)| d).to_owned();
        let error = match rejection {
            JsonRejection::MissingJsonContentType(_) => HttpError::of(codes::JSON_REQUIRED),
            JsonRejection::JsonSyntaxError(_) | JsonRejection::JsonDataError(_) => {
                HttpError::of(codes::BODY_UNREADABLE).with("detail", detail)
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => HttpError::of(codes::BODY_TOO_LARGE),
            _ => HttpError::of(codes::BODY_UNREADABLE).with("detail", detail),
        };
        error.on("body")
    }
}

/// A query string that could not be read, as the API answers it.
pub fn unreadable_query(rejection: QueryRejection) -> HttpError {
    {
        let text = rejection.body_text();
        // "Failed to deserialize query string: days: number too large ..." -> "days: number too large ..."
        let detail = text.split_once(": ").map_or(text.as_str(), |(_, d)| d).to_owned();
        HttpError::of(codes::QUERY_UNREADABLE).on("query").with("detail", detail)
    }
}
