//! Figures kept current (issue 23): each customer's cash, market value at
//! the latest close and last trade (`customer_figures`), their sums per team
//! of a branch and an advisor (`team_figures`), and each team's customers by
//! the day of their last trade (`team_trade_days`). Whatever moves the book
//! refreshes the customers it touched in the same unit of work, so the
//! overview reads a few rows per team, never the whole book.
//!
//! A refresh recomputes a customer's figures from the book and moves the
//! team sums by the difference from what was stored, so the sums stay exact
//! whatever order the changes come in; a rebuild recomputes everything.

use crate::{with_pool, with_tx, Backend, Db, StoreError, Tx};
use access::Scope;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::{FixedPoint, Money};
use sqlx::QueryBuilder;
use std::collections::HashMap;

use crate::firm::FirmOverview;

/// Ids per `IN (...)` list and rows per multi-row write.
const IDS_PER_STATEMENT: usize = 1_000;

/// A customer with no trade on the days after this many days before the
/// book's latest trade day is dormant.
pub const DORMANT_AFTER_DAYS: i64 = 90;

/// Past this many customers and accounts loaded, a load rebuilds every
/// customer's figures in one pass rather than refreshing each.
pub const REBUILD_FIGURES_ABOVE: usize = 200_000;

/// The customers and accounts a load wrote, whose figures it must refresh.
#[derive(Debug, Clone, Default)]
pub struct LoadedKeys {
    customers: std::collections::HashSet<i64>,
    accounts: std::collections::HashSet<i64>,
    too_many: bool,
}

impl LoadedKeys {
    /// Notes the customers and accounts a batch of rows writes (rows that
    /// do not move a customer's figures note nothing).
    pub fn note(&mut self, rows: &crate::Rows) {
        use crate::Rows;
        if self.too_many {
            return;
        }
        match rows {
            Rows::Customers(v) => self.customers.extend(v.iter().map(|c| c.id.0)),
            Rows::Accounts(v) => self.accounts.extend(v.iter().map(|a| a.id.0)),
            Rows::Positions(v) => self.accounts.extend(v.iter().map(|p| p.account_id.0)),
            Rows::Trades(v) => self.accounts.extend(v.iter().map(|t| t.account_id.0)),
            Rows::ServiceEvents(v) => self.customers.extend(v.iter().map(|e| e.customer_id.0)),
            _ => {}
        }
        if self.customers.len() + self.accounts.len() > REBUILD_FIGURES_ABOVE {
            *self = LoadedKeys { too_many: true, ..LoadedKeys::default() };
        }
    }
}

/// One customer's figures, as stored or as the book now says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Figures {
    branch_id: i64,
    advisor_id: i64,
    cash: i64,
    market_value: i64,
    last_trade: Option<DateTime<Utc>>,
    last_contact: Option<DateTime<Utc>>,
    open_reminders: i64,
}

/// Stored for "never" in the time columns (see the migration): sorts first.
pub const NEVER: DateTime<Utc> = DateTime::UNIX_EPOCH;

/// The first instant a customer must have traded at or after not to be
/// dormant, given the book's latest trade: the start (in Shanghai) of the
/// day after the cut-off day. With no trade at all everyone is dormant.
pub(crate) fn active_since(as_of: Option<DateTime<Utc>>) -> DateTime<Utc> {
    match as_of.and_then(unless_never) {
        None => DateTime::<Utc>::MAX_UTC,
        Some(t) => {
            let day = trade_day(t) - Duration::days(DORMANT_AFTER_DAYS - 1);
            day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc() - Duration::hours(8)
        }
    }
}

/// A stored time, None where it says never.
fn unless_never(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (t != NEVER).then_some(t)
}

impl Figures {
    /// The team the figures count towards.
    fn team(&self) -> (i64, i64) {
        (self.branch_id, self.advisor_id)
    }

    /// The Shanghai date of the last trade, the dormant count's unit.
    fn last_trade_day(&self) -> Option<NaiveDate> {
        self.last_trade.map(trade_day)
    }
}

/// The Shanghai calendar date of an instant.
fn trade_day(t: DateTime<Utc>) -> NaiveDate {
    domain::to_shanghai(t).date_naive()
}

