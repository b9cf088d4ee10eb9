//! What classification reads (each customer's profile, holdings, trades and
//! logins, a range of customers at a time) and writes (their labels).

use crate::book::ROWS_PER_STATEMENT;
use crate::{with_pool, Db, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{AccountId, CustomerId, TradeId};
use sqlx::QueryBuilder;

/// One customer's history, as classification reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerHistory {
    /// Customer id.
    pub customer_id: CustomerId,
    /// Gender's stable text.
    pub gender: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// First day in the market.
    pub market_entry: NaiveDate,
    /// Opened their account here.
    pub opened_at: DateTime<Utc>,
    /// Cash over all accounts (0.0001 CNY).
    pub cash: i64,
    /// Positions held: (quantity, average cost, last close), 0.0001 CNY.
    pub holdings: Vec<(i64, i64, i64)>,
    /// Trades in time order (then id).
    pub trades: Vec<TradeRecord>,
    /// Login times, in time order.
    pub logins: Vec<DateTime<Utc>>,
}

/// A stored trade with its instrument's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeRecord {
    /// Trade id.
    pub id: TradeId,
    /// Account.
    pub account_id: AccountId,
    /// Instrument code.
    pub instrument: String,
    /// The instrument's kind (stock, etf, ...).
    pub kind: String,
    /// What an ETF tracks (its turnaround follows), if known.
    pub fund_class: Option<String>,
    /// `buy` or `sell`.
    pub side: String,
    /// Shares.
    pub quantity: i64,
    /// Price (0.0001 CNY).
    pub price: i64,
    /// Fee (0.0001 CNY).
    pub fee: i64,
    /// Fill time.
    pub time: DateTime<Utc>,
}

/// A customer's labels as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLabels {
    /// Customer id.
    pub customer_id: CustomerId,
    /// The configuration's version.
    pub version: String,
    /// The day computed for (YYYY-MM-DD).
    pub as_of: String,
    /// Features, JSON.
    pub features: String,
    /// Labels with reasons, JSON.
    pub labels: String,
}

impl Db {
    /// The time of the newest trade or login (none in an empty book).
    pub async fn newest_activity(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let (trade, login): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = with_pool!(self, pool => {
            // The figures keep each customer's last trade (never: the epoch), by index.
            let trade: Option<DateTime<Utc>> =
                sqlx::query_scalar("SELECT last_trade FROM customer_figures ORDER BY last_trade DESC LIMIT 1")
                    .fetch_optional(pool)
                    .await?;
            let trade = trade.filter(|t| *t != crate::figures::NEVER);
            let login = sqlx::query_scalar("SELECT time FROM logins ORDER BY time DESC LIMIT 1").fetch_optional(pool).await?;
            (trade, login)
        });
        Ok(trade.max(login))
    }

