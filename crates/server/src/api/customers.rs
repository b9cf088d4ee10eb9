use super::input::{JsonBody, QueryParams};
use crate::params::{HistoryParams, ListParams};
use crate::{AppState, HttpError};
use access::Principal;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{AccountId, CustomerId, StaffId};
use futures_util::StreamExt;
use rust_decimal::Decimal;
use serde::Serialize;
use store::{CustomerRow, PositionRow};
use utoipa::ToSchema;

/// A customer as the list shows them; phone masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSummary {
    /// Customer id.
    pub id: CustomerId,
    /// Name.
    pub name: String,
    /// Masked mobile number, e.g. 138****5678.
    pub phone: String,
    /// M or F.
    pub gender: String,
    /// Age this year (the year minus the birth year). Never the birth date:
    /// with the masked national ID it would give the number away.
    pub age: i32,
    /// Risk level, C1..C5.
    pub risk_level: String,
    /// Branch name.
    pub branch: String,
    /// Advisor id.
    pub advisor_id: StaffId,
    /// Advisor name.
    pub advisor: String,
    /// Cash plus market value, CNY.
    #[schema(value_type = String)]
    pub assets: Decimal,
    /// Time of the latest trade; none if never traded.
    pub last_trade: Option<DateTime<Utc>>,
    /// Time of the latest contact (a service event or a planned contact done).
    pub last_contact: Option<DateTime<Utc>>,
    /// Reminders made since the last contact.
    pub open_reminders: i64,
    /// Service tier by the last classification (dormant, precipitating, core, ...).
    pub service_tier: Option<String>,
}

impl CustomerSummary {
    /// A list row as the API shows it, its age as of `today`.
    fn of(r: CustomerRow, today: chrono::NaiveDate) -> Self {
        CustomerSummary {
            id: r.id,
            name: r.name,
            phone: r.phone,
            gender: r.gender,
            age: domain::age_in_year(r.birth_year, today),
            risk_level: format!("C{}", r.risk_level),
            branch: r.branch,
            advisor_id: r.advisor_id,
            advisor: r.advisor,
            assets: r.assets,
            last_trade: r.last_trade,
            last_contact: r.last_contact,
            open_reminders: r.open_reminders,
            service_tier: r.service_tier,
        }
    }
}

/// A page of customers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    /// The rows, in the sort asked for.
    pub customers: Vec<CustomerSummary>,
    /// Matching customers: all of them when `total_exact`, else a floor (1,000; 200 for a name search).
    pub total: i64,
    /// Whether `total` is the whole count.
    pub total_exact: bool,
    /// Pass as `after` for the next page; none on the last page.
    pub next: Option<String>,
    /// Pass as `before` for the previous page; none on the first page.
    pub prev: Option<String>,
    /// Rows per page.
    pub per_page: u32,
}

/// A holding valued at the latest close.
#[derive(Debug, Serialize, ToSchema)]
pub struct Holding {
    /// Account id.
    pub account_id: AccountId,
    /// Instrument code, e.g. 600519.SH.
    pub instrument: String,
    /// Instrument name.
    pub name: String,
    /// Quantity held.
    pub quantity: i64,
    /// Sellable today (T+1).
    pub sellable_quantity: i64,
    /// Average cost, CNY.
    #[schema(value_type = String)]
    pub cost_price: Decimal,
    /// Latest close, CNY.
    #[schema(value_type = String)]
    pub last_close: Decimal,
    /// Market value, CNY.
    #[schema(value_type = String)]
    pub market_value: Decimal,
}

impl From<PositionRow> for Holding {
    fn from(p: PositionRow) -> Self {
        Holding {
            account_id: p.account_id,
            instrument: p.instrument,
            name: p.name,
            quantity: p.quantity,
            sellable_quantity: p.sellable_quantity,
            cost_price: p.cost_price,
            last_close: p.last_close,
            market_value: p.market_value,
        }
    }
}

