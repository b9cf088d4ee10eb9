//! Orders over the API (issue 26): tickets judged by the pre-trade checks
//! and paper-executed, conditional orders, the errors prevented, and the
//! risk-warning stocks' disclosure.

use super::input::JsonBody;
use crate::{AppState, HttpError};
use access::Principal;
use app::orders::{ConditionalRequest, FindingView, Placed, Prevented, TicketRequest};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::{ConditionalId, OrderId};
use serde::{Deserialize, Serialize};
use store::{ConditionalRow, OrderRow, TriggerRow};

/// Which orders to list.
#[derive(Debug, Deserialize)]
pub struct OrderFilter {
    /// One account's.
    pub account_id: Option<i64>,
}

/// Judges a ticket without sending it: every finding, with code, severity and message.
#[utoipa::path(post, path = "/orders/check", request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<TicketRequest>,
) -> Result<Json<Placed>, HttpError> {
    Ok(Json(state.orders.check(&principal, &r, state.db.now()).await?))
}

/// Sends a ticket: stored with what the checks found, `blocked`,
/// `unconfirmed` (confirm it with `/orders/{order}/confirm`) or `working`
/// on the paper exchange, where quotes fill it.
#[utoipa::path(post, path = "/orders", request_body = Object,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<TicketRequest>,
) -> Result<(StatusCode, Json<Placed>), HttpError> {
    Ok((StatusCode::CREATED, Json(state.orders.place(&principal, &r, state.db.now()).await?)))
}

/// Orders the caller may see, newest first.
#[utoipa::path(get, path = "/orders", params(("account_id" = Option<i64>, Query, description = "One account's")),
    responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(f): Query<OrderFilter>,
) -> Result<Json<Vec<OrderRow>>, HttpError> {
    Ok(Json(app::orders::list(&state.db, &principal, f.account_id).await?))
}

/// An order and what the checks found.
#[derive(Debug, Serialize)]
pub struct OrderView {
    /// The order.
    pub order: OrderRow,
    /// Its findings.
    pub findings: Vec<FindingView>,
}

/// One order with its findings.
#[utoipa::path(get, path = "/orders/{order}", params(("order" = i64, Path, description = "Order id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, HttpError> {
    let id: OrderId = crate::params::path_id(&id, "order")?;
    let (order, findings) = app::orders::one(&state.db, &principal, id).await?;
    Ok(Json(OrderView { order, findings }))
}

/// Confirms an order the checks asked to confirm: judged again, then working unless blocked now.
#[utoipa::path(post, path = "/orders/{order}/confirm", params(("order" = i64, Path, description = "Order id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Placed>, HttpError> {
    let id: OrderId = crate::params::path_id(&id, "order")?;
    Ok(Json(state.orders.confirm(&principal, id, state.db.now()).await?))
}

/// Cancels a working order (or abandons one waiting for confirmation).
#[utoipa::path(post, path = "/orders/{order}/cancel", params(("order" = i64, Path, description = "Order id")),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let id: OrderId = crate::params::path_id(&id, "order")?;
    state.orders.cancel(&principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Conditional orders the caller may see.
#[utoipa::path(get, path = "/conditional-orders", responses((status = 200, body = Object)))]
pub async fn conditionals(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<ConditionalRow>>, HttpError> {
    Ok(Json(app::orders::conditionals(&state.db, &principal).await?))
}

/// A conditional order made.
#[derive(Debug, Serialize)]
pub struct Made {
    /// Its id.
    pub id: ConditionalId,
}

/// Places a conditional order (price trigger, rebound buy, take-profit,
/// stop-loss, trailing stop, grid), valid until a day at most a year ahead.
#[utoipa::path(post, path = "/conditional-orders", request_body = Object,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn place_conditional(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<ConditionalRequest>,
) -> Result<(StatusCode, Json<Made>), HttpError> {
    let id = state.orders.place_conditional(&principal, &r, state.db.now()).await?;
    Ok((StatusCode::CREATED, Json(Made { id })))
}

/// A conditional order and its firings.
#[derive(Debug, Serialize)]
pub struct ConditionalView {
    /// The order.
    pub conditional: ConditionalRow,
    /// Each firing, oldest first.
    pub triggers: Vec<TriggerRow>,
}

/// One conditional order with its firings.
#[utoipa::path(get, path = "/conditional-orders/{conditional}", params(("conditional" = i64, Path, description = "Conditional order id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn conditional(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<ConditionalView>, HttpError> {
    let id: ConditionalId = crate::params::path_id(&id, "conditional")?;
    let (conditional, triggers) = app::orders::conditional(&state.db, &principal, id).await?;
    Ok(Json(ConditionalView { conditional, triggers }))
}

/// Cancels an active conditional order.
#[utoipa::path(post, path = "/conditional-orders/{conditional}/cancel", params(("conditional" = i64, Path, description = "Conditional order id")),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn cancel_conditional(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let id: ConditionalId = crate::params::path_id(&id, "conditional")?;
    state.orders.cancel_conditional(&principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Errors prevented: tickets each rule blocked or made confirm, for the
/// caller's scope and per advisor (staff).
#[utoipa::path(get, path = "/orders-prevented", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn prevented(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Prevented>, HttpError> {
    Ok(Json(app::orders::prevented(&state.db, &principal).await?))
}

/// Records the customer's signed risk disclosure for risk-warning (ST) stocks.
#[utoipa::path(post, path = "/accounts/{account}/st-disclosure", params(("account" = i64, Path, description = "Account id")),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn sign_st_disclosure(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let id: domain::AccountId = crate::params::path_id(&id, "account")?;
    app::orders::sign_st_disclosure(&state.db, &principal, id.0).await?;
    Ok(StatusCode::NO_CONTENT)
}
