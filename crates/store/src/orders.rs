//! Orders (issue 26): tickets as sent with what the checks found, paper
//! fills, conditional orders and their triggers, signed risk disclosures,
//! and the counts of errors the checks prevented. Rows keep the account's
//! customer, advisor and branch, so every list is read in the reader's scope.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use access::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{ConditionalId, OrderId};
use serde::Serialize;
use sqlx::QueryBuilder;

/// An account as the order checks see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OrderAccount {
    /// Account id.
    pub account_id: i64,
    /// Its customer.
    pub customer_id: i64,
    /// The customer's advisor.
    pub advisor_id: i64,
    /// The customer's branch.
    pub branch_id: i64,
    /// The customer's risk level, 1..5 (C1..C5).
    pub risk_level: i32,
    /// Cash, 0.0001 CNY.
    pub cash: i64,
    /// Cash and every position at its instrument's latest close, 0.0001 CNY.
    pub assets: i64,
}

/// A ticket to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// The account, with its customer, advisor and branch.
    pub account: OrderAccount,
    /// Instrument code.
    pub instrument: String,
    /// `buy` or `sell`.
    pub side: &'static str,
    /// `limit` or `market`.
    pub order_type: &'static str,
    /// Price, 0.0001 CNY.
    pub price: i64,
    /// Quantity.
    pub quantity: i64,
    /// `blocked`, `unconfirmed` or `working`.
    pub status: &'static str,
    /// Where the ticket was opened.
    pub source: &'static str,
    /// The reminder it came from.
    pub reminder_id: Option<i64>,
    /// The conditional order that fired it.
    pub conditional_id: Option<i64>,
    /// Who sent it.
    pub placed_by: String,
    /// What the checks found: (rule code, severity, args as JSON).
    pub findings: Vec<(String, String, String)>,
}

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OrderRow {
    /// Id.
    pub id: OrderId,
    /// Account.
    pub account_id: i64,
    /// Customer.
    pub customer_id: i64,
    /// Advisor.
    pub advisor_id: i64,
    /// Instrument.
    pub instrument: String,
    /// `buy` or `sell`.
    pub side: String,
    /// `limit` or `market`.
    pub order_type: String,
    /// Price, 0.0001 CNY.
    pub price: i64,
    /// Ordered.
    pub quantity: i64,
    /// Filled.
    pub filled: i64,
    /// Status.
    pub status: String,
    /// Where it was opened.
    pub source: String,
    /// The reminder it came from.
    pub reminder_id: Option<i64>,
    /// The conditional order that fired it.
    pub conditional_id: Option<i64>,
    /// Who sent it.
    pub placed_by: String,
    /// When.
    pub placed_at: DateTime<Utc>,
    /// Why it stopped short, if it did.
    pub note: String,
}

/// A finding stored with an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    /// Rule code.
    pub rule: String,
    /// Severity.
    pub severity: String,
    /// The message's values, JSON.
    pub args: String,
}

/// A conditional order to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConditional {
    /// The account.
    pub account: OrderAccount,
    /// Instrument.
    pub instrument: String,
    /// Kind (`price_trigger`, ...).
    pub kind: &'static str,
    /// Side.
    pub side: &'static str,
    /// Quantity per firing.
    pub quantity: i64,
    /// The condition, JSON.
    pub condition: String,
    /// The last day it may fire.
    pub valid_until: NaiveDate,
    /// Who placed it.
    pub placed_by: String,
}

/// A stored conditional order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ConditionalRow {
    /// Id.
    pub id: ConditionalId,
    /// Account.
    pub account_id: i64,
    /// Customer.
    pub customer_id: i64,
    /// Instrument.
    pub instrument: String,
    /// Kind.
    pub kind: String,
    /// Side.
    pub side: String,
    /// Quantity per firing.
    pub quantity: i64,
    /// Condition, JSON.
    pub condition: String,
    /// Last day.
    pub valid_until: NaiveDate,
    /// `active`, `fired`, `expired` or `cancelled`.
    pub status: String,
    /// Who placed it.
    pub placed_by: String,
    /// When.
    pub placed_at: DateTime<Utc>,
}

/// One firing of a conditional order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TriggerRow {
    /// Conditional order.
    pub conditional_id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The quote that fired it, 0.0001 CNY.
    pub price: i64,
    /// The order it became.
    pub order_id: Option<i64>,
    /// `placed`, or the blocking rules.
    pub outcome: String,
}

/// Tickets a rule blocked or made confirm: (advisor id, rule, severity, tickets).
pub type PreventedRow = (i64, String, String, i64);

