//! Customers' tiers (issue 27): the standing each was last judged to hold,
//! the points they earned in a window (from the ledger's transfers), and
//! the log of every change, read by the customer and their advisor.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use growth::tier::{Standing, TierChange, TierReason};
use serde::Serialize;

/// A stored standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierRow {
    /// Whose.
    pub customer_id: i64,
    /// The standing.
    pub standing: Standing,
    /// The rolling points at the last judgement.
    pub rolling_points: i64,
    /// The day of the last judgement.
    pub judged_on: NaiveDate,
}

/// A logged change of tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TierChangeRow {
    /// Whose.
    pub customer_id: i64,
    /// The day it took effect.
    pub changed_on: NaiveDate,
    /// The tier before (none at the first judgement).
    pub from_tier: Option<String>,
    /// The tier after.
    pub to_tier: String,
    /// The points that decided it.
    pub rolling_points: i64,
    /// first, rise or fall_after_grace.
    pub reason: String,
}

type Raw = (i64, String, NaiveDate, Option<NaiveDate>, String, i64, NaiveDate);

fn row_of((customer_id, tier, since, below_since, reason, rolling_points, judged_on): Raw) -> TierRow {
    let reason = TierReason::parse(&reason).unwrap_or(TierReason::First);
    TierRow { customer_id, standing: Standing { tier, since, below_since, reason }, rolling_points, judged_on }
}

const COLUMNS: &str =
    "SELECT customer_id, tier, since, below_since, reason, rolling_points, judged_on FROM customer_tiers";

impl Db {
    /// Points customers with ids in `lo..=hi` earned from `since` on: what
    /// the firm issued to them and referral rewards posted to them, less
    /// earnings taken back by corrections. Spending and expiry do not count.
    pub async fn rolling_points(&self, lo: i64, hi: i64, since: DateTime<Utc>) -> Result<Vec<(i64, i64)>, StoreError> {
        let sql = "SELECT c, CAST(SUM(p) AS BIGINT) FROM ( \
                     SELECT credit AS c, amount AS p FROM points_transfers \
                     WHERE credit BETWEEN $1 AND $2 AND debit IN (-1, -4) AND state = 'posted' \
                       AND COALESCE(decided_at, at) >= $3 \
                     UNION ALL \
                     SELECT debit AS c, -amount AS p FROM points_transfers \
                     WHERE debit BETWEEN $1 AND $2 AND credit = -1 AND state = 'posted' AND at >= $3 \
                   ) e GROUP BY c ORDER BY c";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(lo).bind(hi).bind(since).fetch_all(pool).await?))
    }

    /// The highest customer id with points or a tier (0 when none).
    pub async fn highest_points_customer(&self) -> Result<i64, StoreError> {
        let sql = "SELECT CAST(COALESCE(MAX(m), 0) AS BIGINT) FROM ( \
                     SELECT MAX(account) AS m FROM points_accounts UNION ALL SELECT MAX(customer_id) FROM customer_tiers \
                   ) e";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await?))
    }

    /// Stored standings of customers with ids in `lo..=hi`.
    pub async fn tier_rows(&self, lo: i64, hi: i64) -> Result<Vec<TierRow>, StoreError> {
        let sql = format!("{COLUMNS} WHERE customer_id BETWEEN $1 AND $2 ORDER BY customer_id");
        let rows: Vec<Raw> = with_pool!(self, pool => sqlx::query_as(&sql).bind(lo).bind(hi).fetch_all(pool).await?);
        Ok(rows.into_iter().map(row_of).collect())
    }

    /// A customer's standing, if ever judged above the lowest tier.
    pub async fn customer_tier(&self, customer: i64) -> Result<Option<TierRow>, StoreError> {
        let sql = format!("{COLUMNS} WHERE customer_id = $1");
        let row: Option<Raw> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(customer).fetch_optional(pool).await?);
        Ok(row.map(row_of))
    }

    /// Tiers of many customers (those never judged above the lowest have none).
    pub async fn tiers_of(&self, customers: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        if customers.is_empty() {
            return Ok(Vec::new());
        }
        let list =
            serde_json::to_string(customers).map_err(|e| StoreError::Corrupt { what: "ids", reason: e.to_string() })?;
        let postgres = self.backend() == crate::Backend::Postgres;
        let sql = format!(
            "SELECT customer_id, tier FROM customer_tiers WHERE customer_id IN {}",
            crate::points::json_in(postgres, "::bigint")
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(list).fetch_all(pool).await?))
    }

    /// A customer's changes of tier, newest first.
    pub async fn tier_changes(&self, customer: i64, limit: i64) -> Result<Vec<TierChangeRow>, StoreError> {
        let sql = "SELECT customer_id, changed_on, from_tier, to_tier, rolling_points, reason FROM tier_changes \
                   WHERE customer_id = $1 ORDER BY seq DESC LIMIT $2";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(customer).bind(limit).fetch_all(pool).await?))
    }

    /// Customers whose account opened on one of `month_days` (`MM-DD`, Beijing), with the opening.
    pub async fn opening_anniversaries(&self, month_days: &[String]) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        if month_days.is_empty() {
            return Ok(Vec::new());
        }
        let list = serde_json::to_string(month_days)
            .map_err(|e| StoreError::Corrupt { what: "days", reason: e.to_string() })?;
        let sql = if self.backend() == crate::Backend::Postgres {
            "SELECT id, opened_at FROM customers WHERE to_char((opened_at AT TIME ZONE 'UTC') + interval '8 hours', 'MM-DD') \
             IN (SELECT jsonb_array_elements_text($1::jsonb))"
        } else {
            "SELECT id, opened_at FROM customers WHERE strftime('%m-%d', opened_at, '+8 hours') IN (SELECT value FROM json_each($1))"
        };
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(list).fetch_all(pool).await?))
    }

    /// Customers per tier (the lowest tier counts only judged customers).
    pub async fn tier_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = "SELECT tier, COUNT(*) FROM customer_tiers GROUP BY tier ORDER BY tier";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?))
    }
}

impl Tx {
    /// Writes judged standings and logs their changes, in this unit of work.
    pub async fn save_standings(
        &mut self,
        rows: &[TierRow],
        changes: &[(i64, NaiveDate, TierChange)],
    ) -> Result<(), StoreError> {
        let upsert = "INSERT INTO customer_tiers (customer_id, tier, since, below_since, reason, rolling_points, judged_on) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (customer_id) DO UPDATE SET \
                      tier = excluded.tier, since = excluded.since, below_since = excluded.below_since, \
                      reason = excluded.reason, rolling_points = excluded.rolling_points, judged_on = excluded.judged_on";
        for r in rows {
            let s = &r.standing;
            with_tx!(self, conn => sqlx::query(upsert).bind(r.customer_id).bind(&s.tier).bind(s.since)
                .bind(s.below_since).bind(s.reason.as_str()).bind(r.rolling_points).bind(r.judged_on)
                .execute(&mut *conn).await?.rows_affected());
        }
        let log = "INSERT INTO tier_changes (customer_id, changed_on, from_tier, to_tier, rolling_points, reason) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        for (customer, on, c) in changes {
            with_tx!(self, conn => sqlx::query(log).bind(customer).bind(on).bind(&c.from).bind(&c.to)
                .bind(c.rolling_points).bind(c.reason.as_str()).execute(&mut *conn).await?.rows_affected());
        }
        Ok(())
    }
}
