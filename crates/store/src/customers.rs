//! Customers as staff and the customers themselves read them: the list
//! (searched, paged, within the asker's scope) and one customer's record.

use crate::{with_pool, Db, StoreError};
use access::Scope;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::{AccountId, BranchId, CustomerId, FixedPoint, Money, StaffId};
use serde::Serialize;
use sqlx::QueryBuilder;

/// What the customer list is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerQuery {
    /// The customers the asker may see; nothing outside it is returned.
    pub scope: Scope,
    /// Part of a name, a customer id, or an exact phone number or national ID.
    pub search: Option<String>,
    /// Only this advisor's customers.
    pub advisor_id: Option<StaffId>,
    /// Only this branch's customers.
    pub branch_id: Option<BranchId>,
    /// 1-based page number.
    pub page: u32,
    /// Rows per page, 1 to 200.
    pub per_page: u32,
}

impl Default for CustomerQuery {
    /// Page 1 of 50, and nothing visible until a scope is given.
    fn default() -> Self {
        CustomerQuery { scope: Scope::Nothing, search: None, advisor_id: None, branch_id: None, page: 1, per_page: 50 }
    }
}

/// Limits a query over `customers c` to a scope. Every customer query calls
/// this; it is the one place row-level access is enforced.
pub(crate) fn push_scope<DB: sqlx::Database>(q: &mut QueryBuilder<'_, DB>, scope: Scope)
where
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    match scope {
        Scope::Firm => q.push(" AND 1 = 1"),
        Scope::Branch(b) => q.push(" AND c.branch_id = ").push_bind(b),
        Scope::Advisor(a) => q.push(" AND c.advisor_id = ").push_bind(a),
        Scope::Customer(id) => q.push(" AND c.id = ").push_bind(id),
        Scope::Nothing => q.push(" AND 1 = 0"),
    };
}

/// One line of the customer list; personal data already masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRow {
    /// Customer id.
    pub id: CustomerId,
    /// Name.
    pub name: String,
    /// Masked mobile number.
    pub phone: String,
    /// M or F.
    pub gender: String,
    /// Birth year (the birth date itself stays in the store: with the
    /// masked national ID it would give the number away).
    pub birth_year: i32,
    /// Risk level 1..5 (C1..C5).
    pub risk_level: i32,
    /// Branch name.
    pub branch: String,
    /// Advisor id.
    pub advisor_id: StaffId,
    /// Advisor name.
    pub advisor: String,
    /// Cash plus market value.
    pub assets: Money,
}

/// A page of the customer list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerPage {
    /// The rows.
    pub rows: Vec<CustomerRow>,
    /// Customers matching the query, over all pages.
    pub total: i64,
    /// This page, 1-based.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

impl CustomerPage {
    /// Number of pages, at least 1.
    pub fn pages(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from(((self.total + per - 1) / per).max(1)).unwrap_or(u32::MAX)
    }
}

/// One holding, valued at the latest close.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionRow {
    /// Account id.
    pub account_id: AccountId,
    /// Instrument code.
    pub instrument: String,
    /// Instrument name.
    pub name: String,
    /// Quantity.
    pub quantity: i64,
    /// Sellable today.
    pub sellable_quantity: i64,
    /// Average cost.
    pub cost_price: Money,
    /// Latest close.
    pub last_close: Money,
    /// Quantity times latest close.
    pub market_value: Money,
}

/// A customer's full record, with personal data masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerDetail {
    /// The list fields.
    pub summary: CustomerRow,
    /// Masked national ID.
    pub national_id: String,
    /// Birth date: for the customer's own eyes only (see `CustomerRow::birth_year`).
    pub birth_date: NaiveDate,
    /// First day in the market.
    pub market_entry_date: NaiveDate,
    /// Investment horizon.
    pub horizon: String,
    /// Real-name verified.
    pub real_name_verified: bool,
    /// Professional investor.
    pub professional: bool,
    /// Cash across accounts.
    pub cash: Money,
    /// Holdings.
    pub positions: Vec<PositionRow>,
    /// Time of the latest trade.
    pub last_trade: Option<DateTime<Utc>>,
}

/// Sum of money columns, cast so both backends return a BIGINT.
const CUSTOMER_COLUMNS: &str = "SELECT c.id, c.name, c.phone_masked, c.gender, c.birth_date, c.risk_level, b.name, \
     c.advisor_id, s.name, \
     CAST(COALESCE((SELECT SUM(a.cash) FROM accounts a WHERE a.customer_id = c.id), 0) AS BIGINT), \
     CAST(COALESCE((SELECT SUM(p.quantity * i.last_close) FROM accounts a \
        JOIN positions p ON p.account_id = a.id JOIN instruments i ON i.code = p.instrument \
        WHERE a.customer_id = c.id), 0) AS BIGINT) \
     FROM customers c JOIN branches b ON b.id = c.branch_id JOIN staff s ON s.id = c.advisor_id";

type CustomerTuple = (CustomerId, String, String, String, NaiveDate, i32, String, StaffId, String, i64, i64);

fn customer_row(t: CustomerTuple) -> CustomerRow {
    CustomerRow {
        id: t.0,
        name: t.1,
        // Masked again on the way out: a copy stored under an older mask is narrowed.
        phone: domain::mask_phone(&t.2),
        gender: t.3,
        birth_year: t.4.year(),
        risk_level: t.5,
        branch: t.6,
        advisor_id: t.7,
        advisor: t.8,
        assets: Money::from_fixed(t.9 + t.10),
    }
}

