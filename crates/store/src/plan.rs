//! The advisor's weekly service plan: what planning reads (the advisor's
//! labelled customers, their birthdays and recent reminders), the plan
//! itself, and contacts marked done.

use crate::audit::audited;
use crate::customers::push_scope;
use crate::{with_pool, with_tx, Db, StoreError};
use access::{AuditEntry, Principal};
use chrono::NaiveDate;
use domain::{CustomerId, Outcome, StaffId};
use sqlx::QueryBuilder;

/// One of an advisor's customers, as planning reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    /// Customer id.
    pub customer_id: CustomerId,
    /// Birth date (for birthdays in the week).
    pub birth_date: NaiveDate,
    /// Stored labels (JSON), as `brokerdesk classify` wrote them.
    pub labels: String,
    /// Stored features (JSON).
    pub features: String,
    /// Risk reminders since the day asked for.
    pub recent_reminders: i64,
}

/// One contact of a stored plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    /// Customer id.
    pub customer_id: CustomerId,
    /// Customer's name.
    pub customer: String,
    /// `core_and_dormant`, `maintaining` or `precipitating`.
    pub bucket: String,
    /// Order in the plan, from 1.
    pub rank: i64,
    /// Triggers, comma-separated.
    pub triggers: String,
    /// When it was marked done (RFC 3339).
    pub done_at: Option<String>,
    /// What came of it.
    pub outcome: Option<String>,
}