fn push_scope<DB: sqlx::Database>(q: &mut QueryBuilder<'_, DB>, alias: &str, scope: Scope)
where
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    match scope {
        Scope::Firm => q.push(" AND 1 = 1"),
        Scope::Branch(b) => q.push(format!(" AND {alias}.branch_id = ")).push_bind(b.0),
        Scope::Advisor(a) => q.push(format!(" AND {alias}.advisor_id = ")).push_bind(a.0),
        Scope::Customer(c) => q.push(format!(" AND {alias}.customer_id = ")).push_bind(c.0),
        Scope::Nothing => q.push(" AND 1 = 0"),
    };
}

const ORDER_COLUMNS: &str = "SELECT o.id, o.account_id, o.customer_id, o.advisor_id, o.instrument, o.side, o.order_type, \
     o.price, o.quantity, o.filled, o.status, o.source, o.reminder_id, o.conditional_id, o.placed_by, o.placed_at, o.note \
     FROM orders o WHERE 1 = 1";

const CONDITIONAL_COLUMNS: &str =
    "SELECT c.id, c.account_id, c.customer_id, c.instrument, c.kind, c.side, c.quantity, \
     c.condition, c.valid_until, c.status, c.placed_by, c.placed_at FROM conditional_orders c WHERE 1 = 1";

impl Db {
    /// An account with its customer, advisor, branch, risk level, cash and assets.
    pub async fn order_account(&self, account: i64) -> Result<Option<OrderAccount>, StoreError> {
        let sql = "SELECT a.id AS account_id, a.customer_id, c.advisor_id, c.branch_id, c.risk_level, a.cash, \
                   CAST(a.cash + COALESCE((SELECT SUM(p.quantity * i.last_close) FROM positions p \
                   JOIN instruments i ON i.code = p.instrument WHERE p.account_id = a.id), 0) AS BIGINT) AS assets \
                   FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE a.id = $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(account).fetch_optional(pool).await?))
    }

    /// Shares of an instrument an account bought from `since` (the day's buys, for the ST cap).
    pub async fn bought_since(&self, account: i64, instrument: &str, since: DateTime<Utc>) -> Result<i64, StoreError> {
        let sql =
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM trades WHERE account_id = $1 AND instrument = $2 \
                   AND side = 'buy' AND time >= $3";
        let n: i64 = with_pool!(self, pool => sqlx::query_scalar(sql).bind(account).bind(instrument).bind(since)
            .fetch_one(pool).await?);
        Ok(n)
    }

    /// The latest snapshot of an instrument from `since`: (last, previous close), 0.0001 CNY.
    pub async fn latest_quote(&self, instrument: &str, since: DateTime<Utc>) -> Result<Option<(i64, i64)>, StoreError> {
        let sql =
            "SELECT last, prev_close FROM snapshots WHERE instrument = $1 AND time >= $2 ORDER BY time DESC LIMIT 1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(instrument).bind(since).fetch_optional(pool).await?))
    }