    /// Records the label configuration a run uses (JSON), as the latest.
    pub async fn record_label_config(&self, version: &str, config: &str) -> Result<(), StoreError> {
        let now = self.now().to_rfc3339();
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM label_configs WHERE version = $1").bind(version).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO label_configs (version, config, used_at) VALUES ($1, $2, $3)")
                .bind(version)
                .bind(config)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The label configuration of the latest run (JSON), if any run happened.
    pub async fn latest_label_config(&self) -> Result<Option<String>, StoreError> {
        let sql = "SELECT config FROM label_configs ORDER BY used_at DESC LIMIT 1";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).fetch_optional(pool).await?))
    }

    /// The customers who hold these accounts, each once.
    pub async fn customers_of_accounts(&self, accounts: &[AccountId]) -> Result<Vec<CustomerId>, StoreError> {
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new("SELECT DISTINCT customer_id FROM accounts WHERE id IN (");
            let mut list = q.separated(", ");
            for a in accounts {
                list.push_bind(*a);
            }
            q.push(") ORDER BY customer_id");
            q.build_query_scalar().fetch_all(pool).await?
        }))
    }

    /// The accounts a customer holds, by id.
    pub async fn accounts_of_customer(&self, customer: CustomerId) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT id FROM accounts WHERE customer_id = $1 ORDER BY id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(customer).fetch_all(pool).await?))
    }

    /// Customer ids in order, from `after` (exclusive), at most `limit`.
    pub async fn customer_ids(&self, after: CustomerId, limit: i64) -> Result<Vec<CustomerId>, StoreError> {
        let sql = "SELECT id FROM customers WHERE id > $1 ORDER BY id LIMIT $2";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(after).bind(limit).fetch_all(pool).await?))
    }

    /// The histories of customers with ids in `first..=last`, by id.
    pub async fn customer_histories(
        &self,
        first: CustomerId,
        last: CustomerId,
    ) -> Result<Vec<CustomerHistory>, StoreError> {
        type Head = (CustomerId, String, NaiveDate, NaiveDate, DateTime<Utc>);
        // Customer, then the trade's id, account, instrument, kind, fund class, side, quantity, price, fee, time.
        type TradeRow =
            (CustomerId, TradeId, AccountId, String, String, Option<String>, String, i64, i64, i64, DateTime<Utc>);
        let (heads, cash, holdings, trades, logins) = with_pool!(self, pool => {
            let heads: Vec<Head> = sqlx::query_as(
                "SELECT id, gender, birth_date, market_entry_date, opened_at FROM customers \
                 WHERE id BETWEEN $1 AND $2 ORDER BY id",
            )
            .bind(first).bind(last).fetch_all(pool).await?;
            let cash: Vec<(CustomerId, i64)> = sqlx::query_as(
                "SELECT customer_id, CAST(SUM(cash) AS BIGINT) FROM accounts WHERE customer_id BETWEEN $1 AND $2 GROUP BY customer_id",
            )
            .bind(first).bind(last).fetch_all(pool).await?;
            let holdings: Vec<(CustomerId, i64, i64, i64)> = sqlx::query_as(
                "SELECT a.customer_id, p.quantity, p.cost_price, i.last_close FROM positions p \
                 JOIN accounts a ON a.id = p.account_id JOIN instruments i ON i.code = p.instrument \
                 WHERE a.customer_id BETWEEN $1 AND $2 AND p.quantity > 0 ORDER BY a.customer_id, p.instrument",
            )
            .bind(first).bind(last).fetch_all(pool).await?;
            let trades: Vec<TradeRow> = sqlx::query_as(
                "SELECT a.customer_id, t.id, t.account_id, t.instrument, i.kind, i.fund_class, t.side, t.quantity, t.price, \
                 t.fee, t.time \
                 FROM trades t JOIN accounts a ON a.id = t.account_id JOIN instruments i ON i.code = t.instrument \
                 WHERE a.customer_id BETWEEN $1 AND $2 ORDER BY a.customer_id, t.time, t.id",
            )
            .bind(first).bind(last).fetch_all(pool).await?;
            let logins: Vec<(CustomerId, DateTime<Utc>)> = sqlx::query_as(
                "SELECT customer_id, time FROM logins WHERE customer_id BETWEEN $1 AND $2 ORDER BY customer_id, time",
            )
            .bind(first).bind(last).fetch_all(pool).await?;
            (heads, cash, holdings, trades, logins)
        });
        let (mut cash, mut holdings, mut trades, mut logins) = (
            cash.into_iter().peekable(),
            holdings.into_iter().peekable(),
            trades.into_iter().peekable(),
            logins.into_iter().peekable(),
        );
        let mut out = Vec::with_capacity(heads.len());
        for (customer_id, gender, birth_date, market_entry, opened_at) in heads {
            let mut h = CustomerHistory {
                customer_id,
                gender,
                birth_date,
                market_entry,
                opened_at,
                cash: cash.next_if(|c| c.0 == customer_id).map_or(0, |c| c.1),
                holdings: Vec::new(),
                trades: Vec::new(),
                logins: Vec::new(),
            };
            while let Some((_, q, cost, close)) = holdings.next_if(|x| x.0 == customer_id) {
                h.holdings.push((q, cost, close));
            }
            while let Some(t) = trades.next_if(|x| x.0 == customer_id) {
                let (_, id, account_id, instrument, kind, fund_class, side, quantity, price, fee, time) = t;
                h.trades.push(TradeRecord {
                    id,
                    account_id,
                    instrument,
                    kind,
                    fund_class,
                    side,
                    quantity,
                    price,
                    fee,
                    time,
                });
            }
            while let Some((_, time)) = logins.next_if(|x| x.0 == customer_id) {
                h.logins.push(time);
            }
            out.push(h);
        }
        Ok(out)
    }

    /// The accounts of customers carrying any of these labels (`dimension:label`), by id.
    pub async fn accounts_labelled(&self, labels: &[String]) -> Result<Vec<i64>, StoreError> {
        let mut out = Vec::new();
        for pattern in labels.iter().filter_map(|l| crate::customers::label_word(l)) {
            let sql = "SELECT a.id FROM customer_labels l JOIN accounts a ON a.customer_id = l.customer_id \
                       WHERE l.label_set LIKE $1 ORDER BY a.id";
            let ids: Vec<i64> = with_pool!(self, pool => sqlx::query_scalar(sql).bind(pattern).fetch_all(pool).await?);
            out.extend(ids);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The stored labels (JSON) of the given customers who have any: (customer id, labels).
    pub async fn labels_of(&self, customers: &[CustomerId]) -> Result<Vec<(CustomerId, String)>, StoreError> {
        let mut out = Vec::new();
        for chunk in customers.chunks(crate::book::ROWS_PER_STATEMENT) {
            let rows: Vec<(CustomerId, String)> = with_pool!(self, pool => {
                let mut q = sqlx::QueryBuilder::new("SELECT customer_id, labels FROM customer_labels WHERE customer_id IN (");
                let mut ids = q.separated(", ");
                for id in chunk {
                    ids.push_bind(*id);
                }
                q.push(") ORDER BY customer_id");
                q.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Stored labels of customers with ids in `first..=last`, by id.
    pub async fn stored_labels(&self, first: CustomerId, last: CustomerId) -> Result<Vec<StoredLabels>, StoreError> {
        let sql = "SELECT customer_id, version, as_of, features, labels FROM customer_labels \
                   WHERE customer_id BETWEEN $1 AND $2 ORDER BY customer_id";
        let rows: Vec<(CustomerId, String, String, String, String)> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(first).bind(last).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(customer_id, version, as_of, features, labels)| StoredLabels {
                customer_id,
                version,
                as_of,
                features,
                labels,
            })
            .collect())
    }

    /// Replaces the stored labels of these customers, in one transaction:
    /// one delete and multi-row inserts (a classify run writes millions).
    pub async fn store_labels(&self, rows: &[StoredLabels]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new("DELETE FROM customer_labels WHERE customer_id IN (");
                let mut ids = q.separated(", ");
                for r in chunk {
                    ids.push_bind(r.customer_id);
                }
                q.push(")");
                q.build().execute(&mut *tx).await?;
                let mut q = QueryBuilder::new(
                    "INSERT INTO customer_labels (customer_id, version, as_of, features, labels, service_tier, label_set) ",
                );
                q.push_values(chunk, |mut b, r| {
                    let (tier, set) = label_columns(&r.labels);
                    b.push_bind(r.customer_id)
                        .push_bind(&r.version)
                        .push_bind(&r.as_of)
                        .push_bind(&r.features)
                        .push_bind(&r.labels)
                        .push_bind(tier)
                        .push_bind(set);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// The columns the customer list filters on, from a labelling's JSON
/// (`[[dimension, {"label": ...}], ...]`): the service tier, and every
/// label as a word " dimension:label " (a filter matches the whole word).
pub(crate) fn label_columns(labels: &str) -> (Option<String>, String) {
    let pairs: Vec<(String, serde_json::Value)> = serde_json::from_str(labels).unwrap_or_default();
    let mut tier = None;
    let mut set = String::from(" ");
    for (dimension, labelled) in pairs {
        let Some(label) = labelled.get("label").and_then(|l| l.as_str()) else { continue };
        if dimension == "service_tier" {
            tier = Some(label.to_owned());
        }
        set.push_str(&format!("{dimension}:{label} "));
    }
    (tier, set)
}

impl Db {
    /// Fills the list's label columns of labels stored before they were kept.
    pub(crate) async fn fill_missing_label_sets(&self) -> Result<(), StoreError> {
        loop {
            let rows: Vec<(CustomerId, String)> = with_pool!(self, pool => sqlx::query_as(
                "SELECT customer_id, labels FROM customer_labels WHERE label_set IS NULL LIMIT 5000",
            ).fetch_all(pool).await?);
            if rows.is_empty() {
                return Ok(());
            }
            with_pool!(self, pool => {
                let mut tx = pool.begin().await?;
                for (id, labels) in &rows {
                    let (tier, set) = label_columns(labels);
                    sqlx::query("UPDATE customer_labels SET service_tier = $1, label_set = $2 WHERE customer_id = $3")
                        .bind(tier)
                        .bind(set)
                        .bind(*id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::label_columns;

    #[test]
    fn the_list_columns_name_the_tier_and_every_label_as_a_word() {
        let json = r#"[["lifecycle",{"label":"dormant","reasons":[]}],["service_tier",{"label":"core","reasons":[]}]]"#;
        let (tier, set) = label_columns(json);
        assert_eq!(tier.as_deref(), Some("core"));
        assert_eq!(set, " lifecycle:dormant service_tier:core ");
    }
}
