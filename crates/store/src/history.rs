//! A customer's history for the customer page and its API: trades, cash
//! flows, logins and contacts, each newest first and paged by keyset, so
//! that a customer with years of history reads as fast as a new one.

use crate::{with_pool, Db, StoreError};
use chrono::{DateTime, Utc};
use domain::{AccountId, CustomerId, FixedPoint, Money};
use serde::Serialize;
use sqlx::QueryBuilder;

/// Which part of a customer's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    /// Fills.
    Trades,
    /// Deposits, withdrawals, dividends and other cash movements.
    CashFlows,
    /// Logins, by channel.
    Logins,
    /// Contacts: service events and planned contacts made.
    Service,
}

impl HistoryKind {
    /// Every kind, by its stable name.
    pub const ALL: [(HistoryKind, &'static str); 4] = [
        (HistoryKind::Trades, "trades"),
        (HistoryKind::CashFlows, "cash_flows"),
        (HistoryKind::Logins, "logins"),
        (HistoryKind::Service, "service"),
    ];

    /// The kind's stable name, as URLs carry it.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(k, _)| *k == self).map_or("trades", |(_, n)| n)
    }

    /// The kind a stable name names.
    pub fn parse(name: &str) -> Option<HistoryKind> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
    }
}

/// A place in a history read newest first: a line's time and id, carried in
/// URLs as `nanos.id` (planned contacts have id 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryCursor {
    /// The line's time.
    pub time: DateTime<Utc>,
    /// The line's id.
    pub id: i64,
}

impl HistoryCursor {
    /// The cursor's text form.
    pub fn text(&self) -> String {
        format!("{}.{}", self.time.timestamp_nanos_opt().unwrap_or(i64::MAX), self.id)
    }

    /// A cursor from its text form.
    pub fn parse(text: &str) -> Option<HistoryCursor> {
        let (nanos, id) = text.trim().split_once('.')?;
        Some(HistoryCursor { time: DateTime::from_timestamp_nanos(nanos.parse().ok()?), id: id.parse().ok()? })
    }
}

/// A trade as the customer page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TradeLine {
    /// The trade's id.
    pub id: i64,
    /// Fill time.
    pub time: DateTime<Utc>,
    /// The account traded in.
    pub account_id: AccountId,
    /// Instrument code.
    pub instrument: String,
    /// Instrument name.
    pub name: String,
    /// `buy` or `sell`.
    pub side: String,
    /// Shares.
    pub quantity: i64,
    /// Price.
    pub price: Money,
    /// Fee.
    pub fee: Money,
}

/// A movement of cash in or out of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashFlowLine {
    /// The flow's id.
    pub id: i64,
    /// When.
    pub time: DateTime<Utc>,
    /// The account.
    pub account_id: AccountId,
    /// `deposit`, `withdrawal`, `dividend`, ...
    pub kind: String,
    /// As stored, never negative: the kind says which way it went.
    pub amount: Money,
}

/// A login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoginLine {
    /// The login's id.
    pub id: i64,
    /// When.
    pub time: DateTime<Utc>,
    /// `app`, `web`, ...
    pub channel: String,
}

/// One contact with the customer: a service event, or a planned contact made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceLine {
    /// The service event's id (0 for a planned contact).
    pub id: i64,
    /// When.
    pub time: DateTime<Utc>,
    /// `call`, `message`, `visit`, ... or `plan_contact`.
    pub kind: String,
    /// Who served them.
    pub staff: String,
    /// What came of it (planned contacts).
    pub outcome: Option<String>,
}

/// One line of a history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum HistoryLine {
    /// A trade.
    Trade(TradeLine),
    /// A cash flow.
    CashFlow(CashFlowLine),
    /// A login.
    Login(LoginLine),
    /// A contact.
    Service(ServiceLine),
}

impl HistoryLine {
    /// Where the line stands in its history.
    pub fn cursor(&self) -> HistoryCursor {
        let (time, id) = match self {
            HistoryLine::Trade(l) => (l.time, l.id),
            HistoryLine::CashFlow(l) => (l.time, l.id),
            HistoryLine::Login(l) => (l.time, l.id),
            HistoryLine::Service(l) => (l.time, l.id),
        };
        HistoryCursor { time, id }
    }
}

/// A page of one history, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryPage {
    /// Which history.
    pub kind: HistoryKind,
    /// The lines.
    pub lines: Vec<HistoryLine>,
    /// The next (older) page starts after this line; None at the oldest.
    pub older: Option<HistoryCursor>,
}

/// Adds "older than the cursor" on a `(time, id)` pair of columns.
fn push_older<DB: sqlx::Database>(q: &mut QueryBuilder<'_, DB>, time: &str, id: &str, before: Option<HistoryCursor>)
where
    for<'a> i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(c) = before {
        q.push(format!(" AND ({time}, {id}) < (")).push_bind(c.time).push(", ").push_bind(c.id).push(")");
    }
}

