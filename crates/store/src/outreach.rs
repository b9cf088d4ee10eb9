//! Outreach: a send of an idea, content item or product to a segment of
//! customers, each recipient's copy (held over quiet hours, then in their
//! inbox, read once), and what each send led to: reads, and trades or
//! purchases within the follow-through window.

use crate::book::ROWS_PER_STATEMENT;
use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{CustomerId, ProductId, SendId, StaffId};
use serde::Serialize;
use sqlx::QueryBuilder;

/// A send to store with its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSend {
    /// Who sends it.
    pub sender_id: StaffId,
    /// `idea`, `content` or `product`.
    pub item_kind: String,
    /// The idea's, item's or product's id.
    pub item_id: i64,
    /// A trade in this instrument counts as follow-through (ideas).
    pub instrument: Option<String>,
    /// A purchase of this product counts as follow-through.
    pub product_id: Option<ProductId>,
    /// The title as sent.
    pub title: String,
    /// The text as sent.
    pub body: String,
    /// How the segment was named, JSON.
    pub segment: String,
    /// Customers the segment matched.
    pub matched: i64,
    /// Of those, withheld as unsuitable.
    pub withheld: i64,
    /// The trading day it was sent on.
    pub trading_day: NaiveDate,
}

/// A message in a customer's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct InboxRow {
    /// The send.
    pub send_id: SendId,
    /// The recipient.
    pub customer_id: CustomerId,
    /// The sender's name.
    pub sender: String,
    /// `idea`, `content` or `product`.
    pub item_kind: String,
    /// The item's id.
    pub item_id: i64,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// When it reached the inbox.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the customer read it.
    pub read_at: Option<DateTime<Utc>>,
}

/// A send as its sender and managers see it, with what it led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SendRow {
    /// Id.
    pub id: SendId,
    /// Sender.
    pub sender_id: StaffId,
    /// Sender's name.
    pub sender: String,
    /// `idea`, `content` or `product`.
    pub item_kind: String,
    /// The item's id.
    pub item_id: i64,
    /// Title.
    pub title: String,
    /// How the segment was named (JSON).
    pub segment: String,
    /// Matched by the segment.
    pub matched: i64,
    /// Withheld as unsuitable.
    pub withheld: i64,
    /// Recipients (matched less withheld).
    pub recipients: i64,
    /// Delivered so far (the rest wait for quiet hours to end).
    pub delivered: i64,
    /// Read.
    pub reads: i64,
    /// The trading day sent.
    pub trading_day: NaiveDate,
    /// Sent.
    pub created_at: DateTime<Utc>,
    /// A trade in the instrument counts as follow-through.
    pub instrument: Option<String>,
    /// A purchase of the product counts as follow-through.
    pub product_id: Option<ProductId>,
}

const INBOX_COLUMNS: &str = "SELECT r.send_id, r.customer_id, s.name AS sender, x.item_kind, x.item_id, x.title, \
     x.body, r.delivered_at, r.read_at FROM send_recipients r JOIN sends x ON x.id = r.send_id \
     JOIN staff s ON s.id = x.sender_id";

const SEND_COLUMNS: &str = "SELECT x.id, x.sender_id, s.name AS sender, x.item_kind, x.item_id, x.title, x.segment, \
     x.matched, x.withheld, x.recipients, x.delivered, x.reads, x.trading_day, x.created_at, x.instrument, \
     x.product_id FROM sends x JOIN staff s ON s.id = x.sender_id";

/// Sends whose copies the outbox delivers in one round.
pub const SENDS_PER_ROUND: i64 = 1_000;

