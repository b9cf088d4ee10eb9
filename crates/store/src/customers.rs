//! Customers as staff and the customers themselves read them: the list
//! (searched, paged, within the asker's scope) and one customer's record.

use crate::name_search::SearchDrive;
use crate::{with_pool, Db, StoreError};
use access::Scope;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::{AccountId, BranchId, CustomerId, FixedPoint, Money, StaffId};
use serde::Serialize;
use sqlx::QueryBuilder;

/// What the customer list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomerSort {
    /// Customer id.
    #[default]
    Id,
    /// Cash plus market value.
    Assets,
    /// Time of the latest trade (never traded: earliest).
    LastTrade,
    /// Time of the latest contact: a service event or a planned contact done.
    LastContact,
    /// Reminders made since the last contact.
    OpenReminders,
    /// How well the name matches the search: the whole name, then its
    /// start, then elsewhere (by id without a search).
    Relevance,
}

impl CustomerSort {
    /// Every sort, by its stable name.
    pub const ALL: [(CustomerSort, &'static str); 6] = [
        (CustomerSort::Id, "id"),
        (CustomerSort::Assets, "assets"),
        (CustomerSort::LastTrade, "last_trade"),
        (CustomerSort::LastContact, "last_contact"),
        (CustomerSort::OpenReminders, "open_reminders"),
        (CustomerSort::Relevance, "relevance"),
    ];

    /// The sort's stable name, as URLs carry it.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(s, _)| *s == self).map_or("id", |(_, n)| n)
    }

    /// The sort a stable name names.
    pub fn parse(name: &str) -> Option<CustomerSort> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(s, _)| *s)
    }

    /// Pushes the key sorted on (a column of `customer_figures f`, or the
    /// search's rank), never the caller's text.
    fn push_key<DB: sqlx::Database>(self, q: &mut QueryBuilder<'_, DB>, search: Option<&str>)
    where
        for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        for<'a> i32: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        match (self, search) {
            (CustomerSort::Relevance, Some(search)) => crate::name_search::push_rank(q, search),
            _ => {
                q.push(self.column());
            }
        }
    }

    /// The column sorted on (from `customer_figures f`).
    fn column(self) -> &'static str {
        match self {
            CustomerSort::Id | CustomerSort::Relevance => "f.customer_id",
            CustomerSort::Assets => "f.assets",
            CustomerSort::LastTrade => "f.last_trade",
            CustomerSort::LastContact => "f.last_contact",
            CustomerSort::OpenReminders => "f.open_reminders",
        }
    }

    /// Whether the key is a time (carried in cursors as nanoseconds).
    fn is_time(self) -> bool {
        matches!(self, CustomerSort::LastTrade | CustomerSort::LastContact)
    }
}

/// A place in a sorted list: the sort key and id of a row, carried in URLs
/// as `key.id` (times in nanoseconds since 1970), so a page starts right
/// after (or before) it however many rows precede it: no OFFSET.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ListCursor {
    /// The row's sort key.
    pub key: i64,
    /// The row's customer id.
    pub id: CustomerId,
}

impl ListCursor {
    /// The cursor's text form.
    pub fn text(&self) -> String {
        format!("{}.{}", self.key, self.id)
    }

    /// A cursor from its text form.
    pub fn parse(text: &str) -> Option<ListCursor> {
        let (key, id) = text.trim().split_once('.')?;
        Some(ListCursor { key: key.parse().ok()?, id: CustomerId(id.parse().ok()?) })
    }
}

