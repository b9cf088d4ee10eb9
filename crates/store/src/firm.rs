//! The firm as a whole: row counts and the positions checksum, the
//! overview's totals, and the key sets the importer checks references against.

use crate::{with_pool, Db, StoreError};
use chrono::{DateTime, Utc};
use domain::Money;
use futures_util::TryStreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::QueryBuilder;
use std::collections::HashSet;

/// Row counts per table and a checksum of all positions: equal stats mean
/// two databases hold the same book, whatever their backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreStats {
    /// (table, rows), in load order.
    pub counts: Vec<(&'static str, i64)>,
    /// Order-independent SHA-256-based digest of every position's fields.
    pub positions_checksum: String,
}

/// The firm at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirmOverview {
    /// Branch offices.
    pub branches: i64,
    /// Advisors.
    pub advisors: i64,
    /// Customers.
    pub customers: i64,
    /// Cash held in customers' accounts.
    pub cash: Money,
    /// Market value of positions at the latest close.
    pub market_value: Money,
    /// Cash plus market value.
    pub assets_under_custody: Money,
    /// Customers per advisor, rounded to a whole customer.
    pub customers_per_advisor: i64,
    /// Customers with no trade on the 90 days up to the book's latest
    /// trade day (Shanghai dates; see [`crate::DORMANT_AFTER_DAYS`]).
    pub dormant_customers: i64,
    /// The book's clock: the latest trade time, or none before any trade.
    pub as_of: Option<DateTime<Utc>>,
}

/// Tables in load order, as `stats` reports them.
const TABLES: [&str; 12] = [
    "branches",
    "staff",
    "customers",
    "accounts",
    "instruments",
    "daily_bars",
    "snapshots",
    "positions",
    "trades",
    "cash_flows",
    "logins",
    "service_events",
];

/// Which set of keys an importer checks references against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySet {
    /// Branch ids.
    Branches,
    /// Staff ids, any role.
    Staff,
    /// Ids of staff whose role is advisor.
    Advisors,
    /// Customer ids.
    Customers,
    /// Account ids.
    Accounts,
}

