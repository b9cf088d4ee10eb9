//! One-to-one conversations (issue 29): an advisor and a customer they
//! serve, seen through the customers' row-level scope; and what the
//! compliance archive reads (group chat, conversations, content with its
//! review history, complaints, the audit trail) for a date range and a
//! group, an advisor or a customer.

use crate::customers::push_scope;
use crate::{with_pool, with_tx, Db, StoreError, Tx};
use access::Scope;
use chrono::{DateTime, Utc};
use domain::{CustomerId, GroupId, StaffId};
use serde::Serialize;
use sqlx::QueryBuilder;

/// A conversation as its lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ConversationRow {
    /// Id.
    pub id: i64,
    /// The customer.
    pub customer_id: i64,
    /// Their name.
    pub customer: String,
    /// The advisor.
    pub advisor_id: i64,
    /// Their name.
    pub advisor: String,
    /// Begun.
    pub created_at: DateTime<Utc>,
    /// The last message's time, if any.
    pub last_at: Option<DateTime<Utc>>,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct ConversationMessageRow {
    /// Id (rising).
    pub id: i64,
    /// Its conversation.
    pub conversation_id: i64,
    /// staff or customer.
    pub sender_kind: String,
    /// Staff or customer id.
    pub sender_id: i64,
    /// Their name.
    pub sender_name: String,
    /// The text.
    pub body: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What an archive export covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArchiveSelection {
    /// From (inclusive).
    pub from: DateTime<Utc>,
    /// To (exclusive).
    pub to: DateTime<Utc>,
    /// One group's (its chat, the content published to it, its members' complaints).
    pub group: Option<GroupId>,
    /// One advisor's (their groups and conversations, their content, their customers' complaints).
    pub advisor: Option<StaffId>,
    /// One customer's (their messages, conversations and complaints).
    pub customer: Option<CustomerId>,
}

/// A group message for the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ArchivedMessage {
    /// Id.
    pub id: i64,
    /// The group.
    pub group_id: i64,
    /// Its name.
    pub group_name: String,
    /// When.
    pub at: DateTime<Utc>,
    /// staff, customer or system.
    pub sender_kind: String,
    /// Staff or customer id.
    pub sender_id: i64,
    /// Their name.
    pub sender_name: String,
    /// The text.
    pub body: String,
}

/// A content version with its review, for the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ArchivedContent {
    /// The item.
    pub item_id: i64,
    /// Its version.
    pub version: i64,
    /// The author.
    pub advisor_id: i64,
    /// pre_market, post_market or article.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// draft, submitted, approved or rejected.
    pub status: String,
    /// Written.
    pub written_at: DateTime<Utc>,
    /// The reviewer.
    pub reviewer: Option<String>,
    /// The review's note.
    pub review_note: Option<String>,
    /// Reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// Rows the archive reads per query.
pub const ARCHIVE_PAGE: i64 = 5_000;

