//! Advisor communities over the API: groups and admission, the chat's
//! history and sending, moderation with appeals and reports, the question
//! queue and response times, seed users and follow-ups. Handlers parse and
//! hand over to `app::community`, which applies the rules and the scope.

use super::input::{JsonBody, QueryParams};
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Principal;
use app::community::{ChatMessage, Draft, Posted};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::{CustomerId, MessageId, StaffId};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

type Answer = Result<Json<Value>, HttpError>;

fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

/// A group to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGroup {
    /// 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60, pattern = "\\S")]
    pub name: String,
    /// What the group is for, at most 1,000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub description: String,
    /// Content rules as JSON (`guaranteed_returns`, `insider_tips`, `pushing_phrases`, `max_stock_codes`,
    /// `flood_messages`, `flood_seconds`, `stocks_only_in_trading_hours`); the firm's defaults when absent.
    pub rules: Option<Value>,
    /// Most members, 1 to 10,000 (default 500).
    #[schema(minimum = 1, maximum = 10000)]
    pub capacity: Option<i64>,
}

/// The groups the caller runs, oversees or is in; for a customer also their advisor's others.
#[utoipa::path(get, path = "/groups", responses((status = 200, body = Object)))]
pub async fn list(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> Answer {
    let (mine, open) = state.community.groups_of(&principal).await?;
    Ok(Json(json!({ "groups": mine, "open_to_apply": open })))
}

/// An advisor makes a group.
#[utoipa::path(post, path = "/groups", request_body = NewGroup,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(request): JsonBody<NewGroup>,
) -> Result<Response, HttpError> {
    let rules = request.rules.map(|r| r.to_string());
    let id = state
        .community
        .create_group(&principal, &request.name, &request.description, rules.as_deref(), request.capacity)
        .await?;
    Ok(created(json!({ "id": id })))
}

/// One group: its rules, pinned notices, where the caller stands.
#[utoipa::path(get, path = "/groups/{group}", params(("group" = i64, Path, description = "Group id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
) -> Answer {
    let (group, standing) = state.community.group_for(&principal, path_id(&group, "group")?).await?;
    let pinned: Vec<ChatMessage> = state.db.pinned_messages(group.id).await?.iter().map(ChatMessage::from).collect();
    let admins = state.db.group_admins(group.id).await?;
    Ok(Json(json!({ "group": group, "co_admins": admins, "pinned": pinned, "admin": standing.is_admin() })))
}

/// The members of a group (its staff only).
#[utoipa::path(get, path = "/groups/{group}/members", params(("group" = i64, Path, description = "Group id")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
) -> Answer {
    let members = state.community.members(&principal, path_id(&group, "group")?).await?;
    Ok(Json(json!({ "members": members })))
}

/// A co-admin to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CoAdmin {
    /// A member of staff.
    pub staff_id: StaffId,
}

/// The group's advisor names a co-admin (at most three).
#[utoipa::path(post, path = "/groups/{group}/admins", params(("group" = i64, Path, description = "Group id")), request_body = CoAdmin,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn add_admin(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    JsonBody(request): JsonBody<CoAdmin>,
) -> Result<StatusCode, HttpError> {
    state.community.add_co_admin(&principal, path_id(&group, "group")?, request.staff_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An application's words.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Application {
    /// A note to the advisor.
    #[serde(default)]
    pub note: String,
}

/// A customer applies to a group; refused at once (with why) when admission cannot allow it.
#[utoipa::path(post, path = "/groups/{group}/applications", params(("group" = i64, Path, description = "Group id")), request_body = Application,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    JsonBody(request): JsonBody<Application>,
) -> Result<Response, HttpError> {
    let id = state.community.apply(&principal, path_id(&group, "group")?, &request.note).await?;
    Ok(created(json!({ "id": id, "status": "pending" })))
}

/// Which applications to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ApplicationParams {
    /// pending (default), approved, rejected or all.
    pub status: Option<String>,
}

