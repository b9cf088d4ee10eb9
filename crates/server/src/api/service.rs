//! Feedback, complaints and incidents over the API (issue 29). Customers
//! file, add to, close and reopen their own tickets and vote for
//! suggestions; staff file for a customer from the phone or the counter,
//! reply and work their queues; compliance records incidents and decides
//! their notices.

use super::input::{JsonBody, QueryParams};
use crate::{AppState, HttpError};
use access::Principal;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::CustomerId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A ticket to file.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTicket {
    /// complaint or feedback.
    #[schema(pattern = "^(complaint|feedback)$")]
    pub kind: String,
    /// trading, login, quotes, data, advice, fees, product, app or other.
    pub category: String,
    /// A line, 1 to 100 characters.
    pub subject: String,
    /// What happened, 1 to 2,000 characters.
    pub body: String,
    /// Staff: the customer it is for.
    pub customer_id: Option<CustomerId>,
    /// Staff: phone or counter (default phone). A customer's own is online.
    pub channel: Option<String>,
}

/// The id of a ticket or an attachment just made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// Id.
    pub id: i64,
}

/// Which tickets to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TicketParams {
    /// complaint or feedback.
    pub kind: Option<String>,
    /// open, answered or closed.
    pub status: Option<String>,
    /// advisor or complaints.
    pub queue: Option<String>,
    /// manager (escalated to the manager or beyond) or compliance.
    pub level: Option<String>,
    /// One customer's.
    pub customer_id: Option<String>,
    /// true: all, closed ones too (default: the caller's working queue).
    pub all: Option<bool>,
}

/// Text for a reply, a note, a reason.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Said {
    /// The words, 1 to 2,000 characters.
    #[serde(default)]
    pub text: String,
    /// Staff: a note for colleagues only, not shown to the customer.
    #[serde(default)]
    pub internal: bool,
}

/// Closing a ticket.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Closing {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[serde(default)]
    pub satisfaction: i32,
    /// A word, optional.
    #[serde(default)]
    pub comment: String,
}

/// An attachment's name.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AttachmentName {
    /// The file's name.
    pub name: Option<String>,
}

/// What compliance establishes about an incident.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IncidentUpdate {
    /// Started: RFC 3339, or YYYY-MM-DD HH:MM:SS in Shanghai time.
    #[serde(default)]
    pub started_at: String,
    /// Ended, when it has.
    pub ended_at: Option<String>,
    /// Investors affected (default: those who complained or reported it).
    pub affected_investors: Option<i64>,
    /// What happened.
    #[serde(default)]
    pub summary: String,
}

/// An incident's grade after an update.
#[derive(Debug, Serialize, ToSchema)]
pub struct Graded {
    /// below_threshold, general, larger, major or particularly_major.
    pub grade: String,
}

/// Compliance's decision on a notice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoticeDecision {
    /// true: it goes to the affected groups.
    #[serde(default)]
    pub approve: bool,
}

/// Where an approved notice went.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeSent {
    /// Groups it went to.
    pub groups: usize,
}

fn ticket_id(id: &str) -> Result<i64, HttpError> {
    crate::params::path_id(id, "ticket")
}

fn incident_id(id: &str) -> Result<i64, HttpError> {
    crate::params::path_id(id, "incident")
}

/// Tickets: a customer's own; staff's working queue (or, with `all`, everything in scope).
#[utoipa::path(get, path = "/tickets", params(TicketParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(p): QueryParams<TicketParams>,
) -> Result<Json<Vec<store::TicketRow>>, HttpError> {
    let mut filter = if p.all.unwrap_or(false) {
        store::TicketFilter { limit: 500, ..Default::default() }
    } else {
        app::service::ServiceDesk::default_filter(&principal)
    };
    filter.kind = p.kind.or(filter.kind);
    filter.status = p.status;
    filter.queue = p.queue.or(filter.queue);
    filter.level_at_least = p.level;
    filter.customer_id =
        p.customer_id.as_deref().map(|c| crate::params::path_id::<CustomerId>(c, "customer")).transpose()?;
    Ok(Json(state.service.list(&principal, filter).await?))
}

/// Files a complaint or a suggestion.
#[utoipa::path(post, path = "/tickets", request_body = NewTicket,
    responses((status = 201, body = Created), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(r): JsonBody<NewTicket>,
) -> Result<(StatusCode, Json<Created>), HttpError> {
    let filing = app::service::Filing {
        customer_id: r.customer_id,
        kind: r.kind,
        category: r.category,
        channel: r.channel,
        subject: r.subject,
        body: r.body,
    };
    let id = state.service.file(&principal, &filing).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A ticket, its steps (a customer sees the public ones) and attachments.
#[utoipa::path(get, path = "/tickets/{ticket}", params(("ticket" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<app::service::TicketView>, HttpError> {
    Ok(Json(state.service.show(&principal, ticket_id(&id)?).await?))
}