/// What refreshing a set of customers changes in the team sums.
#[derive(Debug, Default)]
struct TeamChanges {
    /// (customers, cash, market value) to add, per team.
    sums: HashMap<(i64, i64), (i64, i64, i64)>,
    /// Customers to add per team and last-trade day.
    days: HashMap<(i64, i64, NaiveDate), i64>,
}

impl TeamChanges {
    /// Takes `old` out of its team and puts `new` into its own.
    fn replace(&mut self, old: Option<&Figures>, new: &Figures) {
        if let Some(old) = old {
            let s = self.sums.entry(old.team()).or_default();
            s.0 -= 1;
            s.1 -= old.cash;
            s.2 -= old.market_value;
            if let Some(day) = old.last_trade_day() {
                *self.days.entry((old.branch_id, old.advisor_id, day)).or_default() -= 1;
            }
        }
        let s = self.sums.entry(new.team()).or_default();
        s.0 += 1;
        s.1 += new.cash;
        s.2 += new.market_value;
        if let Some(day) = new.last_trade_day() {
            *self.days.entry((new.branch_id, new.advisor_id, day)).or_default() += 1;
        }
    }
}

/// A customer's figures recomputed from the book, over `customers c`: the
/// money, the last trade, the last service event and the last planned
/// contact done (text on both backends, read as RFC 3339).
const FIGURES_FROM_BOOK: &str = "SELECT c.id, c.branch_id, c.advisor_id, \
     CAST(COALESCE((SELECT SUM(a.cash) FROM accounts a WHERE a.customer_id = c.id), 0) AS BIGINT), \
     CAST(COALESCE((SELECT SUM(p.quantity * i.last_close) FROM accounts a \
        JOIN positions p ON p.account_id = a.id JOIN instruments i ON i.code = p.instrument \
        WHERE a.customer_id = c.id), 0) AS BIGINT), \
     (SELECT MAX(t.time) FROM accounts a JOIN trades t ON t.account_id = a.id WHERE a.customer_id = c.id), \
     (SELECT MAX(e.time) FROM service_events e WHERE e.customer_id = c.id), \
     (SELECT MAX(p.done_at) FROM service_plan p WHERE p.customer_id = c.id AND p.done_at IS NOT NULL) \
     FROM customers c WHERE c.id IN (";

type BookTuple = (i64, i64, i64, i64, i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<String>);
type StoredTuple = (i64, i64, i64, i64, i64, DateTime<Utc>, DateTime<Utc>, i64);

/// The later of a service event and a planned contact done.
fn last_contact(event: Option<DateTime<Utc>>, plan: Option<&str>) -> Result<Option<DateTime<Utc>>, StoreError> {
    let plan = plan
        .map(|text| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| StoreError::Corrupt { what: "service_plan.done_at", reason: format!("'{text}': {e}") })
        })
        .transpose()?;
    Ok(event.max(plan))
}

fn stored_figures(t: &StoredTuple) -> Figures {
    Figures {
        branch_id: t.1,
        advisor_id: t.2,
        cash: t.3,
        market_value: t.4,
        last_trade: unless_never(t.5),
        last_contact: unless_never(t.6),
        open_reminders: t.7,
    }
}