    /// True when the customer signed the disclosure of `kind` (`st`).
    pub async fn disclosure_signed(&self, customer: i64, kind: &str) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM risk_disclosures WHERE customer_id = $1 AND kind = $2";
        let n: i64 = with_pool!(self, pool => sqlx::query_scalar(sql).bind(customer).bind(kind).fetch_one(pool).await?);
        Ok(n > 0)
    }

    /// Orders in the reader's scope, newest first; one account's when given.
    pub async fn orders(&self, scope: Scope, account: Option<i64>, limit: i64) -> Result<Vec<OrderRow>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(ORDER_COLUMNS);
            push_scope(&mut q, "o", scope);
            if let Some(a) = account {
                q.push(" AND o.account_id = ").push_bind(a);
            }
            q.push(" ORDER BY o.id DESC LIMIT ").push_bind(limit);
            Ok(q.build_query_as().fetch_all(pool).await?)
        })
    }

    /// One order in the reader's scope.
    pub async fn order(&self, id: OrderId, scope: Scope) -> Result<Option<OrderRow>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(ORDER_COLUMNS);
            push_scope(&mut q, "o", scope);
            q.push(" AND o.id = ").push_bind(id.0);
            Ok(q.build_query_as().fetch_optional(pool).await?)
        })
    }

    /// What the checks found on an order.
    pub async fn order_findings(&self, id: OrderId) -> Result<Vec<FindingRow>, StoreError> {
        let sql = "SELECT rule, severity, args FROM order_findings WHERE order_id = $1 ORDER BY rule";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id.0).fetch_all(pool).await?))
    }

    /// Every working order, oldest first (time priority), to load the paper exchange.
    pub async fn working_orders(&self) -> Result<Vec<OrderRow>, StoreError> {
        let sql = format!("{ORDER_COLUMNS} AND o.status = 'working' ORDER BY o.id");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// Conditional orders in the reader's scope, newest first.
    pub async fn conditionals(&self, scope: Scope, limit: i64) -> Result<Vec<ConditionalRow>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(CONDITIONAL_COLUMNS);
            push_scope(&mut q, "c", scope);
            q.push(" ORDER BY c.id DESC LIMIT ").push_bind(limit);
            Ok(q.build_query_as().fetch_all(pool).await?)
        })
    }

    /// One conditional order in the reader's scope.
    pub async fn conditional(&self, id: ConditionalId, scope: Scope) -> Result<Option<ConditionalRow>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(CONDITIONAL_COLUMNS);
            push_scope(&mut q, "c", scope);
            q.push(" AND c.id = ").push_bind(id.0);
            Ok(q.build_query_as().fetch_optional(pool).await?)
        })
    }

    /// Every active conditional order, to load the trigger index.
    pub async fn active_conditionals(&self) -> Result<Vec<ConditionalRow>, StoreError> {
        let sql = format!("{CONDITIONAL_COLUMNS} AND c.status = 'active' ORDER BY c.id");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// A conditional order's firings, oldest first.
    pub async fn triggers_of(&self, id: ConditionalId) -> Result<Vec<TriggerRow>, StoreError> {
        let sql = "SELECT conditional_id, at, price, order_id, outcome FROM conditional_triggers \
                   WHERE conditional_id = $1 ORDER BY id";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id.0).fetch_all(pool).await?))
    }

    /// Tickets blocked or to confirm, counted per advisor and rule, in the reader's scope.
    pub async fn prevented(&self, scope: Scope) -> Result<Vec<PreventedRow>, StoreError> {
        with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT o.advisor_id, f.rule, f.severity, COUNT(*) FROM order_findings f \
                 JOIN orders o ON o.id = f.order_id WHERE f.severity IN ('block', 'confirm')",
            );
            push_scope(&mut q, "o", scope);
            q.push(" GROUP BY o.advisor_id, f.rule, f.severity ORDER BY o.advisor_id, f.rule");
            Ok(q.build_query_as().fetch_all(pool).await?)
        })
    }
}

impl Db {
    /// Replaces every conditional order (and its firings) with these, all
    /// active, in one unit of work: the live benchmark's seeding, so a
    /// server starts with as many waiting as a large broker's book.
    pub async fn replace_conditionals(&self, rows: &[NewConditional]) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let now = tx.now();
        with_tx!(tx, conn => {
            sqlx::query("DELETE FROM conditional_triggers").execute(&mut *conn).await?;
            sqlx::query("UPDATE orders SET conditional_id = NULL WHERE conditional_id IS NOT NULL").execute(&mut *conn).await?;
            sqlx::query("DELETE FROM conditional_orders").execute(&mut *conn).await?;
            for (k, chunk) in rows.chunks(crate::book::ROWS_PER_STATEMENT).enumerate() {
                let first = (k * crate::book::ROWS_PER_STATEMENT) as i64 + 1;
                let mut q = QueryBuilder::new(
                    "INSERT INTO conditional_orders (id, account_id, customer_id, advisor_id, branch_id, instrument, kind, \
                     side, quantity, condition, valid_until, status, placed_by, placed_at, updated_at) ",
                );
                q.push_values(chunk.iter().enumerate(), |mut b, (i, c)| {
                    b.push_bind(first + i as i64)
                        .push_bind(c.account.account_id)
                        .push_bind(c.account.customer_id)
                        .push_bind(c.account.advisor_id)
                        .push_bind(c.account.branch_id)
                        .push_bind(c.instrument.as_str())
                        .push_bind(c.kind)
                        .push_bind(c.side)
                        .push_bind(c.quantity)
                        .push_bind(c.condition.as_str())
                        .push_bind(c.valid_until)
                        .push_bind("active")
                        .push_bind(c.placed_by.as_str())
                        .push_bind(now)
                        .push_bind(now);
                });
                q.build().execute(&mut *conn).await?;
            }
            Ok::<(), StoreError>(())
        })?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}

