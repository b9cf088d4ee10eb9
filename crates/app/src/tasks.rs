//! The advisor's work queue: tasks for customers in the asker's scope. Staff
//! only; the API and the pages call these same functions, so they answer alike.

use crate::{codes, Error};
use access::{Principal, Role};
use chrono::{DateTime, Utc};
use domain::{CustomerId, Outcome, TaskId, TaskKind, TaskTitle};
use store::{Db, NewTask, TaskRow};

/// The longest task title and outcome, in characters.
pub const MAX_TITLE: usize = TaskTitle::MAX;
/// The longest outcome, in characters.
pub const MAX_OUTCOME: usize = Outcome::MAX;

/// The work queue is staff's.
pub fn staff_only(principal: &Principal) -> Result<(), Error> {
    if principal.role == Role::Customer {
        return Err(codes::STAFF_ONLY.refuse().with("what", "work_queue").into());
    }
    Ok(())
}

/// The tasks of the customers in scope, soonest due first; done ones too when asked.
pub async fn list(db: &Db, principal: &Principal, include_done: bool) -> Result<Vec<TaskRow>, Error> {
    staff_only(principal)?;
    Ok(db.tasks(principal.scope(), include_done).await?)
}

/// A task as asked for: the kind's word, a title, a due time if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRequest {
    /// The customer it is for.
    pub customer_id: CustomerId,
    /// follow_up, care, risk_reminder or question.
    pub kind: String,
    /// What to do.
    pub title: String,
    /// When (RFC 3339, or Beijing time YYYY-MM-DD HH:MM:SS).
    pub due_at: Option<String>,
}

/// Makes a task for a customer in scope, assigned to their advisor; its id.
pub async fn create(db: &Db, principal: &Principal, request: &TaskRequest) -> Result<TaskId, Error> {
    staff_only(principal)?;
    let kind: TaskKind = request.kind.parse().map_err(domain::Refusal::from)?;
    let title = TaskTitle::parse(&request.title)?;
    let due_at: Option<DateTime<Utc>> = request
        .due_at
        .as_deref()
        .map(|d| domain::parse_timestamp("due_at", d))
        .transpose()
        .map_err(domain::Refusal::from)?;
    let task = NewTask { customer_id: request.customer_id, kind, title, due_at };
    db.create_task(principal, &task).await?.ok_or_else(|| codes::CUSTOMER_NOT_FOUND.refuse().on("customer_id").into())
}

/// Marks an open task in scope done, with what came of it (1 to 500 characters).
pub async fn complete(db: &Db, principal: &Principal, id: TaskId, outcome: &str) -> Result<TaskRow, Error> {
    staff_only(principal)?;
    let outcome = Outcome::parse(outcome)?;
    if !db.complete_task(principal, id, &outcome).await? {
        return Err(codes::TASK_NOT_FOUND.refuse().into());
    }
    let done = db.tasks(principal.scope(), true).await?;
    done.into_iter().find(|t| t.id == id).ok_or_else(|| codes::TASK_NOT_FOUND.refuse().into())
}
