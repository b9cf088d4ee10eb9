//! The points ledger's rows (issue 27). A batch of operations is decided by
//! the pure ledger ([`growth::Ledger`]) over the part of the books it
//! touches, loaded inside the unit of work, and what it changed is written
//! back in the same unit: the rules live in one place, and a batch of a
//! thousand transfers costs a handful of statements. On PostgreSQL the
//! accounts a batch touches are locked first (in one order, so two batches
//! cannot deadlock); on SQLite the unit holds the write lock already.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, SubsecRound, Utc};
use domain::CustomerId;
use growth::workload::{Step, Work};
use growth::{Account, Balance, Kind, Ledger, LedgerError, Lot, Operation, Posted, State, Transfer};
use serde::Serialize;
use sqlx::QueryBuilder;
use std::collections::{BTreeSet, HashSet};

/// Rows per multi-row statement (well under both backends' limits on bound values).
const ROWS: usize = 500;

/// What became of each operation of a batch, in order.
pub type LedgerOutcomes = Vec<Result<Posted, LedgerError>>;

/// A transfer as a statement shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StatementLine {
    /// Order of application.
    pub seq: i64,
    /// The transfer's id.
    pub id: String,
    /// Points in (+) or out (-) of the customer's account.
    pub points: i64,
    /// Why.
    pub reason: String,
    /// posted, pending or voided.
    pub state: String,
    /// The transfer it corrects.
    pub corrects: Option<String>,
    /// Applied.
    pub at: DateTime<Utc>,
    /// Posted or voided, for a pending one.
    pub decided_at: Option<DateTime<Utc>>,
    /// A pending transfer's timeout.
    pub pending_until: Option<DateTime<Utc>>,
}

/// The books' own check: every balance summed, and the lowest customer figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LedgerTotals {
    /// Sum of every account's posted net: zero, always.
    pub net: i64,
    /// Sum of pending debits less pending credits: zero, always.
    pub pending: i64,
    /// The lowest available balance of any customer (never below zero).
    pub lowest_available: i64,
    /// Transfers stored.
    pub transfers: i64,
    /// Customers' points held in lots, summed (equals their posted balances).
    pub in_lots: i64,
    /// Customers' posted balances, summed.
    pub customers_net: i64,
}

type TransferRow = (
    String,
    i64,
    i64,
    i64,
    String,
    Option<DateTime<Utc>>,
    Option<String>,
    DateTime<Utc>,
    String,
    Option<DateTime<Utc>>,
    Option<String>,
);

const TRANSFER_COLUMNS: &str =
    "SELECT id, debit, credit, amount, reason, pending_until, corrects, at, state, decided_at, decided_by \
     FROM points_transfers";

fn account(code: i64) -> Result<Account, StoreError> {
    Account::from_code(code).ok_or(StoreError::Corrupt { what: "points account", reason: code.to_string() })
}

fn posted_of(r: TransferRow) -> Result<Posted, StoreError> {
    let (id, debit, credit, amount, reason, pending_until, corrects, at, state, decided_at, decided_by) = r;
    let state = State::parse(&state).ok_or(StoreError::Corrupt { what: "transfer state", reason: state.clone() })?;
    let kind = match pending_until {
        Some(timeout) => Kind::Pending { timeout },
        None => Kind::Single,
    };
    let transfer = Transfer { id, debit: account(debit)?, credit: account(credit)?, amount, reason, kind, corrects };
    Ok(Posted { transfer, at, state, decided_at, decided_by })
}

fn timeout_of(k: &Kind) -> Option<DateTime<Utc>> {
    match k {
        Kind::Single => None,
        Kind::Pending { timeout } => Some(*timeout),
    }
}

/// `(...)` of the values of one bound JSON array, for `IN`: one statement
/// however long the list (SQLite's `json_each`, PostgreSQL's
/// `jsonb_array_elements_text`, cast as `cast` says).
pub(crate) fn json_in(postgres: bool, cast: &str) -> String {
    if postgres {
        format!("(SELECT jsonb_array_elements_text($1::jsonb){cast})")
    } else {
        "(SELECT value FROM json_each($1))".to_owned()
    }
}