/// Which page of the sorted list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListPage {
    /// The first.
    #[default]
    First,
    /// The one after this row.
    After(ListCursor),
    /// The one before this row.
    Before(ListCursor),
    /// The last.
    Last,
}

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
    /// Only this risk level (1..5 for C1..C5).
    pub risk_level: Option<i32>,
    /// Only this service tier (as the last classification labelled it).
    pub service_tier: Option<String>,
    /// Only customers with this label, as `dimension:label`.
    pub label: Option<String>,
    /// Only dormant customers (true) or only active ones (false).
    pub dormant: Option<bool>,
    /// Only customers with reminders since their last contact (true), or without (false).
    pub open_reminders: Option<bool>,
    /// Only current members of this group.
    pub group_id: Option<domain::GroupId>,
    /// Only customers at this stage in this month (analytics' figures link here).
    pub month_stage: Option<MonthStage>,
    /// Only members of this saved segment (from the customer map).
    pub segment_id: Option<i64>,
    /// The sort.
    pub sort: CustomerSort,
    /// Largest (latest) first.
    pub descending: bool,
    /// Which page.
    pub page: ListPage,
    /// Rows per page, 1 to 1,000.
    pub per_page: u32,
}

impl Default for CustomerQuery {
    /// The first 50 by id, and nothing visible until a scope is given.
    fn default() -> Self {
        CustomerQuery {
            scope: Scope::Nothing,
            search: None,
            advisor_id: None,
            branch_id: None,
            risk_level: None,
            service_tier: None,
            label: None,
            dormant: None,
            open_reminders: None,
            group_id: None,
            month_stage: None,
            segment_id: None,
            sort: CustomerSort::Id,
            descending: false,
            page: ListPage::First,
            per_page: 50,
        }
    }
}

impl CustomerQuery {
    /// The search, trimmed; None when there is none.
    fn search_text(&self) -> Option<&str> {
        self.search.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// The sort in force: by relevance only when there is a search to match.
    fn sort_in_force(&self) -> CustomerSort {
        match (self.sort, self.search_text()) {
            (CustomerSort::Relevance, None) => CustomerSort::Id,
            (sort, _) => sort,
        }
    }

    /// Whether anything beyond the scope narrows the list.
    fn filtered(&self) -> bool {
        self.search_text().is_some()
            || self.advisor_id.is_some()
            || self.branch_id.is_some()
            || self.risk_level.is_some()
            || self.service_tier.is_some()
            || self.label.is_some()
            || self.dormant.is_some()
            || self.open_reminders.is_some()
            || self.group_id.is_some()
            || self.month_stage.is_some()
            || self.segment_id.is_some()
    }
}

/// Customers by what they did in a month: the people behind a TUV or
/// lifecycle figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthStage {
    /// The month.
    pub month: analytics::Month,
    /// Which of them.
    pub stage: MonthStageKind,
}

/// Which customers of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthStageKind {
    /// Active in the month.
    Active,
    /// Brought revenue in the month.
    Paying,
    /// One of the lifecycle stages.
    Stage(analytics::Stage),
}

impl MonthStageKind {
    /// Reads `active`, `paying` or a stage's name.
    pub fn parse(text: &str) -> Option<MonthStageKind> {
        use analytics::Stage;
        Some(match text {
            "active" => MonthStageKind::Active,
            "paying" => MonthStageKind::Paying,
            "new" => MonthStageKind::Stage(Stage::New),
            "returning" => MonthStageKind::Stage(Stage::Returning),
            "resurrected" => MonthStageKind::Stage(Stage::Resurrected),
            "dormant" => MonthStageKind::Stage(Stage::Dormant),
            _ => return None,
        })
    }

    /// Every name [`MonthStageKind::parse`] reads.
    pub const NAMES: &'static str = "active, paying, new, returning, resurrected, dormant";
}

/// Past this many matches a filtered list says "more than" instead of counting all.
pub const COUNT_UP_TO: i64 = 1_000;

/// Past this many matches a name search says "more than": a search is for
/// finding someone, and a common surname (张: 2.5% of a book) would
/// otherwise probe the name index for every match it counts.
pub const SEARCH_COUNT_UP_TO: i64 = 200;

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
    /// Time of the latest trade.
    pub last_trade: Option<DateTime<Utc>>,
    /// Time of the latest contact.
    pub last_contact: Option<DateTime<Utc>>,
    /// Reminders made since the last contact.
    pub open_reminders: i64,
    /// Service tier by the last classification.
    pub service_tier: Option<String>,
}

