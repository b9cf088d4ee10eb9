//! Model portfolios: each with the content item compliance reviews for it,
//! its rebalances (each reviewed too, in effect when approved) with their
//! target weights, and its followers. Approving a rebalance tells the
//! followers in the same unit of work (a send to each).

use crate::book::ROWS_PER_STATEMENT;
use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{ContentId, CustomerId, PortfolioId, ProductId, ProductRisk, RebalanceId, SendId, StaffId};
use serde::Serialize;
use sqlx::QueryBuilder;

/// A model portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PortfolioRow {
    /// Id.
    pub id: PortfolioId,
    /// The advisor who runs it.
    pub advisor_id: StaffId,
    /// The advisor's name.
    pub advisor: String,
    /// Name.
    pub name: String,
    /// Its risk rating, for the followers' suitability.
    pub risk: ProductRisk,
    /// The reviewed description.
    pub content_id: ContentId,
    /// The product it backs, if any.
    pub product_id: Option<ProductId>,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Published (compliance approved it); none while under review.
    pub published_at: Option<DateTime<Utc>>,
    /// Current followers.
    pub followers: i64,
}

/// A rebalance with its target weights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RebalanceRow {
    /// Id.
    pub id: RebalanceId,
    /// The portfolio.
    pub portfolio_id: PortfolioId,
    /// The reviewed text.
    pub content_id: ContentId,
    /// Why, in the advisor's words.
    pub note: String,
    /// Proposed.
    pub created_at: DateTime<Utc>,
    /// In effect from (compliance's approval); none while under review.
    pub effective_at: Option<DateTime<Utc>>,
    /// (instrument, basis points of the value), by instrument.
    pub weights: Vec<(String, i32)>,
}

const PORTFOLIO_COLUMNS: &str =
    "SELECT p.id, p.advisor_id, s.name AS advisor, p.name, p.risk, p.content_id, p.product_id, \
     p.created_at, p.published_at, (SELECT COUNT(*) FROM portfolio_follows f WHERE f.portfolio_id = p.id) AS followers \
     FROM model_portfolios p JOIN staff s ON s.id = p.advisor_id";

type RebalanceTuple = (RebalanceId, PortfolioId, ContentId, String, DateTime<Utc>, Option<DateTime<Utc>>);

impl Db {
    /// Every model portfolio, by id.
    pub async fn portfolios(&self) -> Result<Vec<PortfolioRow>, StoreError> {
        let sql = format!("{PORTFOLIO_COLUMNS} ORDER BY p.id");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// One model portfolio.
    pub async fn portfolio(&self, id: PortfolioId) -> Result<Option<PortfolioRow>, StoreError> {
        let sql = format!("{PORTFOLIO_COLUMNS} WHERE p.id = $1");
        Ok(with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// A portfolio's rebalances with their weights, oldest first.
    pub async fn rebalances(&self, portfolio: PortfolioId) -> Result<Vec<RebalanceRow>, StoreError> {
        let sql = "SELECT id, portfolio_id, content_id, note, created_at, effective_at FROM model_rebalances \
                   WHERE portfolio_id = $1 ORDER BY id";
        let rows: Vec<RebalanceTuple> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(portfolio).fetch_all(pool).await?);
        let weights_sql = "SELECT w.rebalance_id, w.instrument, w.weight_bp FROM model_weights w \
                           JOIN model_rebalances r ON r.id = w.rebalance_id WHERE r.portfolio_id = $1 \
                           ORDER BY w.rebalance_id, w.instrument";
        let weights: Vec<(RebalanceId, String, i32)> =
            with_pool!(self, pool => sqlx::query_as(weights_sql).bind(portfolio).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(id, portfolio_id, content_id, note, created_at, effective_at)| RebalanceRow {
                id,
                portfolio_id,
                content_id,
                note,
                created_at,
                effective_at,
                weights: weights.iter().filter(|w| w.0 == id).map(|w| (w.1.clone(), w.2)).collect(),
            })
            .collect())
    }

    /// Whether a customer follows a portfolio.
    pub async fn follows(&self, portfolio: PortfolioId, customer: CustomerId) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM portfolio_follows WHERE portfolio_id = $1 AND customer_id = $2";
        let n: i64 =
            with_pool!(self, pool => sqlx::query_scalar(sql).bind(portfolio).bind(customer).fetch_one(pool).await?);
        Ok(n > 0)
    }

    /// A portfolio's followers, by customer id.
    pub async fn followers(&self, portfolio: PortfolioId) -> Result<Vec<CustomerId>, StoreError> {
        let sql = "SELECT customer_id FROM portfolio_follows WHERE portfolio_id = $1 ORDER BY customer_id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(portfolio).fetch_all(pool).await?))
    }
}

