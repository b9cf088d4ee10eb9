//! The book's rows as the importer writes them: one table's batch in one
//! transaction, a row whose key is already stored skipped (a daily bar replaced).

use crate::copy_in::CopyBatch;
use crate::personal::SealedPersonalData;
use crate::{with_pool, Db, StoreError};
use domain::{
    Branch, CashAccount, CashFlow, CorporateAction, Customer, DailyBar, DomainError, FixedPoint, Instrument, Login,
    Money, Position, ServiceEvent, Snapshot, Staff, Trade,
};
use sqlx::QueryBuilder;

/// A batch of rows of one table, written in one transaction.
#[derive(Debug, Clone)]
pub enum Rows {
    /// Branch offices.
    Branches(Vec<Branch>),
    /// Staff.
    Staff(Vec<Staff>),
    /// Customers.
    Customers(Vec<Customer>),
    /// Cash accounts.
    Accounts(Vec<CashAccount>),
    /// Instruments.
    Instruments(Vec<Instrument>),
    /// Positions.
    Positions(Vec<Position>),
    /// Trades.
    Trades(Vec<Trade>),
    /// Cash flows.
    CashFlows(Vec<CashFlow>),
    /// Logins.
    Logins(Vec<Login>),
    /// Service events.
    ServiceEvents(Vec<ServiceEvent>),
    /// Daily bars; a bar already stored for the day is replaced if it differs (vendors correct bars).
    DailyBars(Vec<DailyBar>),
    /// Intraday snapshots.
    Snapshots(Vec<Snapshot>),
    /// Ex-rights and ex-dividend events (stored pending: see `app::corporate`).
    CorporateActions(Vec<CorporateAction>),
}

impl Rows {
    /// How many rows the batch holds.
    pub fn len(&self) -> usize {
        match self {
            Rows::Branches(v) => v.len(),
            Rows::Staff(v) => v.len(),
            Rows::Customers(v) => v.len(),
            Rows::Accounts(v) => v.len(),
            Rows::Instruments(v) => v.len(),
            Rows::Positions(v) => v.len(),
            Rows::Trades(v) => v.len(),
            Rows::CashFlows(v) => v.len(),
            Rows::Logins(v) => v.len(),
            Rows::ServiceEvents(v) => v.len(),
            Rows::DailyBars(v) => v.len(),
            Rows::Snapshots(v) => v.len(),
            Rows::CorporateActions(v) => v.len(),
        }
    }