/// A page of the customer list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerPage {
    /// The rows.
    pub rows: Vec<CustomerRow>,
    /// Customers matching the query, counted up to [`COUNT_UP_TO`] + 1 when
    /// filtered ([`SEARCH_COUNT_UP_TO`] + 1 when searched).
    pub total: i64,
    /// Whether `total` is the whole count (false: there are more).
    pub total_exact: bool,
    /// The next page's cursor, if there is a next page.
    pub next: Option<ListCursor>,
    /// The previous page's cursor, if there is a previous page.
    pub prev: Option<ListCursor>,
    /// Rows per page.
    pub per_page: u32,
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

/// The list's columns, from the figures kept current (see `figures`).
// The branch and advisor names are looked up per listed row: joined, they
// let the planner start from the branch table and sort a million rows.
// CROSS JOIN keeps SQLite reading the figures first, through the index of
// the sort or the scope, and stopping at a page (PostgreSQL plans freely).
const LIST_COLUMNS: &str = "SELECT c.id, c.name, c.phone_masked, c.gender, c.birth_date, c.risk_level, \
     (SELECT b.name FROM branches b WHERE b.id = f.branch_id), f.advisor_id, \
     (SELECT s.name FROM staff s WHERE s.id = f.advisor_id), f.assets, f.last_trade, f.last_contact, \
     f.open_reminders, l.service_tier \
     FROM customer_figures f CROSS JOIN customers c LEFT JOIN customer_labels l ON l.customer_id = f.customer_id \
     WHERE c.id = f.customer_id";

/// One customer's list line, assets from the book itself (the record's,
/// for one id): the head, then `NEVER` bound twice, then the tail.
const CUSTOMER_HEAD: &str = "SELECT c.id, c.name, c.phone_masked, c.gender, c.birth_date, c.risk_level, b.name, \
     c.advisor_id, s.name, \
     CAST(COALESCE((SELECT SUM(a.cash) FROM accounts a WHERE a.customer_id = c.id), 0) AS BIGINT) + \
     CAST(COALESCE((SELECT SUM(p.quantity * i.last_close) FROM accounts a \
        JOIN positions p ON p.account_id = a.id JOIN instruments i ON i.code = p.instrument \
        WHERE a.customer_id = c.id), 0) AS BIGINT), COALESCE(f.last_trade, ";
const CUSTOMER_TAIL: &str = "), COALESCE(f.open_reminders, 0), l.service_tier \
     FROM customers c JOIN branches b ON b.id = c.branch_id JOIN staff s ON s.id = c.advisor_id \
     LEFT JOIN customer_figures f ON f.customer_id = c.id LEFT JOIN customer_labels l ON l.customer_id = c.id";

type CustomerTuple = (
    CustomerId,
    String,
    String,
    String,
    NaiveDate,
    i32,
    String,
    StaffId,
    String,
    i64,
    DateTime<Utc>,
    DateTime<Utc>,
    i64,
    Option<String>,
);

fn customer_row(t: CustomerTuple) -> CustomerRow {
    let never = |t: DateTime<Utc>| (t != crate::figures::NEVER).then_some(t);
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
        assets: Money::from_fixed(t.9),
        last_trade: never(t.10),
        last_contact: never(t.11),
        open_reminders: t.12,
        service_tier: t.13,
    }
}

impl CustomerRow {
    /// Where this row stands in a list sorted by `sort` (by relevance to `search`).
    pub fn cursor(&self, sort: CustomerSort, search: Option<&str>) -> ListCursor {
        let time =
            |t: Option<DateTime<Utc>>| t.unwrap_or(crate::figures::NEVER).timestamp_nanos_opt().unwrap_or(i64::MAX);
        let key = match sort {
            CustomerSort::Id => self.id.0,
            CustomerSort::Assets => self.assets.to_fixed("assets").unwrap_or(i64::MAX),
            CustomerSort::LastTrade => time(self.last_trade),
            CustomerSort::LastContact => time(self.last_contact),
            CustomerSort::OpenReminders => self.open_reminders,
            CustomerSort::Relevance => search.map_or(self.id.0, |s| crate::name_search::rank(&self.name, s)),
        };
        ListCursor { key, id: self.id }
    }
}

