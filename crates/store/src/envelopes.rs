//! Red envelopes' rows (issue 27): an envelope and its shares, cut when it
//! is sent; opening takes the next share under the envelope's lock, with
//! its ledger transfer, in one unit of work.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, Utc};
use domain::{CustomerId, GroupId};
use serde::Serialize;

/// An envelope as members see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EnvelopeRow {
    /// Id.
    pub id: i64,
    /// The group it was sent in.
    pub group_id: GroupId,
    /// staff or customer.
    pub sender_kind: String,
    /// Staff or customer id.
    pub sender_id: i64,
    /// Name as shown.
    pub sender_name: String,
    /// Points in it.
    pub points: i64,
    /// Shares.
    pub shares: i64,
    /// equal or random.
    pub split: String,
    /// Shares opened.
    pub opened: i64,
    /// Points opened.
    pub opened_points: i64,
    /// Sent.
    pub created_at: DateTime<Utc>,
    /// When what is left goes back.
    pub expires_at: DateTime<Utc>,
    /// When it went back.
    pub returned_at: Option<DateTime<Utc>>,
    /// What went back.
    pub returned_points: Option<i64>,
}

/// An envelope to store.
#[derive(Debug, Clone)]
pub struct NewEnvelope {
    /// The group.
    pub group_id: GroupId,
    /// staff or customer.
    pub sender_kind: &'static str,
    /// Staff or customer id.
    pub sender_id: i64,
    /// Name as shown.
    pub sender_name: String,
    /// equal or random.
    pub split: &'static str,
    /// The shares, cut.
    pub shares: Vec<i64>,
    /// Sent.
    pub at: DateTime<Utc>,
    /// When what is left goes back.
    pub expires_at: DateTime<Utc>,
}

/// A share as it was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ShareRow {
    /// Which share.
    pub share_no: i64,
    /// Points.
    pub points: i64,
    /// Who opened it.
    pub customer_id: Option<CustomerId>,
    /// Their name.
    pub name: Option<String>,
    /// When.
    pub opened_at: Option<DateTime<Utc>>,
}

/// What trying to open an envelope found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenFound {
    /// The next share, now the member's (record it with its transfer).
    Share {
        /// Which.
        share_no: i64,
        /// Points.
        points: i64,
    },
    /// The member opened it before: their share.
    Already(i64),
    /// Every share is taken.
    Empty,
    /// Past its life (or returned).
    Expired,
    /// No such envelope.
    Missing,
}

const ENVELOPE_COLUMNS: &str = "SELECT id, group_id, sender_kind, sender_id, sender_name, points, shares, split, \
     opened, opened_points, created_at, expires_at, returned_at, returned_points FROM red_envelopes";