impl Db {
    /// Row counts of every table and the positions checksum.
    pub async fn stats(&self) -> Result<StoreStats, StoreError> {
        let mut counts = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            // Table names come from the constant above, never from input.
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = with_pool!(self, pool => sqlx::query_scalar(&sql).fetch_one(pool).await?);
            counts.push((table, n));
        }
        // Each row hashes to 128 bits; their wrapping sum does not depend on
        // the order rows come back in, which differs between backends.
        let mut sum: u128 = 0;
        let sql = "SELECT account_id, instrument, quantity, sellable_quantity, cost_price FROM positions";
        with_pool!(self, pool => {
            let mut rows = sqlx::query_as::<_, (i64, String, i64, i64, i64)>(sql).fetch(pool);
            while let Some((a, i, q, s, c)) = rows.try_next().await? {
                let digest = Sha256::digest(format!("{a}|{i}|{q}|{s}|{c}"));
                let mut first = [0u8; 16];
                first.copy_from_slice(&digest[..16]);
                sum = sum.wrapping_add(u128::from_be_bytes(first));
            }
        });
        Ok(StoreStats { counts, positions_checksum: format!("{sum:032x}") })
    }

    /// Every key of one kind, for checking references during an import.
    pub async fn key_set(&self, keys: KeySet) -> Result<HashSet<i64>, StoreError> {
        let sql = match keys {
            KeySet::Branches => "SELECT id FROM branches",
            KeySet::Staff => "SELECT id FROM staff",
            KeySet::Advisors => "SELECT id FROM staff WHERE role = 'advisor'",
            KeySet::Customers => "SELECT id FROM customers",
            KeySet::Accounts => "SELECT id FROM accounts",
        };
        with_pool!(self, pool => Ok(sqlx::query_scalar::<_, i64>(sql).fetch(pool).try_collect().await?))
    }

    /// Rows in one of the book's tables or the reminders (for benchmarks and
    /// operators; a whole-table count, not for a request's path).
    pub async fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
        let Some(table) = TABLES.iter().chain(&["reminders"]).find(|t| **t == table) else {
            return Err(StoreError::Corrupt { what: "count_rows", reason: format!("no table {table}") });
        };
        // The name is one of the constants above, never the caller's text.
        let sql = format!("SELECT COUNT(*) FROM {table}");
        with_pool!(self, pool => Ok(sqlx::query_scalar(&sql).fetch_one(pool).await?))
    }

    /// Those of `among` that are in the set: an indexed lookup of the keys a
    /// few events name, where `key_set` reads the whole table.
    pub async fn keys_among(&self, keys: KeySet, among: &HashSet<i64>) -> Result<HashSet<i64>, StoreError> {
        let head = match keys {
            KeySet::Branches => "SELECT id FROM branches WHERE id IN (",
            KeySet::Staff => "SELECT id FROM staff WHERE id IN (",
            KeySet::Advisors => "SELECT id FROM staff WHERE role = 'advisor' AND id IN (",
            KeySet::Customers => "SELECT id FROM customers WHERE id IN (",
            KeySet::Accounts => "SELECT id FROM accounts WHERE id IN (",
        };
        let among: Vec<i64> = among.iter().copied().collect();
        let mut found = HashSet::with_capacity(among.len());
        for chunk in among.chunks(crate::book::ROWS_PER_STATEMENT) {
            let ids: Vec<i64> = with_pool!(self, pool => {
                let mut q = QueryBuilder::new(head);
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_scalar().fetch_all(pool).await?
            });
            found.extend(ids);
        }
        Ok(found)
    }

    /// Of these instrument codes, those stored (looked up by key, never read whole).
    pub async fn instrument_codes_among(&self, among: &HashSet<String>) -> Result<HashSet<String>, StoreError> {
        let among: Vec<&String> = among.iter().collect();
        let mut found = HashSet::with_capacity(among.len());
        for chunk in among.chunks(crate::book::ROWS_PER_STATEMENT) {
            let codes: Vec<String> = with_pool!(self, pool => {
                let mut q = QueryBuilder::new("SELECT code FROM instruments WHERE code IN (");
                let mut list = q.separated(", ");
                for code in chunk {
                    list.push_bind(code.as_str());
                }
                q.push(")");
                q.build_query_scalar().fetch_all(pool).await?
            });
            found.extend(codes);
        }
        Ok(found)
    }

    /// The advisor's customer with the most trades (for benchmarks: the
    /// longest history a customer page shows).
    pub async fn busiest_customer_of(
        &self,
        advisor: domain::StaffId,
    ) -> Result<Option<domain::CustomerId>, StoreError> {
        let sql = "SELECT a.customer_id FROM customers c JOIN accounts a ON a.customer_id = c.id \
                   JOIN trades t ON t.account_id = a.id WHERE c.advisor_id = $1 \
                   GROUP BY a.customer_id ORDER BY COUNT(*) DESC, a.customer_id LIMIT 1";
        with_pool!(self, pool => Ok(sqlx::query_scalar(sql).bind(advisor).fetch_optional(pool).await?))
    }

    /// The instrument most held among the first ten thousand accounts (for
    /// benchmarks: a sample, not a scan of every position).
    pub async fn most_held_instrument(&self) -> Result<Option<String>, StoreError> {
        let sql = "SELECT instrument FROM positions WHERE account_id < (SELECT MIN(id) FROM accounts) + 10000 \
                   GROUP BY instrument ORDER BY COUNT(*) DESC, instrument LIMIT 1";
        with_pool!(self, pool => Ok(sqlx::query_scalar(sql).fetch_optional(pool).await?))
    }

    /// Every instrument code held.
    pub async fn instrument_codes(&self) -> Result<HashSet<String>, StoreError> {
        let sql = "SELECT code FROM instruments";
        with_pool!(self, pool => Ok(sqlx::query_scalar::<_, String>(sql).fetch(pool).try_collect().await?))
    }
}
