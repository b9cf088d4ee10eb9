//! The advisor's work queue over the API. Staff only; each sees the tasks of
//! the customers in their scope.

use super::input::{JsonBody, QueryParams};
use crate::{AppState, HttpError};
use access::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use domain::{CustomerId, StaffId, TaskId, TaskKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Tasks are the firm's own work, not shown to customers.
/// Which tasks to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TaskParams {
    /// true to include done tasks (default: open only).
    pub done: Option<bool>,
}

/// One task.
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    /// Id.
    pub id: TaskId,
    /// The advisor who does it.
    pub advisor_id: StaffId,
    /// The advisor's name.
    pub advisor: String,
    /// The customer it is for.
    pub customer_id: CustomerId,
    /// The customer's name.
    pub customer: String,
    /// follow_up, care, risk_reminder or question.
    pub kind: TaskKind,
    /// What to do.
    pub title: String,
    /// By when (RFC 3339).
    pub due_at: Option<String>,
    /// Added (RFC 3339).
    pub created_at: String,
    /// Done (RFC 3339), if it is.
    pub done_at: Option<String>,
    /// What came of it.
    pub outcome: Option<String>,
}

impl From<store::TaskRow> for Task {
    fn from(t: store::TaskRow) -> Self {
        Task {
            id: t.id,
            advisor_id: t.advisor_id,
            advisor: t.advisor,
            customer_id: t.customer_id,
            customer: t.customer,
            kind: t.kind,
            title: t.title,
            due_at: t.due_at.map(|d| d.to_rfc3339()),
            created_at: t.created_at.to_rfc3339(),
            done_at: t.done_at.map(|d| d.to_rfc3339()),
            outcome: t.outcome,
        }
    }
}

/// The work queue of the customers in scope, soonest due first.
#[utoipa::path(get, path = "/tasks", params(TaskParams),
    responses((status = 200, body = [Task]), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(params): QueryParams<TaskParams>,
) -> Result<Json<Vec<Task>>, HttpError> {
    let tasks = app::tasks::list(&state.db, &principal, params.done.unwrap_or(false)).await?;
    Ok(Json(tasks.into_iter().map(Task::from).collect()))
}

/// A task to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTask {
    /// The customer it is for; their advisor does it.
    pub customer_id: CustomerId,
    /// follow_up, care, risk_reminder or question.
    #[schema(pattern = "^(follow_up|care|risk_reminder|question)$")]
    pub kind: String,
    /// What to do, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    /// By when: RFC 3339, or YYYY-MM-DD HH:MM:SS in Shanghai time.
    pub due_at: Option<String>,
}

/// The id of a task just added.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTask {
    /// Id.
    pub id: TaskId,
}

/// Adds a task for a customer in scope, for the customer's advisor.
#[utoipa::path(post, path = "/tasks", request_body = NewTask,
    responses((status = 201, body = CreatedTask), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(request): JsonBody<NewTask>,
) -> Result<(StatusCode, Json<CreatedTask>), HttpError> {
    let task = app::tasks::TaskRequest {
        customer_id: request.customer_id,
        kind: request.kind,
        title: request.title,
        due_at: request.due_at,
    };
    let id = app::tasks::create(&state.db, &principal, &task).await?;
    Ok((StatusCode::CREATED, Json(CreatedTask { id })))
}

/// How a task ended.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Completion {
    /// What came of it (up to 500 characters).
    pub outcome: String,
}

/// Marks an open task in scope done.
#[utoipa::path(post, path = "/tasks/{id}/done", params(("id" = i64, Path, description = "Task id")), request_body = Completion,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn done(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<Completion>,
) -> Result<StatusCode, HttpError> {
    let id = crate::params::path_id(&id, "task")?;
    app::tasks::complete(&state.db, &principal, id, &request.outcome).await?;
    Ok(StatusCode::NO_CONTENT)
}
