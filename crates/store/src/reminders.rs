//! Risk reminders: stored before they are sent, read through the customers'
//! row-level scope, and an outbox that sends those held over quiet hours.
//! Also the book the position watch is built from (accounts and positions in
//! account order).

use crate::book::ROWS_PER_STATEMENT;
use crate::{with_pool, Db, StoreError};
use access::Scope;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::{AccountId, BranchId, CustomerId, ReminderId, StaffId};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::QueryBuilder;
use std::collections::{HashMap, HashSet};

/// A reminder to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    /// The account it concerns.
    pub account_id: AccountId,
    /// The rule's stable name.
    pub rule: String,
    /// The instrument, for rules about one holding.
    pub instrument: Option<String>,
    /// How far past the threshold (1 at it).
    pub step: i32,
    /// The measured figure (basis points, or 0.001 CNY for amounts).
    pub measure: i64,
    /// The figures that made it fire, as a JSON object.
    pub figures: String,
    /// The sentence in Chinese.
    pub text_zh: String,
    /// The sentence in English.
    pub text_en: String,
    /// The rule configuration's version.
    pub rule_version: String,
    /// The trading day it fired on.
    pub trading_day: NaiveDate,
    /// When it fired.
    pub created_at: DateTime<Utc>,
    /// When it may be sent to the customer (later than `created_at` in quiet hours).
    pub deliver_at: DateTime<Utc>,
    /// Whether it also asks the advisor to care (a task in the work queue).
    pub care_task: Option<String>,
}

/// A stored reminder, with whom it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct ReminderRow {
    /// Id, increasing in the order reminders were made.
    pub id: ReminderId,
    /// Customer.
    pub customer_id: CustomerId,
    /// Customer's name.
    pub customer: String,
    /// The customer's advisor.
    pub advisor_id: StaffId,
    /// The customer's branch.
    pub branch_id: BranchId,
    /// Account.
    pub account_id: AccountId,
    /// Rule name.
    pub rule: String,
    /// Instrument code, for rules about one holding.
    pub instrument: Option<String>,
    /// Step past the threshold.
    pub step: i32,
    /// Measured figure.
    pub measure: i64,
    /// The figures that made it fire (JSON object text).
    pub figures: String,
    /// Sentence in Chinese.
    pub text_zh: String,
    /// Sentence in English.
    pub text_en: String,
    /// Rule configuration version.
    pub rule_version: String,
    /// Trading day.
    pub trading_day: NaiveDate,
    /// When it fired.
    pub created_at: DateTime<Utc>,
    /// When it may reach the customer.
    pub deliver_at: DateTime<Utc>,
    /// When it reached the customer's inbox; empty while held.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Reminders per rule on one trading day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReminderVolume {
    /// Trading day.
    pub trading_day: NaiveDate,
    /// Rule name.
    pub rule: String,
    /// How many fired.
    pub count: i64,
}

/// Which reminders a reader asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderQuery {
    /// Whose: the reader's scope.
    pub scope: Scope,
    /// Only those delivered (the customer's inbox), or all (the advisor's queue).
    pub delivered_only: bool,
    /// Only newer than this id.
    pub after: Option<ReminderId>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// Appends the reader's scope over the reminders `r`: by the branch and
/// advisor each reminder names (kept equal to its customer's), so that a
/// team's newest are read in order from their index.
fn push_reminder_scope<DB: sqlx::Database>(q: &mut QueryBuilder<'_, DB>, scope: Scope)
where
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    match scope {
        Scope::Firm => q.push(" AND 1 = 1"),
        Scope::Branch(b) => q.push(" AND r.branch_id = ").push_bind(b.0),
        Scope::Advisor(a) => q.push(" AND r.advisor_id = ").push_bind(a.0),
        Scope::Customer(id) => q.push(" AND r.customer_id = ").push_bind(id.0),
        Scope::Nothing => q.push(" AND 1 = 0"),
    };
}

const REMINDER_COLUMNS: &str =
    "SELECT r.id, r.customer_id, c.name AS customer, c.advisor_id, c.branch_id, r.account_id, r.rule, \
     r.instrument, r.step, r.measure, r.figures, r.text_zh, r.text_en, r.rule_version, r.trading_day, r.created_at, \
     r.deliver_at, r.delivered_at FROM reminders r JOIN customers c ON c.id = r.customer_id WHERE 1 = 1";

/// A slice of the accounts: those whose id modulo `count` is `index` (a
/// watch worker's partition).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSlice {
    /// Which slice, from 0.
    pub index: i64,
    /// Of how many.
    pub count: i64,
}

