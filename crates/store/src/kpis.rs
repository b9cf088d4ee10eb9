//! What each advisor did in a period (issue 28's advisor KPIs), per advisor
//! in a scope: questions answered and their service minutes, content
//! published and read, the weekly plan's contacts planned and done,
//! reminders and those followed by a contact, sends made.

use crate::{with_pool, Db, StoreError};
use access::Scope;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// One advisor's counts in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvisorCounts {
    /// Service minutes of each question answered (asked in the period).
    pub answer_minutes: Vec<i64>,
    /// Content items published to a group in the period.
    pub published: i64,
    /// Reads of the advisor's content in the period.
    pub reads: i64,
    /// Contacts planned for the weeks starting in the period.
    pub planned: i64,
    /// Of them, done.
    pub done: i64,
    /// Reminders made for the advisor's customers in the period.
    pub reminders: i64,
    /// Of them, followed by a contact with the customer (a service event or a planned contact done).
    pub followed: i64,
}

/// SQL limiting rows to a scope by their branch and advisor columns (ids
/// are integers, written into the text).
fn team(scope: Scope, branch: &str, advisor: &str) -> String {
    match scope {
        Scope::Firm => "1 = 1".into(),
        Scope::Branch(b) => format!("{branch} = {}", b.0),
        Scope::Advisor(a) => format!("{advisor} = {}", a.0),
        Scope::Customer(_) | Scope::Nothing => "1 = 0".into(),
    }
}

impl Db {
    /// Each advisor's counts in `from..to` (weeks starting on the days `first_day..=last_day`), in scope.
    pub async fn advisor_counts(
        &self,
        scope: Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> Result<HashMap<i64, AdvisorCounts>, StoreError> {
        let questions = format!(
            "SELECT q.advisor_id, COALESCE(q.service_minutes, 0) FROM group_questions q JOIN staff s ON s.id = q.advisor_id \
             WHERE q.answered_at IS NOT NULL AND q.asked_at >= $1 AND q.asked_at < $2 AND {}",
            team(scope, "s.branch_id", "q.advisor_id")
        );
        let published = format!(
            "SELECT i.advisor_id, COUNT(DISTINCT p.item_id) FROM content_publications p \
             JOIN content_items i ON i.id = p.item_id JOIN staff s ON s.id = i.advisor_id \
             WHERE p.message_id IS NOT NULL AND p.publish_at >= $1 AND p.publish_at < $2 AND {} GROUP BY i.advisor_id",
            team(scope, "s.branch_id", "i.advisor_id")
        );
        let reads = format!(
            "SELECT i.advisor_id, COUNT(*) FROM content_reads r JOIN content_items i ON i.id = r.item_id \
             JOIN staff s ON s.id = i.advisor_id WHERE r.at >= $1 AND r.at < $2 AND {} GROUP BY i.advisor_id",
            team(scope, "s.branch_id", "i.advisor_id")
        );
        let plan = format!(
            "SELECT p.advisor_id, COUNT(*), COUNT(p.done_at) FROM service_plan p JOIN staff s ON s.id = p.advisor_id \
             WHERE p.week_start >= $1 AND p.week_start <= $2 AND {} GROUP BY p.advisor_id",
            team(scope, "s.branch_id", "p.advisor_id")
        );
        let reminders = format!(
            "SELECT r.advisor_id, COUNT(*), \
             CAST(COALESCE(SUM(CASE WHEN f.last_contact >= r.created_at THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM reminders r JOIN customer_figures f ON f.customer_id = r.customer_id \
             WHERE r.created_at >= $1 AND r.created_at < $2 AND r.advisor_id IS NOT NULL AND {} GROUP BY r.advisor_id",
            team(scope, "r.branch_id", "r.advisor_id")
        );
        let (first, last) = (first_day.to_string(), last_day.to_string());
        type Rows = (Vec<(i64, i64)>, Vec<(i64, i64)>, Vec<(i64, i64)>, Vec<(i64, i64, i64)>, Vec<(i64, i64, i64)>);
        let (q, p, r, plan, rem): Rows = with_pool!(self, pool => (
            sqlx::query_as(&questions).bind(from).bind(to).fetch_all(pool).await?,
            sqlx::query_as(&published).bind(from).bind(to).fetch_all(pool).await?,
            sqlx::query_as(&reads).bind(from).bind(to).fetch_all(pool).await?,
            sqlx::query_as(&plan).bind(&first).bind(&last).fetch_all(pool).await?,
            sqlx::query_as(&reminders).bind(from).bind(to).fetch_all(pool).await?,
        ));
        let mut out: HashMap<i64, AdvisorCounts> = HashMap::new();
        for (a, minutes) in q {
            out.entry(a).or_default().answer_minutes.push(minutes);
        }
        for (a, n) in p {
            out.entry(a).or_default().published = n;
        }
        for (a, n) in r {
            out.entry(a).or_default().reads = n;
        }
        for (a, planned, done) in plan {
            let c = out.entry(a).or_default();
            (c.planned, c.done) = (planned, done);
        }
        for (a, n, followed) in rem {
            let c = out.entry(a).or_default();
            (c.reminders, c.followed) = (n, followed);
        }
        Ok(out)
    }
}