impl Db {
    /// A page of a customer's history, newest first, `per_page` lines (1 to
    /// 200) older than `before`. The caller has checked the customer is in
    /// the reader's scope.
    pub async fn history(
        &self,
        customer_id: CustomerId,
        kind: HistoryKind,
        before: Option<HistoryCursor>,
        per_page: u32,
    ) -> Result<HistoryPage, StoreError> {
        let per_page = per_page.clamp(1, 200) as usize;
        let limit = per_page as i64 + 1;
        let mut lines: Vec<HistoryLine> = with_pool!(self, pool => {
            match kind {
                HistoryKind::Trades => {
                    let mut q = QueryBuilder::new(
                        "SELECT t.id, t.time, t.account_id, t.instrument, i.name, t.side, t.quantity, t.price, t.fee \
                         FROM trades t JOIN accounts a ON a.id = t.account_id JOIN instruments i ON i.code = t.instrument \
                         WHERE a.customer_id = ",
                    );
                    q.push_bind(customer_id);
                    push_older(&mut q, "t.time", "t.id", before);
                    q.push(" ORDER BY t.time DESC, t.id DESC LIMIT ").push_bind(limit);
                    type Row = (i64, DateTime<Utc>, AccountId, String, String, String, i64, i64, i64);
                    let rows: Vec<Row> = q.build_query_as().fetch_all(pool).await?;
                    rows.into_iter()
                        .map(|(id, time, account_id, instrument, name, side, quantity, price, fee)| {
                            HistoryLine::Trade(TradeLine {
                                id,
                                time,
                                account_id,
                                instrument,
                                name,
                                side,
                                quantity,
                                price: Money::from_fixed(price),
                                fee: Money::from_fixed(fee),
                            })
                        })
                        .collect()
                }
                HistoryKind::CashFlows => {
                    let mut q = QueryBuilder::new(
                        "SELECT f.id, f.time, f.account_id, f.kind, f.amount FROM cash_flows f \
                         JOIN accounts a ON a.id = f.account_id WHERE a.customer_id = ",
                    );
                    q.push_bind(customer_id);
                    push_older(&mut q, "f.time", "f.id", before);
                    q.push(" ORDER BY f.time DESC, f.id DESC LIMIT ").push_bind(limit);
                    let rows: Vec<(i64, DateTime<Utc>, AccountId, String, i64)> =
                        q.build_query_as().fetch_all(pool).await?;
                    rows.into_iter()
                        .map(|(id, time, account_id, kind, amount)| {
                            HistoryLine::CashFlow(CashFlowLine { id, time, account_id, kind, amount: Money::from_fixed(amount) })
                        })
                        .collect()
                }
                HistoryKind::Logins => {
                    let mut q = QueryBuilder::new("SELECT l.id, l.time, l.channel FROM logins l WHERE l.customer_id = ");
                    q.push_bind(customer_id);
                    push_older(&mut q, "l.time", "l.id", before);
                    q.push(" ORDER BY l.time DESC, l.id DESC LIMIT ").push_bind(limit);
                    let rows: Vec<(i64, DateTime<Utc>, String)> = q.build_query_as().fetch_all(pool).await?;
                    rows.into_iter().map(|(id, time, channel)| HistoryLine::Login(LoginLine { id, time, channel })).collect()
                }
                HistoryKind::Service => {
                    let mut q = QueryBuilder::new(
                        "SELECT e.id, e.time, e.kind, COALESCE(s.name, '') FROM service_events e \
                         LEFT JOIN staff s ON s.id = e.staff_id WHERE e.customer_id = ",
                    );
                    q.push_bind(customer_id);
                    push_older(&mut q, "e.time", "e.id", before);
                    q.push(" ORDER BY e.time DESC, e.id DESC LIMIT ").push_bind(limit);
                    let events: Vec<(i64, DateTime<Utc>, String, String)> = q.build_query_as().fetch_all(pool).await?;
                    // Planned contacts keep their time as RFC 3339 text in
                    // UTC, which sorts as the time does; as id 0 they come
                    // after a service event of the same instant.
                    let mut q = QueryBuilder::new(
                        "SELECT p.done_at, s.name, p.outcome FROM service_plan p JOIN staff s ON s.id = p.advisor_id \
                         WHERE p.customer_id = ",
                    );
                    q.push_bind(customer_id).push(" AND p.done_at IS NOT NULL");
                    if let Some(c) = before {
                        q.push(if c.id > 0 { " AND p.done_at <= " } else { " AND p.done_at < " }).push_bind(c.time.to_rfc3339());
                    }
                    q.push(" ORDER BY p.done_at DESC LIMIT ").push_bind(limit);
                    let contacts: Vec<(String, String, Option<String>)> = q.build_query_as().fetch_all(pool).await?;
                    let mut lines: Vec<HistoryLine> = events
                        .into_iter()
                        .map(|(id, time, kind, staff)| HistoryLine::Service(ServiceLine { id, time, kind, staff, outcome: None }))
                        .collect();
                    for (done_at, staff, outcome) in contacts {
                        let time = DateTime::parse_from_rfc3339(&done_at)
                            .map_err(|e| StoreError::Corrupt { what: "service_plan.done_at", reason: e.to_string() })?
                            .with_timezone(&Utc);
                        lines.push(HistoryLine::Service(ServiceLine { id: 0, time, kind: "plan_contact".into(), staff, outcome }));
                    }
                    lines.sort_by_key(|l| std::cmp::Reverse((l.cursor().time, l.cursor().id)));
                    lines
                }
            }
        });
        let older = if lines.len() > per_page {
            lines.truncate(per_page);
            lines.last().map(HistoryLine::cursor)
        } else {
            None
        };
        Ok(HistoryPage { kind, lines, older })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_written_and_bad_text_is_none() {
        let c = HistoryCursor { time: DateTime::from_timestamp_nanos(1_733_472_000_123_456_789), id: 42 };
        assert_eq!(HistoryCursor::parse(&c.text()), Some(c));
        assert_eq!(HistoryCursor::parse("abc"), None);
        assert_eq!(HistoryCursor::parse("1.x"), None);
    }

    #[test]
    fn kinds_read_back_by_name() {
        for (kind, name) in HistoryKind::ALL {
            assert_eq!((HistoryKind::parse(name), kind.as_str()), (Some(kind), name));
        }
        assert_eq!(HistoryKind::parse("orders"), None);
    }
}