impl AccountSlice {
    /// Every account.
    pub const ALL: AccountSlice = AccountSlice { index: 0, count: 1 };
}

/// Accounts with their customer, and positions, as the watch is built from them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchBook {
    /// Account ids, in order.
    pub accounts: Vec<i64>,
    /// (account id, instrument code, quantity, average cost in 0.0001 CNY), by account id.
    pub positions: Vec<(i64, String, i64, i64)>,
}

/// The advisory lock key that serializes reminders' writers on PostgreSQL.
const REMINDERS_LOCK_KEY: i64 = 0x7265_6d69_6e64; // "remind" in ASCII

/// Reminders the outbox delivers in one round (see [`Db::deliver_due_reminders`]).
pub const DELIVERIES_PER_ROUND: usize = 20_000;

impl Db {
    /// Every account and position, in account order (positions by
    /// instrument within an account).
    ///
    /// Positions are read one row per account, each holding its positions as
    /// text (`code quantity cost,...`): decoding a row costs the driver far
    /// more than the few fields in it, so at 4 M positions this reads about
    /// four times fewer rows than one per position.
    pub async fn watch_book(&self) -> Result<WatchBook, StoreError> {
        let accounts = self.watch_accounts().await?;
        let mut positions = Vec::new();
        self.watch_positions(|account, code, quantity, cost| {
            positions.push((account, code.to_owned(), quantity, cost));
            Ok(())
        })
        .await?;
        Ok(WatchBook { accounts, positions })
    }

    /// Every account id, in order (read from the key alone).
    pub async fn watch_accounts(&self) -> Result<Vec<i64>, StoreError> {
        self.watch_accounts_in(AccountSlice::ALL).await
    }