impl Tx {
    /// The customers owning these accounts.
    pub async fn customers_of_accounts(&mut self, accounts: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut out = Vec::new();
        for chunk in accounts.chunks(IDS_PER_STATEMENT) {
            let ids: Vec<i64> = with_tx!(self, conn => {
                let mut q = QueryBuilder::new("SELECT DISTINCT customer_id FROM accounts WHERE id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_scalar().fetch_all(&mut *conn).await?
            });
            out.extend(ids);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Brings the figures of the customers owning these accounts up to date
    /// with the book as this unit of work leaves it.
    pub async fn refresh_figures_of_accounts(&mut self, accounts: &[i64]) -> Result<(), StoreError> {
        let customers = self.customers_of_accounts(accounts).await?;
        self.refresh_figures(&customers).await
    }

    /// Brings these customers' figures, and their teams' sums, up to date
    /// with the book as this unit of work leaves it.
    pub async fn refresh_figures(&mut self, customers: &[i64]) -> Result<(), StoreError> {
        let mut changes = TeamChanges::default();
        let mut changed: Vec<(i64, Figures)> = Vec::new();
        for chunk in customers.chunks(IDS_PER_STATEMENT) {
            let book: Vec<BookTuple> = with_tx!(self, conn => {
                let mut q = QueryBuilder::new(FIGURES_FROM_BOOK);
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_as().fetch_all(&mut *conn).await?
            });
            let mut now = Vec::with_capacity(book.len());
            for t in &book {
                let contact = last_contact(t.6, t.7.as_deref())?;
                let f = Figures {
                    branch_id: t.1,
                    advisor_id: t.2,
                    cash: t.3,
                    market_value: t.4,
                    last_trade: t.5,
                    last_contact: contact,
                    open_reminders: 0,
                };
                now.push((t.0, f));
            }
            if now.is_empty() {
                continue;
            }
            // Open reminders: those made after the last contact.
            let (open, stored): (Vec<(i64, i64)>, Vec<StoredTuple>) = with_tx!(self, conn => {
                let mut q = QueryBuilder::new(
                    "SELECT v.column1, (SELECT COUNT(*) FROM reminders r \
                     WHERE r.customer_id = v.column1 AND r.created_at > v.column2) FROM (",
                );
                q.push_values(&now, |mut row, (id, f)| {
                    row.push_bind(*id).push_bind(f.last_contact.unwrap_or(NEVER));
                });
                q.push(") AS v");
                let open = q.build_query_as().fetch_all(&mut *conn).await?;
                let mut q = QueryBuilder::new(
                    "SELECT customer_id, branch_id, advisor_id, cash, market_value, last_trade, last_contact, \
                     open_reminders FROM customer_figures WHERE customer_id IN (",
                );
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                (open, q.build_query_as().fetch_all(&mut *conn).await?)
            });
            let open: HashMap<i64, i64> = open.into_iter().collect();
            let stored: HashMap<i64, Figures> = stored.iter().map(|t| (t.0, stored_figures(t))).collect();
            for (id, mut new) in now {
                new.open_reminders = open.get(&id).copied().unwrap_or(0);
                let old = stored.get(&id);
                if old != Some(&new) {
                    changes.replace(old, &new);
                    changed.push((id, new));
                }
            }
        }
        self.write_figures(&changed, &changes).await
    }

    /// Stores changed customers' figures and adds the changes to the team sums.
    async fn write_figures(&mut self, changed: &[(i64, Figures)], changes: &TeamChanges) -> Result<(), StoreError> {
        for chunk in changed.chunks(IDS_PER_STATEMENT) {
            with_tx!(self, conn => {
                let mut q = QueryBuilder::new(
                    "INSERT INTO customer_figures (customer_id, branch_id, advisor_id, cash, market_value, assets, \
                     last_trade, last_trade_day, last_contact, open_reminders) ",
                );
                q.push_values(chunk, |mut row, (id, f)| {
                    row.push_bind(*id)
                        .push_bind(f.branch_id)
                        .push_bind(f.advisor_id)
                        .push_bind(f.cash)
                        .push_bind(f.market_value)
                        .push_bind(f.cash + f.market_value)
                        .push_bind(f.last_trade.unwrap_or(NEVER))
                        .push_bind(f.last_trade_day())
                        .push_bind(f.last_contact.unwrap_or(NEVER))
                        .push_bind(f.open_reminders);
                });
                q.push(
                    " ON CONFLICT (customer_id) DO UPDATE SET branch_id = excluded.branch_id, \
                     advisor_id = excluded.advisor_id, cash = excluded.cash, market_value = excluded.market_value, \
                     assets = excluded.assets, last_trade = excluded.last_trade, \
                     last_trade_day = excluded.last_trade_day, last_contact = excluded.last_contact, \
                     open_reminders = excluded.open_reminders",
                );
                q.build().execute(&mut *conn).await?;
            });
        }
        let sums: Vec<_> = changes.sums.iter().filter(|(_, s)| **s != (0, 0, 0)).collect();
        for chunk in sums.chunks(IDS_PER_STATEMENT) {
            with_tx!(self, conn => {
                let mut q =
                    QueryBuilder::new("INSERT INTO team_figures (branch_id, advisor_id, customers, cash, market_value) ");
                q.push_values(chunk, |mut row, ((branch, advisor), (n, cash, value))| {
                    row.push_bind(*branch).push_bind(*advisor).push_bind(*n).push_bind(*cash).push_bind(*value);
                });
                q.push(
                    " ON CONFLICT (branch_id, advisor_id) DO UPDATE SET \
                     customers = team_figures.customers + excluded.customers, \
                     cash = team_figures.cash + excluded.cash, \
                     market_value = team_figures.market_value + excluded.market_value",
                );
                q.build().execute(&mut *conn).await?;
            });
        }
        let days: Vec<_> = changes.days.iter().filter(|(_, n)| **n != 0).collect();
        for chunk in days.chunks(IDS_PER_STATEMENT) {
            with_tx!(self, conn => {
                let mut q = QueryBuilder::new("INSERT INTO team_trade_days (branch_id, advisor_id, day, customers) ");
                q.push_values(chunk, |mut row, ((branch, advisor, day), n)| {
                    row.push_bind(*branch).push_bind(*advisor).push_bind(*day).push_bind(**n);
                });
                q.push(
                    " ON CONFLICT (branch_id, advisor_id, day) DO UPDATE SET \
                     customers = team_trade_days.customers + excluded.customers",
                );
                q.build().execute(&mut *conn).await?;
            });
        }
        Ok(())
    }
}

/// The statements that move the figures of advisor `from`'s customers to
/// advisor `to` in branch `branch`, as a handover moves the customers
/// themselves, each with its parameters (run in the handover's own unit).
pub(crate) fn hand_over_statements(from: i64, to: i64, branch: i64) -> [(&'static str, Vec<i64>); 5] {
    [
        (
            "INSERT INTO team_figures (branch_id, advisor_id, customers, cash, market_value) \
             SELECT $1, $2, SUM(customers), SUM(cash), SUM(market_value) FROM team_figures \
             WHERE advisor_id = $3 GROUP BY advisor_id \
             ON CONFLICT (branch_id, advisor_id) DO UPDATE SET \
             customers = team_figures.customers + excluded.customers, \
             cash = team_figures.cash + excluded.cash, \
             market_value = team_figures.market_value + excluded.market_value",
            vec![branch, to, from],
        ),
        (
            "INSERT INTO team_trade_days (branch_id, advisor_id, day, customers) \
             SELECT $1, $2, day, SUM(customers) FROM team_trade_days WHERE advisor_id = $3 GROUP BY day \
             ON CONFLICT (branch_id, advisor_id, day) DO UPDATE SET \
             customers = team_trade_days.customers + excluded.customers",
            vec![branch, to, from],
        ),
        ("DELETE FROM team_figures WHERE advisor_id = $1", vec![from]),
        ("DELETE FROM team_trade_days WHERE advisor_id = $1", vec![from]),
        ("UPDATE customer_figures SET branch_id = $1, advisor_id = $2 WHERE advisor_id = $3", vec![branch, to, from]),
    ]
}

impl Db {
    /// Recomputes every customer's figures and every team's sums from the
    /// book, in one unit of work (after a bulk import, or when the figures
    /// are missing).
    pub async fn rebuild_figures(&self) -> Result<(), StoreError> {
        // The Shanghai date of a stored instant (UTC+8 all year since 1991),
        // and a planned contact's time (stored as RFC 3339 text).
        let (day, plan_time) = match self.backend() {
            Backend::Sqlite => ("date(lt.last_trade, '+8 hours')", "done_at"),
            Backend::Postgres => (
                "CAST((lt.last_trade AT TIME ZONE 'UTC') + INTERVAL '8 hours' AS DATE)",
                "CAST(done_at AS TIMESTAMPTZ)",
            ),
        };
        let contacts = format!(
            "(SELECT customer_id, MAX(t) AS t FROM (SELECT customer_id, time AS t FROM service_events \
             UNION ALL SELECT customer_id, {plan_time} FROM service_plan WHERE done_at IS NOT NULL) x \
             GROUP BY customer_id)"
        );
        let fill = format!(
            "INSERT INTO customer_figures (customer_id, branch_id, advisor_id, cash, market_value, assets, \
             last_trade, last_trade_day, last_contact, open_reminders) \
             SELECT c.id, c.branch_id, c.advisor_id, COALESCE(ac.cash, 0), COALESCE(mv.value, 0), \
             COALESCE(ac.cash, 0) + COALESCE(mv.value, 0), COALESCE(lt.last_trade, $1), {day}, \
             COALESCE(lc.t, $2), COALESCE(rm.n, 0) \
             FROM customers c \
             LEFT JOIN (SELECT customer_id, CAST(SUM(cash) AS BIGINT) AS cash FROM accounts GROUP BY customer_id) ac \
               ON ac.customer_id = c.id \
             LEFT JOIN (SELECT a.customer_id, CAST(SUM(p.quantity * i.last_close) AS BIGINT) AS value \
               FROM positions p JOIN instruments i ON i.code = p.instrument JOIN accounts a ON a.id = p.account_id \
               GROUP BY a.customer_id) mv ON mv.customer_id = c.id \
             LEFT JOIN (SELECT a.customer_id, MAX(t.last_trade) AS last_trade \
               FROM (SELECT account_id, MAX(time) AS last_trade FROM trades GROUP BY account_id) t \
               JOIN accounts a ON a.id = t.account_id GROUP BY a.customer_id) lt ON lt.customer_id = c.id \
             LEFT JOIN {contacts} lc ON lc.customer_id = c.id \
             LEFT JOIN (SELECT r.customer_id, COUNT(*) AS n FROM reminders r LEFT JOIN {contacts} rc \
               ON rc.customer_id = r.customer_id WHERE rc.t IS NULL OR r.created_at > rc.t \
               GROUP BY r.customer_id) rm ON rm.customer_id = c.id"
        );
        let statements = [
            "DELETE FROM team_trade_days",
            "DELETE FROM team_figures",
            "DELETE FROM customer_figures",
            fill.as_str(),
            "INSERT INTO team_figures (branch_id, advisor_id, customers, cash, market_value) \
             SELECT branch_id, advisor_id, COUNT(*), CAST(SUM(cash) AS BIGINT), CAST(SUM(market_value) AS BIGINT) \
             FROM customer_figures GROUP BY branch_id, advisor_id",
            "INSERT INTO team_trade_days (branch_id, advisor_id, day, customers) \
             SELECT branch_id, advisor_id, last_trade_day, COUNT(*) FROM customer_figures \
             WHERE last_trade_day IS NOT NULL GROUP BY branch_id, advisor_id, last_trade_day",
        ];
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            // The book's aggregates (positions, trades by account) in memory
            // rather than spilled to disk in 4 MB pieces.
            with_tx!(tx, conn => { sqlx::query("SET LOCAL work_mem = '256MB'").execute(&mut *conn).await?; });
        }
        for sql in statements {
            with_tx!(tx, conn => {
                let q = sqlx::query(sql);
                // Only the fill names parameters: never, for no trade and no contact.
                let q = if sql == fill { q.bind(NEVER).bind(NEVER) } else { q };
                q.execute(&mut *conn).await?;
            });
        }
        tx.commit().await
    }

    /// Brings the figures up to date after a load that wrote these
    /// customers and accounts (their positions, trades or the rows
    /// themselves): refreshed one by one, or all rebuilt when the load was
    /// large enough that a rebuild is cheaper.
    pub async fn refresh_figures_after_load(&self, loaded: &LoadedKeys) -> Result<(), StoreError> {
        if loaded.too_many {
            return self.rebuild_figures().await;
        }
        if loaded.customers.is_empty() && loaded.accounts.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        let accounts: Vec<i64> = loaded.accounts.iter().copied().collect();
        let mut customers = tx.customers_of_accounts(&accounts).await?;
        customers.extend(loaded.customers.iter().copied());
        customers.sort_unstable();
        customers.dedup();
        tx.refresh_figures(&customers).await?;
        tx.commit().await
    }

    /// Brings the query planner's statistics up to date (ANALYZE on
    /// PostgreSQL, PRAGMA optimize on SQLite): a freshly loaded table
    /// without them gets plans that scan it per row.
    pub async fn refresh_planner_statistics(&self) -> Result<(), StoreError> {
        let sql = match self.backend() {
            Backend::Sqlite => "PRAGMA optimize",
            Backend::Postgres => "ANALYZE",
        };
        with_pool!(self, pool => {
            sqlx::query(sql).execute(pool).await?;
        });
        Ok(())
    }

    /// Rebuilds the figures when there are customers but no figures (a
    /// database made before they were kept).
    pub(crate) async fn fill_missing_figures(&self) -> Result<(), StoreError> {
        let missing: bool = with_pool!(self, pool => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM customers) AND NOT EXISTS (SELECT 1 FROM customer_figures)",
        ).fetch_one(pool).await?);
        if missing {
            tracing::info!("computing the customers' figures once (a database from before they were kept)");
            self.rebuild_figures().await?;
        }
        Ok(())
    }

    /// Figures for the overview page, over the customers in scope, read from
    /// the figures kept current (a few rows per team).
    pub async fn firm_overview(&self, scope: Scope) -> Result<FirmOverview, StoreError> {
        with_pool!(self, pool => {
            let as_of: Option<DateTime<Utc>> =
                sqlx::query_scalar("SELECT MAX(last_trade) FROM customer_figures").fetch_one(pool).await?;
            let as_of = as_of.and_then(unless_never);
            let cutoff = as_of.map(|t| trade_day(t) - Duration::days(DORMANT_AFTER_DAYS));
            // A customer's own figures are one row; everyone else's are per team.
            let (sums, active) = if let Scope::Customer(id) = scope {
                let sql = "SELECT COUNT(DISTINCT branch_id), COUNT(DISTINCT advisor_id), COUNT(*), \
                           CAST(COALESCE(SUM(cash), 0) AS BIGINT), CAST(COALESCE(SUM(market_value), 0) AS BIGINT), \
                           COUNT(*) FILTER (WHERE last_trade_day > $2) FROM customer_figures WHERE customer_id = $1";
                let row: (i64, i64, i64, i64, i64, i64) =
                    sqlx::query_as(sql).bind(id).bind(cutoff).fetch_one(pool).await?;
                ((row.0, row.1, row.2, row.3, row.4), row.5)
            } else {
                let mut q = QueryBuilder::new(
                    "SELECT COUNT(DISTINCT c.branch_id), COUNT(DISTINCT c.advisor_id), \
                     CAST(COALESCE(SUM(c.customers), 0) AS BIGINT), CAST(COALESCE(SUM(c.cash), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(c.market_value), 0) AS BIGINT) FROM team_figures c WHERE c.customers > 0",
                );
                crate::customers::push_scope(&mut q, scope);
                let sums: (i64, i64, i64, i64, i64) = q.build_query_as().fetch_one(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT CAST(COALESCE(SUM(c.customers), 0) AS BIGINT) FROM team_trade_days c WHERE c.day > ",
                );
                q.push_bind(cutoff);
                crate::customers::push_scope(&mut q, scope);
                (sums, q.build_query_scalar().fetch_one(pool).await?)
            };
            let (branches, advisors, customers, cash, market_value) = sums;
            Ok(FirmOverview {
                branches,
                advisors,
                customers,
                cash: Money::from_fixed(cash),
                market_value: Money::from_fixed(market_value),
                assets_under_custody: Money::from_fixed(cash + market_value),
                customers_per_advisor: if advisors == 0 { 0 } else { (customers + advisors / 2) / advisors },
                dormant_customers: customers - active,
                as_of,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(branch: i64, advisor: i64, cash: i64, day: Option<&str>) -> Figures {
        Figures {
            branch_id: branch,
            advisor_id: advisor,
            cash,
            market_value: 2 * cash,
            last_trade: day.map(|d| format!("{d}T02:00:00Z").parse().unwrap()),
            last_contact: None,
            open_reminders: 0,
        }
    }

    #[test]
    fn a_customer_moving_team_leaves_the_old_sums_and_joins_the_new() {
        let mut changes = TeamChanges::default();
        let old = figures(1, 10, 100, Some("2025-07-01"));
        let new = figures(2, 20, 150, Some("2025-07-04"));
        changes.replace(Some(&old), &new);
        assert_eq!(changes.sums[&(1, 10)], (-1, -100, -200));
        assert_eq!(changes.sums[&(2, 20)], (1, 150, 300));
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        assert_eq!(changes.days[&(1, 10, day("2025-07-01"))], -1);
        assert_eq!(changes.days[&(2, 20, day("2025-07-04"))], 1);
    }

    #[test]
    fn a_trade_late_in_the_utc_day_counts_on_the_next_shanghai_day() {
        let t: DateTime<Utc> = "2025-07-04T17:30:00Z".parse().unwrap();
        assert_eq!(trade_day(t), "2025-07-05".parse::<NaiveDate>().unwrap());
    }
}