impl Db {
    /// A customer's inbox: delivered messages, newest first.
    pub async fn inbox(&self, customer: CustomerId, limit: i64) -> Result<Vec<InboxRow>, StoreError> {
        let sql = format!(
            "{INBOX_COLUMNS} WHERE r.customer_id = $1 AND r.delivered_at IS NOT NULL ORDER BY r.send_id DESC LIMIT $2"
        );
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(customer).bind(limit).fetch_all(pool).await?))
    }

    /// One message of a customer's inbox, if delivered to them.
    pub async fn inbox_message(&self, send: SendId, customer: CustomerId) -> Result<Option<InboxRow>, StoreError> {
        let sql = format!("{INBOX_COLUMNS} WHERE r.send_id = $1 AND r.customer_id = $2 AND r.delivered_at IS NOT NULL");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(send).bind(customer).fetch_optional(pool).await?))
    }

    /// The outbox: marks the copies due by `now` delivered, a send at a time
    /// (up to [`SENDS_PER_ROUND`] sends), and answers them (to be pushed to
    /// connected customers). Each send's copies are found by its key, not by
    /// a list of pairs (which SQLite would scan the table for).
    pub async fn deliver_due_sends(&self, now: DateTime<Utc>) -> Result<Vec<InboxRow>, StoreError> {
        let pick = "SELECT DISTINCT send_id FROM send_recipients WHERE delivered_at IS NULL AND deliver_at <= $1 \
                    ORDER BY send_id LIMIT $2";
        let due: Vec<SendId> =
            with_pool!(self, pool => sqlx::query_scalar(pick).bind(now).bind(SENDS_PER_ROUND).fetch_all(pool).await?);
        let mark = "UPDATE send_recipients SET delivered_at = $1 \
                    WHERE send_id = $2 AND delivered_at IS NULL AND deliver_at <= $1";
        let read = format!("{INBOX_COLUMNS} WHERE r.send_id = $1 AND r.delivered_at = $2 ORDER BY r.customer_id");
        let mut out = Vec::new();
        for send in due {
            let rows: Vec<InboxRow> = with_pool!(self, pool => {
                let mut tx = pool.begin().await?;
                let n = sqlx::query(mark).bind(now).bind(send).execute(&mut *tx).await?.rows_affected();
                sqlx::query("UPDATE sends SET delivered = delivered + $1 WHERE id = $2")
                    .bind(n as i64)
                    .bind(send)
                    .execute(&mut *tx)
                    .await?;
                let rows = sqlx::query_as(&read).bind(send).bind(now).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Sends, newest first: one sender's, or (none) everyone's.
    pub async fn sends(&self, sender: Option<StaffId>, limit: i64) -> Result<Vec<SendRow>, StoreError> {
        let sql = format!("{SEND_COLUMNS} WHERE ($1 IS NULL OR x.sender_id = $1) ORDER BY x.id DESC LIMIT $2");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(sender.map(|s| s.0)).bind(limit).fetch_all(pool).await?))
    }

    /// One send.
    pub async fn send(&self, id: SendId) -> Result<Option<SendRow>, StoreError> {
        let sql = format!("{SEND_COLUMNS} WHERE x.id = $1");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// The recipients of a send who traded its instrument or bought its
    /// product from `from` up to (not including) `until`.
    pub async fn followed_through(
        &self,
        send: &SendRow,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM send_recipients r WHERE r.send_id = $1 AND (\
                   EXISTS (SELECT 1 FROM accounts a JOIN trades t ON t.account_id = a.id \
                           WHERE a.customer_id = r.customer_id AND t.instrument = $2 AND t.time >= $3 AND t.time < $4) \
                   OR EXISTS (SELECT 1 FROM purchases p WHERE p.customer_id = r.customer_id AND p.product_id = $5 \
                           AND p.placed_at >= $3 AND p.placed_at < $4))";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(send.id).bind(&send.instrument).bind(from)
            .bind(until).bind(send.product_id).fetch_one(pool).await?))
    }

    /// Recipients of a send, by customer id (for tests and the send's page).
    pub async fn send_recipients(&self, send: SendId) -> Result<Vec<CustomerId>, StoreError> {
        let sql = "SELECT customer_id FROM send_recipients WHERE send_id = $1 ORDER BY customer_id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(send).fetch_all(pool).await?))
    }
}

impl Tx {
    /// Marks a delivered message read, once, in this unit of work; true the first time.
    pub async fn mark_send_read(&mut self, send: SendId, customer: CustomerId) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "UPDATE send_recipients SET read_at = $1 WHERE send_id = $2 AND customer_id = $3 \
                   AND delivered_at IS NOT NULL AND read_at IS NULL";
        let count = "UPDATE sends SET reads = reads + 1 WHERE id = $1";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(now).bind(send).bind(customer).execute(&mut *conn).await?
            .rows_affected());
        if n == 1 {
            with_tx!(self, conn => sqlx::query(count).bind(send).execute(&mut *conn).await?.rows_affected());
        }
        Ok(n == 1)
    }

    /// Stores a send and each recipient's copy with the moment it may be delivered; its id.
    pub async fn insert_send(
        &mut self,
        send: &NewSend,
        recipients: &[(CustomerId, DateTime<Utc>)],
    ) -> Result<SendId, StoreError> {
        let id = SendId(self.next_id("sends").await?);
        let now = self.now();
        let sql =
            "INSERT INTO sends (id, sender_id, item_kind, item_id, instrument, product_id, title, body, segment, \
                   matched, withheld, trading_day, created_at, recipients) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
        with_tx!(self, conn => sqlx::query(sql).bind(id).bind(send.sender_id).bind(&send.item_kind)
            .bind(send.item_id).bind(&send.instrument).bind(send.product_id).bind(&send.title).bind(&send.body)
            .bind(&send.segment).bind(send.matched).bind(send.withheld).bind(send.trading_day).bind(now)
            .bind(recipients.len() as i64).execute(&mut *conn).await?.rows_affected());
        for chunk in recipients.chunks(ROWS_PER_STATEMENT) {
            with_tx!(self, conn => {
                let mut q = QueryBuilder::new("INSERT INTO send_recipients (send_id, customer_id, deliver_at) ");
                q.push_values(chunk, |mut row, (customer, at)| {
                    row.push_bind(id).push_bind(*customer).push_bind(*at);
                });
                q.build().execute(&mut *conn).await?;
            });
        }
        Ok(id)
    }
}