/// A group's admission queue (its admins).
#[utoipa::path(get, path = "/groups/{group}/applications", params(("group" = i64, Path, description = "Group id"), ApplicationParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn applications(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    QueryParams(params): QueryParams<ApplicationParams>,
) -> Answer {
    let group = path_id(&group, "group")?;
    let applications = state.community.applications(&principal, group, params.status.as_deref()).await?;
    Ok(Json(json!({ "applications": applications })))
}

/// An admin's decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Decision {
    /// true to admit.
    pub approve: bool,
    /// Why (required to reject); the customer sees it.
    #[serde(default)]
    pub reason: String,
}

/// An admin approves or rejects an application.
#[utoipa::path(post, path = "/applications/{application}/decision", params(("application" = i64, Path, description = "Application id")), request_body = Decision,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(application): Path<String>,
    JsonBody(request): JsonBody<Decision>,
) -> Result<StatusCode, HttpError> {
    let id = path_id(&application, "application")?;
    state.community.decide_application(&principal, id, request.approve, &request.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How long an invite lasts.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteRequest {
    /// Days, 1 to 30 (default 7).
    #[schema(minimum = 1, maximum = 30)]
    pub days: Option<i64>,
}

/// An admin makes an invite link.
#[utoipa::path(post, path = "/groups/{group}/invites", params(("group" = i64, Path, description = "Group id")), request_body = InviteRequest,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    JsonBody(request): JsonBody<InviteRequest>,
) -> Result<Response, HttpError> {
    let (token, expires_at) = state.community.invite(&principal, path_id(&group, "group")?, request.days).await?;
    Ok(created(json!({ "token": token, "link": format!("/join/{token}"), "expires_at": expires_at.to_rfc3339() })))
}

/// A customer follows an invite link: admitted at once, or refused with why.
#[utoipa::path(post, path = "/invites/{token}/accept", params(("token" = String, Path, description = "Invite token")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn accept_invite(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(token): Path<String>,
) -> Answer {
    let group = state.community.accept_invite(&principal, &token).await?;
    Ok(Json(json!({ "group_id": group })))
}

/// A ban from all of an advisor's groups.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Ban {
    /// The customer.
    pub customer_id: CustomerId,
    /// Why.
    #[schema(pattern = "\\S")]
    pub reason: String,
}

/// An admin bans a customer from every group of the group's advisor.
#[utoipa::path(post, path = "/groups/{group}/bans", params(("group" = i64, Path, description = "Group id")), request_body = Ban,
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn ban(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    JsonBody(request): JsonBody<Ban>,
) -> Answer {
    let left = state.community.ban(&principal, path_id(&group, "group")?, request.customer_id, &request.reason).await?;
    Ok(Json(json!({ "removed_from": left })))
}

/// A page of history.
#[derive(Debug, Deserialize, IntoParams)]
pub struct HistoryParams {
    /// Messages after this id, oldest first (to catch up).
    pub after: Option<MessageId>,
    /// Messages before this id (to page back); the newest when neither is given.
    pub before: Option<MessageId>,
    /// At most this many, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// A group's chat history, oldest first within the page.
#[utoipa::path(get, path = "/groups/{group}/messages", params(("group" = i64, Path, description = "Group id"), HistoryParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    QueryParams(params): QueryParams<HistoryParams>,
) -> Answer {
    let group = path_id(&group, "group")?;
    let limit = params.limit.unwrap_or(100);
    let rows = state.community.history(&principal, group, params.after, params.before, limit).await?;
    let messages: Vec<ChatMessage> = rows.iter().map(ChatMessage::from).collect();
    Ok(Json(json!({ "messages": messages })))
}

/// A message to send.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendMessage {
    /// 1 to 2,000 characters; @name mentions a member.
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub text: String,
    /// The message of this group it replies to.
    pub reply_to: Option<MessageId>,
    /// Asked as a question (questions are also detected).
    #[serde(default)]
    pub question: bool,
    /// An advisor sends a message naming a product unsuitable for some members, after the warning.
    #[serde(default)]
    pub confirm_unsuitable: bool,
}

