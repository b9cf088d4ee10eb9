//! The advisor's work queue: tasks for customers, seen through the same
//! row-level scope as the customers they are for.

use crate::audit::audited;
use crate::customers::push_scope;
use crate::{with_pool, Db, StoreError};
use access::{AuditEntry, Principal, Scope};
use chrono::{DateTime, Utc};
use domain::{CustomerId, Outcome, StaffId, TaskId, TaskKind, TaskTitle};
use serde::Serialize;
use sqlx::QueryBuilder;

/// A task to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// The customer it is for; the customer's advisor does it.
    pub customer_id: CustomerId,
    /// Why.
    pub kind: TaskKind,
    /// What to do, in a line.
    pub title: TaskTitle,
    /// By when, if it has a date.
    pub due_at: Option<DateTime<Utc>>,
}

/// A task as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRow {
    /// Id.
    pub id: TaskId,
    /// The advisor who does (or did) it.
    pub advisor_id: StaffId,
    /// The advisor's name.
    pub advisor: String,
    /// The customer it is for.
    pub customer_id: CustomerId,
    /// The customer's name.
    pub customer: String,
    /// Why.
    pub kind: TaskKind,
    /// What to do.
    pub title: String,
    /// By when.
    pub due_at: Option<DateTime<Utc>>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was done, if it was.
    pub done_at: Option<DateTime<Utc>>,
    /// What came of it.
    pub outcome: Option<String>,
}

type TaskTuple = (
    TaskId,
    StaffId,
    String,
    CustomerId,
    String,
    TaskKind,
    String,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
);

/// Tasks listed at most per call.
const TASK_PAGE: i64 = 500;

impl Db {
    /// Adds a task for a customer in the principal's scope, assigned to the
    /// customer's advisor; None when the customer is not in scope.
    pub async fn create_task(&self, principal: &Principal, task: &NewTask) -> Result<Option<TaskId>, StoreError> {
        let now = self.now();
        let advisor: Option<StaffId> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new("SELECT c.advisor_id FROM customers c WHERE c.id = ");
            q.push_bind(task.customer_id);
            push_scope(&mut q, principal.scope());
            q.build_query_scalar().fetch_optional(pool).await?
        });
        let Some(advisor) = advisor else { return Ok(None) };
        let (id, _) = audited!(self, tx => {
            let id: TaskId = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM tasks").fetch_one(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO tasks (id, advisor_id, customer_id, kind, title, due_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(advisor)
            .bind(task.customer_id)
            .bind(task.kind.as_str())
            .bind(&task.title)
            .bind(task.due_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            id
        }, |id| AuditEntry {
            actor: principal.actor(),
            action: "create_task".into(),
            entity: "tasks".into(),
            entity_id: id.to_string(),
            detail: serde_json::json!({ "customer": task.customer_id, "kind": task.kind.as_str() }).to_string(),
        })?;
        Ok(Some(id))
    }

    /// Tasks for customers in scope, open ones only unless `include_done`,
    /// soonest due first.
    pub async fn tasks(&self, scope: Scope, include_done: bool) -> Result<Vec<TaskRow>, StoreError> {
        let rows: Vec<TaskTuple> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT t.id, t.advisor_id, s.name, t.customer_id, c.name, t.kind, t.title, t.due_at, t.created_at, \
                 t.done_at, t.outcome FROM tasks t JOIN customers c ON c.id = t.customer_id \
                 JOIN staff s ON s.id = t.advisor_id WHERE 1 = 1",
            );
            push_scope(&mut q, scope);
            if !include_done {
                q.push(" AND t.done_at IS NULL");
            }
            q.push(" ORDER BY t.done_at IS NOT NULL, COALESCE(t.due_at, t.created_at), t.id LIMIT ").push_bind(TASK_PAGE);
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|t| TaskRow {
                id: t.0,
                advisor_id: t.1,
                advisor: t.2,
                customer_id: t.3,
                customer: t.4,
                kind: t.5,
                title: t.6,
                due_at: t.7,
                created_at: t.8,
                done_at: t.9,
                outcome: t.10,
            })
            .collect())
    }

    /// Marks an open task in scope done with its outcome; false when there is
    /// no such open task in scope.
    pub async fn complete_task(
        &self,
        principal: &Principal,
        id: TaskId,
        outcome: &Outcome,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let open: Option<TaskId> = with_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT t.id FROM tasks t JOIN customers c ON c.id = t.customer_id WHERE t.done_at IS NULL AND t.id = ",
            );
            q.push_bind(id);
            push_scope(&mut q, principal.scope());
            q.build_query_scalar().fetch_optional(pool).await?
        });
        if open.is_none() {
            return Ok(false);
        }
        let entry = AuditEntry {
            actor: principal.actor(),
            action: "complete_task".into(),
            entity: "tasks".into(),
            entity_id: id.to_string(),
            detail: "{}".into(),
        };
        let (done, _) = audited!(self, &entry, tx => {
            sqlx::query("UPDATE tasks SET done_at = $1, outcome = $2 WHERE id = $3 AND done_at IS NULL")
                .bind(now)
                .bind(outcome)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        })?;
        Ok(done == 1)
    }
}