impl Tx {
    /// Stores an envelope and its shares; its id.
    pub async fn insert_envelope(&mut self, e: &NewEnvelope) -> Result<i64, StoreError> {
        self.serialize().await?;
        let id: i64 = with_tx!(self, conn => sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM red_envelopes")
            .fetch_one(&mut *conn).await?);
        let points: i64 = e.shares.iter().sum();
        let sql =
            "INSERT INTO red_envelopes (id, group_id, sender_kind, sender_id, sender_name, points, shares, split, \
                   created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        with_tx!(self, conn => sqlx::query(sql).bind(id).bind(e.group_id).bind(e.sender_kind).bind(e.sender_id)
            .bind(&e.sender_name).bind(points).bind(e.shares.len() as i64).bind(e.split).bind(e.at).bind(e.expires_at)
            .execute(&mut *conn).await?.rows_affected());
        for (i, share) in e.shares.iter().enumerate() {
            let sql = "INSERT INTO red_envelope_shares (envelope_id, share_no, points) VALUES ($1, $2, $3)";
            with_tx!(self, conn => sqlx::query(sql).bind(id).bind(i as i64 + 1).bind(share)
                .execute(&mut *conn).await?.rows_affected());
        }
        Ok(id)
    }

    /// An envelope, locked until the unit ends (PostgreSQL; SQLite's unit
    /// holds the write lock already), so opens of one envelope take turns.
    pub async fn lock_envelope(&mut self, id: i64) -> Result<Option<EnvelopeRow>, StoreError> {
        let lock = if matches!(self.conn_mut(), crate::TxConn::Postgres(_)) { " FOR UPDATE" } else { "" };
        let sql = format!("{ENVELOPE_COLUMNS} WHERE id = $1{lock}");
        Ok(with_tx!(self, conn => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *conn).await?))
    }

    /// Finds what opening envelope `id` gives `customer` now (the envelope locked first).
    pub async fn find_share(
        &mut self,
        id: i64,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<(OpenFound, Option<EnvelopeRow>), StoreError> {
        let Some(e) = self.lock_envelope(id).await? else { return Ok((OpenFound::Missing, None)) };
        let mine: Option<i64> = with_tx!(self, conn => sqlx::query_scalar(
            "SELECT points FROM red_envelope_shares WHERE envelope_id = $1 AND customer_id = $2")
            .bind(id).bind(customer).fetch_optional(&mut *conn).await?);
        if let Some(points) = mine {
            return Ok((OpenFound::Already(points), Some(e)));
        }
        if e.returned_at.is_some() || e.expires_at <= now {
            return Ok((OpenFound::Expired, Some(e)));
        }
        let next: Option<(i64, i64)> = with_tx!(self, conn => sqlx::query_as(
            "SELECT share_no, points FROM red_envelope_shares WHERE envelope_id = $1 AND customer_id IS NULL \
             ORDER BY share_no LIMIT 1").bind(id).fetch_optional(&mut *conn).await?);
        Ok((next.map_or(OpenFound::Empty, |(share_no, points)| OpenFound::Share { share_no, points }), Some(e)))
    }

    /// Gives share `share_no` of envelope `id` to `customer`.
    pub async fn take_share(
        &mut self,
        id: i64,
        share_no: i64,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE red_envelope_shares SET customer_id = $1, opened_at = $2 \
                   WHERE envelope_id = $3 AND share_no = $4 AND customer_id IS NULL";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(customer).bind(now).bind(id).bind(share_no)
            .execute(&mut *conn).await?.rows_affected());
        if n != 1 {
            return Err(StoreError::Corrupt { what: "red envelope share", reason: format!("{id}/{share_no} taken") });
        }
        let sql = "UPDATE red_envelopes SET opened = opened + 1, opened_points = opened_points + \
                   (SELECT points FROM red_envelope_shares WHERE envelope_id = $1 AND share_no = $2) WHERE id = $1";
        with_tx!(self, conn => sqlx::query(sql).bind(id).bind(share_no).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Marks envelope `id` returned with `points`.
    pub async fn mark_returned(&mut self, id: i64, points: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        let sql = "UPDATE red_envelopes SET returned_at = $1, returned_points = $2 WHERE id = $3";
        with_tx!(self, conn => sqlx::query(sql).bind(now).bind(points).bind(id).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }
}

impl Db {
    /// An envelope.
    pub async fn envelope(&self, id: i64) -> Result<Option<EnvelopeRow>, StoreError> {
        let sql = format!("{ENVELOPE_COLUMNS} WHERE id = $1");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// An envelope's shares as opened so far, in the order they went.
    pub async fn envelope_shares(&self, id: i64) -> Result<Vec<ShareRow>, StoreError> {
        let sql = "SELECT s.share_no, s.points, s.customer_id, c.name, s.opened_at FROM red_envelope_shares s \
                   LEFT JOIN customers c ON c.id = s.customer_id WHERE s.envelope_id = $1 AND s.customer_id IS NOT NULL \
                   ORDER BY s.opened_at, s.share_no";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await?))
    }

    /// Envelopes past their life with points left unreturned, up to `limit`.
    pub async fn due_envelopes(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<i64>, StoreError> {
        let sql =
            "SELECT id FROM red_envelopes WHERE returned_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(now).bind(limit).fetch_all(pool).await?))
    }

    /// Points an advisor has sent in envelopes since `since` (their budget's use).
    pub async fn envelope_points_sent_by_staff(&self, staff: i64, since: DateTime<Utc>) -> Result<i64, StoreError> {
        let sql = "SELECT CAST(COALESCE(SUM(points - COALESCE(returned_points, 0)), 0) AS BIGINT) FROM red_envelopes \
                   WHERE sender_kind = 'staff' AND sender_id = $1 AND created_at >= $2";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(staff).bind(since).fetch_one(pool).await?))
    }
}