impl Tx {
    /// Stores a ticket and its findings; its id.
    pub async fn insert_order(&mut self, o: &NewOrder) -> Result<OrderId, StoreError> {
        let id = self.next_id("orders").await?;
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO orders (id, account_id, customer_id, advisor_id, branch_id, instrument, side, order_type, \
                 price, quantity, filled, status, source, reminder_id, conditional_id, placed_by, placed_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $16, $16)",
            )
            .bind(id)
            .bind(o.account.account_id)
            .bind(o.account.customer_id)
            .bind(o.account.advisor_id)
            .bind(o.account.branch_id)
            .bind(&o.instrument)
            .bind(o.side)
            .bind(o.order_type)
            .bind(o.price)
            .bind(o.quantity)
            .bind(o.status)
            .bind(o.source)
            .bind(o.reminder_id)
            .bind(o.conditional_id)
            .bind(&o.placed_by)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            for (rule, severity, args) in &o.findings {
                sqlx::query("INSERT INTO order_findings (order_id, rule, severity, args) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(rule)
                    .bind(severity)
                    .bind(args)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), StoreError>(())
        })?;
        Ok(OrderId(id))
    }

    /// Moves an order from one status to another; false when it was not in `from`.
    pub async fn move_order(&mut self, id: OrderId, from: &str, to: &str, note: &str) -> Result<bool, StoreError> {
        let now = self.now();
        let n = with_tx!(self, conn => sqlx::query(
            "UPDATE orders SET status = $1, note = $2, updated_at = $3 WHERE id = $4 AND status = $5",
        )
        .bind(to)
        .bind(note)
        .bind(now)
        .bind(id.0)
        .bind(from)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Records a paper fill of an order (its trade already stored) and moves the order's filled quantity.
    pub async fn record_fill(
        &mut self,
        order: OrderId,
        trade_id: i64,
        fill: (i64, i64, i64),
        time: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (quantity, price, fee) = fill;
        with_tx!(self, conn => {
            sqlx::query("INSERT INTO order_fills (trade_id, order_id, quantity, price, fee, time) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(trade_id)
                .bind(order.0)
                .bind(quantity)
                .bind(price)
                .bind(fee)
                .bind(time)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "UPDATE orders SET filled = filled + $1, updated_at = $2, \
                 status = CASE WHEN filled + $1 >= quantity THEN 'filled' ELSE status END WHERE id = $3",
            )
            .bind(quantity)
            .bind(time)
            .bind(order.0)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// Stores a conditional order; its id.
    pub async fn insert_conditional(&mut self, c: &NewConditional) -> Result<ConditionalId, StoreError> {
        let id = self.next_id("conditional_orders").await?;
        let now = self.now();
        with_tx!(self, conn => sqlx::query(
            "INSERT INTO conditional_orders (id, account_id, customer_id, advisor_id, branch_id, instrument, kind, side, \
             quantity, condition, valid_until, status, placed_by, placed_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $13, $13)",
        )
        .bind(id)
        .bind(c.account.account_id)
        .bind(c.account.customer_id)
        .bind(c.account.advisor_id)
        .bind(c.account.branch_id)
        .bind(&c.instrument)
        .bind(c.kind)
        .bind(c.side)
        .bind(c.quantity)
        .bind(&c.condition)
        .bind(c.valid_until)
        .bind(&c.placed_by)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
        Ok(ConditionalId(id))
    }

    /// Ends an active conditional order (`fired`, `expired`, `cancelled`); false when it was not active.
    pub async fn end_conditional(&mut self, id: ConditionalId, status: &str) -> Result<bool, StoreError> {
        let now = self.now();
        let n = with_tx!(self, conn => sqlx::query(
            "UPDATE conditional_orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'active'",
        )
        .bind(status)
        .bind(now)
        .bind(id.0)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Stores the condition an active conditional order now tracks (a grid's new base).
    pub async fn keep_conditional(&mut self, id: ConditionalId, condition: &str) -> Result<(), StoreError> {
        let now = self.now();
        with_tx!(self, conn => sqlx::query(
            "UPDATE conditional_orders SET condition = $1, updated_at = $2 WHERE id = $3 AND status = 'active'",
        )
        .bind(condition)
        .bind(now)
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Logs a firing of a conditional order.
    pub async fn insert_trigger(
        &mut self,
        id: ConditionalId,
        price: i64,
        order: Option<OrderId>,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let trigger = self.next_id("conditional_triggers").await?;
        let now = self.now();
        with_tx!(self, conn => sqlx::query(
            "INSERT INTO conditional_triggers (id, conditional_id, at, price, order_id, outcome) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(trigger)
        .bind(id.0)
        .bind(now)
        .bind(price)
        .bind(order.map(|o| o.0))
        .bind(outcome)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Records a signed risk disclosure (again: keeps the first signature).
    pub async fn sign_disclosure(&mut self, customer: i64, kind: &str) -> Result<(), StoreError> {
        let now = self.now();
        with_tx!(self, conn => sqlx::query(
            "INSERT INTO risk_disclosures (customer_id, kind, signed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(customer)
        .bind(kind)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}