/// `SELECT` of the rows of one bound JSON array of arrays, each column
/// typed as `types` says (PostgreSQL casts; SQLite takes the values as they come).
fn json_rows(postgres: bool, types: &[&str]) -> String {
    if postgres {
        let columns: Vec<String> = types.iter().enumerate().map(|(i, t)| format!("(e->>{i})::{t}")).collect();
        format!("SELECT {} FROM jsonb_array_elements($1::jsonb) AS e", columns.join(", "))
    } else {
        let columns: Vec<String> = (0..types.len()).map(|i| format!("json_extract(value, '$[{i}]')")).collect();
        // `WHERE true` keeps SQLite from reading the upsert's ON as a join's.
        format!("SELECT {} FROM json_each($1) WHERE true", columns.join(", "))
    }
}

/// A moment SQLite holds as text (`stamp`'s form, or sqlx's with a space), read back.
fn parse_stamp(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("'{text}' is not a moment: {e}"))
}

/// A moment as SQLite holds it: the text sqlx writes for a bound `DateTime<Utc>`
/// (so stored moments compare and match alike however they were written).
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

impl Tx {
    /// Runs a batch of ledger operations in this unit of work: each is
    /// decided on the books as the ones before it left them; the refused
    /// leave no trace.
    pub async fn ledger_run(&mut self, ops: &[Operation], now: DateTime<Utc>) -> Result<LedgerOutcomes, StoreError> {
        let timed: Vec<(&Operation, DateTime<Utc>)> = ops.iter().map(|op| (op, now)).collect();
        self.ledger_run_at(&timed).await
    }

    /// [`Tx::ledger_run`] with a moment for each operation.
    pub async fn ledger_run_at(&mut self, ops: &[(&Operation, DateTime<Utc>)]) -> Result<LedgerOutcomes, StoreError> {
        let mut ledger = Ledger::new();
        // Pending transfers to decide: their bodies (immutable) say which accounts they touch.
        let decide_ids: Vec<&str> = ops
            .iter()
            .filter_map(|(op, _)| match op {
                Operation::Decide { id, .. } => Some(id.as_str()),
                Operation::Apply(_) => None,
            })
            .collect();
        let mut accounts: BTreeSet<i64> = BTreeSet::new();
        // Customers whose points may be used: their lots are read (the oldest go first).
        let mut debited: BTreeSet<i64> = BTreeSet::new();
        for (op, _) in ops {
            if let Operation::Apply(t) = op {
                accounts.extend([t.debit.code(), t.credit.code()]);
                debited.insert(t.debit.code());
            }
        }
        for p in self.transfers_by_id(&decide_ids).await? {
            accounts.extend([p.transfer.debit.code(), p.transfer.credit.code()]);
            debited.insert(p.transfer.debit.code());
        }
        let accounts: Vec<i64> = accounts.into_iter().collect();
        for (code, b) in self.lock_accounts(&accounts).await? {
            ledger.seed_account(account(code)?, b);
        }
        // After the locks, the transfers' states and the lots as they stand.
        let mut ids: Vec<&str> = decide_ids.clone();
        let mut corrected: Vec<&str> = Vec::new();
        for (op, _) in ops {
            if let Operation::Apply(t) = op {
                ids.push(&t.id);
                if let Some(c) = &t.corrects {
                    corrected.push(c);
                }
            }
        }
        ids.extend(corrected);
        for p in self.transfers_by_id(&ids).await? {
            ledger.seed_transfer(p);
        }
        // A customer only credited gets new lots at the end of theirs; none of theirs need reading.
        let customers: Vec<i64> = debited.into_iter().filter(|a| *a > 0).collect();
        for (customer, lots) in self.lots_of(&customers).await? {
            ledger.seed_lots(customer, lots);
        }
        // Moments to the microsecond, as both backends keep them: a repeat answers what was stored.
        let outcomes: LedgerOutcomes = ops.iter().map(|(op, at)| ledger.run(op, at.trunc_subsecs(6))).collect();
        self.write_changes(&mut ledger).await?;
        Ok(outcomes)
    }

