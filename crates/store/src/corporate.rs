//! Corporate actions as stored: pending until their ex-date's session
//! applies them to the holders (in a unit of work, see `app::corporate`).

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use book::Holding;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{CorporateAction, EventId, FixedPoint, InstrumentCode, Money};

/// A stored row: id, instrument, ex-date, cash and new shares per share (0.0001 units).
type ActionRow = (i64, String, NaiveDate, i64, i64);

fn action(row: ActionRow) -> Result<CorporateAction, StoreError> {
    let (id, code, ex_date, cash, shares) = row;
    Ok(CorporateAction {
        id: EventId(id),
        instrument: InstrumentCode::parse(&code)
            .map_err(|e| StoreError::Corrupt { what: "corporate_actions.instrument", reason: e.to_string() })?,
        ex_date,
        cash_per_share: Money::from_fixed(cash),
        new_shares_per_share: Money::from_fixed(shares),
    })
}

const COLUMNS: &str = "SELECT id, instrument, ex_date, cash_per_share, new_shares_per_share FROM corporate_actions";

impl Db {
    /// Actions with an ex-date in `after..=through` (applied or not), by ex-date:
    /// what the watch adjusts its price history by.
    pub async fn corporate_actions_between(
        &self,
        after: NaiveDate,
        through: NaiveDate,
    ) -> Result<Vec<CorporateAction>, StoreError> {
        let sql = format!("{COLUMNS} WHERE ex_date > $1 AND ex_date <= $2 ORDER BY ex_date, id");
        let rows: Vec<ActionRow> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(after).bind(through).fetch_all(pool).await?);
        rows.into_iter().map(action).collect()
    }

    /// True when an action with an ex-date on or before `through` waits to be applied.
    pub async fn corporate_actions_pending(&self, through: NaiveDate) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM corporate_actions WHERE applied_at IS NULL AND ex_date <= $1";
        let n: i64 = with_pool!(self, pool => sqlx::query_scalar(sql).bind(through).fetch_one(pool).await?);
        Ok(n > 0)
    }

    /// Marks pending actions with an ex-date on or before `through` applied
    /// without moving anything: a book import's positions already include them.
    pub async fn corporate_actions_in_book(&self, through: NaiveDate) -> Result<u64, StoreError> {
        let sql = "UPDATE corporate_actions SET applied_at = $1 WHERE applied_at IS NULL AND ex_date <= $2";
        let now = self.now();
        Ok(with_pool!(self, pool => sqlx::query(sql).bind(now).bind(through).execute(pool).await?.rows_affected()))
    }
}

impl Tx {
    /// Pending actions with an ex-date on or before `through`, oldest first.
    pub async fn pending_corporate_actions(&mut self, through: NaiveDate) -> Result<Vec<CorporateAction>, StoreError> {
        let sql = format!("{COLUMNS} WHERE applied_at IS NULL AND ex_date <= $1 ORDER BY ex_date, id");
        let rows: Vec<ActionRow> =
            with_tx!(self, conn => sqlx::query_as(&sql).bind(through).fetch_all(&mut *conn).await?);
        rows.into_iter().map(action).collect()
    }

    /// Every holding of an instrument, by account.
    pub async fn holders_of(&mut self, code: &str) -> Result<Vec<(i64, Holding)>, StoreError> {
        type Row = (i64, i64, i64, Option<NaiveDate>, i64);
        let sql = "SELECT account_id, quantity, sellable_quantity, sellable_day, cost_price FROM positions \
                   WHERE instrument = $1 ORDER BY account_id";
        let rows: Vec<Row> = with_tx!(self, conn => sqlx::query_as(sql).bind(code).fetch_all(&mut *conn).await?);
        Ok(rows
            .into_iter()
            .map(|(a, quantity, sellable, sellable_day, cost)| (a, Holding { quantity, sellable, sellable_day, cost }))
            .collect())
    }

    /// Marks an action applied.
    pub async fn corporate_action_applied(&mut self, id: EventId, at: DateTime<Utc>) -> Result<(), StoreError> {
        with_tx!(self, conn => {
            sqlx::query("UPDATE corporate_actions SET applied_at = $1 WHERE id = $2")
                .bind(at)
                .bind(id.0)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
}
