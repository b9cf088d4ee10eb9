//! Model portfolios over the API: started and rebalanced by advisors
//! (through compliance), followed by customers (through the suitability
//! gate), with their performance against the benchmark for followers.

use super::input::JsonBody;
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::{ContentId, CustomerId, PortfolioId, ProductId, RebalanceId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One target weight.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Weight {
    /// Instrument code.
    pub instrument: String,
    /// Percent of the portfolio's value (two decimals at most).
    #[schema(value_type = String)]
    pub percent: Decimal,
}

/// A model portfolio to start.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPortfolio {
    /// Name (unique).
    pub name: String,
    /// What it is for and how it is run.
    pub description: String,
    /// First weights (at most 100% in all; the rest is cash).
    pub weights: Vec<Weight>,
    /// The advisory product it backs, if any.
    #[schema(value_type = Option<i64>)]
    pub product_id: Option<ProductId>,
}

/// A rebalance to propose.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRebalance {
    /// New weights.
    pub weights: Vec<Weight>,
    /// Why.
    pub note: String,
}

/// What was made, waiting for compliance as this content item.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnderReview {
    /// The portfolio or rebalance.
    pub id: i64,
    /// The content item compliance reviews.
    #[schema(value_type = i64)]
    pub content_id: ContentId,
}

/// A follow (or its end), for a customer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Follow {
    /// The customer (a customer: themself).
    #[schema(value_type = i64)]
    pub customer_id: CustomerId,
    /// The investor confirms the warning they were shown.
    #[serde(default)]
    pub confirmed: bool,
}

fn weights(w: Vec<Weight>) -> app::portfolios::Weights {
    w.into_iter().map(|w| (w.instrument, w.percent)).collect()
}

/// Model portfolios the caller may see.
#[utoipa::path(get, path = "/portfolios", responses((status = 200, body = Object)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<store::PortfolioRow>>, HttpError> {
    Ok(Json(app::portfolios::list(&state.db, &principal).await?))
}

/// Starts a model portfolio (advisors): its description and first weights go to compliance.
#[utoipa::path(post, path = "/portfolios", request_body = NewPortfolio,
    responses((status = 201, body = UnderReview), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<NewPortfolio>,
) -> Result<(StatusCode, Json<UnderReview>), HttpError> {
    let (id, content_id) =
        app::portfolios::create(&state.db, &principal, &r.name, &r.description, &weights(r.weights), r.product_id)
            .await?;
    Ok((StatusCode::CREATED, Json(UnderReview { id: id.0, content_id })))
}

/// One model portfolio: its rebalances, and for followers and staff its
/// value day by day against the benchmark.
#[utoipa::path(get, path = "/portfolios/{portfolio}", params(("portfolio" = i64, Path, description = "Portfolio id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<app::portfolios::PortfolioView>, HttpError> {
    let id: PortfolioId = crate::params::path_id(&id, "portfolio")?;
    Ok(Json(app::portfolios::view(&state.db, &principal, id).await?))
}

/// Proposes a rebalance (the portfolio's advisor): in effect, and told to
/// the followers, when compliance approves it.
#[utoipa::path(post, path = "/portfolios/{portfolio}/rebalances", params(("portfolio" = i64, Path, description = "Portfolio id")),
    request_body = NewRebalance,
    responses((status = 201, body = UnderReview), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn rebalance(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<NewRebalance>,
) -> Result<(StatusCode, Json<UnderReview>), HttpError> {
    let id: PortfolioId = crate::params::path_id(&id, "portfolio")?;
    let (made, content_id): (RebalanceId, ContentId) =
        app::portfolios::rebalance(&state.db, &principal, id, &weights(r.weights), &r.note).await?;
    Ok((StatusCode::CREATED, Json(UnderReview { id: made.0, content_id })))
}

/// Follows a portfolio for a customer, through the suitability gate.
#[utoipa::path(post, path = "/portfolios/{portfolio}/followers", params(("portfolio" = i64, Path, description = "Portfolio id")),
    request_body = Follow,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn follow(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Follow>,
) -> Result<StatusCode, HttpError> {
    let id: PortfolioId = crate::params::path_id(&id, "portfolio")?;
    app::portfolios::follow(&state.db, &principal, id, r.customer_id, r.confirmed).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops following a portfolio.
#[utoipa::path(post, path = "/portfolios/{portfolio}/unfollow", params(("portfolio" = i64, Path, description = "Portfolio id")),
    request_body = Follow,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn unfollow(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Follow>,
) -> Result<StatusCode, HttpError> {
    let id: PortfolioId = crate::params::path_id(&id, "portfolio")?;
    app::portfolios::unfollow(&state.db, &principal, id, r.customer_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
