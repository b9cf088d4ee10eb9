//! PostgreSQL's bulk path for the book's large files (customers, accounts,
//! positions and the event histories): a batch goes in by one `COPY` in text
//! format, straight into its table. When a key of the batch is stored already
//! (a re-run, or a run after a kill), that COPY is rolled back to a savepoint
//! and the batch goes through a staging table instead:
//! `INSERT ... SELECT ... ON CONFLICT DO NOTHING`. A fresh import so pays for
//! no conflict checks it does not need, and a re-run still loads nothing twice.

use crate::personal::SealedPersonalData;
use crate::{Rows, StoreError};
use access::Keyring;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use domain::{DomainError, FixedPoint, Money};
use sqlx::PgConnection;
use std::io::Write;

/// One batch as COPY text: its table, its columns and its rows.
pub(crate) struct CopyBatch {
    /// The table written.
    pub table: &'static str,
    /// The columns, in the order of each row's fields.
    pub columns: &'static str,
    /// Tab-separated rows, one per line.
    pub text: Vec<u8>,
    /// Customers only: the pieces of their names for the search index
    /// (`customer_name_grams`), as COPY text.
    names: Option<Vec<u8>>,
}

/// Rows in PostgreSQL's COPY text format: fields separated by tabs, rows by
/// newlines, `\N` for NULL, and backslash, tab, newline and carriage return
/// escaped inside text.
#[derive(Default)]
struct CopyText {
    buf: Vec<u8>,
    row_open: bool,
}

impl CopyText {
    fn with_capacity(bytes: usize) -> Self {
        CopyText { buf: Vec::with_capacity(bytes), row_open: false }
    }

    fn separate(&mut self) {
        if self.row_open {
            self.buf.push(b'\t');
        }
        self.row_open = true;
    }

    fn int(&mut self, v: i64) -> &mut Self {
        self.separate();
        let _ = write!(self.buf, "{v}");
        self
    }

    fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => {
                self.separate();
                self.buf.extend_from_slice(b"\\N");
                self
            }
        }
    }

    fn money(&mut self, v: Money, field: &'static str) -> Result<&mut Self, StoreError> {
        let fixed =
            v.to_fixed(field).map_err(|e: DomainError| StoreError::Corrupt { what: field, reason: e.to_string() })?;
        Ok(self.int(fixed))
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.separate();
        for &b in s.as_bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self
    }

    fn flag(&mut self, v: bool) -> &mut Self {
        self.separate();
        self.buf.push(if v { b't' } else { b'f' });
        self
    }

    fn date(&mut self, d: NaiveDate) -> &mut Self {
        self.separate();
        let _ = write!(self.buf, "{d}");
        self
    }

    /// Microseconds, truncated, as the bound-parameter path stores them.
    fn time(&mut self, t: DateTime<Utc>) -> &mut Self {
        self.separate();
        self.buf.extend_from_slice(t.to_rfc3339_opts(SecondsFormat::Micros, true).as_bytes());
        self
    }

    fn end_row(&mut self) {
        self.buf.push(b'\n');
        self.row_open = false;
    }
}