    /// Runs steps of a workload or an import in this unit of work: runs of
    /// transfers and decisions as one batch each; what became of each
    /// transfer or decision (none for a time-out sweep or an expiry).
    pub async fn run_steps(&mut self, steps: &[Step]) -> Result<Vec<Option<Result<Posted, LedgerError>>>, StoreError> {
        let mut out = Vec::with_capacity(steps.len());
        let mut i = 0;
        while i < steps.len() {
            let batch: Vec<(&Operation, DateTime<Utc>)> = steps[i..]
                .iter()
                .map_while(|s| match &s.work {
                    Work::Run(op) => Some((op, s.at)),
                    _ => None,
                })
                .collect();
            if batch.is_empty() {
                match steps[i].work {
                    Work::VoidTimedOut => while self.void_timed_out(steps[i].at, 1_000).await?.len() == 1_000 {},
                    Work::ExpireLots => {
                        let mut after = 0;
                        while let (_, Some(last)) = self.expire_lots(steps[i].at, after, 1_000).await? {
                            after = last;
                        }
                    }
                    Work::Run(_) => unreachable!("a run of operations is batched"),
                }
                out.push(None);
                i += 1;
            } else {
                i += batch.len();
                out.extend(self.ledger_run_at(&batch).await?.into_iter().map(Some));
            }
        }
        Ok(out)
    }

    /// How many steps of import `name` are done.
    pub async fn import_progress(&mut self, name: &str) -> Result<i64, StoreError> {
        let sql = "SELECT steps_done FROM points_imports WHERE name = $1";
        let done: Option<i64> =
            with_tx!(self, conn => sqlx::query_scalar(sql).bind(name).fetch_optional(&mut *conn).await?);
        Ok(done.unwrap_or(0))
    }

    /// Records that import `name` has done `steps` steps, with the unit that did them.
    pub async fn set_import_progress(&mut self, name: &str, steps: i64) -> Result<(), StoreError> {
        let sql = "INSERT INTO points_imports (name, steps_done) VALUES ($1, $2) \
                   ON CONFLICT (name) DO UPDATE SET steps_done = excluded.steps_done";
        with_tx!(self, conn => sqlx::query(sql).bind(name).bind(steps).execute(&mut *conn).await?.rows_affected());
        Ok(())
    }

    /// Voids up to `limit` pending transfers whose timeout has passed; their ids.
    pub async fn void_timed_out(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT id FROM points_transfers WHERE state = 'pending' AND pending_until <= $1 \
                   ORDER BY pending_until LIMIT $2";
        let ids: Vec<String> =
            with_tx!(self, conn => sqlx::query_scalar(sql).bind(now).bind(limit).fetch_all(&mut *conn).await?);
        let ops: Vec<Operation> = ids
            .iter()
            .map(|id| Operation::Decide { decision: format!("timeout:{id}"), id: id.clone(), post: false })
            .collect();
        let outcomes = self.ledger_run(&ops, now).await?;
        // One decided meanwhile (posted by its condition) is not voided.
        Ok(ids.into_iter().zip(outcomes).filter(|(_, o)| o.is_ok()).map(|(id, _)| id).collect())
    }

    /// Expires the lots past their life of up to `limit` customers after
    /// `after` (by id); the transfers made, and the last customer read (none
    /// when no more are left).
    pub async fn expire_lots(
        &mut self,
        now: DateTime<Utc>,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<Posted>, Option<i64>), StoreError> {
        let before = growth::expiry_candidates_before(now);
        let sql = "SELECT DISTINCT customer_id FROM points_lots WHERE earned_at <= $1 AND customer_id > $2 \
                   ORDER BY customer_id LIMIT $3";
        let customers: Vec<i64> = with_tx!(self, conn => sqlx::query_scalar(sql).bind(before).bind(after)
            .bind(limit).fetch_all(&mut *conn).await?);
        let Some(last) = customers.last().copied() else { return Ok((Vec::new(), None)) };
        let mut ledger = Ledger::new();
        let mut accounts = customers.clone();
        accounts.insert(0, Account::Firm(growth::FirmAccount::Expiry).code());
        for (code, b) in self.lock_accounts(&accounts).await? {
            ledger.seed_account(account(code)?, b);
        }
        for (customer, lots) in self.lots_of(&customers).await? {
            ledger.seed_lots(customer, lots);
        }
        let made = ledger.expire_lots(now);
        self.write_changes(&mut ledger).await?;
        Ok((made, Some(last)))
    }

    /// Whether this unit runs on PostgreSQL.
    pub(crate) fn on_postgres(&mut self) -> bool {
        matches!(self.conn_mut(), crate::TxConn::Postgres(_))
    }