    /// The account ids of one slice, in order.
    pub async fn watch_accounts_in(&self, slice: AccountSlice) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT id FROM accounts WHERE id % $1 = $2 ORDER BY id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(slice.count).bind(slice.index).fetch_all(pool).await?))
    }

    /// The lowest and highest account id holding a position, if any (to split
    /// [`Db::watch_positions_between`] into parts read side by side).
    pub async fn position_account_span(&self) -> Result<Option<(i64, i64)>, StoreError> {
        let sql = "SELECT MIN(account_id), MAX(account_id) FROM positions";
        let (lo, hi): (Option<i64>, Option<i64>) = with_pool!(self, pool => sqlx::query_as(sql).fetch_one(pool).await?);
        Ok(lo.zip(hi))
    }

    /// Streams every position to `each` (account id, instrument code,
    /// quantity, average cost in 0.0001 CNY) in account order, by code within
    /// an account, without holding the book in memory; answers how many
    /// accounts held positions.
    pub async fn watch_positions(
        &self,
        each: impl FnMut(i64, &str, i64, i64) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        self.watch_positions_between(i64::MIN, i64::MAX, AccountSlice::ALL, each).await
    }

    /// [`Db::watch_positions`] for the accounts of `slice` with ids in
    /// `from..until`: each account's positions together, so that parts read
    /// on separate connections at once can feed one build.
    pub async fn watch_positions_between(
        &self,
        from: i64,
        until: i64,
        slice: AccountSlice,
        mut each: impl FnMut(i64, &str, i64, i64) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let aggregate = match self.backend() {
            crate::Backend::Sqlite => "group_concat(instrument || ' ' || quantity || ' ' || cost_price, ',')",
            crate::Backend::Postgres => "string_agg(instrument || ' ' || quantity || ' ' || cost_price, ',')",
        };
        let sql = format!(
            "SELECT account_id, {aggregate} FROM positions WHERE account_id >= $1 AND account_id < $2 \
             AND account_id % $3 = $4 GROUP BY account_id ORDER BY account_id"
        );
        let corrupt =
            |text: &str| StoreError::Corrupt { what: "positions", reason: format!("'{text}' is not a position") };
        let mut accounts = 0u64;
        with_pool!(self, pool => {
            let mut rows = sqlx::query_as::<_, (i64, String)>(&sql)
                .bind(from)
                .bind(until)
                .bind(slice.count)
                .bind(slice.index)
                .fetch(pool);
            while let Some((account, list)) = rows.try_next().await? {
                let mut one_account: Vec<(&str, i64, i64)> = Vec::with_capacity(8);
                for one in list.split(',') {
                    let mut fields = one.split(' ');
                    let (Some(code), Some(quantity), Some(cost), None) =
                        (fields.next(), fields.next(), fields.next(), fields.next())
                    else {
                        return Err(corrupt(one));
                    };
                    one_account.push((code, quantity.parse().map_err(|_| corrupt(one))?, cost.parse().map_err(|_| corrupt(one))?));
                }
                one_account.sort_unstable_by(|a, b| a.0.cmp(b.0));
                for (code, quantity, cost) in &one_account {
                    each(account, code, *quantity, *cost)?;
                }
                accounts += 1;
            }
        });
        Ok(accounts)
    }

    /// Stores reminders (and the care tasks some ask for) in one
    /// transaction; answers them as stored, with their ids, in order. A
    /// reminder already stored (same account, rule, instrument, step and
    /// day; a care task in the same month) is skipped and not answered, so a
    /// restarted watch that judges everyone again sends nothing twice.
    pub async fn insert_reminders(&self, reminders: &[NewReminder]) -> Result<Vec<ReminderRow>, StoreError> {
        if reminders.is_empty() {
            return Ok(Vec::new());
        }
        // Statements per batch, not per reminder: an open can make millions.
        let mut account_ids: Vec<AccountId> = reminders.iter().map(|r| r.account_id).collect();
        account_ids.sort_unstable();
        account_ids.dedup();
        let postgres = self.backend() == crate::Backend::Postgres;
        let (first, last) = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                // Ids are read as MAX(id) + 1: writers in several processes (watch workers) take turns.
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(REMINDERS_LOCK_KEY).execute(&mut *tx).await?;
            }
            let mut customer_of = HashMap::with_capacity(account_ids.len());
            for chunk in account_ids.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(
                    "SELECT a.id, a.customer_id, c.branch_id, c.advisor_id FROM accounts a \
                     JOIN customers c ON c.id = a.customer_id WHERE a.id IN (",
                );
                let mut ids = q.separated(", ");
                for id in chunk {
                    ids.push_bind(*id);
                }
                q.push(")");
                let rows: Vec<(AccountId, CustomerId, i64, i64)> = q.build_query_as().fetch_all(&mut *tx).await?;
                customer_of.extend(rows.into_iter().map(|(a, c, branch, advisor)| (a, (c, branch, advisor))));
            }
            // Whose each reminder is: the customer, and their branch and advisor.
            let customers = reminders
                .iter()
                .map(|r| {
                    customer_of.get(&r.account_id).copied().ok_or_else(|| StoreError::Corrupt {
                        what: "reminders.account_id",
                        reason: format!("account {} does not exist", r.account_id),
                    })
                })
                .collect::<Result<Vec<(CustomerId, i64, i64)>, StoreError>>()?;
            // A month's care task is asked for once in the month, whichever day.
            let mut cared = HashSet::new();
            for r in reminders.iter().filter(|r| r.care_task.is_some()) {
                let month_start = r.trading_day.with_day(1).expect("day 1 exists");
                let before: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM reminders WHERE account_id = $1 AND rule = $2 AND trading_day >= $3 LIMIT 1",
                )
                .bind(r.account_id)
                .bind(&r.rule)
                .bind(month_start)
                .fetch_optional(&mut *tx)
                .await?;
                if before.is_some() {
                    cared.insert(r.account_id);
                }
            }
            let first: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM reminders").fetch_one(&mut *tx).await?;
            let rows: Vec<(i64, &NewReminder, (CustomerId, i64, i64))> = reminders
                .iter()
                .zip(customers)
                .filter(|(r, _)| !(r.care_task.is_some() && cared.contains(&r.account_id)))
                .enumerate()
                .map(|(k, (r, c))| (first + k as i64, r, c))
                .collect();
            let mut stored = HashSet::with_capacity(rows.len());
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO reminders (id, customer_id, branch_id, advisor_id, account_id, rule, instrument, step, \
                     measure, figures, text_zh, text_en, rule_version, trading_day, created_at, deliver_at) ",
                );
                q.push_values(chunk, |mut b, (id, r, (customer, branch, advisor))| {
                    b.push_bind(*id)
                        .push_bind(*customer)
                        .push_bind(*branch)
                        .push_bind(*advisor)
                        .push_bind(r.account_id)
                        .push_bind(&r.rule)
                        .push_bind(&r.instrument)
                        .push_bind(r.step)
                        .push_bind(r.measure)
                        .push_bind(&r.figures)
                        .push_bind(&r.text_zh)
                        .push_bind(&r.text_en)
                        .push_bind(&r.rule_version)
                        .push_bind(r.trading_day)
                        .push_bind(r.created_at)
                        .push_bind(r.deliver_at);
                });
                q.push(
                    " ON CONFLICT (account_id, rule, COALESCE(instrument, ''), step, trading_day) DO NOTHING RETURNING id",
                );
                let ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *tx).await?;
                stored.extend(ids);
            }
            // Care tasks are few (once a month per customer at most): one statement each.
            for (_, r, (customer, _, _)) in rows.iter().filter(|(id, r, _)| r.care_task.is_some() && stored.contains(id)) {
                sqlx::query(
                    "INSERT INTO tasks (id, advisor_id, customer_id, kind, title, created_at) \
                     SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM tasks), advisor_id, id, 'care', $1, $2 \
                     FROM customers WHERE id = $3",
                )
                .bind(&r.care_task)
                .bind(r.created_at)
                .bind(*customer)
                .execute(&mut *tx)
                .await?;
            }
            // The customer list's open reminders: each new one counts where it
            // came after its customer's last contact (as a refresh counts them).
            let mut made: HashMap<CustomerId, Vec<DateTime<Utc>>> = HashMap::new();
            for (id, r, (customer, _, _)) in &rows {
                if stored.contains(id) {
                    made.entry(*customer).or_default().push(r.created_at);
                }
            }
            let customers: Vec<CustomerId> = made.keys().copied().collect();
            for chunk in customers.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new("SELECT customer_id, last_contact FROM customer_figures WHERE customer_id IN (");
                let mut ids = q.separated(", ");
                for id in chunk {
                    ids.push_bind(*id);
                }
                q.push(")");
                let contacts: Vec<(CustomerId, DateTime<Utc>)> = q.build_query_as().fetch_all(&mut *tx).await?;
                let adds: Vec<(CustomerId, i64)> = contacts
                    .into_iter()
                    .map(|(c, contact)| (c, made[&c].iter().filter(|t| **t > contact).count() as i64))
                    .filter(|(_, n)| *n > 0)
                    .collect();
                if adds.is_empty() {
                    continue;
                }
                let mut q = QueryBuilder::new(
                    "UPDATE customer_figures SET open_reminders = open_reminders + v.column2 FROM (",
                );
                q.push_values(&adds, |mut b, (c, n)| {
                    b.push_bind(*c).push_bind(*n);
                });
                q.push(") AS v WHERE customer_figures.customer_id = v.column1");
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            (first, first + rows.len() as i64 - 1)
        });
        if last < first {
            return Ok(Vec::new());
        }
        self.reminders_between(ReminderId(first), ReminderId(last)).await
    }

    async fn reminders_between(&self, first: ReminderId, last: ReminderId) -> Result<Vec<ReminderRow>, StoreError> {
        let rows: Vec<ReminderRow> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(REMINDER_COLUMNS);
            q.push(" AND r.id >= ").push_bind(first).push(" AND r.id <= ").push_bind(last).push(" ORDER BY r.id");
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// Reminders made or delivered at `since` or after, in id order: what a
    /// watch worker announces again when it takes a partition over.
    pub async fn reminders_touched_since(&self, since: DateTime<Utc>) -> Result<Vec<ReminderRow>, StoreError> {
        let rows: Vec<ReminderRow> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(REMINDER_COLUMNS);
            // Each half by an index: the day's reminders, and the outbox's.
            let days_back = domain::to_shanghai(since).date_naive() - chrono::Duration::days(7);
            q.push(" AND ((r.trading_day >= ")
                .push_bind(days_back)
                .push(" AND r.created_at >= ")
                .push_bind(since)
                .push(") OR r.delivered_at >= ")
                .push_bind(since)
                .push(") ORDER BY r.id");
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// The id of the newest reminder stored (0 before any): reminders are
    /// numbered in the order stored, so this marks a moment in their stream.
    pub async fn newest_reminder_id(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COALESCE(MAX(id), 0) FROM reminders";
        with_pool!(self, pool => Ok(sqlx::query_scalar(sql).fetch_one(pool).await?))
    }

    /// Reminders in scope, newest first.
    pub async fn reminders(&self, query: &ReminderQuery) -> Result<Vec<ReminderRow>, StoreError> {
        let rows: Vec<ReminderRow> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(REMINDER_COLUMNS);
            push_reminder_scope(&mut q, query.scope);
            if query.delivered_only {
                q.push(" AND r.delivered_at IS NOT NULL");
            }
            if let Some(after) = query.after {
                q.push(" AND r.id > ").push_bind(after);
            }
            q.push(" ORDER BY r.id DESC LIMIT ").push_bind(query.limit);
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// The outbox: marks the oldest reminders due by `now` and not yet
    /// delivered as delivered, at most [`DELIVERIES_PER_ROUND`], and answers
    /// them (to be pushed to the customers' pages). A round that answers that
    /// many leaves more for the next: a flood (an open's million reminders
    /// after quiet hours) never holds the database's writer for long.
    pub async fn deliver_due_reminders(&self, now: DateTime<Utc>) -> Result<Vec<ReminderRow>, StoreError> {
        let postgres = self.backend() == crate::Backend::Postgres;
        let ids: Vec<ReminderId> = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                // Several servers' and workers' outboxes: each reminder is delivered by one of them.
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(REMINDERS_LOCK_KEY).execute(&mut *tx).await?;
            }
            let ids: Vec<ReminderId> = sqlx::query_scalar(
                "SELECT id FROM reminders WHERE delivered_at IS NULL AND deliver_at <= $1 ORDER BY id LIMIT $2",
            )
            .bind(now)
            .bind(DELIVERIES_PER_ROUND as i64)
            .fetch_all(&mut *tx)
            .await?;
            if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
                sqlx::query(
                    "UPDATE reminders SET delivered_at = $1 \
                     WHERE delivered_at IS NULL AND deliver_at <= $1 AND id >= $2 AND id <= $3",
                )
                .bind(now)
                .bind(first)
                .bind(last)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            ids
        });
        let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else { return Ok(Vec::new()) };
        Ok(self
            .reminders_between(first, last)
            .await?
            .into_iter()
            .filter(|r| ids.binary_search(&r.id).is_ok())
            .collect())
    }

    /// Reminders per rule per trading day in scope over the `days` calendar
    /// days ending on the newest day with any, newest day first.
    pub async fn reminder_volume(&self, scope: Scope, days: i64) -> Result<Vec<ReminderVolume>, StoreError> {
        let newest: Option<NaiveDate> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new("SELECT MAX(r.trading_day) FROM reminders r WHERE 1 = 1");
            push_reminder_scope(&mut q, scope);
            q.build_query_scalar().fetch_one(pool).await?
        });
        let Some(newest) = newest else { return Ok(Vec::new()) };
        let since = newest - chrono::Duration::days(days - 1);
        let rows: Vec<(NaiveDate, String, i64)> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT r.trading_day, r.rule, COUNT(*) FROM reminders r WHERE r.trading_day >= ",
            );
            q.push_bind(since);
            push_reminder_scope(&mut q, scope);
            q.push(" GROUP BY r.trading_day, r.rule ORDER BY r.trading_day DESC, r.rule");
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|(trading_day, rule, count)| ReminderVolume { trading_day, rule, count }).collect())
    }
}