impl CopyBatch {
    /// The batch as COPY text, for the files large enough to be worth it;
    /// None for the small ones (and daily bars, which replace), which keep
    /// their bound-parameter INSERTs.
    pub fn of(rows: &Rows, ring: Option<&Keyring>) -> Result<Option<CopyBatch>, StoreError> {
        let mut t = CopyText::with_capacity(rows.len() * 64);
        let mut names = None;
        let (table, columns) = match rows {
            Rows::Customers(v) => {
                let ring = ring.ok_or(StoreError::NoKeyring)?;
                for c in v {
                    let sealed = SealedPersonalData::seal(ring, c);
                    t.int(c.id.0).text(c.name.as_str()).text(&sealed.national_id).text(&sealed.phone);
                    t.text(&c.national_id.masked()).text(&c.phone.masked());
                    t.text(&sealed.national_id_lookup).text(&sealed.phone_lookup).text(c.gender.as_str());
                    t.date(c.birth_date).date(c.market_entry_date).int(c.branch_id.0).int(c.advisor_id.0);
                    t.int(i64::from(c.risk_level.number())).text(c.horizon.as_str()).flag(c.real_name_verified);
                    t.flag(c.professional).time(c.opened_at).end_row();
                }
                let mut grams = CopyText::with_capacity(v.len() * 48);
                for c in v {
                    for gram in crate::name_search::name_grams(c.name.as_str()) {
                        grams.text(&gram).int(c.id.0).end_row();
                    }
                }
                names = Some(grams.buf);
                (
                    "customers",
                    "id, name, national_id, phone, national_id_masked, phone_masked, national_id_lookup, \
                     phone_lookup, gender, birth_date, market_entry_date, branch_id, advisor_id, risk_level, \
                     horizon, real_name_verified, professional, opened_at",
                )
            }
            Rows::Accounts(v) => {
                for a in v {
                    t.int(a.id.0).int(a.customer_id.0).money(a.cash, "cash")?.end_row();
                }
                ("accounts", "id, customer_id, cash")
            }
            Rows::Positions(v) => {
                for p in v {
                    t.int(p.account_id.0).text(&p.instrument.to_string()).int(p.quantity).int(p.sellable_quantity);
                    t.money(p.cost_price, "cost_price")?.end_row();
                }
                ("positions", "account_id, instrument, quantity, sellable_quantity, cost_price")
            }
            Rows::Trades(v) => {
                for r in v {
                    t.int(r.id.0).int(r.account_id.0).text(&r.instrument.to_string()).text(r.side.as_str());
                    t.int(r.quantity).money(r.price, "price")?.money(r.fee, "fee")?.time(r.time).end_row();
                }
                ("trades", "id, account_id, instrument, side, quantity, price, fee, time")
            }
            Rows::CashFlows(v) => {
                for r in v {
                    t.int(r.id.0).int(r.account_id.0).text(r.kind.as_str()).money(r.amount, "amount")?;
                    t.time(r.time).end_row();
                }
                ("cash_flows", "id, account_id, kind, amount, time")
            }
            Rows::Logins(v) => {
                for r in v {
                    t.int(r.id.0).int(r.customer_id.0).time(r.time).text(r.channel.as_str()).end_row();
                }
                ("logins", "id, customer_id, time, channel")
            }
            Rows::ServiceEvents(v) => {
                for r in v {
                    t.int(r.id.0).int(r.customer_id.0).opt_int(r.staff_id.map(|s| s.0)).text(r.kind.as_str());
                    t.time(r.time).end_row();
                }
                ("service_events", "id, customer_id, staff_id, kind, time")
            }
            _ => return Ok(None),
        };
        Ok(Some(CopyBatch { table, columns, text: t.buf, names }))
    }

    /// Writes the batch inside the caller's transaction and answers how many
    /// rows were new. Customers' names go into the search index with them.
    pub async fn write(&self, conn: &mut PgConnection) -> Result<u64, StoreError> {
        sqlx::query("SAVEPOINT book_copy").execute(&mut *conn).await?;
        match copy_into(conn, self.table, self.columns, &self.text).await {
            Ok(n) => {
                sqlx::query("RELEASE SAVEPOINT book_copy").execute(&mut *conn).await?;
                // Every customer is new, so none of their names' pieces is indexed yet.
                if let Some(grams) = &self.names {
                    copy_into(conn, "customer_name_grams", "gram, customer_id", grams).await?;
                }
                Ok(n)
            }
            Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("23505") => {
                sqlx::query("ROLLBACK TO SAVEPOINT book_copy").execute(&mut *conn).await?;
                let staged = format!("staged_{}", self.table);
                // Emptied at every commit, so each batch finds it empty.
                let create = format!(
                    "CREATE TEMP TABLE IF NOT EXISTS {staged} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
                    self.table
                );
                sqlx::query(&create).execute(&mut *conn).await?;
                copy_into(conn, &staged, self.columns, &self.text).await?;
                let insert = format!(
                    "INSERT INTO {table} ({columns}) SELECT {columns} FROM {staged} ON CONFLICT DO NOTHING",
                    table = self.table,
                    columns = self.columns
                );
                if self.names.is_none() {
                    return Ok(sqlx::query(&insert).execute(&mut *conn).await?.rows_affected());
                }
                // The new customers' names go into the search index (one
                // already stored keeps its own, indexed when it was stored).
                let new: Vec<(i64, String)> =
                    sqlx::query_as(&format!("{insert} RETURNING id, name")).fetch_all(&mut *conn).await?;
                let mut grams = CopyText::with_capacity(new.len() * 48);
                for (id, name) in &new {
                    for gram in crate::name_search::name_grams(name) {
                        grams.text(&gram).int(*id).end_row();
                    }
                }
                if !grams.buf.is_empty() {
                    copy_into(conn, "customer_name_grams", "gram, customer_id", &grams.buf).await?;
                }
                Ok(new.len() as u64)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// One COPY of `text` into `table`; the rows it wrote.
async fn copy_into(conn: &mut PgConnection, table: &str, columns: &str, text: &[u8]) -> Result<u64, sqlx::Error> {
    let mut copy = conn.copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN")).await?;
    copy.send(text).await?;
    copy.finish().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_escaped_and_nulls_marked() {
        let mut t = CopyText::default();
        t.int(7).text("a\tb\\c\nd\re").opt_int(None).flag(true).date(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
        t.time(DateTime::from_timestamp(1_767_225_600, 123_456_789).unwrap()).end_row();
        t.text("王伟").end_row();
        assert_eq!(
            String::from_utf8(t.buf).unwrap(),
            "7\ta\\tb\\\\c\\nd\\re\t\\N\tt\t2026-01-02\t2026-01-01T00:00:00.123456Z\n王伟\n"
        );
    }
}
