//! Notices on instruments from the event path: news and the dated
//! corporate events that cost holders money when missed. Stored once per
//! event id, listed on instrument pages; their holders are read by the
//! instrument index.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::NoticeId;
use serde::Serialize;

/// A notice to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// The event's id: a repeated event is stored once.
    pub event_id: String,
    /// `news`, or a dated corporate event (`forced_redemption`, ...).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// A link to the full text.
    pub link: Option<String>,
    /// Where it came from (an exchange, a wire, the issuer).
    pub source: String,
    /// When it was issued.
    pub at: DateTime<Utc>,
    /// The last day to act, for dated corporate events.
    pub deadline: Option<NaiveDate>,
    /// The instruments it concerns (codes, checked to exist).
    pub instruments: Vec<String>,
}

/// A stored notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NoticeRow {
    /// Id.
    pub id: NoticeId,
    /// The event's id.
    pub event_id: String,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Link.
    pub link: Option<String>,
    /// Source.
    pub source: String,
    /// Issued.
    pub at: DateTime<Utc>,
    /// Last day to act.
    pub deadline: Option<NaiveDate>,
}

/// A holder of an instrument: (account id, instrument code, quantity).
pub type Holder = (i64, String, i64);

impl Db {
    /// The notice stored for an event id, if any.
    pub async fn notice_by_event(&self, event_id: &str) -> Result<Option<NoticeRow>, StoreError> {
        let sql = "SELECT id, event_id, kind, title, body, link, source, at, deadline FROM notices WHERE event_id = $1";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(event_id).fetch_optional(pool).await?))
    }

    /// Dated notices whose deadline falls from `from` to `to` (inclusive), with their instruments.
    pub async fn notices_due(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NoticeRow, Vec<String>)>, StoreError> {
        let sql = "SELECT id FROM notices WHERE deadline >= $1 AND deadline <= $2 ORDER BY id";
        let ids: Vec<NoticeId> =
            with_pool!(self, pool => sqlx::query_scalar(sql).bind(from).bind(to).fetch_all(pool).await?);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.notice(id).await?);
        }
        Ok(out)
    }

    /// One notice and its instruments.
    pub async fn notice(&self, id: NoticeId) -> Result<Option<(NoticeRow, Vec<String>)>, StoreError> {
        let sql = "SELECT id, event_id, kind, title, body, link, source, at, deadline FROM notices WHERE id = $1";
        let row: Option<NoticeRow> = with_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?);
        let Some(row) = row else { return Ok(None) };
        let sql = "SELECT instrument FROM notice_instruments WHERE notice_id = $1 ORDER BY instrument";
        let codes: Vec<String> = with_pool!(self, pool => sqlx::query_scalar(sql).bind(id).fetch_all(pool).await?);
        Ok(Some((row, codes)))
    }

    /// Notices on an instrument, newest first.
    pub async fn notices_on(&self, instrument: &str, limit: i64) -> Result<Vec<NoticeRow>, StoreError> {
        let sql = "SELECT n.id, n.event_id, n.kind, n.title, n.body, n.link, n.source, n.at, n.deadline FROM notices n \
                   JOIN notice_instruments x ON x.notice_id = n.id WHERE x.instrument = $1 ORDER BY n.at DESC, n.id DESC \
                   LIMIT $2";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(instrument).bind(limit).fetch_all(pool).await?))
    }

    /// Which of these codes are instruments.
    pub async fn known_instruments(&self, codes: &[String]) -> Result<Vec<String>, StoreError> {
        let mut known = Vec::new();
        for code in codes {
            let sql = "SELECT code FROM instruments WHERE code = $1";
            let found: Option<String> =
                with_pool!(self, pool => sqlx::query_scalar(sql).bind(code).fetch_optional(pool).await?);
            known.extend(found);
        }
        Ok(known)
    }

    /// Every account holding any of these instruments now, by the instrument index.
    pub async fn holders_of(&self, instruments: &[String]) -> Result<Vec<Holder>, StoreError> {
        let mut out = Vec::new();
        for code in instruments {
            let sql = "SELECT account_id, instrument, quantity FROM positions WHERE instrument = $1 AND quantity > 0 \
                       ORDER BY account_id";
            let rows: Vec<Holder> = with_pool!(self, pool => sqlx::query_as(sql).bind(code).fetch_all(pool).await?);
            out.extend(rows);
        }
        Ok(out)
    }
}

impl Tx {
    /// Stores a notice and its instruments; its id. None when its event id
    /// was stored already (a repeated event).
    pub async fn insert_notice(&mut self, n: &NewNotice) -> Result<Option<NoticeId>, StoreError> {
        let id = NoticeId(self.next_id("notices").await?);
        let now = self.now();
        let sql = "INSERT INTO notices (id, event_id, kind, title, body, link, source, at, deadline, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO NOTHING";
        let stored = with_tx!(self, conn => sqlx::query(sql).bind(id).bind(&n.event_id).bind(&n.kind)
            .bind(&n.title).bind(&n.body).bind(&n.link).bind(&n.source).bind(n.at).bind(n.deadline).bind(now)
            .execute(&mut *conn).await?.rows_affected());
        if stored == 0 {
            return Ok(None);
        }
        for code in &n.instruments {
            let sql = "INSERT INTO notice_instruments (notice_id, instrument) VALUES ($1, $2) ON CONFLICT DO NOTHING";
            with_tx!(self, conn => sqlx::query(sql).bind(id).bind(code).execute(&mut *conn).await?.rows_affected());
        }
        Ok(Some(id))
    }
}
