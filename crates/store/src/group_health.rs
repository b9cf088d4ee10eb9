//! What a group's health is read from (issue 28): its messages in a
//! window, its questions, the content published to it and read, and the
//! history of its rules.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, Utc};
use domain::{GroupId, StaffId};

/// A revision of a group's rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct RuleChangeRow {
    /// Id.
    pub id: i64,
    /// The group.
    pub group_id: i64,
    /// The admin who revised them.
    pub changed_by: i64,
    /// Their name.
    pub changed_by_name: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The rules before (JSON).
    pub rules_before: String,
    /// The rules after (JSON).
    pub rules_after: String,
    /// Why, as the admin said.
    pub note: String,
}

/// A trade as its revenue is counted: (customer, when, kind, quantity, price).
type Traded = (i64, DateTime<Utc>, String, i64, i64);
/// Revenue earned: (customer, when, 0.0001 CNY).
type Earned = (i64, DateTime<Utc>, i64);

/// A question of the group: asked, answered, and the service minutes it took.
pub type QuestionTimes = (DateTime<Utc>, Option<DateTime<Utc>>, Option<i64>);

impl Db {
    /// The group's members' and staff's messages from `since` (not the group's own notices):
    /// (by a member, sender id, when).
    pub async fn group_said(
        &self,
        group: GroupId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(bool, i64, DateTime<Utc>)>, StoreError> {
        let rows: Vec<(String, i64, DateTime<Utc>)> = with_pool!(self, pool => sqlx::query_as(
            "SELECT sender_kind, sender_id, at FROM group_messages WHERE group_id = $1 AND at >= $2 \
             AND sender_kind <> 'system' ORDER BY at",
        ).bind(group).bind(since).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(kind, id, at)| (kind == "customer", id, at)).collect())
    }

    /// The group's questions asked from `since`.
    pub async fn group_question_times(
        &self,
        group: GroupId,
        since: DateTime<Utc>,
    ) -> Result<Vec<QuestionTimes>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT asked_at, answered_at, service_minutes FROM group_questions WHERE group_id = $1 AND asked_at >= $2",
        ).bind(group).bind(since).fetch_all(pool).await?))
    }

    /// Content published to the group from `since`: when, and its kind
    /// (pre_market, post_market, article).
    pub async fn group_publications(
        &self,
        group: GroupId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, String)>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT p.publish_at, i.kind FROM content_publications p JOIN content_items i ON i.id = p.item_id \
             WHERE p.group_id = $1 AND p.message_id IS NOT NULL AND p.publish_at >= $2 ORDER BY p.publish_at",
        ).bind(group).bind(since).fetch_all(pool).await?))
    }

    /// Reads, from `since`, of content published to the group.
    pub async fn group_content_reads(&self, group: GroupId, since: DateTime<Utc>) -> Result<i64, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM content_reads r WHERE r.at >= $2 AND EXISTS \
             (SELECT 1 FROM content_publications p WHERE p.item_id = r.item_id AND p.group_id = $1)",
        ).bind(group).bind(since).fetch_one(pool).await?))
    }

    /// Revenue events of the group's members (present or past) from `since`:
    /// (customer, when, 0.0001 CNY): each trade's commission by the fee
    /// schedule revenue is counted by, and advisory subscriptions bought.
    pub async fn group_member_revenue(&self, group: GroupId, since: DateTime<Utc>) -> Result<Vec<Earned>, StoreError> {
        let (trades, bought): (Vec<Traded>, Vec<Earned>) = with_pool!(self, pool => (
            sqlx::query_as(
                "SELECT a.customer_id, t.time, i.kind, t.quantity, t.price FROM group_members m \
                 JOIN accounts a ON a.customer_id = m.customer_id JOIN trades t ON t.account_id = a.id \
                 JOIN instruments i ON i.code = t.instrument WHERE m.group_id = $1 AND t.time >= $2",
            ).bind(group).bind(since).fetch_all(pool).await?,
            sqlx::query_as(
                "SELECT p.customer_id, p.placed_at, p.amount FROM group_members m \
                 JOIN purchases p ON p.customer_id = m.customer_id JOIN products r ON r.id = p.product_id \
                 WHERE m.group_id = $1 AND p.placed_at >= $2 AND r.kind = 'advisory'",
            ).bind(group).bind(since).fetch_all(pool).await?,
        ));
        let fees = self.revenue_fees();
        let mut out: Vec<Earned> = trades
            .into_iter()
            .map(|(c, at, kind, quantity, price)| {
                let kind = kind.parse::<domain::InstrumentKind>().unwrap_or(domain::InstrumentKind::Stock);
                (c, at, fees.commission(kind, quantity.saturating_mul(price)))
            })
            .collect();
        out.extend(bought);
        Ok(out)
    }

    /// Every revision of the group's rules, newest first.
    pub async fn rule_changes(&self, group: GroupId) -> Result<Vec<RuleChangeRow>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT c.id, c.group_id, c.changed_by, s.name AS changed_by_name, c.at, c.rules_before, c.rules_after, c.note \
             FROM group_rule_changes c JOIN staff s ON s.id = c.changed_by WHERE c.group_id = $1 ORDER BY c.id DESC",
        ).bind(group).fetch_all(pool).await?))
    }
}

impl Tx {
    /// Replaces a group's rules and records the revision; its id.
    pub async fn revise_group_rules(
        &mut self,
        group: GroupId,
        by: StaffId,
        before: &str,
        after: &str,
        note: &str,
    ) -> Result<i64, StoreError> {
        let id = self.next_id("group_rule_changes").await?;
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query("UPDATE chat_groups SET rules = $1 WHERE id = $2").bind(after).bind(group).execute(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO group_rule_changes (id, group_id, changed_by, at, rules_before, rules_after, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id).bind(group).bind(by).bind(now).bind(before).bind(after).bind(note)
            .execute(&mut *conn).await?;
        });
        Ok(id)
    }
}
