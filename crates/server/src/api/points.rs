//! Points (issue 27): a customer's statement (JSON and CSV), and the points
//! feed through which a points system posts transfers and decisions.

use super::input::{JsonBody, QueryParams};
use crate::{AppState, HttpError};
use access::{FeedCaller, FeedScope, Principal};
use app::growth::{PointsOutcome, Statement};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::CustomerId;
use growth::{Operation, Posted};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which transfers of a statement.
#[derive(Debug, Deserialize, IntoParams)]
pub struct StatementParams {
    /// Transfers before this one (a statement's `next_before`).
    pub before: Option<i64>,
    /// How many, 1 to 1000 (default 100).
    pub limit: Option<i64>,
}

/// A customer's points: balance, available, pending, the lots with the day
/// each expires, and every transfer with its reason, newest first.
#[utoipa::path(get, path = "/customers/{customer}/points",
    params(("customer" = i64, Path, description = "Customer id"), StatementParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn statement(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(customer): Path<String>,
    QueryParams(p): QueryParams<StatementParams>,
) -> Result<Json<Statement>, HttpError> {
    let customer: CustomerId = crate::params::path_id(&customer, "customer")?;
    Ok(Json(app::growth::statement(&state.db, &principal, customer, p.before, p.limit.unwrap_or(100)).await?))
}

/// The whole statement as CSV: every transfer, oldest last, with its reason and state.
#[utoipa::path(get, path = "/customers/{customer}/points.csv",
    params(("customer" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "CSV, header first", content_type = "text/csv"),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn statement_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(customer): Path<String>,
) -> Result<Response, HttpError> {
    let customer: CustomerId = crate::params::path_id(&customer, "customer")?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: &[String]| out.write_record(row).map_err(|_| internal());
    write(
        &mut out,
        &["seq", "id", "points", "reason", "state", "at", "decided_at", "pending_until", "corrects"].map(String::from),
    )?;
    let mut before = None;
    loop {
        let s = app::growth::statement(&state.db, &principal, customer, before, 1000).await?;
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
        for l in &s.lines {
            let row = [
                l.seq.to_string(),
                l.id.clone(),
                l.points.to_string(),
                l.reason.clone(),
                l.state.clone(),
                l.at.to_rfc3339(),
                time(l.decided_at),
                time(l.pending_until),
                l.corrects.clone().unwrap_or_default(),
            ];
            write(&mut out, &row)?;
        }
        match s.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    let body = out.into_inner().map_err(|_| internal())?;
    let disposition = format!("attachment; filename=\"points-{customer}.csv\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response())
}

fn internal() -> HttpError {
    HttpError::of(domain::codes::INTERNAL)
}

/// Operations from a points system.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PointsOperations {
    /// Each `{"apply": {id, debit, credit, amount, reason, kind, corrects}}` or
    /// `{"decide": {decision, id, post}}`; an account is `{"customer": 42}` or
    /// `{"firm": "issuance" | "expiry" | "envelope_escrow" | "referral_pending" | "redemption"}`;
    /// a kind `{"phase": "single"}` or `{"phase": "pending", "timeout": RFC 3339}`.
    #[schema(value_type = Vec<Object>)]
    pub operations: Vec<Operation>,
}

/// What became of one operation.
#[derive(Debug, Serialize)]
pub struct PointsResult {
    /// Its index in the call, from 0.
    pub index: usize,
    /// The transfer as it stands, when applied (or applied before, for a repeat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Posted>,
    /// Why it was refused: a stable code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// The field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// Why, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What a points call did.
#[derive(Debug, Serialize)]
pub struct PointsReport {
    /// Operations applied (repeats included).
    pub done: usize,
    /// Operations refused.
    pub refused: usize,
    /// One per operation, in order.
    pub results: Vec<PointsResult>,
}

/// Posts transfers and decisions, in one unit of work: each is decided on
/// the books as the ones before it left them; a refused one moves nothing
/// and the others still go through. A repeat (same id, same body) answers
/// its first result, so a call retried after a lost answer applies nothing twice.
#[utoipa::path(post, path = "/feeds/points", request_body = PointsOperations,
    responses((status = 200, description = "What became of each operation"), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody)),
    security(("api_token" = [])))]
pub async fn feed(
    State(state): State<AppState>,
    Extension(caller): Extension<FeedCaller>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<PointsOperations>,
) -> Result<Json<PointsReport>, HttpError> {
    if caller.scope != FeedScope::Points {
        return Err(HttpError::of(app::codes::TOKEN_SCOPE).with("scope", FeedScope::Points.as_str()));
    }
    let locale = crate::i18n::choose(None, &headers);
    let outcomes = app::growth::post_operations(&state.db, &request.operations).await?;
    let mut report = PointsReport { done: 0, refused: 0, results: Vec::with_capacity(outcomes.len()) };
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let refusal = |e: HttpError| PointsResult {
            index,
            transfer: None,
            code: Some(e.code().code),
            field: e.field(),
            message: Some(e.message(locale)),
        };
        let result = match outcome {
            PointsOutcome::Done(p) => PointsResult { index, transfer: Some(p), code: None, field: None, message: None },
            PointsOutcome::Refused(e) => refusal(HttpError::from(e)),
            PointsOutcome::UnknownCustomer(c) => {
                refusal(HttpError::of(app::codes::CUSTOMER_NOT_FOUND).with("customer", c.0).on("credit"))
            }
        };
        if result.transfer.is_some() {
            report.done += 1;
        } else {
            report.refused += 1;
        }
        report.results.push(result);
    }
    Ok(Json(report))
}