/// A label filter's text checked: `dimension:label`, lower-case words.
pub(crate) fn label_word(label: &str) -> Option<String> {
    let (dimension, value) = label.split_once(':')?;
    let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    (word(dimension) && word(value)).then(|| format!("% {dimension}:{value} %"))
}

/// How the list's selective filters join it: read from their few matches
/// through an index, or tested on each row the scope and sort walk.
#[derive(Debug, Clone, Copy)]
struct Drives {
    /// The name search.
    search: SearchDrive,
    /// The service tier filter: true when few customers hold the tier.
    few_in_tier: bool,
}

/// Adds the query's filters to a list SELECT or COUNT (over `f`, `c` and `l`), each as ` AND ...` after its WHERE.
fn push_filters<DB: sqlx::Database>(
    q: &mut QueryBuilder<'_, DB>,
    query: &CustomerQuery,
    lookups: &[(&'static str, String)],
    active_since: DateTime<Utc>,
    drives: Drives,
) where
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> i32: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    // The figures carry the customer's branch and advisor (moved by
    // handovers) with indexes that keep the customer id in order.
    match query.scope {
        Scope::Branch(b) => {
            q.push(" AND f.branch_id = ").push_bind(b);
        }
        Scope::Advisor(a) => {
            q.push(" AND f.advisor_id = ").push_bind(a);
        }
        Scope::Customer(id) => {
            q.push(" AND f.customer_id = ").push_bind(id);
        }
        Scope::Firm | Scope::Nothing => push_scope(q, query.scope),
    }
    match (query.search_text(), drives.search) {
        (None, _) => {}
        (Some(search), SearchDrive::Names) => {
            // Each way a search can match is an indexed lookup: names through
            // their grams, the id, and an exact phone or national ID through
            // its lookup hash. Never a scan of the customers.
            q.push(" AND f.customer_id IN (");
            crate::name_search::push_name_matches(q, search);
            if let Ok(id) = search.parse::<i64>() {
                q.push(" UNION SELECT c.id FROM customers c WHERE c.id = ").push_bind(id);
            }
            for (column, hash) in lookups {
                q.push(" UNION SELECT c.id FROM customers c WHERE ").push(*column).push(" = ").push_bind(hash.clone());
            }
            q.push(")");
        }
        (Some(search), SearchDrive::Rows) => {
            // Many names match: each row the scope and sort walk is tested
            // through the index instead.
            q.push(" AND (");
            crate::name_search::push_name_test(q, search);
            if let Ok(id) = search.parse::<i64>() {
                q.push(" OR f.customer_id = ").push_bind(id);
            }
            for (column, hash) in lookups {
                q.push(" OR ").push(*column).push(" = ").push_bind(hash.clone());
            }
            q.push(")");
        }
    }
    if let Some(advisor) = query.advisor_id {
        q.push(" AND f.advisor_id = ").push_bind(advisor.0);
    }
    if let Some(branch) = query.branch_id {
        q.push(" AND f.branch_id = ").push_bind(branch.0);
    }
    if let Some(level) = query.risk_level {
        q.push(" AND c.risk_level = ").push_bind(level);
    }
    if let Some(tier) = &query.service_tier {
        if drives.few_in_tier {
            // Few hold the tier (none, before a classification): read them by index.
            q.push(" AND f.customer_id IN (SELECT t.customer_id FROM customer_labels t WHERE t.service_tier = ")
                .push_bind(tier.clone())
                .push(")");
        } else {
            q.push(" AND l.service_tier = ").push_bind(tier.clone());
        }
    }
    if let Some(label) = &query.label {
        // A malformed label matches nothing rather than everything.
        match label_word(label) {
            Some(pattern) => q.push(" AND l.label_set LIKE ").push_bind(pattern),
            None => q.push(" AND 1 = 0"),
        };
    }
    match query.dormant {
        Some(true) => q.push(" AND f.last_trade < ").push_bind(active_since),
        Some(false) => q.push(" AND f.last_trade >= ").push_bind(active_since),
        None => q,
    };
    match query.open_reminders {
        Some(true) => q.push(" AND f.open_reminders > 0"),
        Some(false) => q.push(" AND f.open_reminders = 0"),
        None => q,
    };
    if let Some(group) = query.group_id {
        q.push(" AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = ")
            .push_bind(group.0)
            .push(" AND gm.customer_id = c.id AND gm.removed_at IS NULL)");
    }
    if let Some(segment) = query.segment_id {
        q.push(" AND EXISTS (SELECT 1 FROM segment_members sm WHERE sm.segment_id = ")
            .push_bind(segment)
            .push(" AND sm.customer_id = c.id)");
    }
    if let Some(MonthStage { month, stage }) = query.month_stage {
        use analytics::Stage;
        let (this, before) = (month.to_string(), month.pred().to_string());
        let opened = |q: &mut QueryBuilder<'_, DB>, op: &str| {
            q.push(" AND EXISTS (SELECT 1 FROM analytics_customers ac WHERE ac.customer_id = c.id AND ac.opened")
                .push(op)
                .push_bind(this.clone())
                .push(")");
        };
        let active = |q: &mut QueryBuilder<'_, DB>, yes: bool, month: &str, paying: bool| {
            q.push(if yes { " AND EXISTS" } else { " AND NOT EXISTS" })
                .push(" (SELECT 1 FROM customer_months cm WHERE cm.customer_id = c.id AND cm.month = ")
                .push_bind(month.to_owned())
                .push(if paying { " AND cm.revenue > 0)" } else { ")" });
        };
        match stage {
            MonthStageKind::Active | MonthStageKind::Paying => {
                opened(q, " <= ");
                active(q, true, &this, stage == MonthStageKind::Paying);
            }
            MonthStageKind::Stage(Stage::New) => opened(q, " = "),
            MonthStageKind::Stage(Stage::Returning) => {
                opened(q, " < ");
                active(q, true, &this, false);
                active(q, true, &before, false);
            }
            MonthStageKind::Stage(Stage::Resurrected) => {
                opened(q, " < ");
                active(q, true, &this, false);
                active(q, false, &before, false);
            }
            MonthStageKind::Stage(Stage::Dormant) => {
                opened(q, " < ");
                active(q, false, &this, false);
            }
        }
    }
}

