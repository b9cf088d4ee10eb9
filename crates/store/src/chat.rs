//! The group chat as stored: messages, questions and their answers, the
//! moderation log with appeals, and members' reports.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, Utc};
use domain::{
    ActionId, AppealText, BranchId, ContentId, CustomerId, GroupId, MessageId, Note, ReportId, SenderKind, StaffId,
};
use serde::Serialize;

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MessageRow {
    /// Id; rises within a group in the order members see messages.
    pub id: MessageId,
    /// The group.
    pub group_id: GroupId,
    /// staff, customer or system.
    pub sender_kind: SenderKind,
    /// Staff or customer id (0 for system).
    pub sender_id: i64,
    /// The sender's name as shown.
    pub sender_name: String,
    /// Text.
    pub body: String,
    /// The message this replies to.
    pub reply_to: Option<MessageId>,
    /// Names mentioned with @, as a JSON array.
    pub mentions: String,
    /// Pinned as a notice.
    pub pinned: bool,
    /// The published content item this message carries.
    pub content_id: Option<ContentId>,
    /// Sent.
    pub at: DateTime<Utc>,
    /// The red envelope this message carries.
    pub red_envelope_id: Option<i64>,
}

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The group.
    pub group_id: GroupId,
    /// staff, customer or system.
    pub sender_kind: SenderKind,
    /// Staff or customer id.
    pub sender_id: i64,
    /// Name as shown.
    pub sender_name: String,
    /// Text.
    pub body: String,
    /// Replying to.
    pub reply_to: Option<MessageId>,
    /// JSON array of mentioned names.
    pub mentions: String,
    /// Carries this content item.
    pub content_id: Option<ContentId>,
    /// Sent.
    pub at: DateTime<Utc>,
    /// Carries this red envelope.
    pub red_envelope_id: Option<i64>,
}

/// A question and where its answer stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct QuestionRow {
    /// The question's message id.
    pub message_id: MessageId,
    /// The group.
    pub group_id: GroupId,
    /// The group's name.
    pub group_name: String,
    /// The advisor who owes the answer.
    pub advisor_id: StaffId,
    /// Who asked.
    pub customer_id: CustomerId,
    /// What was asked.
    pub body: String,
    /// Asked.
    pub asked_at: DateTime<Utc>,
    /// Answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// The answering message.
    pub answer_id: Option<MessageId>,
    /// Service minutes from asking to answer.
    pub service_minutes: Option<i64>,
}

/// One moderation outcome, as the group's log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ActionRow {
    /// Id.
    pub id: ActionId,
    /// The group.
    pub group_id: GroupId,
    /// The member.
    pub customer_id: CustomerId,
    /// The member's name.
    pub customer: String,
    /// The rule broken (`community::Violation`, snake case) or `report`/`manual`.
    pub violation: String,
    /// The words that broke it.
    pub excerpt: String,
    /// warn, mute_hour, mute_day or remove.
    pub sanction: String,
    /// `rules` or the staff login that decided.
    pub decided_by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The member's appeal.
    pub appeal: Option<String>,
    /// Appealed.
    pub appealed_at: Option<DateTime<Utc>>,
    /// Overturned by the advisor.
    pub overturned: bool,
    /// The advisor's word on review.
    pub review: Option<String>,
    /// Who reviewed.
    pub reviewed_by: Option<String>,
    /// Reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// A moderation outcome to record.
#[derive(Debug, Clone)]
pub struct NewAction {
    /// The group.
    pub group_id: GroupId,
    /// The member.
    pub customer_id: CustomerId,
    /// The rule broken.
    pub violation: String,
    /// The words.
    pub excerpt: String,
    /// The sanction (snake case).
    pub sanction: &'static str,
    /// `rules` or the staff login.
    pub decided_by: String,
}

/// A member's report of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReportRow {
    /// Id.
    pub id: ReportId,
    /// The group.
    pub group_id: GroupId,
    /// The message reported.
    pub message_id: MessageId,
    /// Its text.
    pub body: String,
    /// Its sender.
    pub sender_name: String,
    /// Who reported.
    pub reporter_id: CustomerId,
    /// Why.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// How.
    pub resolution: Option<String>,
}