/// One customer's record; national ID and phone masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerRecord {
    /// List fields.
    #[serde(flatten)]
    pub summary: CustomerSummary,
    /// Masked national ID: the province only, e.g. 11****************.
    pub national_id: String,
    /// Birth date: only in the customer's own record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// First day in the market.
    pub market_entry_date: NaiveDate,
    /// Investment horizon: short, medium or long.
    pub horizon: String,
    /// Real-name verified.
    pub real_name_verified: bool,
    /// Qualified professional investor.
    pub professional: bool,
    /// Cash, CNY.
    #[schema(value_type = String)]
    pub cash: Decimal,
    /// Holdings, largest first.
    pub positions: Vec<Holding>,
    /// Time of the latest trade.
    pub last_trade: Option<DateTime<Utc>>,
}

/// Customers, searched, filtered, sorted and paged by keyset (pass a page's
/// `next` as `after`, or its `prev` as `before`; `at=last` for the last
/// page). A search by exact phone number or national ID is audited and
/// limited to 20 a minute per user (429 past it).
#[utoipa::path(get, path = "/customers", params(ListParams),
    responses((status = 200, body = CustomerList), (status = 400, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<CustomerList>, HttpError> {
    let query = params.query(principal.scope())?;
    let page = app::customers::find(&state.db, &principal, &query).await?;
    Ok(Json(CustomerList {
        customers: page.rows.into_iter().map(|r| CustomerSummary::of(r, state.db.today())).collect(),
        total: page.total,
        total_exact: page.total_exact,
        next: page.next.map(|c| c.text()),
        prev: page.prev.map(|c| c.text()),
        per_page: page.per_page,
    }))
}

/// The filtered list as CSV, every page of it, in its sort (personal data
/// masked as the list shows it; the export is audited). Staff only.
#[utoipa::path(get, path = "/customers.csv", params(ListParams),
    responses((status = 200, description = "CSV, header first", content_type = "text/csv"),
        (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Response, HttpError> {
    csv_download(state, principal, &params).await
}

/// Streams the export of the list `params` asks for; an error before the
/// first rows (a refusal, a bad filter) is answered as an error instead.
pub(crate) async fn csv_download(
    state: AppState,
    principal: Principal,
    params: &ListParams,
) -> Result<Response, HttpError> {
    let query = params.query(principal.scope())?;
    let filters = params.filters_query();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(4);
    let task = tokio::spawn(async move { app::customers::export(&state.db, &principal, query, &filters, tx).await });
    let Some(first) = rx.recv().await else {
        return match task.await {
            Ok(Err(e)) => Err(e.into()),
            _ => Err(HttpError::of(domain::codes::INTERNAL)),
        };
    };
    tokio::spawn(async move {
        if let Ok(Err(e)) = task.await {
            tracing::error!(error = %e, "a customer export stopped partway");
        }
    });
    let rest = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) });
    let chunks = futures_util::stream::once(async move { first })
        .chain(rest)
        .map(|chunk| Ok::<_, std::convert::Infallible>(bytes::Bytes::from(chunk)));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"customers.csv\""),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}

/// One customer with holdings.
#[utoipa::path(get, path = "/customers/{id}", params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, body = CustomerRecord), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<CustomerRecord>, HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let c = app::customers::record(&state.db, &principal, id).await?;
    Ok(Json(CustomerRecord {
        summary: CustomerSummary::of(c.summary, state.db.today()),
        national_id: c.national_id,
        birth_date: principal.is_customer(id).then_some(c.birth_date),
        market_entry_date: c.market_entry_date,
        horizon: c.horizon,
        real_name_verified: c.real_name_verified,
        professional: c.professional,
        cash: c.cash,
        positions: c.positions.into_iter().map(Holding::from).collect(),
        last_trade: c.last_trade,
    }))
}

