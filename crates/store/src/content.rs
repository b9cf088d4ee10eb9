//! Advisors' content and its compliance review: every version kept, only an
//! approved version scheduled, publications due, read counts; and the
//! advisor's private follow-up list.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, Utc};
use domain::{
    ContentBody, ContentId, ContentKind, ContentStatus, ContentTitle, CustomerId, GroupId, MessageId, Note,
    PublicationId, StaffId,
};
use serde::Serialize;

/// One version of a content item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ContentVersion {
    /// The item.
    pub item_id: ContentId,
    /// The item's author.
    pub advisor_id: StaffId,
    /// pre_market, post_market or article.
    pub kind: ContentKind,
    /// Version, from 1.
    pub version: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// draft, submitted, approved or rejected.
    pub status: ContentStatus,
    /// Written.
    pub written_at: DateTime<Utc>,
    /// The compliance reviewer's login.
    pub reviewer: Option<String>,
    /// The reviewer's comment.
    pub review_note: Option<String>,
    /// Reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// A publication that is due: an approved version into a group.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DuePublication {
    /// Publication id.
    pub id: PublicationId,
    /// The item.
    pub item_id: ContentId,
    /// The approved version.
    pub version: i64,
    /// The group.
    pub group_id: GroupId,
}

/// One scheduled or published placement of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PublicationRow {
    /// Id.
    pub id: PublicationId,
    /// Version placed.
    pub version: i64,
    /// The group.
    pub group_id: GroupId,
    /// When it goes out.
    pub publish_at: DateTime<Utc>,
    /// The chat message once published.
    pub message_id: Option<MessageId>,
}

/// One entry of an advisor's follow-up list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FollowUpRow {
    /// The customer.
    pub customer_id: CustomerId,
    /// Their name.
    pub customer: String,
    /// Why.
    pub note: String,
    /// Added.
    pub at: DateTime<Utc>,
}

const VERSION_COLUMNS: &str = "SELECT v.item_id, i.advisor_id, i.kind, v.version, v.title, v.body, v.status, \
     v.written_at, v.reviewer, v.review_note, v.reviewed_at FROM content_versions v \
     JOIN content_items i ON i.id = v.item_id";