/// A member's messages in a group, as seed-user selection counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberCounts {
    /// Member.
    pub customer_id: CustomerId,
    /// Messages sent.
    pub messages: i64,
    /// Replies to a staff message within 10 minutes of it.
    pub quick_replies: i64,
    /// Replies to system join notices (welcomes).
    pub welcomes: i64,
    /// Messages of at least 50 characters.
    pub substantive: i64,
    /// Replies others made to this member's messages.
    pub replies_drawn: i64,
}

const MESSAGE_COLUMNS: &str =
    "SELECT id, group_id, sender_kind, sender_id, sender_name, body, reply_to, mentions, pinned, content_id, at, \
     red_envelope_id FROM group_messages";

const QUESTION_COLUMNS: &str = "SELECT q.message_id, q.group_id, g.name AS group_name, q.advisor_id, q.customer_id, \
     m.body, q.asked_at, q.answered_at, q.answer_id, q.service_minutes FROM group_questions q \
     JOIN group_messages m ON m.id = q.message_id JOIN chat_groups g ON g.id = q.group_id";

const ACTION_COLUMNS: &str = "SELECT a.id, a.group_id, a.customer_id, c.name AS customer, a.violation, a.excerpt, \
     a.sanction, a.decided_by, a.at, a.appeal, a.appealed_at, a.overturned, a.review, a.reviewed_by, a.reviewed_at \
     FROM moderation_actions a JOIN customers c ON c.id = a.customer_id";

impl Db {
    /// One message.
    pub async fn message(&self, id: MessageId) -> Result<Option<MessageRow>, StoreError> {
        let sql = format!("{MESSAGE_COLUMNS} WHERE id = $1");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Up to `limit` messages of a group after id `after`, oldest first.
    pub async fn messages_after(
        &self,
        group_id: GroupId,
        after: MessageId,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let sql = format!("{MESSAGE_COLUMNS} WHERE group_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(group_id).bind(after).bind(limit).fetch_all(pool).await?))
    }

    /// Up to `limit` messages of a group before id `before` (none: the newest), oldest first.
    pub async fn messages_before(
        &self,
        group_id: GroupId,
        before: Option<MessageId>,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let sql = format!("{MESSAGE_COLUMNS} WHERE group_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3");
        let mut rows: Vec<MessageRow> = with_pool!(self, pool => sqlx::query_as(&sql)
            .bind(group_id).bind(before.unwrap_or(MessageId(i64::MAX))).bind(limit).fetch_all(pool).await?);
        rows.reverse();
        Ok(rows)
    }

    /// The pinned notices of a group, newest first.
    pub async fn pinned_messages(&self, group_id: GroupId) -> Result<Vec<MessageRow>, StoreError> {
        let sql = format!("{MESSAGE_COLUMNS} WHERE group_id = $1 AND pinned ORDER BY id DESC");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(group_id).fetch_all(pool).await?))
    }

    /// Pins or unpins a message of a group; false when it is not one.
    pub async fn set_pinned(&self, group_id: GroupId, message_id: MessageId, pinned: bool) -> Result<bool, StoreError> {
        let sql = "UPDATE group_messages SET pinned = $1 WHERE id = $2 AND group_id = $3";
        let n = with_pool!(self, pool => sqlx::query(sql).bind(pinned).bind(message_id).bind(group_id)
            .execute(pool).await?.rows_affected());
        Ok(n == 1)
    }