    /// Stored transfers among `ids`.
    async fn transfers_by_id(&mut self, ids: &[&str]) -> Result<Vec<Posted>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("{TRANSFER_COLUMNS} WHERE id IN {}", json_in(self.on_postgres(), ""));
        let list = serde_json::to_string(ids).expect("ids serialize");
        let rows: Vec<TransferRow> =
            with_tx!(self, conn => sqlx::query_as(&sql).bind(&list).fetch_all(&mut *conn).await?);
        rows.into_iter().map(posted_of).collect()
    }

    /// The accounts' figures (zero for one never used), locked on PostgreSQL
    /// until the unit ends. `accounts` sorted, so locks are taken in one order.
    async fn lock_accounts(&mut self, accounts: &[i64]) -> Result<Vec<(i64, Balance)>, StoreError> {
        let postgres = self.on_postgres();
        let list = serde_json::to_string(accounts).expect("ids serialize");
        if postgres {
            // A row to lock for every account, then the locks.
            let sql = format!(
                "INSERT INTO points_accounts (account) SELECT * FROM {} AS a ON CONFLICT (account) DO NOTHING",
                json_in(true, "::bigint")
            );
            with_tx!(self, conn => sqlx::query(&sql).bind(&list).execute(&mut *conn).await?.rows_affected());
        }
        let rows: Vec<(i64, i64, i64, i64, i64)> = if postgres {
            let sql = format!(
                "SELECT account, debits_posted, credits_posted, debits_pending, credits_pending FROM points_accounts \
                 WHERE account IN {} ORDER BY account FOR UPDATE",
                json_in(true, "::bigint")
            );
            with_tx!(self, conn => sqlx::query_as(&sql).bind(&list).fetch_all(&mut *conn).await?)
        } else {
            // One row holding them all: sqlx hands SQLite's rows over from its worker thread one
            // at a time, and a batch's ten thousand accounts cost more in wake-ups than in reading.
            let sql = format!(
                "SELECT COALESCE(json_group_array(json_array(account, debits_posted, credits_posted, debits_pending, \
                 credits_pending)), '[]') FROM points_accounts WHERE account IN {}",
                json_in(false, "")
            );
            let text: String =
                with_tx!(self, conn => sqlx::query_scalar(&sql).bind(&list).fetch_one(&mut *conn).await?);
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt { what: "points_accounts", reason: e.to_string() })?
        };
        Ok(rows
            .into_iter()
            .map(|(a, dp, cp, dpe, cpe)| {
                (a, Balance { debits_posted: dp, credits_posted: cp, debits_pending: dpe, credits_pending: cpe })
            })
            .collect())
    }

    /// The customers' lots, oldest first.
    async fn lots_of(&mut self, customers: &[i64]) -> Result<Vec<(CustomerId, Vec<Lot>)>, StoreError> {
        let mut out: Vec<(CustomerId, Vec<Lot>)> = Vec::new();
        if customers.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT customer_id, source, earned_at, remaining FROM points_lots WHERE customer_id IN {} \
             ORDER BY customer_id, earned_at, source",
            json_in(self.on_postgres(), "::bigint")
        );
        let list = serde_json::to_string(customers).expect("ids serialize");
        let rows: Vec<(i64, String, DateTime<Utc>, i64)> = if self.on_postgres() {
            with_tx!(self, conn => sqlx::query_as(&sql).bind(&list).fetch_all(&mut *conn).await?)
        } else {
            // One row holding them all (see `lock_accounts`), sorted here as the query would.
            let sql = format!(
                "SELECT COALESCE(json_group_array(json_array(customer_id, source, earned_at, remaining)), '[]') \
                 FROM points_lots WHERE customer_id IN {}",
                json_in(false, "")
            );
            let text: String =
                with_tx!(self, conn => sqlx::query_scalar(&sql).bind(&list).fetch_one(&mut *conn).await?);
            let corrupt = |e: String| StoreError::Corrupt { what: "points_lots", reason: e };
            let raw: Vec<(i64, String, String, i64)> =
                serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
            let mut rows = raw
                .into_iter()
                .map(|(c, source, at, left)| Ok((c, source, parse_stamp(&at).map_err(corrupt)?, left)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            rows.sort_by(|a, b| (a.0, a.2, &a.1).cmp(&(b.0, b.2, &b.1)));
            rows
        };
        for (customer, source, earned_at, remaining) in rows {
            let lot = Lot { source, earned_at, remaining };
            match out.last_mut() {
                Some((c, lots)) if c.0 == customer => lots.push(lot),
                _ => out.push((CustomerId(customer), vec![lot])),
            }
        }
        Ok(out)
    }

    /// Writes what the ledger changed.
    async fn write_changes(&mut self, ledger: &mut Ledger) -> Result<(), StoreError> {
        let c = ledger.take_changes();
        let postgres = self.on_postgres();
        // Each table's rows go as one bound JSON array: one statement however many rows.
        if !c.accounts.is_empty() {
            let rows: Vec<_> = c
                .accounts
                .iter()
                .map(|(a, b)| (a.code(), b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending))
                .collect();
            let sql = format!(
                "INSERT INTO points_accounts (account, debits_posted, credits_posted, debits_pending, credits_pending) \
                 {} ON CONFLICT (account) DO UPDATE SET debits_posted = excluded.debits_posted, \
                 credits_posted = excluded.credits_posted, debits_pending = excluded.debits_pending, \
                 credits_pending = excluded.credits_pending",
                json_rows(postgres, &["bigint"; 5])
            );
            let rows = serde_json::to_string(&rows).expect("rows serialize");
            with_tx!(self, conn => sqlx::query(&sql).bind(&rows).execute(&mut *conn).await?.rows_affected());
        }
        if !c.inserted.is_empty() {
            let rows: Vec<_> = c
                .inserted
                .iter()
                .map(|p| {
                    let t = &p.transfer;
                    serde_json::json!([
                        t.id,
                        t.debit.code(),
                        t.credit.code(),
                        t.amount,
                        t.reason,
                        timeout_of(&t.kind).map(stamp),
                        t.corrects,
                        stamp(p.at),
                        p.state.as_str(),
                        p.decided_at.map(stamp),
                        p.decided_by
                    ])
                })
                .collect();
            let types = [
                "text",
                "bigint",
                "bigint",
                "bigint",
                "text",
                "timestamptz",
                "text",
                "timestamptz",
                "text",
                "timestamptz",
                "text",
            ];
            let sql = format!(
                "INSERT INTO points_transfers (id, debit, credit, amount, reason, pending_until, corrects, at, \
                 state, decided_at, decided_by) {}",
                json_rows(postgres, &types)
            );
            let rows = serde_json::Value::Array(rows).to_string();
            with_tx!(self, conn => sqlx::query(&sql).bind(&rows).execute(&mut *conn).await?.rows_affected());
        }
        for p in &c.decided {
            let sql = "UPDATE points_transfers SET state = $1, decided_at = $2, decided_by = $3 \
                       WHERE id = $4 AND state = 'pending'";
            let n = with_tx!(self, conn => sqlx::query(sql).bind(p.state.as_str()).bind(p.decided_at)
                .bind(&p.decided_by).bind(&p.transfer.id).execute(&mut *conn).await?.rows_affected());
            if n != 1 {
                return Err(StoreError::Corrupt { what: "pending transfer", reason: p.transfer.id.clone() });
            }
        }
        for chunk in c.lots_removed.chunks(ROWS) {
            with_tx!(self, conn => {
                let mut q = QueryBuilder::new("DELETE FROM points_lots WHERE (customer_id, earned_at, source) IN (");
                let mut sep = q.separated(", ");
                for (customer, lot) in chunk {
                    sep.push("(").push_bind_unseparated(customer.0).push_unseparated(", ");
                    sep.push_bind_unseparated(lot.earned_at).push_unseparated(", ");
                    sep.push_bind_unseparated(&lot.source).push_unseparated(")");
                }
                q.push(")");
                q.build().execute(&mut *conn).await?;
            });
        }
        for (customer, lot) in &c.lots_reduced {
            let sql = "UPDATE points_lots SET remaining = $1 WHERE customer_id = $2 AND earned_at = $3 AND source = $4";
            with_tx!(self, conn => sqlx::query(sql).bind(lot.remaining).bind(customer.0).bind(lot.earned_at)
                .bind(&lot.source).execute(&mut *conn).await?.rows_affected());
        }
        if !c.lots_added.is_empty() {
            let rows: Vec<_> = c
                .lots_added
                .iter()
                .map(|(customer, lot)| (customer.0, stamp(lot.earned_at), &lot.source, lot.remaining))
                .collect();
            let sql = format!(
                "INSERT INTO points_lots (customer_id, earned_at, source, remaining) {}",
                json_rows(postgres, &["bigint", "timestamptz", "text", "bigint"])
            );
            let rows = serde_json::to_string(&rows).expect("rows serialize");
            with_tx!(self, conn => sqlx::query(&sql).bind(&rows).execute(&mut *conn).await?.rows_affected());
        }
        Ok(())
    }
}

