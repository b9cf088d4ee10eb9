//! The book's writes within a unit of work: the holdings and cash a batch of
//! trades and cash flows touches are read, moved by the `book` rules in `app`,
//! and written back with the events themselves, all in one transaction.

use crate::{with_tx, StoreError, Tx};
use book::{Fixed, Holding};
use domain::{CashFlow, FixedPoint, FundClass, InstrumentKind, Trade};
use sqlx::QueryBuilder;
use std::collections::{HashMap, HashSet};

/// Rows per `IN (...)` list.
const IDS_PER_STATEMENT: usize = 1_000;

/// A holding as stored, keyed by account id and instrument code.
pub type HoldingKey = (i64, String);

impl Tx {
    /// Of these ids, those already in `trades` (`cash_flows` when `cash` is true).
    pub async fn events_stored(&mut self, cash: bool, ids: &[i64]) -> Result<HashSet<i64>, StoreError> {
        let head = if cash { "SELECT id FROM cash_flows WHERE id IN (" } else { "SELECT id FROM trades WHERE id IN (" };
        let mut found = HashSet::new();
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let rows: Vec<i64> = with_tx!(self, conn => {
                let mut q = QueryBuilder::new(head);
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_scalar().fetch_all(&mut *conn).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// Every holding of these accounts.
    pub async fn holdings_of(&mut self, accounts: &[i64]) -> Result<HashMap<HoldingKey, Holding>, StoreError> {
        let mut out = HashMap::new();
        for chunk in accounts.chunks(IDS_PER_STATEMENT) {
            type Row = (i64, String, i64, i64, Option<chrono::NaiveDate>, i64);
            let rows: Vec<Row> = with_tx!(self, conn => {
                let mut q = QueryBuilder::new(
                    "SELECT account_id, instrument, quantity, sellable_quantity, sellable_day, cost_price \
                     FROM positions WHERE account_id IN (",
                );
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_as().fetch_all(&mut *conn).await?
            });
            for (account, code, quantity, sellable, sellable_day, cost) in rows {
                out.insert((account, code), Holding { quantity, sellable, sellable_day, cost });
            }
        }
        Ok(out)
    }

    /// The kind and fund class of each of these instruments (their settlement cycle follows from them).
    pub async fn instrument_kinds(
        &mut self,
        codes: &[String],
    ) -> Result<HashMap<String, (InstrumentKind, Option<FundClass>)>, StoreError> {
        let mut out = HashMap::new();
        for chunk in codes.chunks(IDS_PER_STATEMENT) {
            let rows: Vec<(String, String, Option<String>)> = with_tx!(self, conn => {
                let mut q = QueryBuilder::new("SELECT code, kind, fund_class FROM instruments WHERE code IN (");
                let mut list = q.separated(", ");
                for code in chunk {
                    list.push_bind(code.as_str());
                }
                q.push(")");
                q.build_query_as().fetch_all(&mut *conn).await?
            });
            for (code, kind, fund) in rows {
                let kind = kind.parse().map_err(|e: domain::DomainError| StoreError::Corrupt {
                    what: "instruments.kind",
                    reason: e.to_string(),
                })?;
                let fund = fund.map(|f| f.parse()).transpose().map_err(|e: domain::DomainError| {
                    StoreError::Corrupt { what: "instruments.fund_class", reason: e.to_string() }
                })?;
                out.insert(code, (kind, fund));
            }
        }
        Ok(out)
    }

    /// Writes a holding as it now is; one sold out is removed.
    pub async fn put_holding(&mut self, account: i64, code: &str, h: &Holding) -> Result<(), StoreError> {
        with_tx!(self, conn => {
            if h.quantity == 0 {
                sqlx::query("DELETE FROM positions WHERE account_id = $1 AND instrument = $2")
                    .bind(account)
                    .bind(code)
                    .execute(&mut *conn)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO positions (account_id, instrument, quantity, sellable_quantity, sellable_day, cost_price) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, instrument) DO UPDATE SET \
                     quantity = excluded.quantity, sellable_quantity = excluded.sellable_quantity, \
                     sellable_day = excluded.sellable_day, cost_price = excluded.cost_price",
                )
                .bind(account)
                .bind(code)
                .bind(h.quantity)
                .bind(h.sellable)
                .bind(h.sellable_day)
                .bind(h.cost)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    }

    /// The cash of each of these accounts (0.0001 CNY), read within the unit of work.
    pub async fn cash_of(&mut self, accounts: &[i64]) -> Result<HashMap<i64, Fixed>, StoreError> {
        let mut out = HashMap::new();
        for chunk in accounts.chunks(IDS_PER_STATEMENT) {
            let rows: Vec<(i64, i64)> = with_tx!(self, conn => {
                let mut q = QueryBuilder::new("SELECT id, cash FROM accounts WHERE id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_as().fetch_all(&mut *conn).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Moves an account's cash by `change` (0.0001 CNY).
    pub async fn add_cash(&mut self, account: i64, change: Fixed) -> Result<(), StoreError> {
        with_tx!(self, conn => {
            sqlx::query("UPDATE accounts SET cash = cash + $1 WHERE id = $2")
                .bind(change)
                .bind(account)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Stores a trade.
    pub async fn insert_trade(&mut self, t: &Trade) -> Result<(), StoreError> {
        let price =
            t.price.to_fixed("price").map_err(|e| StoreError::Corrupt { what: "price", reason: e.to_string() })?;
        let fee = t.fee.to_fixed("fee").map_err(|e| StoreError::Corrupt { what: "fee", reason: e.to_string() })?;
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO trades (id, account_id, instrument, side, quantity, price, fee, time) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(t.id.0)
            .bind(t.account_id.0)
            .bind(t.instrument.to_string())
            .bind(t.side.as_str())
            .bind(t.quantity)
            .bind(price)
            .bind(fee)
            .bind(t.time)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// Stores a cash flow.
    pub async fn insert_cash_flow(&mut self, c: &CashFlow) -> Result<(), StoreError> {
        let amount =
            c.amount.to_fixed("amount").map_err(|e| StoreError::Corrupt { what: "amount", reason: e.to_string() })?;
        with_tx!(self, conn => {
            sqlx::query("INSERT INTO cash_flows (id, account_id, kind, amount, time) VALUES ($1, $2, $3, $4, $5)")
                .bind(c.id.0)
                .bind(c.account_id.0)
                .bind(c.kind.as_str())
                .bind(amount)
                .bind(c.time)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
}