impl Db {
    /// Starts a content item with its first version as a draft; the item id.
    pub async fn create_content(
        &self,
        advisor_id: StaffId,
        kind: ContentKind,
        title: &ContentTitle,
        body: &ContentBody,
    ) -> Result<ContentId, StoreError> {
        let now = self.now();
        let item = "INSERT INTO content_items (advisor_id, kind, created_at) VALUES ($1, $2, $3) RETURNING id";
        let version = "INSERT INTO content_versions (item_id, version, title, body, status, written_at) \
                       VALUES ($1, 1, $2, $3, 'draft', $4)";
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: ContentId = sqlx::query_scalar(item).bind(advisor_id).bind(kind).bind(now).fetch_one(&mut *tx).await?;
            sqlx::query(version).bind(id).bind(title).bind(body).bind(now).execute(&mut *tx).await?;
            tx.commit().await?;
            id
        }))
    }

    /// Adds a new draft version (earlier ones stay as they were); its number.
    pub async fn revise_content(
        &self,
        item_id: ContentId,
        title: &ContentTitle,
        body: &ContentBody,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        let next = "SELECT COALESCE(MAX(version), 0) + 1 FROM content_versions WHERE item_id = $1";
        let insert = "INSERT INTO content_versions (item_id, version, title, body, status, written_at) \
                      VALUES ($1, $2, $3, $4, 'draft', $5)";
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let version: i64 = sqlx::query_scalar(next).bind(item_id).fetch_one(&mut *tx).await?;
            sqlx::query(insert).bind(item_id).bind(version).bind(title).bind(body).bind(now)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            version
        }))
    }

    /// Every version of an item, newest first (empty: no such item).
    pub async fn content_versions(&self, item_id: ContentId) -> Result<Vec<ContentVersion>, StoreError> {
        let sql = format!("{VERSION_COLUMNS} WHERE v.item_id = $1 ORDER BY v.version DESC");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(item_id).fetch_all(pool).await?))
    }

    /// The newest version of each item: one advisor's, or (none) everyone's; newest item first.
    pub async fn content_latest(&self, advisor_id: Option<StaffId>) -> Result<Vec<ContentVersion>, StoreError> {
        let sql = format!(
            "{VERSION_COLUMNS} WHERE ($1 IS NULL OR i.advisor_id = $1) AND v.version = \
             (SELECT MAX(w.version) FROM content_versions w WHERE w.item_id = v.item_id) ORDER BY v.item_id DESC"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(advisor_id).fetch_all(pool).await?))
    }

    /// Versions waiting for compliance, oldest first.
    pub async fn review_queue(&self) -> Result<Vec<ContentVersion>, StoreError> {
        let sql = format!("{VERSION_COLUMNS} WHERE v.status = 'submitted' ORDER BY v.written_at, v.item_id");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// An item's placements, by id.
    pub async fn publications(&self, item_id: ContentId) -> Result<Vec<PublicationRow>, StoreError> {
        let sql = "SELECT id, version, group_id, publish_at, message_id FROM content_publications \
                   WHERE item_id = $1 ORDER BY id";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(item_id).fetch_all(pool).await?))
    }

    /// Placements due by `now` and not yet published, of approved versions only, oldest first.
    pub async fn due_publications(&self, now: DateTime<Utc>) -> Result<Vec<DuePublication>, StoreError> {
        let sql = "SELECT p.id, p.item_id, p.version, p.group_id FROM content_publications p \
                   JOIN content_versions v ON v.item_id = p.item_id AND v.version = p.version \
                   WHERE p.message_id IS NULL AND p.publish_at <= $1 AND v.status = 'approved' ORDER BY p.publish_at, p.id";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(now).fetch_all(pool).await?))
    }

    /// Customers who have read an item.
    pub async fn read_count(&self, item_id: ContentId) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM content_reads WHERE item_id = $1";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(item_id).fetch_one(pool).await?))
    }

    /// Adds or updates a customer on an advisor's follow-up list.
    pub async fn add_follow_up(
        &self,
        advisor_id: StaffId,
        customer_id: CustomerId,
        note: &Note,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let sql = "INSERT INTO follow_ups (advisor_id, customer_id, note, at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (advisor_id, customer_id) DO UPDATE SET note = excluded.note, at = excluded.at";
        with_pool!(self, pool => sqlx::query(sql).bind(advisor_id).bind(customer_id).bind(note).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// An advisor's follow-up list, newest first.
    pub async fn follow_ups(&self, advisor_id: StaffId) -> Result<Vec<FollowUpRow>, StoreError> {
        let sql = "SELECT f.customer_id, c.name AS customer, f.note, f.at FROM follow_ups f \
                   JOIN customers c ON c.id = f.customer_id WHERE f.advisor_id = $1 ORDER BY f.at DESC, f.customer_id";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(advisor_id).fetch_all(pool).await?))
    }

    /// Messages a customer has sent in groups, newest first: (group name, message), in one query.
    pub async fn customer_group_messages(
        &self,
        customer_id: CustomerId,
        limit: i64,
    ) -> Result<Vec<(String, crate::MessageRow)>, StoreError> {
        let sql = "SELECT g.name AS group_name, m.id, m.group_id, m.sender_kind, m.sender_id, m.sender_name, m.body, \
                   m.reply_to, m.mentions, m.pinned, m.content_id, m.at, m.red_envelope_id \
                   FROM group_messages m JOIN chat_groups g ON g.id = m.group_id \
                   WHERE m.sender_kind = 'customer' AND m.sender_id = $1 ORDER BY m.id DESC LIMIT $2";
        let said: Vec<SaidInGroup> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(customer_id).bind(limit).fetch_all(pool).await?);
        Ok(said.into_iter().map(|s| (s.group_name, s.message)).collect())
    }
}

/// A message with the name of the group it was said in.
#[derive(sqlx::FromRow)]
struct SaidInGroup {
    group_name: String,
    #[sqlx(flatten)]
    message: crate::MessageRow,
}