    /// One question.
    pub async fn question(&self, message_id: MessageId) -> Result<Option<QuestionRow>, StoreError> {
        let sql = format!("{QUESTION_COLUMNS} WHERE q.message_id = $1");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(message_id).fetch_optional(pool).await?))
    }

    /// Unanswered questions owed by an advisor, or by a branch's advisors, or
    /// (both none) the whole firm's; oldest first.
    pub async fn open_questions(
        &self,
        advisor_id: Option<StaffId>,
        branch_id: Option<BranchId>,
    ) -> Result<Vec<QuestionRow>, StoreError> {
        let sql = format!(
            "{QUESTION_COLUMNS} JOIN staff s ON s.id = q.advisor_id WHERE q.answered_at IS NULL \
             AND ($1 IS NULL OR q.advisor_id = $1) AND ($2 IS NULL OR s.branch_id = $2) ORDER BY q.asked_at, q.message_id"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(advisor_id).bind(branch_id).fetch_all(pool).await?))
    }

    /// Answered questions since a moment, in the same scopes as [`Db::open_questions`].
    pub async fn answered_questions(
        &self,
        advisor_id: Option<StaffId>,
        branch_id: Option<BranchId>,
        since: DateTime<Utc>,
    ) -> Result<Vec<QuestionRow>, StoreError> {
        let sql = format!(
            "{QUESTION_COLUMNS} JOIN staff s ON s.id = q.advisor_id WHERE q.answered_at IS NOT NULL \
             AND q.asked_at >= $3 AND ($1 IS NULL OR q.advisor_id = $1) AND ($2 IS NULL OR s.branch_id = $2) \
             ORDER BY q.message_id"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(advisor_id).bind(branch_id).bind(since)
            .fetch_all(pool).await?))
    }

    /// Offences a member has on record in a group (overturned ones do not count).
    pub async fn prior_offences(&self, group_id: GroupId, customer_id: CustomerId) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM moderation_actions WHERE group_id = $1 AND customer_id = $2 AND NOT overturned";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(group_id).bind(customer_id).fetch_one(pool).await?))
    }

    /// A group's moderation log, newest first.
    pub async fn moderation_log(&self, group_id: GroupId, limit: i64) -> Result<Vec<ActionRow>, StoreError> {
        let sql = format!("{ACTION_COLUMNS} WHERE a.group_id = $1 ORDER BY a.id DESC LIMIT $2");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(group_id).bind(limit).fetch_all(pool).await?))
    }

    /// Moderation outcomes against a customer in any group, newest first.
    pub async fn actions_against(&self, customer_id: CustomerId, limit: i64) -> Result<Vec<ActionRow>, StoreError> {
        let sql = format!("{ACTION_COLUMNS} WHERE a.customer_id = $1 ORDER BY a.id DESC LIMIT $2");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(customer_id).bind(limit).fetch_all(pool).await?))
    }

    /// One moderation outcome.
    pub async fn action(&self, id: ActionId) -> Result<Option<ActionRow>, StoreError> {
        let sql = format!("{ACTION_COLUMNS} WHERE a.id = $1");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Records the member's appeal; false when already appealed or reviewed.
    pub async fn appeal_action(&self, id: ActionId, text: &AppealText) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "UPDATE moderation_actions SET appeal = $1, appealed_at = $2 \
                   WHERE id = $3 AND appeal IS NULL AND reviewed_at IS NULL";
        let n = with_pool!(self, pool => sqlx::query(sql).bind(text).bind(now).bind(id)
            .execute(pool).await?.rows_affected());
        Ok(n == 1)
    }

    /// Files a member's report; its id.
    pub async fn report_message(
        &self,
        group_id: GroupId,
        message_id: MessageId,
        reporter_id: CustomerId,
        reason: &Note,
    ) -> Result<ReportId, StoreError> {
        let now = self.now();
        let sql = "INSERT INTO member_reports (group_id, message_id, reporter_id, reason, at) \
                   VALUES ($1, $2, $3, $4, $5) RETURNING id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(group_id).bind(message_id).bind(reporter_id)
            .bind(reason).bind(now).fetch_one(pool).await?))
    }

    /// A group's reports: open ones only, or all; oldest first.
    pub async fn reports(&self, group_id: GroupId, open_only: bool) -> Result<Vec<ReportRow>, StoreError> {
        let sql = "SELECT r.id, r.group_id, r.message_id, m.body, m.sender_name, r.reporter_id, r.reason, r.at, \
                   r.resolved_at, r.resolution FROM member_reports r JOIN group_messages m ON m.id = r.message_id \
                   WHERE r.group_id = $1 AND (NOT $2 OR r.resolved_at IS NULL) ORDER BY r.id";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(group_id).bind(open_only).fetch_all(pool).await?))
    }

    /// One report.
    pub async fn report(&self, id: ReportId) -> Result<Option<ReportRow>, StoreError> {
        let sql = "SELECT r.id, r.group_id, r.message_id, m.body, m.sender_name, r.reporter_id, r.reason, r.at, \
                   r.resolved_at, r.resolution FROM member_reports r JOIN group_messages m ON m.id = r.message_id \
                   WHERE r.id = $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?))
    }

    /// Closes an open report; false when it was already closed.
    pub async fn resolve_report(&self, id: ReportId, resolution: &str) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "UPDATE member_reports SET resolved_at = $1, resolution = $2 WHERE id = $3 AND resolved_at IS NULL";
        let n = with_pool!(self, pool => sqlx::query(sql).bind(now).bind(resolution).bind(id)
            .execute(pool).await?.rows_affected());
        Ok(n == 1)
    }

    /// Each current member's message counts in a group since a moment.
    pub async fn member_counts(
        &self,
        group_id: GroupId,
        since: DateTime<Utc>,
    ) -> Result<Vec<MemberCounts>, StoreError> {
        // One pass over the group's messages since then, grouped by sender (and
        // one over the replies, grouped by whom they answer), not a pass per member.
        // Quick replies and welcomes look at the message replied to.
        let sql = "SELECT mb.customer_id, COALESCE(said.messages, 0) AS messages, \
             COALESCE(said.quick_replies, 0) AS quick_replies, COALESCE(said.welcomes, 0) AS welcomes, \
             COALESCE(said.substantive, 0) AS substantive, COALESCE(drawn.replies_drawn, 0) AS replies_drawn \
             FROM group_members mb \
             LEFT JOIN (SELECT m.sender_id, COUNT(*) AS messages, \
                 SUM(CASE WHEN p.sender_kind = 'staff' AND m.at <= p.at + INTERVAL_10_MIN THEN 1 ELSE 0 END) \
                   AS quick_replies, \
                 SUM(CASE WHEN p.sender_kind = 'system' THEN 1 ELSE 0 END) AS welcomes, \
                 SUM(CASE WHEN LENGTH(m.body) >= 50 THEN 1 ELSE 0 END) AS substantive \
               FROM group_messages m LEFT JOIN group_messages p ON p.id = m.reply_to \
               WHERE m.group_id = $1 AND m.sender_kind = 'customer' AND m.at >= $2 GROUP BY m.sender_id) said \
               ON said.sender_id = mb.customer_id \
             LEFT JOIN (SELECT p.sender_id, COUNT(*) AS replies_drawn \
               FROM group_messages m JOIN group_messages p ON p.id = m.reply_to \
               WHERE m.group_id = $1 AND p.sender_kind = 'customer' AND m.sender_id <> p.sender_id AND p.at >= $2 \
               GROUP BY p.sender_id) drawn ON drawn.sender_id = mb.customer_id \
             WHERE mb.group_id = $1 AND mb.removed_at IS NULL ORDER BY mb.customer_id";
        Ok(match self.pool() {
            crate::Pool::Sqlite(pool) => {
                // SQLite keeps times as RFC 3339 text; julianday compares them as instants.
                let sql =
                    sql.replace("m.at <= p.at + INTERVAL_10_MIN", "julianday(m.at) <= julianday(p.at) + 10.0 / 1440");
                sqlx::query_as(&sql).bind(group_id).bind(since).fetch_all(pool).await?
            }
            crate::Pool::Postgres(pool) => {
                let sql = sql.replace("INTERVAL_10_MIN", "INTERVAL '10 minutes'");
                sqlx::query_as(&sql).bind(group_id).bind(since).fetch_all(pool).await?
            }
        })
    }
}