/// Sends a message: 201 with the message, or 422 when the group's rules stop it (with the sanction).
#[utoipa::path(post, path = "/groups/{group}/messages", params(("group" = i64, Path, description = "Group id")), request_body = SendMessage,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody, description = "message_blocked: the group's rules stopped it; details name the rule, the words, the sanction and the action to appeal")))]
pub async fn send(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    JsonBody(request): JsonBody<SendMessage>,
) -> Result<Response, HttpError> {
    let draft = Draft {
        text: request.text,
        reply_to: request.reply_to,
        question: request.question,
        confirm_unsuitable: request.confirm_unsuitable,
    };
    match state.community.post(&principal, path_id(&group, "group")?, &draft).await? {
        Posted::Sent(row) => Ok(created(json!(ChatMessage::from(&row)))),
        Posted::Blocked(b) => Err(b.refusal().into()),
    }
}

/// Pinned or not.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Pin {
    /// true to pin as a notice.
    pub pinned: bool,
}

/// An admin pins or unpins a notice.
#[utoipa::path(post, path = "/groups/{group}/messages/{message}/pin",
    params(("group" = i64, Path, description = "Group id"), ("message" = i64, Path, description = "Message id")), request_body = Pin,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn pin(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((group, message)): Path<(String, String)>,
    JsonBody(request): JsonBody<Pin>,
) -> Result<StatusCode, HttpError> {
    let (group, message) = (path_id(&group, "group")?, path_id(&message, "message")?);
    state.community.pin(&principal, group, message, request.pinned).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A report's reason.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Report {
    /// Why, 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub reason: String,
}

/// A member reports a message to the group's admins.
#[utoipa::path(post, path = "/messages/{message}/reports", params(("message" = i64, Path, description = "Message id")), request_body = Report,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(message): Path<String>,
    JsonBody(request): JsonBody<Report>,
) -> Result<Response, HttpError> {
    let id = state.community.report(&principal, path_id(&message, "message")?, &request.reason).await?;
    Ok(created(json!({ "id": id })))
}

/// A group's moderation log, newest first; its members read it too.
#[utoipa::path(get, path = "/groups/{group}/moderation", params(("group" = i64, Path, description = "Group id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn moderation_log(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
) -> Answer {
    let (group, _) = state.community.group_for(&principal, path_id(&group, "group")?).await?;
    Ok(Json(json!({ "actions": state.db.moderation_log(group.id, 500).await? })))
}

/// A sanction by hand.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ManualSanction {
    /// warn, mute_hour, mute_day or remove.
    #[schema(pattern = "^(warn|mute_hour|mute_day|remove)$")]
    pub sanction: String,
    /// Why; the member sees it.
    #[schema(pattern = "\\S")]
    pub reason: String,
}

/// An admin sanctions a member.
#[utoipa::path(post, path = "/groups/{group}/members/{customer}/sanctions",
    params(("group" = i64, Path, description = "Group id"), ("customer" = i64, Path, description = "Member's customer id")), request_body = ManualSanction,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn sanction(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((group, customer)): Path<(String, String)>,
    JsonBody(request): JsonBody<ManualSanction>,
) -> Result<Response, HttpError> {
    let (group, customer) = (path_id(&group, "group")?, path_id(&customer, "customer")?);
    let id = state.community.sanction_member(&principal, group, customer, &request.sanction, &request.reason).await?;
    Ok(created(json!({ "action_id": id })))
}

/// An appeal's words.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Appeal {
    /// Why the member thinks it was wrong, 1 to 1,000 characters.
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub text: String,
}

/// The sanctioned member appeals.
#[utoipa::path(post, path = "/moderation/{action}/appeal", params(("action" = i64, Path, description = "Moderation action id")), request_body = Appeal,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn appeal(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(action): Path<String>,
    JsonBody(request): JsonBody<Appeal>,
) -> Result<StatusCode, HttpError> {
    state.community.appeal(&principal, path_id(&action, "action")?, &request.text).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An admin's review of an action.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Review {
    /// true overturns it (lifts its mute or removal).
    pub overturn: bool,
    /// Why; the member sees it.
    #[schema(pattern = "\\S")]
    pub note: String,
}