impl Tx {
    /// Counts a customer's read of an item once.
    pub async fn record_read(&mut self, item_id: ContentId, customer_id: CustomerId) -> Result<(), StoreError> {
        let now = self.now();
        let sql = "INSERT INTO content_reads (item_id, customer_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        with_tx!(self, conn => sqlx::query(sql).bind(item_id).bind(customer_id).bind(now)
            .execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Starts a content item within this unit of work, its first version in
    /// `status` (an idea's text goes straight to review); the item id.
    pub async fn insert_content(
        &mut self,
        advisor_id: StaffId,
        kind: ContentKind,
        title: &ContentTitle,
        body: &ContentBody,
        status: ContentStatus,
    ) -> Result<ContentId, StoreError> {
        let now = self.now();
        let item = "INSERT INTO content_items (advisor_id, kind, created_at) VALUES ($1, $2, $3) RETURNING id";
        let version = "INSERT INTO content_versions (item_id, version, title, body, status, written_at) \
                       VALUES ($1, 1, $2, $3, $4, $5)";
        Ok(with_tx!(self, conn => {
            let id: ContentId =
                sqlx::query_scalar(item).bind(advisor_id).bind(kind).bind(now).fetch_one(&mut *conn).await?;
            sqlx::query(version).bind(id).bind(title).bind(body).bind(status).bind(now).execute(&mut *conn).await?;
            id
        }))
    }

    /// Adds a version to an item within this unit of work, in `status`; its number.
    pub async fn insert_content_version(
        &mut self,
        item_id: ContentId,
        title: &ContentTitle,
        body: &ContentBody,
        status: ContentStatus,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        let next = "SELECT COALESCE(MAX(version), 0) + 1 FROM content_versions WHERE item_id = $1";
        let insert = "INSERT INTO content_versions (item_id, version, title, body, status, written_at) \
                      VALUES ($1, $2, $3, $4, $5, $6)";
        Ok(with_tx!(self, conn => {
            let version: i64 = sqlx::query_scalar(next).bind(item_id).fetch_one(&mut *conn).await?;
            sqlx::query(insert).bind(item_id).bind(version).bind(title).bind(body).bind(status).bind(now)
                .execute(&mut *conn).await?;
            version
        }))
    }

    /// Moves a version from one status to another within this unit of work;
    /// false when it is not in `from` (changed meanwhile).
    pub async fn set_content_status(
        &mut self,
        item_id: ContentId,
        version: i64,
        from: ContentStatus,
        to: ContentStatus,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE content_versions SET status = $1 WHERE item_id = $2 AND version = $3 AND status = $4";
        let n = crate::with_tx!(self, conn => sqlx::query(sql).bind(to).bind(item_id).bind(version).bind(from)
            .execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }

    /// Records compliance's decision on a submitted version; false when it was not submitted.
    pub async fn review_content(
        &mut self,
        item_id: ContentId,
        version: i64,
        approved: bool,
        reviewer: &str,
        note: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "UPDATE content_versions SET status = $1, reviewer = $2, review_note = $3, reviewed_at = $4 \
                   WHERE item_id = $5 AND version = $6 AND status = 'submitted'";
        let status = if approved { "approved" } else { "rejected" };
        let n = with_tx!(self, conn => sqlx::query(sql).bind(status).bind(reviewer).bind(note).bind(now)
            .bind(item_id).bind(version).execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }

    /// Schedules an approved version into groups at a moment. The version's
    /// approval is checked in the same statement, so nothing unapproved is
    /// ever scheduled; the number of placements made.
    pub async fn schedule_content(
        &mut self,
        item_id: ContentId,
        version: i64,
        groups: &[GroupId],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let sql = "INSERT INTO content_publications (item_id, version, group_id, publish_at) \
                   SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM content_versions \
                   WHERE item_id = $1 AND version = $2 AND status = 'approved')";
        let mut made = 0;
        for group in groups {
            made += with_tx!(self, conn => sqlx::query(sql).bind(item_id).bind(version).bind(group).bind(at)
                .execute(&mut *conn).await?.rows_affected());
        }
        Ok(made)
    }

    /// Marks a placement published by a chat message; false when it already was.
    pub async fn mark_published(
        &mut self,
        publication_id: PublicationId,
        message_id: MessageId,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE content_publications SET message_id = $1 WHERE id = $2 AND message_id IS NULL";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(message_id).bind(publication_id)
            .execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }
}