impl Db {
    /// The conversations in the principal's scope, most recent first.
    pub async fn conversations(&self, scope: Scope) -> Result<Vec<ConversationRow>, StoreError> {
        Ok(with_pool!(self, pool => {
            // PostgreSQL orders by an output column's name only alone, not inside an expression: hence the subquery.
            let mut q = QueryBuilder::new(
                "SELECT * FROM (SELECT v.id, v.customer_id, c.name AS customer, v.advisor_id, s.name AS advisor, \
                 v.created_at, (SELECT MAX(m.at) FROM conversation_messages m WHERE m.conversation_id = v.id) AS last_at \
                 FROM conversations v JOIN customers c ON c.id = v.customer_id JOIN staff s ON s.id = v.advisor_id WHERE 1 = 1",
            );
            push_scope(&mut q, scope);
            q.push(") x ORDER BY x.last_at IS NULL, x.last_at DESC, x.id DESC LIMIT 500");
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// One conversation in scope.
    pub async fn conversation(&self, scope: Scope, id: i64) -> Result<Option<ConversationRow>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT v.id, v.customer_id, c.name AS customer, v.advisor_id, s.name AS advisor, v.created_at, \
                 NULL AS last_at FROM conversations v JOIN customers c ON c.id = v.customer_id \
                 JOIN staff s ON s.id = v.advisor_id WHERE v.id = ",
            );
            q.push_bind(id);
            push_scope(&mut q, scope);
            q.build_query_as().fetch_optional(pool).await?
        }))
    }

    /// A conversation's messages after `after`, oldest first, at most `limit`.
    pub async fn conversation_messages(
        &self,
        id: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ConversationMessageRow>, StoreError> {
        let sql =
            "SELECT id, conversation_id, sender_kind, sender_id, sender_name, body, at FROM conversation_messages \
                   WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3";
        Ok(
            with_pool!(self, pool => sqlx::query_as(sql).bind(id).bind(after).bind(limit.clamp(1, 1000)).fetch_all(pool).await?),
        )
    }

    /// Group messages for the archive, by id after `after`.
    pub async fn archive_messages(&self, s: &ArchiveSelection, after: i64) -> Result<Vec<ArchivedMessage>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT m.id, m.group_id, g.name AS group_name, m.at, m.sender_kind, m.sender_id, m.sender_name, m.body \
                 FROM group_messages m JOIN chat_groups g ON g.id = m.group_id WHERE m.id > ",
            );
            q.push_bind(after).push(" AND m.at >= ").push_bind(s.from).push(" AND m.at < ").push_bind(s.to);
            if let Some(g) = s.group {
                q.push(" AND m.group_id = ").push_bind(g);
            }
            if let Some(a) = s.advisor {
                q.push(" AND g.advisor_id = ").push_bind(a);
            }
            if let Some(c) = s.customer {
                q.push(" AND m.sender_kind = 'customer' AND m.sender_id = ").push_bind(c);
            }
            q.push(" ORDER BY m.id LIMIT ").push_bind(ARCHIVE_PAGE);
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Conversation messages for the archive, by id after `after` (a group selection has none).
    pub async fn archive_conversation_messages(
        &self,
        s: &ArchiveSelection,
        after: i64,
    ) -> Result<Vec<(ConversationMessageRow, i64, i64)>, StoreError> {
        if s.group.is_some() {
            return Ok(Vec::new());
        }
        type Row = (i64, i64, String, i64, String, String, DateTime<Utc>, i64, i64);
        let rows: Vec<Row> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT m.id, m.conversation_id, m.sender_kind, m.sender_id, m.sender_name, m.body, m.at, v.customer_id, \
                 v.advisor_id FROM conversation_messages m JOIN conversations v ON v.id = m.conversation_id WHERE m.id > ",
            );
            q.push_bind(after).push(" AND m.at >= ").push_bind(s.from).push(" AND m.at < ").push_bind(s.to);
            if let Some(a) = s.advisor {
                q.push(" AND v.advisor_id = ").push_bind(a);
            }
            if let Some(c) = s.customer {
                q.push(" AND v.customer_id = ").push_bind(c);
            }
            q.push(" ORDER BY m.id LIMIT ").push_bind(ARCHIVE_PAGE);
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| {
                let message = ConversationMessageRow {
                    id: r.0,
                    conversation_id: r.1,
                    sender_kind: r.2,
                    sender_id: r.3,
                    sender_name: r.4,
                    body: r.5,
                    at: r.6,
                };
                (message, r.7, r.8)
            })
            .collect())
    }

    /// Content versions written in the range with their reviews (a customer selection has none).
    pub async fn archive_content(&self, s: &ArchiveSelection) -> Result<Vec<ArchivedContent>, StoreError> {
        if s.customer.is_some() {
            return Ok(Vec::new());
        }
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT v.item_id, v.version, i.advisor_id, i.kind, v.title, v.body, v.status, v.written_at, v.reviewer, \
                 v.review_note, v.reviewed_at FROM content_versions v JOIN content_items i ON i.id = v.item_id \
                 WHERE v.written_at >= ",
            );
            q.push_bind(s.from).push(" AND v.written_at < ").push_bind(s.to);
            if let Some(a) = s.advisor {
                q.push(" AND i.advisor_id = ").push_bind(a);
            }
            if let Some(g) = s.group {
                q.push(" AND EXISTS (SELECT 1 FROM content_publications p WHERE p.item_id = v.item_id AND p.group_id = ")
                    .push_bind(g)
                    .push(")");
            }
            q.push(" ORDER BY v.item_id, v.version");
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// Tickets filed in the range, by id after `after`.
    pub async fn archive_tickets(&self, s: &ArchiveSelection, after: i64) -> Result<Vec<crate::TicketRow>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT t.id, t.customer_id, c.name AS customer, t.advisor_id, t.branch_id, t.kind, t.category, \
                 t.channel, t.queue, t.subject, t.body, t.status, t.level, t.waiting_since, t.due_at, t.satisfaction, \
                 t.reopened, t.votes, t.adopted_at, t.adoption_note, t.incident_id, t.filed_by, t.created_at, t.closed_at \
                 FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id > ",
            );
            q.push_bind(after).push(" AND t.created_at >= ").push_bind(s.from).push(" AND t.created_at < ").push_bind(s.to);
            if let Some(a) = s.advisor {
                q.push(" AND t.advisor_id = ").push_bind(a);
            }
            if let Some(c) = s.customer {
                q.push(" AND t.customer_id = ").push_bind(c);
            }
            if let Some(g) = s.group {
                q.push(" AND t.customer_id IN (SELECT customer_id FROM group_members WHERE group_id = ")
                    .push_bind(g)
                    .push(")");
            }
            q.push(" ORDER BY t.id LIMIT ").push_bind(ARCHIVE_PAGE);
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// The audit records of the range, by sequence after `after`.
    pub async fn archive_audit(
        &self,
        s: &ArchiveSelection,
        after: i64,
    ) -> Result<Vec<access::AuditRecord>, StoreError> {
        type Row = (i64, DateTime<Utc>, String, String, String, String, String, String, String);
        let sql = "SELECT seq, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM audit_log \
                   WHERE seq > $1 AND at >= $2 AND at < $3 ORDER BY seq LIMIT $4";
        let rows: Vec<Row> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(after).bind(s.from).bind(s.to).bind(ARCHIVE_PAGE).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(seq, at, actor, action, entity, entity_id, detail, prev_hash, hash)| access::AuditRecord {
                seq,
                at,
                entry: access::AuditEntry { actor, action, entity, entity_id, detail },
                prev_hash,
                hash,
            })
            .collect())
    }
}