/// A page of one part of a customer's history, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerHistory {
    /// trades, cash_flows, logins or service.
    pub kind: String,
    /// The lines: a trade (id, time, account_id, instrument, name, side,
    /// quantity, price, fee), a cash flow (id, time, account_id, kind,
    /// amount), a login (id, time, channel) or a contact (id, time, kind,
    /// staff, outcome); amounts in CNY as decimal text.
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<store::HistoryLine>,
    /// The next (older) page: pass as `before`; absent at the oldest.
    pub older: Option<String>,
}

/// A page of a customer's trades, cash flows, logins or contacts, newest
/// first, paged by `before` (the previous page's `older`). Contacts are for
/// staff only.
#[utoipa::path(get, path = "/customers/{id}/history/{kind}",
    params(("id" = i64, Path, description = "Customer id"),
        ("kind" = String, Path, description = "trades, cash_flows, logins or service"), HistoryParams),
    responses((status = 200, body = CustomerHistory), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((id, kind)): Path<(String, String)>,
    QueryParams(params): QueryParams<HistoryParams>,
) -> Result<Json<CustomerHistory>, HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let (kind, before, per_page) = params.query(&kind)?;
    let page = app::customers::history(&state.db, &principal, id, kind, before, per_page).await?.page;
    Ok(Json(CustomerHistory { kind: kind.as_str().to_owned(), lines: page.lines, older: page.older.map(|c| c.text()) }))
}

/// One holding as the position watch sees it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveHolding {
    /// Instrument code.
    pub code: String,
    /// Shares held.
    pub quantity: i64,
    /// Average purchase price, CNY (to 0.001).
    #[schema(value_type = String)]
    pub cost: Decimal,
    /// Latest price, CNY.
    #[schema(value_type = String)]
    pub price: Decimal,
}

/// One account as the position watch sees it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveAccount {
    /// Account id.
    pub account_id: i64,
    /// The trading day the watch is in.
    pub session: NaiveDate,
    /// Market value at the latest prices, CNY.
    #[schema(value_type = String)]
    pub value: Decimal,
    /// Today's profit or loss, CNY.
    #[schema(value_type = String)]
    pub day_pnl: Decimal,
    /// Holdings, by code.
    pub holdings: Vec<LiveHolding>,
}

/// One customer's accounts as the position watch sees them now: valued at
/// the latest quotes, with the holdings every stored trade has moved.
#[utoipa::path(get, path = "/customers/{id}/watch", params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, body = Vec<LiveAccount>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn live(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Vec<LiveAccount>>, HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let accounts = app::customers::live(&state.db, &state.desk, &principal, id).await?;
    Ok(Json(
        accounts
            .into_iter()
            .map(|a| LiveAccount {
                account_id: a.account_id,
                session: a.session,
                value: a.value,
                day_pnl: a.day_pnl,
                holdings: a
                    .holdings
                    .into_iter()
                    .map(|h| LiveHolding { code: h.code, quantity: h.quantity, cost: h.cost, price: h.price })
                    .collect(),
            })
            .collect(),
    ))
}

/// Which field to reveal.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub struct RevealRequest {
    /// national_id or phone.
    #[schema(value_type = String, pattern = "^(national_id|phone)$")]
    pub field: access::PiiField,
}

/// A revealed value.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revealed {
    /// The field.
    #[schema(value_type = String)]
    pub field: access::PiiField,
    /// Its full value.
    pub value: String,
}

/// Reveals a customer's national ID or phone number: an explicit, audited
/// action, open to advisors (their customers), compliance and the customer.
#[utoipa::path(post, path = "/customers/{id}/reveal", params(("id" = i64, Path, description = "Customer id")),
    request_body = RevealRequest,
    responses((status = 200, body = Revealed), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn reveal(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<RevealRequest>,
) -> Result<Json<Revealed>, HttpError> {
    let id: CustomerId = crate::params::path_id(&id, "customer")?;
    let value = app::customers::reveal(&state.db, &principal, id, request.field).await?;
    Ok(Json(Revealed { field: request.field, value }))
}