/// Adds "after (or before) this row" in the sort's order.
fn push_keyset<DB: sqlx::Database>(
    q: &mut QueryBuilder<'_, DB>,
    query: &CustomerQuery,
    cursor: ListCursor,
    forward: bool,
) where
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> i32: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let op = if forward { " > " } else { " < " };
    let sort = query.sort_in_force();
    if sort == CustomerSort::Id {
        q.push(" AND f.customer_id").push(op).push_bind(cursor.id.0);
        return;
    }
    q.push(" AND (");
    sort.push_key(q, query.search_text());
    q.push(", f.customer_id)").push(op).push("(");
    if sort.is_time() {
        q.push_bind(DateTime::from_timestamp_nanos(cursor.key));
    } else {
        q.push_bind(cursor.key);
    }
    q.push(", ").push_bind(cursor.id.0).push(")");
}

impl Db {
    /// A page of customers matching the query by name or id.
    /// A search by phone number or national ID is [`Db::find_customers`].
    pub async fn customers(&self, query: &CustomerQuery) -> Result<CustomerPage, StoreError> {
        self.customer_page(query, &[]).await
    }

    /// Every customer a query's filters match in its scope, by id, up to
    /// `limit` (one more is read, so that a caller sees it was passed): one
    /// statement reading ids alone, for segments (no list columns, no count).
    pub async fn segment_ids(&self, query: &CustomerQuery, limit: i64) -> Result<Vec<CustomerId>, StoreError> {
        let drives = Drives { search: self.search_drive(query).await?, few_in_tier: self.few_in_tier(query).await? };
        let active_since = self.active_since().await?;
        Ok(with_pool!(self, pool => {
            let mut select = QueryBuilder::new(
                "SELECT f.customer_id FROM customer_figures f CROSS JOIN customers c \
                 LEFT JOIN customer_labels l ON l.customer_id = f.customer_id WHERE c.id = f.customer_id",
            );
            push_filters(&mut select, query, &[], active_since, drives);
            select.push(" ORDER BY f.customer_id LIMIT ").push_bind(limit + 1);
            select.build_query_scalar().fetch_all(pool).await?
        }))
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

    /// The first instant a customer must have traded at or after not to be
    /// dormant (see [`crate::DORMANT_AFTER_DAYS`]).
    async fn active_since(&self) -> Result<DateTime<Utc>, StoreError> {
        let as_of: Option<DateTime<Utc>> = with_pool!(self, pool =>
            sqlx::query_scalar("SELECT MAX(last_trade) FROM customer_figures").fetch_one(pool).await?);
        Ok(crate::figures::active_since(as_of))
    }

    /// A page of customers matching the query and any lookups, in the
    /// query's order, found by keyset (never by skipping rows).
    pub(crate) async fn customer_page(
        &self,
        query: &CustomerQuery,
        lookups: &[(&'static str, String)],
    ) -> Result<CustomerPage, StoreError> {
        let per_page = query.per_page.clamp(1, 1_000);
        let sort = query.sort_in_force();
        let drives = Drives { search: self.search_drive(query).await?, few_in_tier: self.few_in_tier(query).await? };
        let active_since = self.active_since().await?;
        // Forward pages read in the list's order; backward ones (before a
        // row, or the last page) read the other way and are turned round.
        let forward = matches!(query.page, ListPage::First | ListPage::After(_));
        let ascending = forward != query.descending;
        let dir = if ascending { " ASC" } else { " DESC" };
        let (mut rows, total, exact) = with_pool!(self, pool => {
            let mut select = QueryBuilder::new(LIST_COLUMNS);
            push_filters(&mut select, query, lookups, active_since, drives);
            match query.page {
                ListPage::After(c) => push_keyset(&mut select, query, c, !query.descending),
                ListPage::Before(c) => push_keyset(&mut select, query, c, query.descending),
                ListPage::First | ListPage::Last => {}
            }
            select.push(" ORDER BY ");
            if sort != CustomerSort::Id {
                sort.push_key(&mut select, query.search_text());
                select.push(dir).push(", ");
            }
            select.push("f.customer_id").push(dir).push(" LIMIT ").push_bind(i64::from(per_page) + 1);
            let rows: Vec<CustomerTuple> = select.build_query_as().fetch_all(pool).await?;
            let (total, exact) = if query.filtered() {
                let mut count = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM customer_figures f \
                     CROSS JOIN customers c LEFT JOIN customer_labels l ON l.customer_id = f.customer_id \
                     WHERE c.id = f.customer_id");
                push_filters(&mut count, query, lookups, active_since, drives);
                let up_to = if query.search_text().is_some() { SEARCH_COUNT_UP_TO } else { COUNT_UP_TO };
                count.push(" LIMIT ").push_bind(up_to + 1).push(") q");
                let n: i64 = count.build_query_scalar().fetch_one(pool).await?;
                (n.min(up_to), n <= up_to)
            } else {
                (self.customers_in_scope(query.scope).await?, true)
            };
            (rows, total, exact)
        });
        let more = rows.len() > per_page as usize;
        rows.truncate(per_page as usize);
        if !forward {
            rows.reverse();
        }
        let rows: Vec<CustomerRow> = rows.into_iter().map(customer_row).collect();
        let cursor = |r: &CustomerRow| r.cursor(sort, query.search_text());
        let (first, last) = (rows.first().map(cursor), rows.last().map(cursor));
        // Reading forward, more rows mean a next page, and a cursor means a
        // previous one; reading backward, the other way round.
        let (next, prev) = match query.page {
            ListPage::First => (last.filter(|_| more), None),
            ListPage::After(_) => (last.filter(|_| more), first),
            ListPage::Before(_) => (last, first.filter(|_| more)),
            ListPage::Last => (None, first.filter(|_| more)),
        };
        Ok(CustomerPage { rows, total, total_exact: exact, next, prev, per_page })
    }

    /// Whether few customers (at most the bound of a search read from its
    /// names) hold the tier the query filters by.
    async fn few_in_tier(&self, query: &CustomerQuery) -> Result<bool, StoreError> {
        let Some(tier) = &query.service_tier else { return Ok(false) };
        let n: i64 = with_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM customer_labels WHERE service_tier = $1 LIMIT $2) q",
        ).bind(tier).bind(self.few_names + 1).fetch_one(pool).await?);
        Ok(n <= self.few_names)
    }

