//! A customer's recent trades and service history, for the customer page.

use crate::{with_pool, Db, StoreError};
use chrono::{DateTime, Utc};
use domain::CustomerId;

/// A trade as the customer page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeLine {
    /// Fill time.
    pub time: DateTime<Utc>,
    /// Instrument code.
    pub instrument: String,
    /// Instrument name.
    pub name: String,
    /// `buy` or `sell`.
    pub side: String,
    /// Shares.
    pub quantity: i64,
    /// Price (0.0001 CNY).
    pub price: i64,
    /// Fee (0.0001 CNY).
    pub fee: i64,
}

/// One contact with the customer: a service event, or a planned contact made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLine {
    /// When (RFC 3339 for plan contacts, as stored).
    pub time: String,
    /// `call`, `message`, `visit`, ... or `plan_contact`.
    pub kind: String,
    /// Who served them.
    pub staff: String,
    /// What came of it (plan contacts).
    pub outcome: Option<String>,
}

impl Db {
    /// A customer's newest trades first, at most `limit`.
    pub async fn recent_trades(&self, customer_id: CustomerId, limit: i64) -> Result<Vec<TradeLine>, StoreError> {
        let sql = "SELECT t.time, t.instrument, i.name, t.side, t.quantity, t.price, t.fee FROM trades t \
                   JOIN accounts a ON a.id = t.account_id JOIN instruments i ON i.code = t.instrument \
                   WHERE a.customer_id = $1 ORDER BY t.time DESC, t.id DESC LIMIT $2";
        type Row = (DateTime<Utc>, String, String, String, i64, i64, i64);
        let rows: Vec<Row> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(customer_id).bind(limit).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(time, instrument, name, side, quantity, price, fee)| TradeLine {
                time,
                instrument,
                name,
                side,
                quantity,
                price,
                fee,
            })
            .collect())
    }

    /// A customer's service history, newest first, at most `limit` of each kind.
    pub async fn service_history(&self, customer_id: CustomerId, limit: i64) -> Result<Vec<ServiceLine>, StoreError> {
        let events_sql = "SELECT e.time, e.kind, COALESCE(s.name, '') FROM service_events e \
                          LEFT JOIN staff s ON s.id = e.staff_id WHERE e.customer_id = $1 \
                          ORDER BY e.time DESC, e.id DESC LIMIT $2";
        let plan_sql = "SELECT p.done_at, s.name, p.outcome FROM service_plan p JOIN staff s ON s.id = p.advisor_id \
                        WHERE p.customer_id = $1 AND p.done_at IS NOT NULL ORDER BY p.done_at DESC LIMIT $2";
        let (events, contacts) = with_pool!(self, pool => {
            let events: Vec<(DateTime<Utc>, String, String)> =
                sqlx::query_as(events_sql).bind(customer_id).bind(limit).fetch_all(pool).await?;
            let contacts: Vec<(String, String, Option<String>)> =
                sqlx::query_as(plan_sql).bind(customer_id).bind(limit).fetch_all(pool).await?;
            (events, contacts)
        });
        let mut lines: Vec<ServiceLine> = events
            .into_iter()
            .map(|(time, kind, staff)| ServiceLine { time: time.to_rfc3339(), kind, staff, outcome: None })
            .chain(contacts.into_iter().map(|(time, staff, outcome)| ServiceLine {
                time,
                kind: "plan_contact".into(),
                staff,
                outcome,
            }))
            .collect();
        // RFC 3339 in UTC sorts by time as text.
        lines.sort_by(|a, b| b.time.cmp(&a.time));
        Ok(lines)
    }
}