impl Tx {
    /// The conversation of a customer and an advisor, begun if new; its id.
    pub async fn conversation_of(&mut self, customer: CustomerId, advisor: StaffId) -> Result<i64, StoreError> {
        self.serialize().await?;
        let now = self.now();
        with_tx!(self, conn => {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM conversations WHERE customer_id = $1 AND advisor_id = $2")
                .bind(customer)
                .bind(advisor)
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(id) = found {
                return Ok(id);
            }
            let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM conversations").fetch_one(&mut *conn).await?;
            sqlx::query("INSERT INTO conversations (id, customer_id, advisor_id, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(customer)
                .bind(advisor)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            Ok(id)
        })
    }

    /// Stores a message of a conversation.
    pub async fn insert_conversation_message(
        &mut self,
        conversation: i64,
        sender_kind: &str,
        sender_id: i64,
        sender_name: &str,
        body: &str,
    ) -> Result<ConversationMessageRow, StoreError> {
        self.serialize().await?;
        let at = self.now();
        with_tx!(self, conn => {
            let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM conversation_messages")
                .fetch_one(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO conversation_messages (id, conversation_id, sender_kind, sender_id, sender_name, body, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(conversation)
            .bind(sender_kind)
            .bind(sender_id)
            .bind(sender_name)
            .bind(body)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Ok(ConversationMessageRow {
                id,
                conversation_id: conversation,
                sender_kind: sender_kind.into(),
                sender_id,
                sender_name: sender_name.into(),
                body: body.into(),
                at,
            })
        })
    }
}
