//! Products and suitability: the catalogue, questionnaire results,
//! professional investors' tests, trading permissions, the gate's log, the
//! purchases, product views and the funnel. Writes are made on a unit of
//! work ([`Tx`]) so that a use case commits them with its audit record.

use crate::{with_pool, with_tx, Db, StoreError, Tx};
use chrono::{DateTime, Utc};
use domain::{
    AssessmentId, ContentId, CustomerId, FixedPoint, Horizon, InvestorClass, Ladder, Money, ProductId, ProductKind,
    ProductRisk, ProductState, PurchaseId, RestrictedBoard, StaffId, TaskId, TaskKind, Variety, Verdict,
};
use serde::Serialize;

/// A product of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductRow {
    /// Id.
    pub id: ProductId,
    /// The firm's code, e.g. `ADV-START`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Advisory subscription, fund or wealth product.
    pub kind: ProductKind,
    /// Risk rating.
    pub risk: ProductRisk,
    /// Horizon it is meant for.
    pub horizon: Horizon,
    /// Variety.
    pub variety: Variety,
    /// Its rung of the advisory ladder, if one.
    pub ladder: Option<Ladder>,
    /// Price of a subscription (0 for funds and wealth products), CNY.
    pub price: Money,
    /// Term in days.
    pub term_days: i32,
    /// Least amount of one purchase, CNY.
    pub minimum: Money,
    /// On sale or closed.
    pub state: ProductState,
    /// What it is, in a few lines.
    pub description: String,
}

/// A product to add (its id is given by the store).
pub type NewProduct = ProductRow;

/// A scored questionnaire as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentRow {
    /// Id.
    pub id: AssessmentId,
    /// Whose.
    pub customer_id: CustomerId,
    /// The questionnaire's version.
    pub version: String,
    /// The answers, JSON.
    pub answers: String,
    /// 0..100.
    pub score: i32,
    /// The class.
    pub class: InvestorClass,
    /// The horizon.
    pub horizon: Horizon,
    /// The varieties chosen.
    pub varieties: Vec<Variety>,
    /// When taken.
    pub taken_at: DateTime<Utc>,
    /// Until when it holds.
    pub valid_until: DateTime<Utc>,
    /// Who recorded it (the customer, or staff on their behalf).
    pub taken_by: String,
}

/// A professional investor test as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfessionalRow {
    /// Passed both tests.
    pub qualified: bool,
    /// Evidence and outcomes, JSON.
    pub evidence: String,
    /// When tested.
    pub tested_at: DateTime<Utc>,
    /// When the status lapses.
    pub expires_at: DateTime<Utc>,
    /// Who tested.
    pub tested_by: String,
}

/// A board's trading permission as last checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionRow {
    /// The board.
    pub board: RestrictedBoard,
    /// Granted.
    pub granted: bool,
    /// Evidence, JSON.
    pub evidence: String,
    /// When checked.
    pub checked_at: DateTime<Utc>,
    /// Who checked.
    pub checked_by: String,
}

/// One step of the gate, to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateStep {
    /// Whose purchase.
    pub customer_id: CustomerId,
    /// Of what.
    pub product_id: ProductId,
    /// Who acted.
    pub actor: String,
    /// refused, warned, confirmed or allowed.
    pub step: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// The reasons, JSON.
    pub reasons: String,
    /// The questionnaire relied on.
    pub assessment_id: Option<AssessmentId>,
    /// The audit record written with it.
    pub audit_seq: i64,
}

/// A logged step of the gate, as the trail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateLogRow {
    /// Id.
    pub id: i64,
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub product: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// refused, warned, confirmed or allowed.
    pub step: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The reasons, JSON.
    pub reasons: String,
    /// The questionnaire result relied on.
    pub assessment_id: Option<AssessmentId>,
    /// Its version.
    pub questionnaire_version: Option<String>,
    /// The audit record.
    pub audit_seq: i64,
}

