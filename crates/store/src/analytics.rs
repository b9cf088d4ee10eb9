//! Analytics kept current (issue 28): each customer's months of activity
//! and revenue (`customer_months`), and the counts per team and month
//! (`team_months`) and per team, cohort and month (`cohort_months`) that
//! the TUV, lifecycle and cohort figures read.
//!
//! Whatever stores a login, a trade, a customer's group message or a
//! purchase refreshes the (customer, month) it falls in, in the same unit of
//! work: the month is recomputed from the stored events, and the counts
//! move by the difference between the customer's contribution before and
//! after. So the counts stay exact whatever order events come in, and a
//! repeated event changes nothing. A large load rebuilds everything in SQL.

use crate::{with_pool, with_tx, Backend, Db, Rows, StoreError, Tx};
use ::orders::FeeSchedule;
use access::Scope;
use analytics::Month;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use domain::InstrumentKind;
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Ids per `IN (...)` list and rows per multi-row write.
const IDS_PER_STATEMENT: usize = 1_000;

/// Past this many (customer, month) pairs loaded, a load rebuilds all the
/// counts in one pass rather than refreshing each.
pub const REBUILD_ANALYTICS_ABOVE: usize = 200_000;

/// The instant a month starts in Shanghai (UTC+8 all year since 1991).
pub fn month_start(month: Month) -> DateTime<Utc> {
    month.first_day().and_time(NaiveTime::MIN).and_utc() - Duration::hours(8)
}

/// The month an instant falls in, in Shanghai.
pub fn month_of(t: DateTime<Utc>) -> Month {
    Month::of(domain::to_shanghai(t).date_naive())
}

fn parse_month(text: &str) -> Result<Month, StoreError> {
    text.parse().map_err(|e: analytics::MonthError| StoreError::Corrupt { what: "month", reason: e.to_string() })
}

/// The customers and months a load wrote events for, whose counts it must refresh.
#[derive(Debug, Clone, Default)]
pub struct ActivityKeys {
    customers: HashSet<i64>,
    customer_months: HashSet<(i64, Month)>,
    account_months: HashSet<(i64, Month)>,
    too_many: bool,
}

impl ActivityKeys {
    /// Notes what a batch of rows makes active (logins, trades) or moves
    /// (customers: a new one, or a change of team or opening).
    pub fn note(&mut self, rows: &Rows) {
        if self.too_many {
            return;
        }
        match rows {
            Rows::Customers(v) => self.customers.extend(v.iter().map(|c| c.id.0)),
            Rows::Logins(v) => self.customer_months.extend(v.iter().map(|l| (l.customer_id.0, month_of(l.time)))),
            Rows::Trades(v) => self.account_months.extend(v.iter().map(|t| (t.account_id.0, month_of(t.time)))),
            _ => {}
        }
        if self.customers.len() + self.customer_months.len() + self.account_months.len() > REBUILD_ANALYTICS_ABOVE {
            *self = ActivityKeys { too_many: true, ..ActivityKeys::default() };
        }
    }
}

/// A team (branch, advisor) and the month a customer's account opened.
type Team = (i64, i64, Month);
/// Stored team rows: (customer, branch, advisor, opened).
type TeamRaw = (i64, i64, i64, String);
/// Stored month rows: (customer, month, revenue).
type MonthRaw = (i64, String, i64);
/// A trade as revenue: (customer, kind, quantity, price).
type TradeRaw = (i64, String, i64, i64);
/// A team-month row as stored.
type TeamMonthRaw = (i64, i64, String, i64, i64, i64, i64, i64, i64);
/// A group member's row: (customer, joined, removed, opened, month, revenue).
type MemberRaw = (i64, DateTime<Utc>, Option<DateTime<Utc>>, Option<String>, Option<String>, Option<i64>);

/// A cohort cell as stored: (cohort, month, active, revenue).
type CohortRaw = (String, String, i64, i64);
/// An id and a name.
type Named = Vec<(i64, String)>;

/// A customer as counted: team, opening month, active months with revenue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Counted {
    team: Option<Team>,
    months: BTreeMap<Month, i64>,
}

/// Changes to the counts: per (branch, advisor, month) the seven team
/// counts, per (branch, advisor, cohort, month) active and revenue.
#[derive(Debug, Default)]
struct CountChanges {
    teams: HashMap<(i64, i64, Month), [i64; 6]>,
    cohorts: HashMap<(i64, i64, Month, Month), [i64; 2]>,
}