impl Db {
    /// [`Tx::insert_message`] as a unit of work of its own.
    pub async fn insert_message(&self, m: &NewMessage) -> Result<MessageRow, StoreError> {
        let mut tx = self.begin().await?;
        let row = tx.insert_message(m).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// [`Tx::record_action`] as a unit of work of its own.
    pub async fn record_action(&self, a: &NewAction) -> Result<ActionId, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx.record_action(a).await?;
        tx.commit().await?;
        Ok(id)
    }
}

impl Tx {
    /// Stops a question's clock in this unit of work; false when it was already answered.
    pub async fn answer_question(
        &mut self,
        message_id: MessageId,
        answer_id: MessageId,
        at: DateTime<Utc>,
        service_minutes: i64,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE group_questions SET answered_at = $1, answer_id = $2, service_minutes = $3 \
                   WHERE message_id = $4 AND answered_at IS NULL";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(at).bind(answer_id).bind(service_minutes)
            .bind(message_id).execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }

    /// Stores a message; the stored row with its id.
    pub async fn insert_message(&mut self, m: &NewMessage) -> Result<MessageRow, StoreError> {
        let sql = "INSERT INTO group_messages (group_id, sender_kind, sender_id, sender_name, body, reply_to, \
                   mentions, pinned, content_id, at, red_envelope_id) VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, $9, $10) \
                   RETURNING id";
        let id: MessageId = with_tx!(self, conn => sqlx::query_scalar(sql)
            .bind(m.group_id).bind(m.sender_kind).bind(m.sender_id).bind(&m.sender_name).bind(&m.body)
            .bind(m.reply_to).bind(&m.mentions).bind(m.content_id).bind(m.at).bind(m.red_envelope_id)
            .fetch_one(&mut *conn).await?);
        if m.sender_kind == domain::SenderKind::Customer {
            self.refresh_activity(&[], &[(m.sender_id, crate::month_of(m.at))]).await?;
        }
        Ok(MessageRow {
            id,
            group_id: m.group_id,
            sender_kind: m.sender_kind.to_owned(),
            sender_id: m.sender_id,
            sender_name: m.sender_name.clone(),
            body: m.body.clone(),
            reply_to: m.reply_to,
            mentions: m.mentions.clone(),
            pinned: false,
            content_id: m.content_id,
            at: m.at,
            red_envelope_id: m.red_envelope_id,
        })
    }