/// A refusal, warning or confirmation of the gate, as compliance lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateException {
    /// Id of the trail's step.
    pub id: i64,
    /// The customer.
    pub customer_id: CustomerId,
    /// Their name.
    pub customer: String,
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub product: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who acted.
    pub actor: String,
    /// refused, warned or confirmed.
    pub step: String,
    /// The reasons, JSON.
    pub reasons: String,
    /// The questionnaire version relied on.
    pub questionnaire_version: Option<String>,
    /// The audit record.
    pub audit_seq: i64,
}

/// A purchase as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseRow {
    /// Id.
    pub id: PurchaseId,
    /// Whose.
    pub customer_id: CustomerId,
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub product: String,
    /// Amount, CNY.
    pub amount: Money,
    /// When.
    pub placed_at: DateTime<Utc>,
    /// Who placed it.
    pub placed_by: String,
    /// The gate's verdict.
    pub verdict: Verdict,
    /// Confirmed by the investor after the warning.
    pub confirmed: bool,
}

/// One line of the funnel: of the customers who read content naming a
/// product, how many viewed it and how many bought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunnelRow {
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub product: String,
    /// What the line is counted by: `all`, an advisor or a group.
    pub by: String,
    /// The advisor's or group's id (0 for all).
    pub by_id: i64,
    /// Its name.
    pub by_name: String,
    /// Customers who read content naming it.
    pub read: i64,
    /// Of them, who viewed the product.
    pub viewed: i64,
    /// Of them, who bought it.
    pub purchased: i64,
}

type ProductTuple = (
    ProductId,
    String,
    String,
    ProductKind,
    ProductRisk,
    Horizon,
    Variety,
    Option<String>,
    i64,
    i32,
    i64,
    ProductState,
    String,
);

const PRODUCT_COLUMNS: &str =
    "SELECT id, code, name, kind, risk, horizon, variety, ladder, price, term_days, minimum, state, description FROM products";

fn product_row(t: ProductTuple) -> Result<ProductRow, StoreError> {
    let ladder =
        t.7.map(|l| l.parse::<Ladder>())
            .transpose()
            .map_err(|e| StoreError::Corrupt { what: "product ladder", reason: e.to_string() })?;
    Ok(ProductRow {
        id: t.0,
        code: t.1,
        name: t.2,
        kind: t.3,
        risk: t.4,
        horizon: t.5,
        variety: t.6,
        ladder,
        price: Money::from_fixed(t.8),
        term_days: t.9,
        minimum: Money::from_fixed(t.10),
        state: t.11,
        description: t.12,
    })
}

fn varieties_of(text: &str) -> Result<Vec<Variety>, StoreError> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<Variety>().map_err(|e| StoreError::Corrupt { what: "varieties", reason: e.to_string() }))
        .collect()
}

fn fixed(amount: Money, field: &'static str) -> Result<i64, StoreError> {
    amount.to_fixed(field).map_err(|e| StoreError::Corrupt { what: field, reason: e.to_string() })
}

type AssessmentTuple = (
    AssessmentId,
    CustomerId,
    String,
    String,
    i32,
    InvestorClass,
    Horizon,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    String,
);