impl Tx {
    /// Starts a model portfolio, under review; its id. A name already used is refused by the store.
    pub async fn insert_portfolio(
        &mut self,
        advisor: StaffId,
        name: &str,
        risk: ProductRisk,
        content: ContentId,
        product: Option<ProductId>,
    ) -> Result<PortfolioId, StoreError> {
        let id = PortfolioId(self.next_id("model_portfolios").await?);
        let now = self.now();
        let sql = "INSERT INTO model_portfolios (id, advisor_id, name, risk, content_id, product_id, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        with_tx!(self, conn => sqlx::query(sql).bind(id).bind(advisor).bind(name).bind(risk).bind(content)
            .bind(product).bind(now).execute(&mut *conn).await?.rows_affected());
        Ok(id)
    }

    /// Proposes a rebalance to these weights, under review; its id.
    pub async fn insert_rebalance(
        &mut self,
        portfolio: PortfolioId,
        content: ContentId,
        note: &str,
        weights: &[(String, i32)],
    ) -> Result<RebalanceId, StoreError> {
        let id = RebalanceId(self.next_id("model_rebalances").await?);
        let now = self.now();
        let sql =
            "INSERT INTO model_rebalances (id, portfolio_id, content_id, note, created_at) VALUES ($1, $2, $3, $4, $5)";
        with_tx!(self, conn => sqlx::query(sql).bind(id).bind(portfolio).bind(content).bind(note).bind(now)
            .execute(&mut *conn).await?.rows_affected());
        for chunk in weights.chunks(ROWS_PER_STATEMENT) {
            with_tx!(self, conn => {
                let mut q = QueryBuilder::new("INSERT INTO model_weights (rebalance_id, instrument, weight_bp) ");
                q.push_values(chunk, |mut row, (code, bp)| {
                    row.push_bind(id).push_bind(code.as_str()).push_bind(*bp);
                });
                q.build().execute(&mut *conn).await?;
            });
        }
        Ok(id)
    }

    /// Publishes the portfolio whose description is this content item, if
    /// it is one and not yet published; true when one was.
    pub async fn publish_portfolio_of(&mut self, content: ContentId) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "UPDATE model_portfolios SET published_at = $1 WHERE content_id = $2 AND published_at IS NULL";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(now).bind(content).execute(&mut *conn).await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Puts into effect the rebalance whose text is this content item, if
    /// it is one not yet in effect, and tells the portfolio's followers: a
    /// send of the text to each, from the portfolio's advisor, due now.
    /// The rebalance and the send, if one was made.
    pub async fn apply_rebalance_of(
        &mut self,
        content: ContentId,
        title: &str,
        body: &str,
        trading_day: NaiveDate,
    ) -> Result<Option<(RebalanceId, Option<SendId>)>, StoreError> {
        let now = self.now();
        let found: Option<(RebalanceId, PortfolioId, StaffId)> = with_tx!(self, conn => sqlx::query_as(
            "SELECT r.id, r.portfolio_id, p.advisor_id FROM model_rebalances r \
             JOIN model_portfolios p ON p.id = r.portfolio_id WHERE r.content_id = $1 AND r.effective_at IS NULL")
            .bind(content).fetch_optional(&mut *conn).await?);
        let Some((rebalance, portfolio, advisor)) = found else { return Ok(None) };
        with_tx!(self, conn => sqlx::query("UPDATE model_rebalances SET effective_at = $1 WHERE id = $2")
            .bind(now).bind(rebalance).execute(&mut *conn).await?.rows_affected());
        let followers: i64 = with_tx!(self, conn => sqlx::query_scalar(
            "SELECT COUNT(*) FROM portfolio_follows WHERE portfolio_id = $1")
            .bind(portfolio).fetch_one(&mut *conn).await?);
        if followers == 0 {
            return Ok(Some((rebalance, None)));
        }
        let send = SendId(self.next_id("sends").await?);
        let segment = serde_json::json!({ "followers_of": portfolio.0 }).to_string();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO sends (id, sender_id, item_kind, item_id, instrument, product_id, title, body, segment, \
                 matched, withheld, trading_day, created_at, recipients) VALUES ($1, $2, 'rebalance', $3, NULL, NULL, \
                 $4, $5, $6, $7, 0, $8, $9, $7)",
            )
            .bind(send).bind(advisor).bind(rebalance.0).bind(title).bind(body).bind(&segment).bind(followers)
            .bind(trading_day).bind(now).execute(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO send_recipients (send_id, customer_id, deliver_at) \
                 SELECT $1, customer_id, $2 FROM portfolio_follows WHERE portfolio_id = $3",
            )
            .bind(send).bind(now).bind(portfolio).execute(&mut *conn).await?.rows_affected()
        });
        Ok(Some((rebalance, Some(send))))
    }

    /// A customer follows a portfolio (again: nothing changes); true when new.
    pub async fn follow(
        &mut self,
        portfolio: PortfolioId,
        customer: CustomerId,
        confirmed: bool,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let sql = "INSERT INTO portfolio_follows (portfolio_id, customer_id, followed_at, confirmed) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(portfolio).bind(customer).bind(now).bind(confirmed)
            .execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }

    /// A customer stops following; true when they were.
    pub async fn unfollow(&mut self, portfolio: PortfolioId, customer: CustomerId) -> Result<bool, StoreError> {
        let sql = "DELETE FROM portfolio_follows WHERE portfolio_id = $1 AND customer_id = $2";
        let n = with_tx!(self, conn => sqlx::query(sql).bind(portfolio).bind(customer)
            .execute(&mut *conn).await?.rows_affected());
        Ok(n == 1)
    }
}