/// Adds the query's filters to a customer SELECT or COUNT.
fn push_filters<DB: sqlx::Database>(
    q: &mut QueryBuilder<'_, DB>,
    query: &CustomerQuery,
    lookups: &[(&'static str, String)],
) where
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push(" WHERE 1 = 1");
    push_scope(q, query.scope);
    if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND (c.name LIKE ").push_bind(format!("%{}%", search.replace(['%', '_'], "")));
        if let Ok(id) = search.parse::<i64>() {
            q.push(" OR c.id = ").push_bind(id);
        }
        crate::personal::push_lookup_terms(q, lookups.to_vec());
        q.push(")");
    }
    if let Some(advisor) = query.advisor_id {
        q.push(" AND c.advisor_id = ").push_bind(advisor);
    }
    if let Some(branch) = query.branch_id {
        q.push(" AND c.branch_id = ").push_bind(branch);
    }
}

impl Db {
    /// A page of customers matching the query by name or id, ordered by id.
    /// A search by phone number or national ID is [`Db::find_customers`].
    pub async fn customers(&self, query: &CustomerQuery) -> Result<CustomerPage, StoreError> {
        self.customer_page(query, &[]).await
    }

    /// The exact personal-data lookups a query's search asks for: an exact
    /// national ID or phone number finds its customer through the keyed
    /// lookup hash; without a keyring, search is by name and id only.
    pub(crate) fn lookup_terms_of(&self, query: &CustomerQuery) -> Vec<(&'static str, String)> {
        match (&self.keys, query.search.as_deref()) {
            (Some(keys), Some(search)) => crate::personal::lookup_terms(&keys.ring(), search.trim()),
            _ => Vec::new(),
        }
    }

    /// A page of customers matching the query and any lookups, ordered by id.
    pub(crate) async fn customer_page(
        &self,
        query: &CustomerQuery,
        lookups: &[(&'static str, String)],
    ) -> Result<CustomerPage, StoreError> {
        let per_page = query.per_page.clamp(1, 200);
        let page = query.page.max(1);
        let offset = i64::from(page - 1) * i64::from(per_page);
        with_pool!(self, pool => {
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM customers c");
            push_filters(&mut count, query, lookups);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut select = QueryBuilder::new(CUSTOMER_COLUMNS);
            push_filters(&mut select, query, lookups);
            select.push(" ORDER BY c.id LIMIT ").push_bind(i64::from(per_page)).push(" OFFSET ").push_bind(offset);
            let rows: Vec<CustomerTuple> = select.build_query_as().fetch_all(pool).await?;
            Ok(CustomerPage { rows: rows.into_iter().map(customer_row).collect(), total, page, per_page })
        })
    }

    /// One customer with holdings, or None if there is no such customer in scope.
    pub async fn customer(&self, id: CustomerId, scope: Scope) -> Result<Option<CustomerDetail>, StoreError> {
        let today = book::trading_day(self.now());
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(CUSTOMER_COLUMNS);
            q.push(" WHERE c.id = ").push_bind(id);
            push_scope(&mut q, scope);
            let Some(row) = q.build_query_as::<CustomerTuple>().fetch_optional(pool).await? else {
                return Ok(None);
            };
            let (cash, birth_date) = (row.9, row.4);
            let (national_id, market_entry_date, horizon, real_name_verified, professional):
                (String, NaiveDate, String, bool, bool) = sqlx::query_as(
                "SELECT national_id_masked, market_entry_date, horizon, real_name_verified, professional \
                 FROM customers WHERE id = $1",
            ).bind(id).fetch_one(pool).await?;
            type PositionTuple = (AccountId, String, String, i64, i64, Option<NaiveDate>, i64, i64);
            let positions: Vec<PositionTuple> = sqlx::query_as(
                "SELECT p.account_id, p.instrument, i.name, p.quantity, p.sellable_quantity, p.sellable_day, p.cost_price, i.last_close \
                 FROM positions p JOIN accounts a ON a.id = p.account_id JOIN instruments i ON i.code = p.instrument \
                 WHERE a.customer_id = $1 ORDER BY p.quantity * i.last_close DESC, p.instrument",
            ).bind(id).fetch_all(pool).await?;
            let last_trade: Option<DateTime<Utc>> = sqlx::query_scalar(
                "SELECT MAX(t.time) FROM trades t JOIN accounts a ON a.id = t.account_id WHERE a.customer_id = $1",
            ).bind(id).fetch_one(pool).await?;
            Ok(Some(CustomerDetail {
                summary: customer_row(row),
                national_id: domain::mask_national_id(&national_id),
                birth_date,
                market_entry_date,
                horizon,
                real_name_verified,
                professional,
                cash: Money::from_fixed(cash),
                positions: positions.into_iter().map(|(account_id, instrument, name, quantity, sellable, sellable_day, cost, close)| PositionRow {
                    account_id,
                    instrument,
                    name,
                    quantity,
                    // T+1: what was bought on an earlier day may be sold today.
                    sellable_quantity: book::Holding { quantity, sellable, sellable_day, cost }.sellable_on(today),
                    cost_price: Money::from_fixed(cost),
                    last_close: Money::from_fixed(close),
                    market_value: Money::from_fixed(close) * Money::from(quantity),
                }).collect(),
                last_trade,
            }))
        })
    }
}