    /// True when the batch holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Rows per INSERT statement: well under SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters for our widest table (18 columns).
pub(crate) const ROWS_PER_STATEMENT: usize = 1_000;

/// Converts a money value for storage, naming the field when it cannot be.
fn fixed(value: Money, field: &'static str) -> Result<i64, StoreError> {
    value.to_fixed(field).map_err(|e: DomainError| StoreError::Corrupt { what: field, reason: e.to_string() })
}

/// Appends multi-row INSERTs for `$rows` (zipped with pre-converted money
/// columns `$fx`) to the transaction, adding rows written to `$count`.
/// Rows whose key exists already are skipped, which makes re-runs idempotent.
macro_rules! insert_rows {
    ($tx:expr, $count:ident, $head:literal, $rows:expr, $fx:expr, |$b:ident, $r:ident, $f:ident| $bind:block) => {{
        insert_rows!($tx, $count, $head, " ON CONFLICT DO NOTHING", $rows, $fx, |$b, $r, $f| $bind)
    }};
    ($tx:expr, $count:ident, $head:literal, $conflict:literal, $rows:expr, $fx:expr, |$b:ident, $r:ident, $f:ident| $bind:block) => {{
        let fx: Vec<_> = $fx;
        for (chunk, fchunk) in $rows.chunks(ROWS_PER_STATEMENT).zip(fx.chunks(ROWS_PER_STATEMENT)) {
            let mut q = QueryBuilder::new($head);
            q.push_values(chunk.iter().zip(fchunk), |mut $b, ($r, $f)| {
                let _ = &$f;
                $bind
            });
            q.push($conflict);
            $count += q.build().execute(&mut *$tx).await?.rows_affected();
        }
    }};
}

impl Db {
    /// Writes a batch in one transaction and returns how many rows were new;
    /// rows already present (by primary key) are left as they are.
    pub async fn insert(&self, rows: &Rows) -> Result<u64, StoreError> {
        if let crate::Pool::Postgres(pool) = self.pool() {
            let ring = match rows {
                Rows::Customers(_) => Some(self.keys()?.ring()),
                _ => None,
            };
            if let Some(batch) = CopyBatch::of(rows, ring.as_deref())? {
                let mut tx = pool.begin().await?;
                let n = batch.write(&mut tx).await?;
                tx.commit().await?;
                return Ok(n);
            }
        }
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut n: u64 = 0;
            match rows {
                Rows::Branches(v) => insert_rows!(tx, n, "INSERT INTO branches (id, name, city) ", v,
                    vec![(); v.len()], |b, r, f| {
                        b.push_bind(r.id.0).push_bind(r.name.as_str()).push_bind(r.city.as_str());
                    }),
                Rows::Staff(v) => insert_rows!(tx, n, "INSERT INTO staff (id, branch_id, role, name, licence_no) ", v,
                    vec![(); v.len()], |b, r, f| {
                        b.push_bind(r.id.0).push_bind(r.branch_id.0).push_bind(r.role.as_str())
                            .push_bind(r.name.as_str()).push_bind(r.licence_no.as_deref());
                    }),
                Rows::Customers(v) => {
                    let ring = self.keys()?.ring();
                    for chunk in v.chunks(ROWS_PER_STATEMENT) {
                        let sealed: Vec<_> = chunk.iter().map(|r| SealedPersonalData::seal(&ring, r)).collect();
                        let mut q = QueryBuilder::new(
                            "INSERT INTO customers (id, name, national_id, phone, national_id_masked, phone_masked, \
                             national_id_lookup, phone_lookup, gender, birth_date, market_entry_date, \
                             branch_id, advisor_id, risk_level, horizon, real_name_verified, professional, opened_at) ",
                        );
                        q.push_values(chunk.iter().zip(&sealed), |mut b, (r, f)| {
                            b.push_bind(r.id.0).push_bind(r.name.as_str()).push_bind(&f.national_id)
                                .push_bind(&f.phone).push_bind(r.national_id.masked()).push_bind(r.phone.masked())
                                .push_bind(&f.national_id_lookup).push_bind(&f.phone_lookup)
                                .push_bind(r.gender.as_str()).push_bind(r.birth_date)
                                .push_bind(r.market_entry_date).push_bind(r.branch_id.0).push_bind(r.advisor_id.0)
                                .push_bind(i32::from(r.risk_level.number())).push_bind(r.horizon.as_str())
                                .push_bind(r.real_name_verified).push_bind(r.professional).push_bind(r.opened_at);
                        });
                        q.push(" ON CONFLICT DO NOTHING RETURNING id");
                        let new: std::collections::HashSet<i64> =
                            q.build_query_scalar::<i64>().fetch_all(&mut *tx).await?.into_iter().collect();
                        n += new.len() as u64;
                        // The new customers' names go into the search index in
                        // the same transaction (one already stored keeps its own).
                        let grams: Vec<(String, i64)> = chunk
                            .iter()
                            .filter(|c| new.contains(&c.id.0))
                            .flat_map(|c| crate::name_search::name_grams(c.name.as_str()).into_iter().map(|g| (g, c.id.0)))
                            .collect();
                        for piece in grams.chunks(4 * ROWS_PER_STATEMENT) {
                            let mut q = QueryBuilder::new("INSERT INTO customer_name_grams (gram, customer_id) ");
                            q.push_values(piece, |mut b, (gram, id)| {
                                b.push_bind(gram.as_str()).push_bind(*id);
                            });
                            q.push(" ON CONFLICT DO NOTHING");
                            q.build().execute(&mut *tx).await?;
                        }
                    }
                }
                Rows::Accounts(v) => insert_rows!(tx, n, "INSERT INTO accounts (id, customer_id, cash) ", v,
                    v.iter().map(|r| fixed(r.cash, "cash")).collect::<Result<Vec<_>, _>>()?, |b, r, f| {
                        b.push_bind(r.id.0).push_bind(r.customer_id.0).push_bind(*f);
                    }),
                Rows::Instruments(v) => insert_rows!(tx, n,
                    "INSERT INTO instruments (code, name, board, kind, lot, tick, limit_pct, st, list_date, \
                     face_value, outstanding_shares, last_close, fund_class, delisting_from) ", v,
                    v.iter().map(|r| Ok::<_, StoreError>((
                        fixed(r.tick, "tick")?,
                        fixed(r.limit_pct, "limit_pct")?,
                        r.face_value.map(|fv| fixed(fv, "face_value")).transpose()?,
                        fixed(r.last_close, "last_close")?,
                    ))).collect::<Result<Vec<_>, _>>()?, |b, r, f| {
                        b.push_bind(r.code.to_string()).push_bind(r.name.as_str()).push_bind(r.board.as_str())
                            .push_bind(r.kind.as_str()).push_bind(r.lot).push_bind(f.0).push_bind(f.1)
                            .push_bind(r.st).push_bind(r.list_date).push_bind(f.2)
                            .push_bind(r.outstanding_shares).push_bind(f.3)
                            .push_bind(r.fund_class.map(|c| c.as_str())).push_bind(r.delisting_from);
                    }),
                Rows::Positions(v) => insert_rows!(tx, n,
                    "INSERT INTO positions (account_id, instrument, quantity, sellable_quantity, cost_price) ", v,
                    v.iter().map(|r| fixed(r.cost_price, "cost_price")).collect::<Result<Vec<_>, _>>()?, |b, r, f| {
                        b.push_bind(r.account_id.0).push_bind(r.instrument.to_string()).push_bind(r.quantity)
                            .push_bind(r.sellable_quantity).push_bind(*f);
                    }),
                Rows::Trades(v) => insert_rows!(tx, n,
                    "INSERT INTO trades (id, account_id, instrument, side, quantity, price, fee, time) ", v,
                    v.iter().map(|r| Ok::<_, StoreError>((fixed(r.price, "price")?, fixed(r.fee, "fee")?)))
                        .collect::<Result<Vec<_>, _>>()?, |b, r, f| {
                        b.push_bind(r.id.0).push_bind(r.account_id.0).push_bind(r.instrument.to_string())
                            .push_bind(r.side.as_str()).push_bind(r.quantity).push_bind(f.0).push_bind(f.1)
                            .push_bind(r.time);
                    }),
                Rows::CashFlows(v) => insert_rows!(tx, n,
                    "INSERT INTO cash_flows (id, account_id, kind, amount, time) ", v,
                    v.iter().map(|r| fixed(r.amount, "amount")).collect::<Result<Vec<_>, _>>()?, |b, r, f| {
                        b.push_bind(r.id.0).push_bind(r.account_id.0).push_bind(r.kind.as_str()).push_bind(*f)
                            .push_bind(r.time);
                    }),
                Rows::Logins(v) => insert_rows!(tx, n, "INSERT INTO logins (id, customer_id, time, channel) ", v,
                    vec![(); v.len()], |b, r, f| {
                        b.push_bind(r.id.0).push_bind(r.customer_id.0).push_bind(r.time).push_bind(r.channel.as_str());
                    }),
                Rows::DailyBars(v) => insert_rows!(tx, n,
                    "INSERT INTO daily_bars (instrument, date, open, high, low, close, volume, amount, prev_close, adj_factor) ",
                    " ON CONFLICT (instrument, date) DO UPDATE SET open = excluded.open, high = excluded.high, \
                     low = excluded.low, close = excluded.close, volume = excluded.volume, amount = excluded.amount, \
                     prev_close = excluded.prev_close, adj_factor = excluded.adj_factor \
                     WHERE (daily_bars.open, daily_bars.high, daily_bars.low, daily_bars.close, daily_bars.volume, \
                     daily_bars.amount, daily_bars.prev_close, daily_bars.adj_factor) IS DISTINCT FROM (excluded.open, \
                     excluded.high, excluded.low, excluded.close, excluded.volume, excluded.amount, \
                     excluded.prev_close, excluded.adj_factor)", v,
                    v.iter().map(|r| Ok::<_, StoreError>((
                        fixed(r.open, "open")?, fixed(r.high, "high")?, fixed(r.low, "low")?, fixed(r.close, "close")?,
                        fixed(r.volume, "volume")?, r.amount.map(|a| fixed(a, "amount")).transpose()?,
                        r.prev_close.map(|p| fixed(p, "prev_close")).transpose()?,
                    ))).collect::<Result<Vec<_>, _>>()?, |b, r, f| {
                        b.push_bind(r.instrument.to_string()).push_bind(r.date).push_bind(f.0).push_bind(f.1)
                            .push_bind(f.2).push_bind(f.3).push_bind(f.4).push_bind(f.5).push_bind(f.6)
                            .push_bind(r.adj_factor.map(|a| a.to_string()));
                    }),
                Rows::Snapshots(v) => insert_rows!(tx, n,
                    "INSERT INTO snapshots (instrument, time, last, prev_close, high, low, volume, bid, ask) ", v,
                    v.iter().map(|r| Ok::<_, StoreError>((
                        fixed(r.last, "last")?, fixed(r.prev_close, "prev_close")?, fixed(r.high, "high")?,
                        fixed(r.low, "low")?, fixed(r.volume, "volume")?, r.bid.map(|x| fixed(x, "bid")).transpose()?,
                        r.ask.map(|x| fixed(x, "ask")).transpose()?,
                    ))).collect::<Result<Vec<_>, _>>()?, |b, r, f| {
                        b.push_bind(r.instrument.to_string()).push_bind(r.time).push_bind(f.0).push_bind(f.1)
                            .push_bind(f.2).push_bind(f.3).push_bind(f.4).push_bind(f.5).push_bind(f.6);
                    }),
                Rows::CorporateActions(v) => insert_rows!(tx, n,
                    "INSERT INTO corporate_actions (id, instrument, ex_date, cash_per_share, new_shares_per_share) ", v,
                    v.iter().map(|r| Ok::<_, StoreError>((
                        fixed(r.cash_per_share, "cash_per_share")?, fixed(r.new_shares_per_share, "new_shares_per_share")?,
                    ))).collect::<Result<Vec<_>, _>>()?, |b, r, f| {
                        b.push_bind(r.id.0).push_bind(r.instrument.to_string()).push_bind(r.ex_date)
                            .push_bind(f.0).push_bind(f.1);
                    }),
                Rows::ServiceEvents(v) => insert_rows!(tx, n,
                    "INSERT INTO service_events (id, customer_id, staff_id, kind, time) ", v,
                    vec![(); v.len()], |b, r, f| {
                        b.push_bind(r.id.0).push_bind(r.customer_id.0).push_bind(r.staff_id.map(|s| s.0))
                            .push_bind(r.kind.as_str()).push_bind(r.time);
                    }),
            }
            tx.commit().await?;
            Ok(n)
        })
    }
}