    /// How the query's search joins the list: from its names when few hold
    /// the search's first piece, else by testing each row.
    async fn search_drive(&self, query: &CustomerQuery) -> Result<SearchDrive, StoreError> {
        let Some(search) = query.search_text() else { return Ok(SearchDrive::Names) };
        let gram = crate::name_search::first_gram(search);
        let n: i64 = with_pool!(self, pool =>
            sqlx::query_scalar(crate::name_search::COUNT_FIRST_GRAM).bind(gram).bind(self.few_names + 1).fetch_one(pool).await?);
        Ok(if n > self.few_names { SearchDrive::Rows } else { SearchDrive::Names })
    }

    /// A customer's name, if they are within a scope (None: not, or no such customer).
    pub async fn customer_name_in_scope(&self, id: CustomerId, scope: Scope) -> Result<Option<String>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new("SELECT c.name FROM customers c WHERE c.id = ");
            q.push_bind(id);
            push_scope(&mut q, scope);
            Ok(q.build_query_scalar().fetch_optional(pool).await?)
        })
    }

    /// Customers in a scope, from the team sums (one row for a customer).
    pub async fn customers_in_scope(&self, scope: Scope) -> Result<i64, StoreError> {
        with_pool!(self, pool => {
            if let Scope::Customer(id) = scope {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer_figures WHERE customer_id = $1")
                    .bind(id)
                    .fetch_one(pool)
                    .await?;
                return Ok(n);
            }
            let mut q = QueryBuilder::new("SELECT CAST(COALESCE(SUM(c.customers), 0) AS BIGINT) FROM team_figures c WHERE 1 = 1");
            push_scope(&mut q, scope);
            Ok(q.build_query_scalar().fetch_one(pool).await?)
        })
    }

    /// One customer with holdings, or None if there is no such customer in scope.
    pub async fn customer(&self, id: CustomerId, scope: Scope) -> Result<Option<CustomerDetail>, StoreError> {
        let today = book::trading_day(self.now());
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(CUSTOMER_HEAD);
            q.push_bind(crate::figures::NEVER).push("), COALESCE(f.last_contact, ").push_bind(crate::figures::NEVER);
            q.push(CUSTOMER_TAIL).push(" WHERE c.id = ").push_bind(id);
            push_scope(&mut q, scope);
            let Some(row) = q.build_query_as::<CustomerTuple>().fetch_optional(pool).await? else {
                return Ok(None);
            };
            let birth_date = row.4;
            let cash: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(cash), 0) AS BIGINT) FROM accounts WHERE customer_id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?;
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