impl Db {
    /// [`Tx::ledger_run`] as a unit of work of its own. A batch that met
    /// another writing the same new id (PostgreSQL) is run once more, and
    /// then answers the first result.
    pub async fn ledger_run(&self, ops: &[Operation], now: DateTime<Utc>) -> Result<LedgerOutcomes, StoreError> {
        let timed: Vec<(&Operation, DateTime<Utc>)> = ops.iter().map(|op| (op, now)).collect();
        self.ledger_run_at(&timed).await
    }

    /// [`Tx::ledger_run_at`] as a unit of work of its own, run once more like [`Db::ledger_run`].
    pub async fn ledger_run_at(&self, ops: &[(&Operation, DateTime<Utc>)]) -> Result<LedgerOutcomes, StoreError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let mut tx = self.begin().await?;
            let run = async {
                let out = tx.ledger_run_at(ops).await?;
                tx.commit().await?;
                Ok::<_, StoreError>(out)
            };
            match run.await {
                Err(StoreError::Constraint { constraint }) if constraint == "points_transfers_id_key" && tries < 3 => {}
                other => return other,
            }
        }
    }

    /// The customer each of these accounts belongs to.
    pub async fn account_owners(&self, accounts: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let postgres = matches!(self.pool(), crate::Pool::Postgres(_));
        let sql = format!("SELECT id, customer_id FROM accounts WHERE id IN {}", json_in(postgres, "::bigint"));
        let list = serde_json::to_string(accounts).expect("ids serialize");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(&list).fetch_all(pool).await?))
    }

    /// The sign-ins (customer, time) and trades (account, time) of these
    /// customers, from the book: what their points history is earned from.
    #[allow(clippy::type_complexity)]
    pub async fn activity_of(
        &self,
        customers: &[i64],
    ) -> Result<(Vec<(i64, DateTime<Utc>)>, Vec<(i64, DateTime<Utc>)>), StoreError> {
        if customers.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let postgres = matches!(self.pool(), crate::Pool::Postgres(_));
        let list = serde_json::to_string(customers).expect("ids serialize");
        let inn = json_in(postgres, "::bigint");
        let logins = format!("SELECT customer_id, time FROM logins WHERE customer_id IN {inn}");
        let trades = format!(
            "SELECT t.account_id, t.time FROM trades t JOIN accounts a ON a.id = t.account_id WHERE a.customer_id IN {inn}"
        );
        let logins = with_pool!(self, pool => sqlx::query_as(&logins).bind(&list).fetch_all(pool).await?);
        let trades = with_pool!(self, pool => sqlx::query_as(&trades).bind(&list).fetch_all(pool).await?);
        Ok((logins, trades))
    }

    /// Which of these customers exist.
    pub async fn known_customers(&self, ids: &[i64]) -> Result<HashSet<i64>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let postgres = matches!(self.pool(), crate::Pool::Postgres(_));
        let sql = format!("SELECT id FROM customers WHERE id IN {}", json_in(postgres, "::bigint"));
        let list = serde_json::to_string(ids).expect("ids serialize");
        let found: Vec<i64> = with_pool!(self, pool => sqlx::query_scalar(&sql).bind(&list).fetch_all(pool).await?);
        Ok(found.into_iter().collect())
    }

    /// An account's figures.
    pub async fn points_balance(&self, account: Account) -> Result<Balance, StoreError> {
        let sql = "SELECT debits_posted, credits_posted, debits_pending, credits_pending FROM points_accounts \
                   WHERE account = $1";
        let row: Option<(i64, i64, i64, i64)> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(account.code()).fetch_optional(pool).await?);
        Ok(row.map_or_else(Balance::default, |(dp, cp, dpe, cpe)| Balance {
            debits_posted: dp,
            credits_posted: cp,
            debits_pending: dpe,
            credits_pending: cpe,
        }))
    }

    /// Every account's figures, by account code (audits and the model test read them).
    pub async fn points_accounts(&self) -> Result<Vec<(Account, Balance)>, StoreError> {
        let sql =
            "SELECT account, debits_posted, credits_posted, debits_pending, credits_pending FROM points_accounts \
                   ORDER BY account";
        let rows: Vec<(i64, i64, i64, i64, i64)> = with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        rows.into_iter()
            .map(|(a, dp, cp, dpe, cpe)| {
                Ok((
                    account(a)?,
                    Balance { debits_posted: dp, credits_posted: cp, debits_pending: dpe, credits_pending: cpe },
                ))
            })
            .collect()
    }

    /// A customer's lots, oldest first.
    pub async fn points_lots(&self, customer: CustomerId) -> Result<Vec<Lot>, StoreError> {
        let sql = "SELECT source, earned_at, remaining FROM points_lots WHERE customer_id = $1 \
                   ORDER BY earned_at, source";
        let rows: Vec<(String, DateTime<Utc>, i64)> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(customer.0).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(source, earned_at, remaining)| Lot { source, earned_at, remaining }).collect())
    }

    /// A transfer by id.
    pub async fn points_transfer(&self, id: &str) -> Result<Option<Posted>, StoreError> {
        let sql = format!("{TRANSFER_COLUMNS} WHERE id = $1");
        let row: Option<TransferRow> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        row.map(posted_of).transpose()
    }

    /// A customer's transfers, newest first: up to `limit` before `before` (a seq).
    pub async fn points_statement(
        &self,
        customer: CustomerId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StatementLine>, StoreError> {
        let sql = "SELECT seq, id, CASE WHEN credit = $1 THEN amount ELSE -amount END AS points, reason, state, \
                   corrects, at, decided_at, pending_until FROM points_transfers \
                   WHERE seq IN (SELECT seq FROM points_transfers WHERE debit = $1 AND debit > 0 AND seq < $2 \
                                 UNION ALL \
                                 SELECT seq FROM points_transfers WHERE credit = $1 AND credit > 0 AND seq < $2) \
                   ORDER BY seq DESC LIMIT $3";
        Ok(with_pool!(self, pool => sqlx::query_as(sql).bind(customer.0).bind(before.unwrap_or(i64::MAX))
            .bind(limit).fetch_all(pool).await?))
    }

    /// The books' own check (an audit and the tests read it).
    pub async fn ledger_totals(&self) -> Result<LedgerTotals, StoreError> {
        let sql = "SELECT CAST(COALESCE(SUM(credits_posted - debits_posted), 0) AS BIGINT), \
                   CAST(COALESCE(SUM(debits_pending - credits_pending), 0) AS BIGINT), \
                   CAST(COALESCE(MIN(CASE WHEN account > 0 THEN credits_posted - debits_posted - debits_pending END), 0) \
                   AS BIGINT), \
                   CAST(COALESCE(SUM(CASE WHEN account > 0 THEN credits_posted - debits_posted ELSE 0 END), 0) AS BIGINT) \
                   FROM points_accounts";
        let (net, pending, lowest_available, customers_net): (i64, i64, i64, i64) =
            with_pool!(self, pool => sqlx::query_as(sql).fetch_one(pool).await?);
        let transfers: i64 = with_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM points_transfers").fetch_one(pool).await?);
        let in_lots: i64 = with_pool!(self, pool => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) FROM points_lots").fetch_one(pool).await?);
        Ok(LedgerTotals { net, pending, lowest_available, transfers, in_lots, customers_net })
    }

    /// Voids timed-out pending transfers, a unit of work per `limit`; how many.
    pub async fn void_timed_out(&self, now: DateTime<Utc>, limit: i64) -> Result<usize, StoreError> {
        let mut done = 0;
        loop {
            let mut tx = self.begin().await?;
            let ids = tx.void_timed_out(now, limit).await?;
            tx.commit().await?;
            done += ids.len();
            if (ids.len() as i64) < limit {
                return Ok(done);
            }
        }
    }

    /// Expires lots past their life, a unit of work per `limit` customers; the transfers made.
    pub async fn expire_lots(&self, now: DateTime<Utc>, limit: i64) -> Result<usize, StoreError> {
        let (mut done, mut after) = (0, 0);
        loop {
            let mut tx = self.begin().await?;
            let (made, last) = tx.expire_lots(now, after, limit).await?;
            tx.commit().await?;
            done += made.len();
            match last {
                Some(last) => after = last,
                None => return Ok(done),
            }
        }
    }
}
