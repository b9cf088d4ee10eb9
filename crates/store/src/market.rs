//! Reading instruments and their market data. Market data is public to every
//! signed-in user, so these reads take no scope.

use crate::{with_pool, Db, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{DailyBar, FixedPoint, Instrument, InstrumentCode, Money, Snapshot};
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

type BarTuple = (NaiveDate, i64, i64, i64, i64, i64, Option<i64>, Option<i64>, Option<String>);
type SnapshotTuple = (DateTime<Utc>, i64, i64, i64, i64, i64, Option<i64>, Option<i64>);
type InstrumentTuple = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    bool,
    NaiveDate,
    Option<i64>,
    i64,
    i64,
    Option<String>,
    Option<NaiveDate>,
);

/// One line of the instrument list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentRow {
    /// Code.
    pub code: String,
    /// Short name.
    pub name: String,
    /// Board.
    pub board: String,
    /// Kind.
    pub kind: String,
    /// Latest close.
    pub last_close: Money,
    /// Daily bars stored.
    pub bars: i64,
}

fn corrupt(what: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt { what, reason: e.to_string() }
}

fn instrument_of(t: InstrumentTuple) -> Result<Instrument, StoreError> {
    Ok(Instrument {
        code: InstrumentCode::parse(&t.0).map_err(|e| corrupt("instruments.code", e))?,
        name: t.1,
        board: t.2.parse().map_err(|e| corrupt("instruments.board", e))?,
        kind: t.3.parse().map_err(|e| corrupt("instruments.kind", e))?,
        lot: t.4,
        tick: Money::from_fixed(t.5),
        limit_pct: Money::from_fixed(t.6),
        st: t.7,
        list_date: t.8,
        face_value: t.9.map(Money::from_fixed),
        outstanding_shares: t.10,
        last_close: Money::from_fixed(t.11),
        fund_class: t.12.map(|f| f.parse()).transpose().map_err(|e| corrupt("instruments.fund_class", e))?,
        delisting_from: t.13,
    })
}

impl Db {
    /// One instrument by code.
    pub async fn instrument(&self, code: &InstrumentCode) -> Result<Option<Instrument>, StoreError> {
        let sql =
            "SELECT code, name, board, kind, lot, tick, limit_pct, st, list_date, face_value, outstanding_shares, \
                   last_close, fund_class, delisting_from FROM instruments WHERE code = $1";
        let row: Option<InstrumentTuple> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(code.to_string()).fetch_optional(pool).await?);
        row.map(instrument_of).transpose()
    }

    /// Every instrument, by code (the position watch is built from them).
    pub async fn all_instruments(&self) -> Result<Vec<Instrument>, StoreError> {
        let sql =
            "SELECT code, name, board, kind, lot, tick, limit_pct, st, list_date, face_value, outstanding_shares, \
                   last_close, fund_class, delisting_from FROM instruments ORDER BY code";
        let rows: Vec<InstrumentTuple> = with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        rows.into_iter().map(instrument_of).collect()
    }

    /// Every instrument's closes on days from `from` up to but not including
    /// `before`, as (code, date, close in 0.0001 CNY), by code then date.
    pub async fn closes_between(
        &self,
        from: NaiveDate,
        before: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate, i64)>, StoreError> {
        let sql = "SELECT instrument, date, close FROM daily_bars WHERE date >= $1 AND date < $2 \
                   ORDER BY instrument, date";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(from).bind(before).fetch_all(pool).await?))
    }

    /// Instruments with daily bars first, then by code; `search` matches code or name.
    pub async fn instruments(&self, search: Option<&str>, limit: i64) -> Result<Vec<InstrumentRow>, StoreError> {
        let pattern = format!("%{}%", search.unwrap_or("").trim().replace(['%', '_'], ""));
        let sql = "SELECT i.code, i.name, i.board, i.kind, i.last_close, \
                   (SELECT COUNT(*) FROM daily_bars b WHERE b.instrument = i.code) AS n \
                   FROM instruments i WHERE i.code LIKE $1 OR i.name LIKE $2 ORDER BY n DESC, i.code LIMIT $3";
        let rows: Vec<(String, String, String, String, i64, i64)> = with_pool!(self, pool =>
            sqlx::query_as(sql).bind(&pattern).bind(&pattern).bind(limit).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(code, name, board, kind, close, bars)| InstrumentRow {
                code,
                name,
                board,
                kind,
                last_close: Money::from_fixed(close),
                bars,
            })
            .collect())
    }

    /// An instrument's daily bars from `from` to `to` (both optional, inclusive), by date.
    pub async fn daily_bars(
        &self,
        code: &InstrumentCode,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<DailyBar>, StoreError> {
        // Four-digit years: SQLite compares dates as text, and chrono's MIN and MAX have signed years.
        let from = from.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).expect("valid date"));
        let to = to.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date"));
        let sql = "SELECT date, open, high, low, close, volume, amount, prev_close, adj_factor FROM daily_bars \
                   WHERE instrument = $1 AND date >= $2 AND date <= $3 ORDER BY date";
        let rows: Vec<BarTuple> = with_pool!(self, pool =>
            sqlx::query_as(sql).bind(code.to_string()).bind(from).bind(to).fetch_all(pool).await?);
        rows.into_iter()
            .map(|t| {
                Ok(DailyBar {
                    instrument: code.clone(),
                    date: t.0,
                    open: Money::from_fixed(t.1),
                    high: Money::from_fixed(t.2),
                    low: Money::from_fixed(t.3),
                    close: Money::from_fixed(t.4),
                    volume: Money::from_fixed(t.5),
                    amount: t.6.map(Money::from_fixed),
                    prev_close: t.7.map(Money::from_fixed),
                    adj_factor: t
                        .8
                        .map(|f| Decimal::from_str(&f).map_err(|e| corrupt("daily_bars.adj_factor", e)))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// An instrument's latest snapshots, newest first.
    pub async fn snapshots(&self, code: &InstrumentCode, limit: i64) -> Result<Vec<Snapshot>, StoreError> {
        let sql = "SELECT time, last, prev_close, high, low, volume, bid, ask FROM snapshots WHERE instrument = $1 \
                   ORDER BY time DESC LIMIT $2";
        let rows: Vec<SnapshotTuple> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(code.to_string()).bind(limit).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|t| Snapshot {
                instrument: code.clone(),
                time: t.0,
                last: Money::from_fixed(t.1),
                prev_close: Money::from_fixed(t.2),
                high: Money::from_fixed(t.3),
                low: Money::from_fixed(t.4),
                volume: Money::from_fixed(t.5),
                bid: t.6.map(Money::from_fixed),
                ask: t.7.map(Money::from_fixed),
            })
            .collect())
    }
}