/// An admin upholds or overturns an action.
#[utoipa::path(post, path = "/moderation/{action}/review", params(("action" = i64, Path, description = "Moderation action id")), request_body = Review,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(action): Path<String>,
    JsonBody(request): JsonBody<Review>,
) -> Result<StatusCode, HttpError> {
    state.community.review(&principal, path_id(&action, "action")?, request.overturn, &request.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A group's open reports (its admins).
#[utoipa::path(get, path = "/groups/{group}/reports", params(("group" = i64, Path, description = "Group id")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
) -> Answer {
    let reports = state.community.open_reports(&principal, path_id(&group, "group")?).await?;
    Ok(Json(json!({ "reports": reports })))
}

/// How a report ends.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Resolution {
    /// dismiss, warn, mute_hour, mute_day or remove.
    pub outcome: String,
    /// What was decided.
    pub note: String,
}

/// An admin resolves a report.
#[utoipa::path(post, path = "/reports/{report}/resolve", params(("report" = i64, Path, description = "Report id")), request_body = Resolution,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(report): Path<String>,
    JsonBody(request): JsonBody<Resolution>,
) -> Result<StatusCode, HttpError> {
    state.community.resolve_report(&principal, path_id(&report, "report")?, &request.outcome, &request.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unanswered questions past their time: an advisor's after 15 service minutes, a manager's branch after 2 service hours.
#[utoipa::path(get, path = "/questions", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn questions(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> Answer {
    let queue = state.community.question_queue(&principal, state.db.now()).await?;
    Ok(Json(json!({ "questions": queue })))
}

/// An answer to accept.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Accept {
    /// A member's reply to the question.
    pub answer_id: MessageId,
}

/// An admin accepts a member's reply as the answer.
#[utoipa::path(post, path = "/questions/{question}/accept", params(("question" = i64, Path, description = "The question's message id")), request_body = Accept,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(question): Path<String>,
    JsonBody(request): JsonBody<Accept>,
) -> Result<StatusCode, HttpError> {
    state.community.accept_answer(&principal, path_id(&question, "question")?, request.answer_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Over how many days.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DaysParams {
    /// 1 to 365 (default 30).
    pub days: Option<i64>,
}

fn days(d: Option<i64>) -> Result<i64, HttpError> {
    let d = d.unwrap_or(30);
    if (1..=365).contains(&d) {
        Ok(d)
    } else {
        Err(HttpError::of(domain::codes::OUT_OF_RANGE).on("days").with("value", d).with("min", 1).with("max", 365))
    }
}

/// Response-time percentiles (service minutes) per advisor and per group.
#[utoipa::path(get, path = "/questions/response-times", params(DaysParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn response_times(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryParams(params): QueryParams<DaysParams>,
) -> Answer {
    let since = state.db.now() - chrono::Duration::days(days(params.days)?);
    Ok(Json(json!({ "response_times": state.community.response_times(&principal, since).await? })))
}

/// A group's seed users with their reasons (its staff).
#[utoipa::path(get, path = "/groups/{group}/seeds", params(("group" = i64, Path, description = "Group id"), DaysParams),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn seeds(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(group): Path<String>,
    QueryParams(params): QueryParams<DaysParams>,
) -> Answer {
    let seeds = state.community.seeds(&principal, path_id(&group, "group")?, days(params.days)?).await?;
    Ok(Json(json!({ "seeds": seeds })))
}

/// A customer to follow up.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FollowUp {
    /// One of the advisor's customers.
    pub customer_id: CustomerId,
    /// Why, 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub note: String,
}

/// The advisor's private follow-up list.
#[utoipa::path(get, path = "/follow-ups", responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn follow_ups(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> Answer {
    Ok(Json(json!({ "follow_ups": state.community.follow_ups(&principal).await? })))
}

/// Adds a customer to the advisor's follow-up list.
#[utoipa::path(post, path = "/follow-ups", request_body = FollowUp,
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn add_follow_up(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(request): JsonBody<FollowUp>,
) -> Result<StatusCode, HttpError> {
    state.community.follow_up(&principal, request.customer_id, &request.note).await?;
    Ok(StatusCode::NO_CONTENT)
}