impl CountChanges {
    /// Adds (sign 1) or takes away (sign -1) what a customer counts for.
    fn add(&mut self, c: &Counted, sign: i64) {
        let Some((branch, advisor, opened)) = c.team else { return };
        self.teams.entry((branch, advisor, opened)).or_default()[0] += sign;
        for (&month, &revenue) in c.months.range(opened..) {
            let t = self.teams.entry((branch, advisor, month)).or_default();
            t[1] += sign;
            t[2] += sign * i64::from(revenue > 0);
            t[3] += sign * revenue;
            if month > opened {
                if c.months.contains_key(&month.pred()) {
                    t[4] += sign;
                } else {
                    t[5] += sign;
                }
            }
            let k = self.cohorts.entry((branch, advisor, opened, month)).or_default();
            k[0] += sign;
            k[1] += sign * revenue;
        }
    }
}

/// The revenue rules: the fee schedule's commission on trades, and the
/// price of advisory subscriptions bought (funds' and wealth products'
/// sales fees are not in the book and count as nothing).
fn trade_revenue(fees: &FeeSchedule, kind: &str, quantity: i64, price: i64) -> i64 {
    let kind = kind.parse::<InstrumentKind>().unwrap_or(InstrumentKind::Stock);
    fees.commission(kind, quantity.saturating_mul(price))
}