impl Db {
    /// An advisor's weekly contact hours (none: no such advisor).
    pub async fn contact_hours(&self, advisor_id: StaffId) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT CAST(contact_hours AS BIGINT) FROM staff WHERE id = $1 AND role = 'advisor'";
        Ok(with_pool!(self, pool => sqlx::query_scalar(sql).bind(advisor_id).fetch_optional(pool).await?))
    }

    /// Sets an advisor's weekly contact hours (for plans made from now on),
    /// audited; false when the advisor is not one whose customers are in the principal's scope.
    pub async fn set_contact_hours(
        &self,
        principal: &Principal,
        advisor_id: StaffId,
        hours: i64,
    ) -> Result<bool, StoreError> {
        let mine = self.advisors_in_scope(principal.scope()).await?;
        if !mine.iter().any(|a| a.0 == advisor_id) {
            return Ok(false);
        }
        let entry = AuditEntry {
            actor: principal.actor(),
            action: "set_contact_hours".into(),
            entity: "staff".into(),
            entity_id: advisor_id.to_string(),
            detail: format!("{{\"hours\":{hours}}}"),
        };
        let (changed, _) = audited!(self, &entry, tx => {
            sqlx::query("UPDATE staff SET contact_hours = $1 WHERE id = $2 AND role = 'advisor'")
                .bind(hours)
                .bind(advisor_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        })?;
        Ok(changed == 1)
    }

    /// Advisors whose customers are in `scope`: (id, name), by id.
    pub async fn advisors_in_scope(&self, scope: access::Scope) -> Result<Vec<(StaffId, String)>, StoreError> {
        // A team's customers are counted in `team_figures` (a row per branch and advisor):
        // reading them, rather than probing each advisor's customers for the branch, keeps
        // a manager's list to a few hundred rows (1.9 s at 1M customers before).
        let customers = if matches!(scope, access::Scope::Customer(_)) {
            "customers c WHERE c.advisor_id = s.id"
        } else {
            "team_figures c WHERE c.advisor_id = s.id AND c.customers > 0"
        };
        Ok(with_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!(
                "SELECT s.id, s.name FROM staff s WHERE s.role = 'advisor' AND EXISTS (SELECT 1 FROM {customers}"
            ));
            push_scope(&mut q, scope);
            q.push(") ORDER BY s.id");
            q.build_query_as().fetch_all(pool).await?
        }))
    }

    /// An advisor's labelled customers with their reminders since `since`.
    pub async fn plan_inputs(&self, advisor_id: StaffId, since: NaiveDate) -> Result<Vec<PlanInput>, StoreError> {
        let sql = "SELECT c.id, c.birth_date, l.labels, l.features, \
                   (SELECT COUNT(*) FROM reminders r WHERE r.customer_id = c.id AND r.trading_day >= $2) \
                   FROM customers c JOIN customer_labels l ON l.customer_id = c.id \
                   WHERE c.advisor_id = $1 ORDER BY c.id";
        let rows: Vec<(CustomerId, NaiveDate, String, String, i64)> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(advisor_id).bind(since).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(customer_id, birth_date, labels, features, recent_reminders)| PlanInput {
                customer_id,
                birth_date,
                labels,
                features,
                recent_reminders,
            })
            .collect())
    }

    /// An advisor's plan for the week starting `week_start`, in rank order (empty: none made yet).
    pub async fn plan(&self, advisor_id: StaffId, week_start: NaiveDate) -> Result<Vec<PlanRow>, StoreError> {
        let sql = "SELECT p.customer_id, c.name, p.bucket, CAST(p.rank AS BIGINT), p.triggers, p.done_at, p.outcome \
                   FROM service_plan p JOIN customers c ON c.id = p.customer_id \
                   WHERE p.advisor_id = $1 AND p.week_start = $2 ORDER BY p.rank";
        type Row = (CustomerId, String, String, i64, String, Option<String>, Option<String>);
        let rows: Vec<Row> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(advisor_id).bind(week_start.to_string()).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(customer_id, customer, bucket, rank, triggers, done_at, outcome)| PlanRow {
                customer_id,
                customer,
                bucket,
                rank,
                triggers,
                done_at,
                outcome,
            })
            .collect())
    }

    /// Stores a plan unless the week already has one (a plan, once made, is
    /// what the advisor works through); true when stored.
    pub async fn store_plan(
        &self,
        advisor_id: StaffId,
        week_start: NaiveDate,
        rows: &[(CustomerId, &str, i64, String)],
    ) -> Result<bool, StoreError> {
        let week = week_start.to_string();
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let existing: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM service_plan WHERE advisor_id = $1 AND week_start = $2")
                    .bind(advisor_id)
                    .bind(&week)
                    .fetch_one(&mut *tx)
                    .await?;
            if existing > 0 {
                false
            } else {
                for (customer_id, bucket, rank, triggers) in rows {
                    sqlx::query(
                        "INSERT INTO service_plan (advisor_id, week_start, customer_id, bucket, rank, triggers) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(advisor_id)
                    .bind(&week)
                    .bind(customer_id)
                    .bind(*bucket)
                    .bind(rank)
                    .bind(triggers)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                true
            }
        }))
    }

    /// Marks a planned contact done with its outcome, where the customer is
    /// in the principal's scope; false when there is no such open contact.
    pub async fn complete_contact(
        &self,
        principal: &Principal,
        advisor_id: StaffId,
        week_start: NaiveDate,
        customer_id: CustomerId,
        outcome: &Outcome,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let week = week_start.to_string();
        let open: Option<i64> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT p.customer_id FROM service_plan p JOIN customers c ON c.id = p.customer_id \
                 WHERE p.done_at IS NULL AND p.advisor_id = ",
            );
            q.push_bind(advisor_id).push(" AND p.week_start = ").push_bind(week.clone());
            q.push(" AND p.customer_id = ").push_bind(customer_id);
            push_scope(&mut q, principal.scope());
            q.build_query_scalar().fetch_optional(pool).await?
        });
        if open.is_none() {
            return Ok(false);
        }
        let entry = AuditEntry {
            actor: principal.actor(),
            action: "complete_contact".into(),
            entity: "service_plan".into(),
            entity_id: format!("{advisor_id}/{week}/{customer_id}"),
            detail: "{}".into(),
        };
        // One unit: the contact done, the customer's last contact (the list's
        // figures) and the audit record.
        let mut tx = self.begin().await?;
        let done = with_tx!(tx, conn => {
            sqlx::query(
                "UPDATE service_plan SET done_at = $1, outcome = $2 \
                 WHERE advisor_id = $3 AND week_start = $4 AND customer_id = $5 AND done_at IS NULL",
            )
            .bind(now.to_rfc3339())
            .bind(outcome)
            .bind(advisor_id)
            .bind(&week)
            .bind(customer_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if done == 1 {
            tx.refresh_figures(&[customer_id.0]).await?;
            tx.audit(entry).await?;
            tx.commit().await?;
        }
        Ok(done == 1)
    }
}