    /// Starts the service clock on a question.
    pub async fn insert_question(&mut self, m: &MessageRow, advisor_id: StaffId) -> Result<(), StoreError> {
        let sql = "INSERT INTO group_questions (message_id, group_id, advisor_id, customer_id, asked_at) \
                   VALUES ($1, $2, $3, $4, $5)";
        with_tx!(self, conn => sqlx::query(sql).bind(m.id).bind(m.group_id).bind(advisor_id).bind(m.sender_id)
            .bind(m.at).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Records a moderation outcome; its id.
    pub async fn record_action(&mut self, a: &NewAction) -> Result<ActionId, StoreError> {
        let now = self.now();
        let sql =
            "INSERT INTO moderation_actions (group_id, customer_id, violation, excerpt, sanction, decided_by, at, \
                   overturned) VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE) RETURNING id";
        Ok(with_tx!(self, conn => sqlx::query_scalar(sql)
            .bind(a.group_id).bind(a.customer_id).bind(&a.violation).bind(&a.excerpt).bind(a.sanction)
            .bind(&a.decided_by).bind(now).fetch_one(&mut *conn).await?))
    }

    /// Records the advisor's review (upheld or overturned); false when already reviewed.
    pub async fn review_action(
        &mut self,
        id: ActionId,
        overturned: bool,
        review: &str,
        by: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "UPDATE moderation_actions SET overturned = $1, review = $2, reviewed_by = $3, reviewed_at = $4 \
                   WHERE id = $5 AND reviewed_at IS NULL";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(overturned).bind(review).bind(by).bind(now)
            .bind(id).execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }
}