impl Tx {
    /// Each account's customer.
    async fn owners_of_accounts(&mut self, accounts: &[i64]) -> Result<HashMap<i64, i64>, StoreError> {
        let mut out = HashMap::new();
        for chunk in accounts.chunks(IDS_PER_STATEMENT) {
            let rows: Vec<(i64, i64)> = with_tx!(self, conn => {
                let mut q = QueryBuilder::new("SELECT id, customer_id FROM accounts WHERE id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_as().fetch_all(&mut *conn).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Refreshes the months of accounts' trades (their customers' months).
    pub async fn refresh_activity_of_accounts(&mut self, account_months: &[(i64, Month)]) -> Result<(), StoreError> {
        let accounts: Vec<i64> = account_months.iter().map(|a| a.0).collect::<HashSet<_>>().into_iter().collect();
        let owners = self.owners_of_accounts(&accounts).await?;
        let months: Vec<(i64, Month)> =
            account_months.iter().filter_map(|(a, m)| owners.get(a).map(|c| (*c, *m))).collect();
        self.refresh_activity(&[], &months).await
    }

    /// Brings the counts up to date with the book as this unit of work
    /// leaves it: `customers` may have changed team or opening month, and
    /// each (customer, month) in `months` may have new events.
    pub async fn refresh_activity(&mut self, customers: &[i64], months: &[(i64, Month)]) -> Result<(), StoreError> {
        let fees = self.revenue_fees.clone();
        let mut by_customer: BTreeMap<i64, Vec<Month>> = customers.iter().map(|c| (*c, Vec::new())).collect();
        for (c, m) in months {
            by_customer.entry(*c).or_default().push(*m);
        }
        let ids: Vec<i64> = by_customer.keys().copied().collect();
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut changes = CountChanges::default();
            let before = self.counted(chunk).await?;
            let teams = self.current_teams(chunk).await?;
            let mut wanted: BTreeMap<Month, Vec<i64>> = BTreeMap::new();
            for id in chunk {
                for m in &by_customer[id] {
                    wanted.entry(*m).or_default().push(*id);
                }
            }
            let mut recomputed: HashMap<(i64, Month), Option<i64>> = HashMap::new();
            for (month, who) in &wanted {
                let found = self.month_from_events(*month, who, &fees).await?;
                for id in who {
                    recomputed.insert((*id, *month), found.get(id).copied());
                }
            }
            let mut month_writes: Vec<(i64, Month, Option<i64>)> = Vec::new();
            let mut team_writes: Vec<(i64, Option<Team>)> = Vec::new();
            for id in chunk {
                let old = before.get(id).cloned().unwrap_or_default();
                let mut new = Counted { team: teams.get(id).copied(), months: old.months.clone() };
                for m in &by_customer[id] {
                    let now = recomputed[&(*id, *m)];
                    if old.months.get(m).copied() != now {
                        month_writes.push((*id, *m, now));
                    }
                    match now {
                        Some(r) => new.months.insert(*m, r),
                        None => new.months.remove(m),
                    };
                }
                if new.team != old.team {
                    team_writes.push((*id, new.team));
                }
                if new != old {
                    changes.add(&old, -1);
                    changes.add(&new, 1);
                }
            }
            self.write_counts(&month_writes, &team_writes, &changes).await?;
        }
        Ok(())
    }

    /// The customers as counted now.
    async fn counted(&mut self, ids: &[i64]) -> Result<HashMap<i64, Counted>, StoreError> {
        let (teams, months): (Vec<TeamRaw>, Vec<MonthRaw>) = with_tx!(self, conn => {
            let mut q = QueryBuilder::new(
                "SELECT customer_id, branch_id, advisor_id, opened FROM analytics_customers WHERE customer_id IN (",
            );
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            let teams = q.build_query_as().fetch_all(&mut *conn).await?;
            let mut q = QueryBuilder::new("SELECT customer_id, month, revenue FROM customer_months WHERE customer_id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            (teams, q.build_query_as().fetch_all(&mut *conn).await?)
        });
        let mut out: HashMap<i64, Counted> = HashMap::new();
        for (id, branch, advisor, opened) in teams {
            out.entry(id).or_default().team = Some((branch, advisor, parse_month(&opened)?));
        }
        for (id, month, revenue) in months {
            out.entry(id).or_default().months.insert(parse_month(&month)?, revenue);
        }
        Ok(out)
    }

    /// The customers' teams and opening months as the book says.
    async fn current_teams(&mut self, ids: &[i64]) -> Result<HashMap<i64, Team>, StoreError> {
        let rows: Vec<(i64, i64, i64, DateTime<Utc>)> = with_tx!(self, conn => {
            let mut q = QueryBuilder::new("SELECT id, branch_id, advisor_id, opened_at FROM customers WHERE id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as().fetch_all(&mut *conn).await?
        });
        Ok(rows.into_iter().map(|(id, b, a, opened)| (id, (b, a, month_of(opened)))).collect())
    }

    /// Which of these customers were active in the month by the stored
    /// events, and the revenue each brought.
    async fn month_from_events(
        &mut self,
        month: Month,
        ids: &[i64],
        fees: &FeeSchedule,
    ) -> Result<HashMap<i64, i64>, StoreError> {
        let (from, to) = (month_start(month), month_start(month.succ()));
        let mut out: HashMap<i64, i64> = HashMap::new();
        let in_list = |q: &mut String| {
            q.push_str(&ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "));
            q.push(')');
        };
        // Ids are integers from the store, so they are written into the text.
        let mut logins =
            "SELECT DISTINCT customer_id FROM logins WHERE time >= $1 AND time < $2 AND customer_id IN (".to_string();
        in_list(&mut logins);
        let mut messages = "SELECT DISTINCT sender_id FROM group_messages WHERE sender_kind = 'customer' \
                            AND at >= $1 AND at < $2 AND sender_id IN ("
            .to_string();
        in_list(&mut messages);
        let mut trades = "SELECT a.customer_id, i.kind, t.quantity, t.price FROM accounts a \
                          JOIN trades t ON t.account_id = a.id JOIN instruments i ON i.code = t.instrument \
                          WHERE t.time >= $1 AND t.time < $2 AND a.customer_id IN ("
            .to_string();
        in_list(&mut trades);
        let mut purchases = "SELECT p.customer_id, CASE WHEN r.kind = 'advisory' THEN p.amount ELSE 0 END \
                             FROM purchases p JOIN products r ON r.id = p.product_id \
                             WHERE p.placed_at >= $1 AND p.placed_at < $2 AND p.customer_id IN ("
            .to_string();
        in_list(&mut purchases);
        let (who, traded, bought): (Vec<i64>, Vec<TradeRaw>, Vec<(i64, i64)>) = with_tx!(self, conn => {
            let mut who: Vec<i64> = sqlx::query_scalar(&logins).bind(from).bind(to).fetch_all(&mut *conn).await?;
            who.extend(sqlx::query_scalar::<_, i64>(&messages).bind(from).bind(to).fetch_all(&mut *conn).await?);
            let traded = sqlx::query_as(&trades).bind(from).bind(to).fetch_all(&mut *conn).await?;
            let bought = sqlx::query_as(&purchases).bind(from).bind(to).fetch_all(&mut *conn).await?;
            (who, traded, bought)
        });
        for id in who {
            out.entry(id).or_default();
        }
        for (id, kind, quantity, price) in traded {
            *out.entry(id).or_default() += trade_revenue(fees, &kind, quantity, price);
        }
        for (id, revenue) in bought {
            *out.entry(id).or_default() += revenue;
        }
        Ok(out)
    }

    /// Stores changed months and teams, and adds the changes to the counts.
    async fn write_counts(
        &mut self,
        months: &[(i64, Month, Option<i64>)],
        teams: &[(i64, Option<Team>)],
        changes: &CountChanges,
    ) -> Result<(), StoreError> {
        for (id, month, revenue) in months {
            let month = month.to_string();
            with_tx!(self, conn => {
                match revenue {
                    Some(r) => sqlx::query(
                        "INSERT INTO customer_months (customer_id, month, revenue) VALUES ($1, $2, $3) \
                         ON CONFLICT (customer_id, month) DO UPDATE SET revenue = excluded.revenue",
                    )
                    .bind(id).bind(&month).bind(r).execute(&mut *conn).await?,
                    None => sqlx::query("DELETE FROM customer_months WHERE customer_id = $1 AND month = $2")
                        .bind(id).bind(&month).execute(&mut *conn).await?,
                };
            });
        }
        for (id, team) in teams {
            with_tx!(self, conn => {
                match team {
                    Some((branch, advisor, opened)) => sqlx::query(
                        "INSERT INTO analytics_customers (customer_id, branch_id, advisor_id, opened) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (customer_id) DO UPDATE SET branch_id = excluded.branch_id, \
                         advisor_id = excluded.advisor_id, opened = excluded.opened",
                    )
                    .bind(id).bind(branch).bind(advisor).bind(opened.to_string()).execute(&mut *conn).await?,
                    None => sqlx::query("DELETE FROM analytics_customers WHERE customer_id = $1")
                        .bind(id).execute(&mut *conn).await?,
                };
            });
        }
        let rows: Vec<_> = changes.teams.iter().filter(|(_, v)| v.iter().any(|n| *n != 0)).collect();
        for chunk in rows.chunks(IDS_PER_STATEMENT) {
            with_tx!(self, conn => {
                let mut q = QueryBuilder::new(
                    "INSERT INTO team_months (branch_id, advisor_id, month, opened, active, paying, revenue, returned, resurrected) ",
                );
                q.push_values(chunk, |mut row, ((branch, advisor, month), v)| {
                    row.push_bind(*branch).push_bind(*advisor).push_bind(month.to_string());
                    for n in v.iter() {
                        row.push_bind(*n);
                    }
                });
                q.push(
                    " ON CONFLICT (branch_id, advisor_id, month) DO UPDATE SET \
                     opened = team_months.opened + excluded.opened, active = team_months.active + excluded.active, \
                     paying = team_months.paying + excluded.paying, revenue = team_months.revenue + excluded.revenue, \
                     returned = team_months.returned + excluded.returned, \
                     resurrected = team_months.resurrected + excluded.resurrected",
                );
                q.build().execute(&mut *conn).await?;
            });
        }
        let rows: Vec<_> = changes.cohorts.iter().filter(|(_, v)| v.iter().any(|n| *n != 0)).collect();
        for chunk in rows.chunks(IDS_PER_STATEMENT) {
            with_tx!(self, conn => {
                let mut q =
                    QueryBuilder::new("INSERT INTO cohort_months (branch_id, advisor_id, cohort, month, active, revenue) ");
                q.push_values(chunk, |mut row, ((branch, advisor, cohort, month), v)| {
                    row.push_bind(*branch)
                        .push_bind(*advisor)
                        .push_bind(cohort.to_string())
                        .push_bind(month.to_string())
                        .push_bind(v[0])
                        .push_bind(v[1]);
                });
                q.push(
                    " ON CONFLICT (branch_id, advisor_id, cohort, month) DO UPDATE SET \
                     active = cohort_months.active + excluded.active, revenue = cohort_months.revenue + excluded.revenue",
                );
                q.build().execute(&mut *conn).await?;
            });
        }
        Ok(())
    }
}

/// The statements that move advisor `from`'s counts to advisor `to` in
/// branch `branch`, as a handover moves all of `from`'s customers.
pub(crate) fn hand_over_statements(from: i64, to: i64, branch: i64) -> [(&'static str, Vec<i64>); 5] {
    [
        (
            "INSERT INTO team_months (branch_id, advisor_id, month, opened, active, paying, revenue, returned, resurrected) \
             SELECT $1, $2, month, SUM(opened), SUM(active), SUM(paying), SUM(revenue), SUM(returned), SUM(resurrected) \
             FROM team_months WHERE advisor_id = $3 GROUP BY month \
             ON CONFLICT (branch_id, advisor_id, month) DO UPDATE SET \
             opened = team_months.opened + excluded.opened, active = team_months.active + excluded.active, \
             paying = team_months.paying + excluded.paying, revenue = team_months.revenue + excluded.revenue, \
             returned = team_months.returned + excluded.returned, \
             resurrected = team_months.resurrected + excluded.resurrected",
            vec![branch, to, from],
        ),
        (
            "INSERT INTO cohort_months (branch_id, advisor_id, cohort, month, active, revenue) \
             SELECT $1, $2, cohort, month, SUM(active), SUM(revenue) FROM cohort_months WHERE advisor_id = $3 \
             GROUP BY cohort, month ON CONFLICT (branch_id, advisor_id, cohort, month) DO UPDATE SET \
             active = cohort_months.active + excluded.active, revenue = cohort_months.revenue + excluded.revenue",
            vec![branch, to, from],
        ),
        ("DELETE FROM team_months WHERE advisor_id = $1", vec![from]),
        ("DELETE FROM cohort_months WHERE advisor_id = $1", vec![from]),
        ("UPDATE analytics_customers SET branch_id = $1, advisor_id = $2 WHERE advisor_id = $3", vec![branch, to, from]),
    ]
}

/// One team's counts in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamMonth {
    /// Branch.
    pub branch_id: i64,
    /// Advisor.
    pub advisor_id: i64,
    /// Month.
    pub month: Month,
    /// Accounts opened in the month.
    pub opened: i64,
    /// Customers active.
    pub active: i64,
    /// Customers paying.
    pub paying: i64,
    /// Revenue, 0.0001 CNY.
    pub revenue: i64,
    /// Active this month and the one before.
    pub returning: i64,
    /// Active this month, not the one before, opened earlier.
    pub resurrected: i64,
}

/// One group member as the group's figures need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberMonths {
    /// The member.
    pub customer_id: i64,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
    /// When they left or were removed.
    pub removed_at: Option<DateTime<Utc>>,
    /// The month their account opened (none if not yet counted).
    pub opened: Option<Month>,
    /// Their active months in the range asked, with revenue.
    pub months: BTreeMap<Month, i64>,
}

impl Db {
    /// Recomputes every customer's months and every count from the stored
    /// events, in one unit of work (after a bulk import).
    pub async fn rebuild_analytics(&self) -> Result<(), StoreError> {
        let fees = self.revenue_fees();
        let (month, prev, greatest) = match self.backend() {
            Backend::Sqlite => {
                ("strftime('%Y-%m', {t}, '+8 hours')", "strftime('%Y-%m', cm.month || '-01', '-1 month')", "MAX")
            }
            Backend::Postgres => (
                "to_char(({t} AT TIME ZONE 'UTC') + INTERVAL '8 hours', 'YYYY-MM')",
                "to_char(to_date(cm.month, 'YYYY-MM') - INTERVAL '1 month', 'YYYY-MM')",
                "GREATEST",
            ),
        };
        let m = |t: &str| month.replace("{t}", t);
        let commission = |kind: InstrumentKind| {
            let c = fees.commission_of(kind);
            // As `orders::FeeSchedule::commission`: ppm of the amount, rounded
            // half up to the fen, then the minimum.
            format!("{greatest}(((t.quantity * t.price * {}) + 50000000) / 100000000 * 100, {})", c.rate_ppm, c.minimum)
        };
        let revenue = format!(
            "CASE i.kind WHEN 'etf' THEN {} WHEN 'bond' THEN {} WHEN 'convertible' THEN {} ELSE {} END",
            commission(InstrumentKind::Etf),
            commission(InstrumentKind::Bond),
            commission(InstrumentKind::ConvertibleBond),
            commission(InstrumentKind::Stock)
        );
        let customers = format!(
            "INSERT INTO analytics_customers (customer_id, branch_id, advisor_id, opened) \
             SELECT id, branch_id, advisor_id, {} FROM customers",
            m("opened_at")
        );
        let months = format!(
            "INSERT INTO customer_months (customer_id, month, revenue) \
             SELECT customer_id, month, CAST(SUM(revenue) AS BIGINT) FROM ( \
               SELECT customer_id, {} AS month, 0 AS revenue FROM logins \
               UNION ALL SELECT a.customer_id, {}, {revenue} FROM trades t \
                 JOIN accounts a ON a.id = t.account_id JOIN instruments i ON i.code = t.instrument \
               UNION ALL SELECT sender_id, {}, 0 FROM group_messages WHERE sender_kind = 'customer' \
               UNION ALL SELECT p.customer_id, {}, CASE WHEN r.kind = 'advisory' THEN p.amount ELSE 0 END \
                 FROM purchases p JOIN products r ON r.id = p.product_id \
             ) e GROUP BY customer_id, month",
            m("time"),
            m("t.time"),
            m("at"),
            m("p.placed_at")
        );
        let teams = format!(
            "INSERT INTO team_months (branch_id, advisor_id, month, opened, active, paying, revenue, returned, resurrected) \
             SELECT branch_id, advisor_id, month, SUM(o), SUM(a), SUM(p), CAST(SUM(r) AS BIGINT), SUM(rt), SUM(rs) FROM ( \
               SELECT branch_id, advisor_id, opened AS month, 1 AS o, 0 AS a, 0 AS p, 0 AS r, 0 AS rt, 0 AS rs \
               FROM analytics_customers \
               UNION ALL SELECT ac.branch_id, ac.advisor_id, cm.month, 0, 1, CASE WHEN cm.revenue > 0 THEN 1 ELSE 0 END, \
                 cm.revenue, \
                 CASE WHEN cm.month > ac.opened AND pm.customer_id IS NOT NULL THEN 1 ELSE 0 END, \
                 CASE WHEN cm.month > ac.opened AND pm.customer_id IS NULL THEN 1 ELSE 0 END \
               FROM customer_months cm JOIN analytics_customers ac ON ac.customer_id = cm.customer_id \
               LEFT JOIN customer_months pm ON pm.customer_id = cm.customer_id AND pm.month = {prev} \
               WHERE cm.month >= ac.opened \
             ) x GROUP BY branch_id, advisor_id, month"
        );
        let cohorts = "INSERT INTO cohort_months (branch_id, advisor_id, cohort, month, active, revenue) \
             SELECT ac.branch_id, ac.advisor_id, ac.opened, cm.month, COUNT(*), CAST(SUM(cm.revenue) AS BIGINT) \
             FROM customer_months cm JOIN analytics_customers ac ON ac.customer_id = cm.customer_id \
             WHERE cm.month >= ac.opened GROUP BY ac.branch_id, ac.advisor_id, ac.opened, cm.month";
        let statements = [
            "DELETE FROM cohort_months",
            "DELETE FROM team_months",
            "DELETE FROM customer_months",
            "DELETE FROM analytics_customers",
            customers.as_str(),
            months.as_str(),
            teams.as_str(),
            cohorts,
        ];
        let mut tx = self.begin().await?;
        if self.backend() == Backend::Postgres {
            with_tx!(tx, conn => { sqlx::query("SET LOCAL work_mem = '256MB'").execute(&mut *conn).await?; });
        }
        for sql in statements {
            with_tx!(tx, conn => { sqlx::query(sql).execute(&mut *conn).await?; });
        }
        tx.commit().await
    }

    /// Brings the counts up to date after a load: the customers and months
    /// it wrote refreshed, or everything rebuilt when it was large.
    pub async fn refresh_analytics_after_load(&self, keys: &ActivityKeys) -> Result<(), StoreError> {
        if keys.too_many {
            return self.rebuild_analytics().await;
        }
        if keys.customers.is_empty() && keys.customer_months.is_empty() && keys.account_months.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        let accounts: Vec<i64> = keys.account_months.iter().map(|a| a.0).collect::<HashSet<_>>().into_iter().collect();
        let owners = tx.owners_of_accounts(&accounts).await?;
        let mut months: Vec<(i64, Month)> = keys.customer_months.iter().copied().collect();
        months.extend(keys.account_months.iter().filter_map(|(a, m)| owners.get(a).map(|c| (*c, *m))));
        months.sort_unstable();
        months.dedup();
        let customers: Vec<i64> = keys.customers.iter().copied().collect();
        tx.refresh_activity(&customers, &months).await?;
        tx.commit().await
    }

    /// Rebuilds the counts when there are customers but none counted (a
    /// database made before they were kept).
    pub async fn fill_missing_analytics(&self) -> Result<(), StoreError> {
        let missing: bool = with_pool!(self, pool => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM customers) AND NOT EXISTS (SELECT 1 FROM analytics_customers)",
        ).fetch_one(pool).await?);
        if missing {
            tracing::info!("computing the analytics counts once (a database from before they were kept)");
            self.rebuild_analytics().await?;
        }
        Ok(())
    }

    /// The counts of the teams in scope for the months `first..=last`, and
    /// per team the accounts opened before `first` (the users it starts with:
    /// its customers now, as the figures keep them, less those opened since).
    pub async fn team_months(
        &self,
        scope: Scope,
        first: Month,
        last: Month,
    ) -> Result<(Vec<TeamMonth>, Vec<(i64, i64, i64)>), StoreError> {
        let (first_text, last_text) = (first.to_string(), last.to_string());
        let (rows, base): (Vec<TeamMonthRaw>, Vec<(i64, i64, i64)>) = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT c.branch_id, c.advisor_id, c.month, c.opened, c.active, c.paying, c.revenue, c.returned, \
                 c.resurrected FROM team_months c WHERE c.month >= ",
            );
            q.push_bind(&first_text).push(" AND c.month <= ").push_bind(&last_text);
            crate::customers::push_scope(&mut q, scope);
            let rows = q.build_query_as().fetch_all(pool).await?;
            // Opened before `first`: every customer a team has now, less those opened
            // from `first` on (a few recent months, rather than every month since 1990).
            let mut q = QueryBuilder::new(
                "SELECT c.branch_id, c.advisor_id, CAST(c.customers - COALESCE((SELECT SUM(m.opened) FROM team_months m \
                 WHERE m.branch_id = c.branch_id AND m.advisor_id = c.advisor_id AND m.month >= ",
            );
            q.push_bind(&first_text);
            q.push("), 0) AS BIGINT) FROM team_figures c WHERE 1 = 1");
            crate::customers::push_scope(&mut q, scope);
            (rows, q.build_query_as().fetch_all(pool).await?)
        });
        let rows = rows
            .into_iter()
            .map(|r| {
                Ok(TeamMonth {
                    branch_id: r.0,
                    advisor_id: r.1,
                    month: parse_month(&r.2)?,
                    opened: r.3,
                    active: r.4,
                    paying: r.5,
                    revenue: r.6,
                    returning: r.7,
                    resurrected: r.8,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((rows, base))
    }

    /// Per cohort opened in `first..=last` and month up to `last`, the
    /// active customers and revenue of the teams in scope; and the cohorts' sizes.
    pub async fn cohort_counts(
        &self,
        scope: Scope,
        first: Month,
        last: Month,
    ) -> Result<(BTreeMap<Month, u64>, analytics::cohort::CohortCounts), StoreError> {
        let (first_text, last_text) = (first.to_string(), last.to_string());
        let (cells, sizes): (Vec<CohortRaw>, Vec<(String, i64)>) = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT c.cohort, c.month, CAST(SUM(c.active) AS BIGINT), CAST(SUM(c.revenue) AS BIGINT) \
                 FROM cohort_months c WHERE c.cohort >= ",
            );
            q.push_bind(&first_text).push(" AND c.cohort <= ").push_bind(&last_text);
            q.push(" AND c.month <= ").push_bind(&last_text);
            crate::customers::push_scope(&mut q, scope);
            q.push(" GROUP BY c.cohort, c.month");
            let cells = q.build_query_as().fetch_all(pool).await?;
            let mut q = QueryBuilder::new(
                "SELECT c.month, CAST(SUM(c.opened) AS BIGINT) FROM team_months c WHERE c.month >= ",
            );
            q.push_bind(&first_text).push(" AND c.month <= ").push_bind(&last_text);
            crate::customers::push_scope(&mut q, scope);
            q.push(" GROUP BY c.month");
            (cells, q.build_query_as().fetch_all(pool).await?)
        });
        let mut counts = analytics::cohort::CohortCounts::new();
        for (cohort, month, active, revenue) in cells {
            counts.insert((parse_month(&cohort)?, parse_month(&month)?), (active.max(0) as u64, revenue));
        }
        let sizes = sizes
            .into_iter()
            .map(|(m, n)| Ok((parse_month(&m)?, n.max(0) as u64)))
            .collect::<Result<_, StoreError>>()?;
        Ok((sizes, counts))
    }

    /// A group's members, present or past, with their active months in `first..=last`.
    pub async fn group_member_months(
        &self,
        group: i64,
        first: Month,
        last: Month,
    ) -> Result<Vec<MemberMonths>, StoreError> {
        let rows: Vec<MemberRaw> = with_pool!(self, pool => sqlx::query_as(
                "SELECT gm.customer_id, gm.joined_at, gm.removed_at, ac.opened, cm.month, cm.revenue \
                 FROM group_members gm LEFT JOIN analytics_customers ac ON ac.customer_id = gm.customer_id \
                 LEFT JOIN customer_months cm ON cm.customer_id = gm.customer_id AND cm.month >= $2 AND cm.month <= $3 \
                 WHERE gm.group_id = $1 ORDER BY gm.customer_id",
            )
            .bind(group).bind(first.to_string()).bind(last.to_string()).fetch_all(pool).await?);
        let mut out: Vec<MemberMonths> = Vec::new();
        for (id, joined_at, removed_at, opened, month, revenue) in rows {
            if out.last().is_none_or(|m| m.customer_id != id) {
                let opened = opened.as_deref().map(parse_month).transpose()?;
                out.push(MemberMonths { customer_id: id, joined_at, removed_at, opened, months: BTreeMap::new() });
            }
            if let (Some(month), Some(revenue)) = (month, revenue) {
                out.last_mut().expect("pushed above").months.insert(parse_month(&month)?, revenue);
            }
        }
        Ok(out)
    }

    /// Each customer's revenue (0.0001 CNY) in the months `from..=to`, for
    /// customers with ids in `lo..=hi` that had any.
    pub async fn revenue_of(&self, lo: i64, hi: i64, from: Month, to: Month) -> Result<HashMap<i64, i64>, StoreError> {
        let rows: Vec<(i64, i64)> = with_pool!(self, pool => sqlx::query_as(
            "SELECT customer_id, CAST(SUM(revenue) AS BIGINT) FROM customer_months \
             WHERE customer_id BETWEEN $1 AND $2 AND month >= $3 AND month <= $4 AND revenue > 0 GROUP BY customer_id",
        )
        .bind(lo).bind(hi).bind(from.to_string()).bind(to.to_string()).fetch_all(pool).await?);
        Ok(rows.into_iter().collect())
    }

    /// Branch names and staff names by id (a few thousand rows at most).
    pub async fn team_names(&self) -> Result<(HashMap<i64, String>, HashMap<i64, String>), StoreError> {
        let (branches, staff): (Named, Named) = with_pool!(self, pool => (
            sqlx::query_as("SELECT id, name FROM branches").fetch_all(pool).await?,
            sqlx::query_as("SELECT id, name FROM staff").fetch_all(pool).await?,
        ));
        Ok((branches.into_iter().collect(), staff.into_iter().collect()))
    }

    /// The month of the book's clock (its latest trade, as the overview
    /// reads it), or the latest month with activity when nothing has traded.
    pub async fn book_month(&self) -> Result<Option<Month>, StoreError> {
        let (last_trade, active): (Option<DateTime<Utc>>, Option<String>) = with_pool!(self, pool => (
            sqlx::query_scalar("SELECT MAX(last_trade) FROM customer_figures").fetch_one(pool).await?,
            sqlx::query_scalar("SELECT MAX(month) FROM team_months WHERE active > 0").fetch_one(pool).await?,
        ));
        match last_trade.filter(|t| *t != crate::figures::NEVER) {
            Some(t) => Ok(Some(month_of(t))),
            None => active.as_deref().map(parse_month).transpose(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_starts_at_midnight_in_shanghai() {
        let m: Month = "2025-06".parse().unwrap();
        assert_eq!(month_start(m).to_rfc3339(), "2025-05-31T16:00:00+00:00");
        assert_eq!(month_of(month_start(m)), m);
        assert_eq!(month_of(month_start(m) - Duration::seconds(1)), m.pred());
    }

    #[test]
    fn a_customer_counts_once_per_month_and_stage() {
        let m = |s: &str| s.parse::<Month>().unwrap();
        let c = Counted {
            team: Some((1, 2, m("2025-01"))),
            months: BTreeMap::from([(m("2024-12"), 5), (m("2025-01"), 0), (m("2025-02"), 7), (m("2025-04"), 0)]),
        };
        let mut changes = CountChanges::default();
        changes.add(&c, 1);
        // Opened in January, active then (new), returning in February, resurrected in April;
        // December was before the account opened and counts nowhere.
        assert_eq!(changes.teams[&(1, 2, m("2025-01"))], [1, 1, 0, 0, 0, 0]);
        assert_eq!(changes.teams[&(1, 2, m("2025-02"))], [0, 1, 1, 7, 1, 0]);
        assert_eq!(changes.teams[&(1, 2, m("2025-04"))], [0, 1, 0, 0, 0, 1]);
        assert!(!changes.teams.contains_key(&(1, 2, m("2024-12"))));
        changes.add(&c, -1);
        assert!(changes.teams.values().all(|v| v.iter().all(|n| *n == 0)));
    }
}