/// A customer's shares of one instrument over all their accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerShares {
    /// Customer id.
    pub customer_id: i64,
    /// Shares held over all their accounts.
    pub shares: i64,
    /// The account a reminder about it goes to: the lowest holding it (else the one asked about).
    pub account_id: i64,
    /// The whole percent of the last disclosure reminder about it, if any.
    pub last_percent: Option<i64>,
}

impl Db {
    /// The customer behind `account`: their shares of `code` over all their
    /// accounts, and the step of the last disclosure reminder sent them about it.
    pub async fn customer_shares(&self, account: i64, code: &str) -> Result<Option<CustomerShares>, StoreError> {
        with_pool!(self, pool => {
            let Some(customer): Option<i64> = sqlx::query_scalar("SELECT customer_id FROM accounts WHERE id = $1")
                .bind(account).fetch_optional(pool).await? else { return Ok(None) };
            // Their accounts first, then each holding by its key: a join let the
            // planner walk the instrument's every holder (seconds at 10 M accounts).
            let accounts: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE customer_id = $1")
                .bind(customer).fetch_all(pool).await?;
            let (mut shares, mut first) = (None::<i64>, None::<i64>);
            for a in accounts {
                let held: Option<i64> =
                    sqlx::query_scalar("SELECT quantity FROM positions WHERE account_id = $1 AND instrument = $2")
                        .bind(a).bind(code).fetch_optional(pool).await?;
                if let Some(q) = held {
                    shares = Some(shares.unwrap_or(0) + q);
                    first = Some(first.map_or(a, |f: i64| f.min(a)));
                }
            }
            let last: Option<i32> = sqlx::query_scalar(
                "SELECT step FROM reminders WHERE customer_id = $1 AND rule = 'disclosure' AND instrument = $2 \
                 ORDER BY id DESC LIMIT 1",
            ).bind(customer).bind(code).fetch_optional(pool).await?;
            Ok(Some(CustomerShares {
                customer_id: customer,
                shares: shares.unwrap_or(0),
                account_id: first.unwrap_or(account),
                last_percent: last.map(|s| i64::from(s) / 10),
            }))
        })
    }
}