impl Tx {
    /// The next id of a table, with writes serialized (see [`Tx::serialize`]).
    pub(crate) async fn next_id(&mut self, table: &'static str) -> Result<i64, StoreError> {
        self.serialize().await?;
        let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}");
        Ok(with_tx!(self, conn => sqlx::query_scalar(&sql).fetch_one(&mut *conn).await?))
    }

    /// Adds a product to the catalogue; its id. A code already used is refused by the store.
    pub async fn insert_product(&mut self, p: &NewProduct) -> Result<ProductId, StoreError> {
        let id = ProductId(self.next_id("products").await?);
        let (price, minimum) = (fixed(p.price, "price")?, fixed(p.minimum, "minimum")?);
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO products (id, code, name, kind, risk, horizon, variety, ladder, price, term_days, minimum, \
                 state, description, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(id).bind(&p.code).bind(&p.name).bind(p.kind).bind(p.risk).bind(p.horizon).bind(p.variety)
            .bind(p.ladder.map(|l| l.as_str())).bind(price).bind(p.term_days).bind(minimum).bind(p.state)
            .bind(&p.description).bind(now)
            .execute(&mut *conn).await?;
        });
        Ok(id)
    }

    /// Opens or closes a product to purchases; false when there is no such product.
    pub async fn set_product_state(&mut self, id: ProductId, state: ProductState) -> Result<bool, StoreError> {
        let done = with_tx!(self, conn => sqlx::query("UPDATE products SET state = $1 WHERE id = $2")
            .bind(state).bind(id).execute(&mut *conn).await?.rows_affected());
        Ok(done == 1)
    }

    /// Stores a scored questionnaire and makes it the customer's risk level and horizon in the book.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_assessment(
        &mut self,
        customer: CustomerId,
        version: &str,
        answers: &str,
        score: u8,
        class: InvestorClass,
        horizon: Horizon,
        varieties: &[Variety],
        valid_until: DateTime<Utc>,
        taken_by: &str,
    ) -> Result<AssessmentId, StoreError> {
        let id = AssessmentId(self.next_id("risk_assessments").await?);
        let now = self.now();
        let varieties: Vec<&str> = varieties.iter().map(|v| v.as_str()).collect();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO risk_assessments (id, customer_id, version, answers, score, class, horizon, varieties, \
                 taken_at, valid_until, taken_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id).bind(customer).bind(version).bind(answers).bind(i32::from(score)).bind(class).bind(horizon)
            .bind(varieties.join(",")).bind(now).bind(valid_until).bind(taken_by)
            .execute(&mut *conn).await?;
            sqlx::query("UPDATE customers SET risk_level = $1, horizon = $2 WHERE id = $3")
                .bind(class.risk_level()).bind(horizon).bind(customer)
                .execute(&mut *conn).await?;
        });
        Ok(id)
    }

    /// Stores a professional investor test with its evidence.
    pub async fn record_professional_test(
        &mut self,
        customer: CustomerId,
        qualified: bool,
        evidence: &str,
        expires_at: DateTime<Utc>,
        tested_by: &str,
    ) -> Result<i64, StoreError> {
        let id = self.next_id("professional_tests").await?;
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO professional_tests (id, customer_id, qualified, evidence, tested_at, expires_at, tested_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id).bind(customer).bind(qualified).bind(evidence).bind(now).bind(expires_at).bind(tested_by)
            .execute(&mut *conn).await?;
        });
        Ok(id)
    }

    /// Stores a board permission's check with its evidence.
    pub async fn record_permission(
        &mut self,
        customer: CustomerId,
        board: RestrictedBoard,
        granted: bool,
        evidence: &str,
        checked_by: &str,
    ) -> Result<i64, StoreError> {
        let id = self.next_id("trading_permissions").await?;
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO trading_permissions (id, customer_id, board, granted, evidence, checked_at, checked_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id).bind(customer).bind(board).bind(granted).bind(evidence).bind(now).bind(checked_by)
            .execute(&mut *conn).await?;
        });
        Ok(id)
    }

    /// Logs a step of the gate; its id.
    pub async fn log_gate_step(&mut self, s: &GateStep) -> Result<i64, StoreError> {
        let id = self.next_id("suitability_log").await?;
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO suitability_log (id, customer_id, product_id, at, actor, step, verdict, reasons, \
                 assessment_id, audit_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id).bind(s.customer_id).bind(s.product_id).bind(now).bind(&s.actor).bind(s.step).bind(s.verdict)
            .bind(&s.reasons).bind(s.assessment_id).bind(s.audit_seq)
            .execute(&mut *conn).await?;
        });
        Ok(id)
    }

    /// Records a purchase the gate let through; its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_purchase(
        &mut self,
        customer: CustomerId,
        product: ProductId,
        amount: Money,
        placed_by: &str,
        verdict: Verdict,
        confirmed: bool,
        log_id: i64,
    ) -> Result<PurchaseId, StoreError> {
        let id = PurchaseId(self.next_id("purchases").await?);
        let amount = fixed(amount, "amount")?;
        let now = self.now();
        with_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO purchases (id, customer_id, product_id, amount, placed_at, placed_by, verdict, confirmed, log_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id).bind(customer).bind(product).bind(amount).bind(now).bind(placed_by).bind(verdict).bind(confirmed)
            .bind(log_id)
            .execute(&mut *conn).await?;
        });
        self.refresh_activity(&[], &[(customer.0, crate::month_of(now))]).await?;
        Ok(id)
    }

    /// A task for the customer's advisor (a return visit after an elderly
    /// customer's risky purchase); its id.
    pub async fn add_task(
        &mut self,
        customer: CustomerId,
        kind: TaskKind,
        title: &str,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<TaskId, StoreError> {
        let id = TaskId(self.next_id("tasks").await?);
        let now = self.now();
        with_tx!(self, conn => {
            let advisor: StaffId = sqlx::query_scalar("SELECT advisor_id FROM customers WHERE id = $1")
                .bind(customer).fetch_one(&mut *conn).await?;
            sqlx::query(
                "INSERT INTO tasks (id, advisor_id, customer_id, kind, title, due_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id).bind(advisor).bind(customer).bind(kind.as_str()).bind(title).bind(due_at).bind(now)
            .execute(&mut *conn).await?;
        });
        Ok(id)
    }

    /// Names the products a content item mentions (replacing what it named before).
    pub async fn set_content_products(&mut self, item: ContentId, products: &[ProductId]) -> Result<(), StoreError> {
        with_tx!(self, conn => {
            sqlx::query("DELETE FROM content_products WHERE item_id = $1").bind(item).execute(&mut *conn).await?;
            for p in products {
                sqlx::query("INSERT INTO content_products (item_id, product_id) VALUES ($1, $2)")
                    .bind(item).bind(*p).execute(&mut *conn).await?;
            }
        });
        Ok(())
    }
}

impl Db {
    /// The catalogue, by id; only what is on sale when asked.
    pub async fn products(&self, on_sale_only: bool) -> Result<Vec<ProductRow>, StoreError> {
        let sql = if on_sale_only {
            format!("{PRODUCT_COLUMNS} WHERE state = 'on_sale' ORDER BY id")
        } else {
            format!("{PRODUCT_COLUMNS} ORDER BY id")
        };
        let rows: Vec<ProductTuple> = with_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
        rows.into_iter().map(product_row).collect()
    }

    /// One product.
    pub async fn product(&self, id: ProductId) -> Result<Option<ProductRow>, StoreError> {
        let sql = format!("{PRODUCT_COLUMNS} WHERE id = $1");
        let row: Option<ProductTuple> =
            with_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        row.map(product_row).transpose()
    }

    /// A customer's newest questionnaire result.
    pub async fn latest_assessment(&self, customer: CustomerId) -> Result<Option<AssessmentRow>, StoreError> {
        let sql = "SELECT id, customer_id, version, answers, score, class, horizon, varieties, taken_at, valid_until, \
                   taken_by FROM risk_assessments WHERE customer_id = $1 ORDER BY id DESC LIMIT 1";
        let row: Option<AssessmentTuple> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(customer).fetch_optional(pool).await?);
        row.map(|t| {
            Ok(AssessmentRow {
                id: t.0,
                customer_id: t.1,
                version: t.2,
                answers: t.3,
                score: t.4,
                class: t.5,
                horizon: t.6,
                varieties: varieties_of(&t.7)?,
                taken_at: t.8,
                valid_until: t.9,
                taken_by: t.10,
            })
        })
        .transpose()
    }

    /// A customer's newest professional investor test.
    pub async fn latest_professional_test(&self, customer: CustomerId) -> Result<Option<ProfessionalRow>, StoreError> {
        let sql = "SELECT qualified, evidence, tested_at, expires_at, tested_by FROM professional_tests \
                   WHERE customer_id = $1 ORDER BY id DESC LIMIT 1";
        type Row = (bool, String, DateTime<Utc>, DateTime<Utc>, String);
        let row: Option<Row> = with_pool!(self, pool => sqlx::query_as(sql).bind(customer).fetch_optional(pool).await?);
        Ok(row.map(|t| ProfessionalRow {
            qualified: t.0,
            evidence: t.1,
            tested_at: t.2,
            expires_at: t.3,
            tested_by: t.4,
        }))
    }

    /// Each board's newest permission check for a customer.
    pub async fn permissions(&self, customer: CustomerId) -> Result<Vec<PermissionRow>, StoreError> {
        let sql = "SELECT board, granted, evidence, checked_at, checked_by FROM trading_permissions p \
                   WHERE customer_id = $1 AND id = (SELECT MAX(id) FROM trading_permissions q \
                   WHERE q.customer_id = p.customer_id AND q.board = p.board) ORDER BY board";
        let rows: Vec<(RestrictedBoard, bool, String, DateTime<Utc>, String)> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(customer).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|t| PermissionRow { board: t.0, granted: t.1, evidence: t.2, checked_at: t.3, checked_by: t.4 })
            .collect())
    }

    /// A customer's gate trail, newest first.
    pub async fn gate_log(&self, customer: CustomerId, limit: i64) -> Result<Vec<GateLogRow>, StoreError> {
        let sql = "SELECT l.id, l.product_id, p.name, l.at, l.actor, l.step, l.verdict, l.reasons, l.assessment_id, \
                   a.version, l.audit_seq FROM suitability_log l JOIN products p ON p.id = l.product_id \
                   LEFT JOIN risk_assessments a ON a.id = l.assessment_id \
                   WHERE l.customer_id = $1 ORDER BY l.id DESC LIMIT $2";
        type Row = (
            i64,
            ProductId,
            String,
            DateTime<Utc>,
            String,
            String,
            Verdict,
            String,
            Option<AssessmentId>,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(customer).bind(limit).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|t| GateLogRow {
                id: t.0,
                product_id: t.1,
                product: t.2,
                at: t.3,
                actor: t.4,
                step: t.5,
                verdict: t.6,
                reasons: t.7,
                assessment_id: t.8,
                questionnaire_version: t.9,
                audit_seq: t.10,
            })
            .collect())
    }

    /// The gate's exceptions in scope, newest first: refusals, warnings and
    /// confirmations above the match (what compliance reviews).
    pub async fn gate_exceptions(&self, scope: access::Scope, limit: i64) -> Result<Vec<GateException>, StoreError> {
        type Row =
            (i64, CustomerId, String, ProductId, String, DateTime<Utc>, String, String, String, Option<String>, i64);
        let rows: Vec<Row> = with_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT l.id, l.customer_id, c.name, l.product_id, p.name, l.at, l.actor, l.step, l.reasons, a.version, \
                 l.audit_seq FROM suitability_log l JOIN customers c ON c.id = l.customer_id \
                 JOIN products p ON p.id = l.product_id LEFT JOIN risk_assessments a ON a.id = l.assessment_id \
                 WHERE l.step <> 'allowed'",
            );
            crate::customers::push_scope(&mut q, scope);
            q.push(" ORDER BY l.id DESC LIMIT ").push_bind(limit);
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|t| GateException {
                id: t.0,
                customer_id: t.1,
                customer: t.2,
                product_id: t.3,
                product: t.4,
                at: t.5,
                actor: t.6,
                step: t.7,
                reasons: t.8,
                questionnaire_version: t.9,
                audit_seq: t.10,
            })
            .collect())
    }

    /// A customer's purchases, newest first.
    pub async fn purchases(&self, customer: CustomerId) -> Result<Vec<PurchaseRow>, StoreError> {
        let sql = "SELECT u.id, u.customer_id, u.product_id, p.name, u.amount, u.placed_at, u.placed_by, u.verdict, \
                   u.confirmed FROM purchases u JOIN products p ON p.id = u.product_id WHERE u.customer_id = $1 \
                   ORDER BY u.id DESC";
        type Row = (PurchaseId, CustomerId, ProductId, String, i64, DateTime<Utc>, String, Verdict, bool);
        let rows: Vec<Row> = with_pool!(self, pool => sqlx::query_as(sql).bind(customer).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|t| PurchaseRow {
                id: t.0,
                customer_id: t.1,
                product_id: t.2,
                product: t.3,
                amount: Money::from_fixed(t.4),
                placed_at: t.5,
                placed_by: t.6,
                verdict: t.7,
                confirmed: t.8,
            })
            .collect())
    }

    /// Notes that a customer viewed a product (the first view counts).
    pub async fn record_product_view(&self, product: ProductId, customer: CustomerId) -> Result<(), StoreError> {
        let now = self.now();
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO product_views (product_id, customer_id, first_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (product_id, customer_id) DO NOTHING",
            )
            .bind(product).bind(customer).bind(now).execute(pool).await?;
        });
        Ok(())
    }

    /// The products a content item names.
    pub async fn content_products(&self, item: ContentId) -> Result<Vec<ProductId>, StoreError> {
        let sql = "SELECT product_id FROM content_products WHERE item_id = $1 ORDER BY product_id";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(item).fetch_all(pool).await?))
    }

    /// The funnel of every product named in content: for all readers, by the
    /// content's advisor, and by the group it was published in (readers who
    /// are members of that group). Staff of the firm read it whole.
    pub async fn funnel(&self) -> Result<Vec<FunnelRow>, StoreError> {
        // Readers of content naming each product, with the advisor who wrote it
        // and each group it went out to where the reader is a member.
        let sql = "WITH readers AS ( \
                SELECT DISTINCT cp.product_id, r.customer_id, i.advisor_id, 0 AS group_id \
                FROM content_products cp JOIN content_reads r ON r.item_id = cp.item_id \
                JOIN content_items i ON i.id = cp.item_id \
              UNION \
                SELECT DISTINCT cp.product_id, r.customer_id, i.advisor_id, pub.group_id \
                FROM content_products cp JOIN content_reads r ON r.item_id = cp.item_id \
                JOIN content_items i ON i.id = cp.item_id \
                JOIN content_publications pub ON pub.item_id = cp.item_id AND pub.message_id IS NOT NULL \
                JOIN group_members m ON m.group_id = pub.group_id AND m.customer_id = r.customer_id \
            ), marked AS ( \
                SELECT x.product_id, x.customer_id, x.advisor_id, x.group_id, \
                  CASE WHEN EXISTS (SELECT 1 FROM product_views v WHERE v.product_id = x.product_id \
                    AND v.customer_id = x.customer_id) THEN 1 ELSE 0 END AS viewed, \
                  CASE WHEN EXISTS (SELECT 1 FROM purchases u WHERE u.product_id = x.product_id \
                    AND u.customer_id = x.customer_id) THEN 1 ELSE 0 END AS bought \
                FROM readers x \
            ) \
            SELECT m.product_id, p.name, 'all', 0, '', COUNT(DISTINCT m.customer_id), \
              COUNT(DISTINCT CASE WHEN m.viewed = 1 THEN m.customer_id END), \
              COUNT(DISTINCT CASE WHEN m.viewed = 1 AND m.bought = 1 THEN m.customer_id END) \
              FROM marked m JOIN products p ON p.id = m.product_id WHERE m.group_id = 0 GROUP BY m.product_id, p.name \
            UNION ALL \
            SELECT m.product_id, p.name, 'advisor', m.advisor_id, s.name, COUNT(DISTINCT m.customer_id), \
              COUNT(DISTINCT CASE WHEN m.viewed = 1 THEN m.customer_id END), \
              COUNT(DISTINCT CASE WHEN m.viewed = 1 AND m.bought = 1 THEN m.customer_id END) \
              FROM marked m JOIN products p ON p.id = m.product_id JOIN staff s ON s.id = m.advisor_id \
              WHERE m.group_id = 0 GROUP BY m.product_id, p.name, m.advisor_id, s.name \
            UNION ALL \
            SELECT m.product_id, p.name, 'group', m.group_id, g.name, COUNT(DISTINCT m.customer_id), \
              COUNT(DISTINCT CASE WHEN m.viewed = 1 THEN m.customer_id END), \
              COUNT(DISTINCT CASE WHEN m.viewed = 1 AND m.bought = 1 THEN m.customer_id END) \
              FROM marked m JOIN products p ON p.id = m.product_id JOIN chat_groups g ON g.id = m.group_id \
              WHERE m.group_id <> 0 GROUP BY m.product_id, p.name, m.group_id, g.name";
        type Row = (ProductId, String, String, i64, String, i64, i64, i64);
        let mut rows: Vec<Row> = with_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        let order = |by: &str| ["all", "advisor", "group"].iter().position(|b| *b == by);
        rows.sort_by_key(|r| (r.0, order(&r.2), r.3));
        Ok(rows
            .into_iter()
            .map(|t| FunnelRow {
                product_id: t.0,
                product: t.1,
                by: t.2,
                by_id: t.3,
                by_name: t.4,
                read: t.5,
                viewed: t.6,
                purchased: t.7,
            })
            .collect())
    }

    /// Members of a group, each with what the gate needs.
    pub async fn group_investors(&self, group: domain::GroupId) -> Result<Vec<StoredInvestor>, StoreError> {
        let sql =
            "SELECT customer_id FROM group_members WHERE group_id = $1 AND removed_at IS NULL ORDER BY customer_id";
        let ids: Vec<CustomerId> = with_pool!(self, pool => sqlx::query_scalar(sql).bind(group).fetch_all(pool).await?);
        self.investors(&ids).await
    }

    /// Customers each with what the gate needs: the book's risk level,
    /// horizon, professional flag and birth date, the newest questionnaire
    /// (class, horizon, varieties, valid until) and the newest professional test.
    pub async fn investors(&self, customers: &[CustomerId]) -> Result<Vec<StoredInvestor>, StoreError> {
        type Row = (
            CustomerId,
            domain::RiskLevel,
            Horizon,
            bool,
            chrono::NaiveDate,
            Option<InvestorClass>,
            Option<Horizon>,
            Option<String>,
            Option<DateTime<Utc>>,
            Option<bool>,
            Option<DateTime<Utc>>,
        );
        let mut out = Vec::with_capacity(customers.len());
        for chunk in customers.chunks(crate::book::ROWS_PER_STATEMENT) {
            let rows: Vec<Row> = with_pool!(self, pool => {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT c.id, c.risk_level, c.horizon, c.professional, c.birth_date, a.class, a.horizon, a.varieties, \
                     a.valid_until, t.qualified, t.expires_at FROM customers c \
                     LEFT JOIN risk_assessments a ON a.id = (SELECT MAX(id) FROM risk_assessments r WHERE r.customer_id = c.id) \
                     LEFT JOIN professional_tests t ON t.id = (SELECT MAX(id) FROM professional_tests p WHERE p.customer_id = c.id) \
                     WHERE c.id IN (",
                );
                let mut ids = q.separated(", ");
                for id in chunk {
                    ids.push_bind(*id);
                }
                q.push(") ORDER BY c.id");
                q.build_query_as().fetch_all(pool).await?
            });
            for t in rows {
                out.push(StoredInvestor {
                    customer_id: t.0,
                    risk_level: t.1,
                    horizon: t.2,
                    professional: t.3,
                    birth_date: t.4,
                    assessed: match (t.5, t.6, t.7, t.8) {
                        (Some(class), Some(horizon), Some(v), Some(until)) => {
                            Some((class, horizon, varieties_of(&v)?, until))
                        }
                        _ => None,
                    },
                    professional_test: t.9.zip(t.10),
                });
            }
        }
        Ok(out)
    }
}