/// Staff reply (or note internally).
#[utoipa::path(post, path = "/tickets/{ticket}/replies", params(("ticket" = i64, Path, description = "Ticket id")), request_body = Said,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Said>,
) -> Result<StatusCode, HttpError> {
    state.service.reply(&principal, ticket_id(&id)?, &r.text, r.internal).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer adds to their ticket.
#[utoipa::path(post, path = "/tickets/{ticket}/notes", params(("ticket" = i64, Path, description = "Ticket id")), request_body = Said,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn note(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Said>,
) -> Result<StatusCode, HttpError> {
    state.service.add_note(&principal, ticket_id(&id)?, &r.text).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer closes their ticket with their satisfaction.
#[utoipa::path(post, path = "/tickets/{ticket}/close", params(("ticket" = i64, Path, description = "Ticket id")), request_body = Closing,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Closing>,
) -> Result<StatusCode, HttpError> {
    state.service.close(&principal, ticket_id(&id)?, r.satisfaction, &r.comment).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer reopens their ticket.
#[utoipa::path(post, path = "/tickets/{ticket}/reopen", params(("ticket" = i64, Path, description = "Ticket id")), request_body = Said,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Said>,
) -> Result<StatusCode, HttpError> {
    state.service.reopen(&principal, ticket_id(&id)?, &r.text).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Attaches a file: the body is its bytes (an image, a PDF or text, within the size limit).
#[utoipa::path(post, path = "/tickets/{ticket}/attachments", params(("ticket" = i64, Path, description = "Ticket id"), AttachmentName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Created), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn attach(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    QueryParams(p): QueryParams<AttachmentName>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Created>), HttpError> {
    // Past the server's body limit (2 MiB) the file is refused in our error's shape.
    let body = body.map_err(|_| HttpError::of(crate::error::codes::BODY_TOO_LARGE))?;
    let name = p.name.unwrap_or_default();
    let seq = state.service.attach(&principal, ticket_id(&id)?, &name, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id: seq })))
}

/// An attachment's bytes, as a download.
#[utoipa::path(get, path = "/tickets/{ticket}/attachments/{attachment}",
    params(("ticket" = i64, Path, description = "Ticket id"), ("attachment" = i64, Path, description = "Attachment number")),
    responses((status = 200, description = "The file"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn attachment(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((id, seq)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let seq: i64 = crate::params::path_id(&seq, "attachment")?;
    let (name, media, bytes) = state.service.attachment(&principal, ticket_id(&id)?, seq).await?;
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, media.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// A customer votes for a suggestion.
#[utoipa::path(post, path = "/tickets/{ticket}/vote", params(("ticket" = i64, Path, description = "Ticket id")),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    state.service.vote(&principal, ticket_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The product team (admin) adopts a suggestion: a public note, its author's points.
#[utoipa::path(post, path = "/tickets/{ticket}/adopt", params(("ticket" = i64, Path, description = "Ticket id")), request_body = Said,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn adopt(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Said>,
) -> Result<StatusCode, HttpError> {
    state.service.adopt(&principal, ticket_id(&id)?, &r.text).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The suggestions board: every suggestion, adopted ones first, then by votes.
#[utoipa::path(get, path = "/feedback", responses((status = 200, body = Object)))]
pub async fn board(State(state): State<AppState>) -> Result<Json<Vec<store::TicketRow>>, HttpError> {
    Ok(Json(state.service.board().await?))
}

/// Incidents, newest first (staff).
#[utoipa::path(get, path = "/incidents", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn incidents(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<store::IncidentRow>>, HttpError> {
    Ok(Json(state.service.incidents(&principal).await?))
}

/// An incident, its report timeline with deadlines, and what is linked to it (staff).
#[utoipa::path(get, path = "/incidents/{incident}", params(("incident" = i64, Path, description = "Incident id")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn incident(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<app::service::IncidentView>, HttpError> {
    Ok(Json(state.service.incident(&principal, incident_id(&id)?).await?))
}

/// Compliance records an incident's times, investors and summary; the grade follows.
#[utoipa::path(post, path = "/incidents/{incident}", params(("incident" = i64, Path, description = "Incident id")), request_body = IncidentUpdate,
    responses((status = 200, body = Graded), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn update_incident(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<IncidentUpdate>,
) -> Result<Json<Graded>, HttpError> {
    let id = incident_id(&id)?;
    // Whose first: an incident out of reach is refused before its body is read.
    state.service.incident(&principal, id).await?;
    let started_at = domain::parse_timestamp("started_at", &r.started_at)?;
    let ended_at = r.ended_at.as_deref().map(|e| domain::parse_timestamp("ended_at", e)).transpose()?;
    let facts = app::service::IncidentFacts {
        started_at,
        ended_at,
        affected_investors: r.affected_investors,
        summary: r.summary,
    };
    let grade = state.service.update_incident(&principal, id, &facts).await?;
    Ok(Json(Graded { grade: grade.as_str().into() }))
}

/// Staff draft the notice to the affected groups; it waits for compliance.
#[utoipa::path(post, path = "/incidents/{incident}/notice", params(("incident" = i64, Path, description = "Incident id")), request_body = Said,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn draft_notice(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<Said>,
) -> Result<StatusCode, HttpError> {
    state.service.draft_notice(&principal, incident_id(&id)?, &r.text).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Compliance approves (it goes out to the affected groups) or rejects the notice.
#[utoipa::path(post, path = "/incidents/{incident}/notice/decision", params(("incident" = i64, Path, description = "Incident id")),
    request_body = NoticeDecision,
    responses((status = 200, body = NoticeSent), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn decide_notice(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<NoticeDecision>,
) -> Result<Json<NoticeSent>, HttpError> {
    let groups = state.service.decide_notice(&principal, incident_id(&id)?, r.approve, &state.community).await?;
    Ok(Json(NoticeSent { groups }))
}
