use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::State;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// The firm at a glance. Amounts are decimal strings in CNY.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    /// Branch offices.
    pub branches: i64,
    /// Advisors.
    pub advisors: i64,
    /// Customers.
    pub customers: i64,
    /// Cash in customers' accounts.
    #[schema(value_type = String, example = "1234567.89")]
    pub cash: rust_decimal::Decimal,
    /// Market value of positions at the latest close.
    #[schema(value_type = String)]
    pub market_value: rust_decimal::Decimal,
    /// Cash plus market value.
    #[schema(value_type = String)]
    pub assets_under_custody: rust_decimal::Decimal,
    /// Customers per advisor.
    pub customers_per_advisor: i64,
    /// Customers with no trade in the 90 days to `as_of`.
    pub dormant_customers: i64,
    /// The book's clock: time of the latest trade.
    pub as_of: Option<DateTime<Utc>>,
}

/// Firm-wide figures.
#[utoipa::path(get, path = "/overview", responses((status = 200, body = Overview)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Overview>, HttpError> {
    let o = state.db.firm_overview(principal.scope()).await?;
    Ok(Json(Overview {
        branches: o.branches,
        advisors: o.advisors,
        customers: o.customers,
        cash: o.cash,
        market_value: o.market_value,
        assets_under_custody: o.assets_under_custody,
        customers_per_advisor: o.customers_per_advisor,
        dormant_customers: o.dormant_customers,
        as_of: o.as_of,
    }))
}