/// A change a customer's book went through: a trade or a cash flow, as the
/// permissions' daily assets undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookMovement {
    /// When.
    pub time: DateTime<Utc>,
    /// The instrument, for a trade.
    pub instrument: Option<String>,
    /// Shares added (a sell: negative).
    pub quantity: i64,
    /// Cash added (0.0001 CNY; paid out: negative).
    pub cash: i64,
}

impl Db {
    /// A customer's trades and cash flows from `since` on, oldest first.
    pub async fn movements_since(
        &self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<BookMovement>, StoreError> {
        type TradeRow = (DateTime<Utc>, String, String, i64, i64, i64);
        type FlowRow = (DateTime<Utc>, String, i64);
        let (trades, flows): (Vec<TradeRow>, Vec<FlowRow>) = with_pool!(self, pool => {
            let trades = sqlx::query_as(
                "SELECT t.time, t.instrument, t.side, t.quantity, t.price, t.fee FROM trades t \
                 JOIN accounts a ON a.id = t.account_id WHERE a.customer_id = $1 AND t.time >= $2",
            ).bind(customer).bind(since).fetch_all(pool).await?;
            let flows = sqlx::query_as(
                "SELECT f.time, f.kind, f.amount FROM cash_flows f JOIN accounts a ON a.id = f.account_id \
                 WHERE a.customer_id = $1 AND f.time >= $2",
            ).bind(customer).bind(since).fetch_all(pool).await?;
            (trades, flows)
        });
        let mut out: Vec<BookMovement> = trades
            .into_iter()
            .map(|(time, instrument, side, quantity, price, fee)| {
                let amount = price.saturating_mul(quantity);
                let (quantity, cash) =
                    if side == "buy" { (quantity, -amount - fee) } else { (-quantity, amount - fee) };
                BookMovement { time, instrument: Some(instrument), quantity, cash }
            })
            .collect();
        out.extend(flows.into_iter().map(|(time, kind, amount)| {
            let cash = if matches!(kind.as_str(), "withdrawal" | "fee") { -amount } else { amount };
            BookMovement { time, instrument: None, quantity: 0, cash }
        }));
        out.sort_by_key(|m| m.time);
        Ok(out)
    }

    /// Closes of the given instruments on days from `from` to `to`, and each
    /// one's latest close on record (for days before its first bar in range).
    pub async fn closes_of(
        &self,
        instruments: &[String],
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<(Vec<(String, chrono::NaiveDate, i64)>, Vec<(String, i64)>), StoreError> {
        let mut bars = Vec::new();
        let mut latest = Vec::new();
        for code in instruments {
            let (b, l): (Vec<(String, chrono::NaiveDate, i64)>, Option<i64>) = with_pool!(self, pool => {
                let b = sqlx::query_as(
                    "SELECT instrument, date, close FROM daily_bars WHERE instrument = $1 AND date >= $2 AND date <= $3",
                ).bind(code).bind(from).bind(to).fetch_all(pool).await?;
                let l = sqlx::query_scalar(
                    "SELECT close FROM daily_bars WHERE instrument = $1 AND date < $2 ORDER BY date DESC LIMIT 1",
                ).bind(code).bind(from).fetch_optional(pool).await?;
                let l = match l {
                    Some(c) => Some(c),
                    None => sqlx::query_scalar("SELECT last_close FROM instruments WHERE code = $1")
                        .bind(code).fetch_optional(pool).await?,
                };
                (b, l)
            });
            bars.extend(b);
            latest.extend(l.map(|c| (code.clone(), c)));
        }
        Ok((bars, latest))
    }
}

/// A customer as the gate sees them, read in bulk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvestor {
    /// Who.
    pub customer_id: CustomerId,
    /// The book's risk level.
    pub risk_level: domain::RiskLevel,
    /// The book's horizon.
    pub horizon: Horizon,
    /// The book's professional flag.
    pub professional: bool,
    /// Birth date.
    pub birth_date: chrono::NaiveDate,
    /// The newest questionnaire: class, horizon, varieties, valid until.
    pub assessed: Option<(InvestorClass, Horizon, Vec<Variety>, DateTime<Utc>)>,
    /// The newest professional test: qualified, expires at.
    pub professional_test: Option<(bool, DateTime<Utc>)>,
}
