//! Advisor communities on pages: the groups list, a group's chat (kept live
//! over a WebSocket that resumes from the last message seen), the admission
//! queue with invite links, the moderation log with appeals and reports,
//! joining by invite, and the question queue with response times.

use super::layout::{page, PageError, PageQuery};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::i18n::{Locale, ReaderLocale};
use crate::params::path_id;
use crate::peer::PeerWriter;
use crate::{AppState, HttpError};
use access::{Principal, Role};
use app::community::hub::{Ended, Subscription};
use app::community::{ChatMessage, Draft, Posted, Standing};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::to_shanghai;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;
use store::{GroupRow, MessageRow};

/// Messages a chat page shows before the socket takes over.
const PAGE_HISTORY: i64 = 50;
/// A chat socket's read buffer, bytes.
const SOCKET_BUFFER: usize = 4 * 1024;
/// The largest frame a client may send (a message is at most 2,000 characters).
const MAX_FRAME: usize = 64 * 1024;
/// Messages a member's socket may send at once: faster than anyone types, so
/// only a flooding client meets the limit, and its excess never reaches the database.
const SOCKET_BURST: u32 = 10;
/// Messages per second a member's socket may send after its burst.
const SOCKET_RATE: u32 = 2;
/// Messages a reconnecting socket catches up per read.
const CATCH_UP_PAGE: i64 = 500;
/// How long a dropped socket's closing frame may wait behind what its client has not read.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    to_shanghai(t).format("%m-%d %H:%M").to_string()
}

/// The answer to an htmx form: the fragment, or the error said in place
/// (the page lets 4xx answers swap in, so the user sees why).
pub(crate) fn form_reply(locale: Locale, result: Result<Markup, HttpError>) -> Response {
    match result {
        Ok(markup) => markup.into_response(),
        Err(e) => {
            let message = e.said(locale);
            let answer = e.into_response(); // the status, and the log line of an internal error
            (answer.status(), html! { p.error role="alert" data-code=(answer_code(&answer)) { (message) } })
                .into_response()
        }
    }
}

/// The stable code an error answer carries, for the page's markup.
fn answer_code(answer: &Response) -> &'static str {
    answer.extensions().get::<crate::error::Answered>().map_or("", |a| a.0)
}

/// The answer to an htmx form whose change shows in the page's lists: a
/// reload when it was made, or the error said in place.
pub(crate) fn refreshed(locale: Locale, result: Result<(), HttpError>) -> Response {
    match result {
        Ok(()) => ([("HX-Refresh", "true")], StatusCode::NO_CONTENT).into_response(),
        Err(e) => form_reply(locale, Err(e)),
    }
}

fn message_item(locale: Locale, m: &MessageRow) -> Markup {
    html! {
        li.message.(m.sender_kind) id={ "m-" (m.id) } data-id=(m.id) {
            span.sender { @if m.sender_kind == "system" { (locale.t("chat-system")) } @else { (m.sender_name) } }
            " " span.when { (when(m.at)) } " "
            @if let Some(r) = m.reply_to { a.reply-to href={ "#m-" (r) } { "↩ " (r) } " " }
            span.body { (m.body) }
        }
    }
}

fn group_links(locale: Locale, g: &GroupRow, standing: Standing) -> Markup {
    let lang = locale.tag();
    html! {
        nav.group-links {
            a href={ "/groups/" (g.id) "?lang=" (lang) } { (locale.t("chat-title")) } " · "
            a href={ "/groups/" (g.id) "/moderation?lang=" (lang) } { (locale.t("moderation-title")) }
            @if standing.is_admin() {
                " · " a href={ "/groups/" (g.id) "/admission?lang=" (lang) } { (locale.t("admission-title")) }
            }
        }
    }
}

/// The group's published rules, in words.
fn rules_view(locale: Locale, g: &GroupRow) -> Markup {
    let rules: community::moderation::GroupRules = serde_json::from_str(&g.rules).unwrap_or_default();
    let words = |list: &[String]| list.join(" / ");
    html! {
        details.rules {
            summary { (locale.t("rules-title")) }
            ul {
                li { (locale.t("violation-guaranteed_returns")) ": " (words(&rules.guaranteed_returns)) }
                li { (locale.t("violation-insider_tip")) ": " (words(&rules.insider_tips)) }
                li { (locale.t("violation-off_platform_contact")) " · " (locale.t("violation-external_link")) }
                li { (locale.t("violation-stock_pushing")) ": " (words(&rules.pushing_phrases)) " · "
                     (locale.t_with("rules-stock-codes", &[("n", rules.max_stock_codes.to_string())])) }
                li { (locale.t_with("rules-flood", &[("n", rules.flood_messages.to_string()), ("s", rules.flood_seconds.to_string())])) }
                @if rules.stocks_only_in_trading_hours { li { (locale.t("violation-stocks_outside_trading_hours")) } }
                li { (locale.t("rules-ladder")) }
            }
        }
    }
}

/// GET /groups: the groups the viewer runs, oversees or is in; a customer's
/// advisor's other groups to apply to; an advisor's form for a new group.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let (mine, open) = state.community.groups_of(&viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let applied = match (viewer.principal.role, viewer.principal.customer_id) {
        (Role::Customer, Some(c)) => state.db.applications_of(c).await.map_err(|e| PageError(e.into(), locale))?,
        _ => Vec::new(),
    };
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("groups-title")) }
        @if mine.is_empty() { p.empty { (locale.t("groups-none")) } } @else {
            table.groups {
                thead { tr { th { (locale.t("col-group")) } th { (locale.t("col-advisor")) } th.num { (locale.t("col-members")) } th { (locale.t("col-description")) } } }
                tbody { @for g in &mine { tr.group {
                    td { a href={ "/groups/" (g.id) "?lang=" (lang) } { (g.name) } }
                    td { (g.advisor) } td.num { (g.members) " / " (g.capacity) } td { (g.description) }
                } } }
            }
        }
        @if !open.is_empty() {
            h2 { (locale.t("groups-open")) }
            ul.open-groups { @for g in &open { li {
                strong { (g.name) } " — " (g.description) " "
                form.apply hx-post={ "/groups/" (g.id) "/apply?lang=" (lang) } hx-target="this" hx-swap="outerHTML" {
                    input type="text" name="note" maxlength="200" placeholder=(locale.t("groups-apply-note"));
                    button type="submit" { (locale.t("groups-apply")) }
                }
            } } }
        }
        @if !applied.is_empty() {
            h2 { (locale.t("groups-my-applications")) }
            ul.my-applications { @for a in &applied { li {
                (a.group_name) " · " (when(a.created_at)) " · " strong { (locale.t(&format!("application-{}", a.status))) }
                @if let Some(r) = a.reason.as_deref().filter(|r| !r.is_empty()) { " · " (r) }
            } } }
        }
        @if viewer.principal.role == Role::Advisor {
            h2 { (locale.t("groups-new")) }
            form.new-group hx-post={ "/groups?lang=" (lang) } hx-target="#new-group-result" {
                label { (locale.t("col-group")) " " input type="text" name="name" maxlength="60" required; }
                label { (locale.t("col-description")) " " input type="text" name="description" maxlength="1000"; }
                label { (locale.t("col-capacity")) " " input type="number" name="capacity" value="500" min="1" max="10000"; }
                label { input type="checkbox" name="stocks_only_in_trading_hours" value="on"; " " (locale.t("groups-trading-hours-only")) }
                button type="submit" { (locale.t("groups-create")) }
            }
            div id="new-group-result" {}
        }
    };
    Ok(page(locale, &locale.t("groups-title"), "/groups", &viewer, body))
}

/// A new group's fields, from the page's form.
#[derive(Debug, Deserialize)]
pub struct NewGroupForm {
    name: String,
    #[serde(default)]
    description: String,
    capacity: Option<String>,
    /// "on" when stocks may be discussed only in trading hours.
    stocks_only_in_trading_hours: Option<String>,
}

/// POST /groups (htmx): an advisor makes a group and goes to it.
pub async fn create(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<NewGroupForm>,
) -> Response {
    let capacity = match form.capacity.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match c.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return form_reply(
                    locale,
                    Err(HttpError::of(domain::codes::NOT_A_NUMBER).on("capacity").with("value", c)),
                );
            }
        },
    };
    // The firm's rules, with the group's trading-hours policy.
    let rules = community::moderation::GroupRules {
        stocks_only_in_trading_hours: form.stocks_only_in_trading_hours.is_some(),
        ..Default::default()
    };
    let rules = serde_json::to_string(&rules).expect("group rules serialize");
    match state.community.create_group(&viewer.principal, &form.name, &form.description, Some(&rules), capacity).await {
        Ok(id) => {
            let to = format!("/groups/{id}?lang={}", q.lang.as_deref().unwrap_or("zh"));
            ([("HX-Redirect", to)], StatusCode::NO_CONTENT).into_response()
        }
        Err(e) => form_reply(locale, Err(e.into())),
    }
}

/// A note to the advisor with an application.
#[derive(Debug, Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    note: String,
}

/// POST /groups/{group}/apply (htmx): a customer applies; told at once if refused, and why.
pub async fn apply(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<ApplyForm>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let result = async {
        let group = path_id(&group, "group")?;
        state.community.apply(&viewer.principal, group, &form.note).await?;
        Ok(html! { p.applied { (locale.t("groups-applied")) } })
    };
    form_reply(locale, result.await)
}

/// GET /groups/{group}: the chat, its pinned notices and rules; sending and
/// receiving go over the group's WebSocket.
pub async fn chat(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<ChatParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let id = path_id(&group, "group").map_err(fail)?;
    let (g, standing) = state.community.group_for(&viewer.principal, id).await.map_err(|e| fail(e.into()))?;
    let recent = state.db.messages_before(g.id, q.before, PAGE_HISTORY).await.map_err(|e| fail(e.into()))?;
    let lang = locale.tag();
    if q.before.is_some() {
        // An earlier page of the conversation: read only, paging further back or returning to the live chat.
        let body = html! {
            h1 { (g.name) " · " (locale.t("chat-earlier")) }
            (group_links(locale, &g, standing))
            @if recent.len() as i64 == PAGE_HISTORY {
                p { a.earlier href={ "/groups/" (g.id) "?before=" (recent[0].id) "&lang=" (lang) } { (locale.t("chat-earlier")) } }
            }
            ul id="messages" { @for m in &recent { (message_item(locale, m)) } }
            p { a href={ "/groups/" (g.id) "?lang=" (lang) } { (locale.t("chat-back-to-live")) } }
        };
        return Ok(page(locale, &g.name, &format!("/groups/{}", g.id), &viewer, body));
    }
    let pinned = state.db.pinned_messages(g.id).await.map_err(|e| fail(e.into()))?;
    let last = recent.last().map_or(0, |m| m.id);
    let writes = matches!(standing, Standing::Admin { .. } | Standing::Member { .. });
    let me = match standing {
        Standing::Member { customer_id } => customer_id,
        _ => 0,
    };
    let body = html! {
        h1 { (g.name) " " small.live id="chat-status" { (locale.t("reminders-connecting")) } }
        (group_links(locale, &g, standing))
        p.description { (g.description) " · " (g.members) " / " (g.capacity) " " (locale.t("col-members")) }
        (rules_view(locale, &g))
        @if !pinned.is_empty() {
            section.pinned { h2 { (locale.t("chat-pinned")) } ul { @for m in &pinned { (message_item(locale, m)) } } }
        }
        section id="chat" data-group=(g.id) data-last=(last) data-me=(me)
            data-live=(locale.t("reminders-live")) data-offline=(locale.t("reminders-offline"))
            data-system=(locale.t("chat-system")) {
            @if recent.len() as i64 == PAGE_HISTORY {
                p { a.earlier href={ "/groups/" (g.id) "?before=" (recent[0].id) "&lang=" (lang) } { (locale.t("chat-earlier")) } }
            }
            ul id="messages" { @for m in &recent { (message_item(locale, m)) } }
            p.notice id="chat-notice" role="status" {}
            @if writes {
                form id="chat-form" {
                    span id="chat-replying" {}
                    input type="text" id="chat-text" maxlength="2000" autocomplete="off" placeholder=(locale.t("chat-placeholder"));
                    @if me != 0 { label { input type="checkbox" id="chat-question"; " " (locale.t("chat-ask")) } }
                    button type="submit" { (locale.t("chat-send")) }
                }
            }
        }
        script src="/assets/group-chat.js" {}
    };
    Ok(page(locale, &g.name, &format!("/groups/{}", g.id), &viewer, body))
}

/// A chat page's language, and an earlier page of it.
#[derive(Debug, Deserialize)]
pub struct ChatParams {
    lang: Option<String>,
    /// Show the messages before this id (read only).
    before: Option<i64>,
}

/// Where a reconnecting socket resumes.
#[derive(Debug, Deserialize)]
pub struct LiveParams {
    /// The last message id the client has; it gets everything after.
    after: Option<i64>,
}

/// Only our own pages may open a chat socket with the viewer's cookie.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

/// GET /groups/{group}/live (WebSocket): sends every message after `after`
/// from history, then the group's messages as they come, each once and in
/// order; takes the member's messages (`{"text", "reply_to", "question"}`)
/// and answers with what the rules did to any it stopped.
pub async fn live(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LiveParams>,
    ConnectInfo(peer): ConnectInfo<PeerWriter>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    if !same_origin(&headers) {
        return Err(HttpError::of(crate::error::codes::CROSS_SITE_SOCKET));
    }
    let id = path_id(&group, "group")?;
    let (g, _) = state.community.group_for(&viewer.principal, id).await?;
    let after = q.after.unwrap_or(0).max(0);
    // Subscribe before reading history, so nothing sent in between is lost.
    let me = viewer.principal.customer_id.filter(|_| viewer.principal.role == Role::Customer);
    let subscription = state.community.hub().subscribe(g.id, me, std::sync::Arc::new(peer.clone()));
    // Chat frames are small: small buffers keep ten thousand sockets in little memory,
    // and writing each frame at once keeps latency down.
    let upgrade = upgrade.read_buffer_size(SOCKET_BUFFER).write_buffer_size(0).max_message_size(MAX_FRAME);
    // Refusals over the socket speak the reader's language, as pages do.
    let locale = crate::i18n::choose(None, &headers);
    Ok(upgrade.on_upgrade(move |socket| {
        converse(Chat { socket, peer, subscription, locale }, state, viewer.principal, g.id, after)
    }))
}

async fn send_text(socket: &mut WebSocket, text: String) -> bool {
    socket.send(Message::Text(text.into())).await.is_ok()
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

/// A chat connection: its WebSocket for what it reads and writes itself,
/// its socket's sending side for what the hub left waiting, and its standing with the hub.
struct Chat {
    socket: WebSocket,
    peer: PeerWriter,
    subscription: Subscription,
    locale: crate::i18n::Locale,
}

/// Closes a chat the hub ended, telling the client why.
async fn close_ended(socket: &mut WebSocket, why: Ended) {
    let (code, reason) = match why {
        Ended::TooSlow => (4000, "too slow; reconnect with the last id seen"),
        Ended::Removed => (4001, "removed from the group"),
    };
    // A client too slow to read its messages may not read this either.
    let _ = tokio::time::timeout(CLOSE_WAIT, close(socket, code, reason)).await;
}

async fn converse(chat: Chat, state: AppState, principal: Principal, group_id: i64, after: i64) {
    let Chat { mut socket, peer, subscription, locale } = chat;
    // An id past the newest message (a client's bad memory) would hide what comes next.
    let newest = match state.db.messages_before(group_id, None, 1).await {
        Ok(m) => m.last().map_or(0, |m| m.id),
        Err(e) => {
            tracing::error!(error = %e, group_id, "reading chat history failed");
            return close(&mut socket, 1011, "history unavailable; reconnect").await;
        }
    };
    let mut last = after.min(newest);
    loop {
        let page = match state.community.history_after(group_id, last, CATCH_UP_PAGE).await {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, group_id, "reading chat history failed");
                return close(&mut socket, 1011, "history unavailable; reconnect").await;
            }
        };
        for m in &page {
            let json = serde_json::to_string(&ChatMessage::from(m)).expect("a message serializes");
            if !send_text(&mut socket, json).await {
                return;
            }
            last = m.id;
        }
        if (page.len() as i64) < CATCH_UP_PAGE {
            break;
        }
    }
    if !send_text(&mut socket, format!("{{\"type\":\"ready\",\"last_id\":{last}}}")).await {
        return;
    }
    // From here the hub writes the group's messages into the socket itself,
    // starting with those that came while the history went out.
    if let Err(why) = subscription.go_live(last) {
        return close_ended(&mut socket, why).await;
    }
    let me = principal.customer_id.filter(|_| principal.role == Role::Customer);
    let mut pace = community::chat::RateLimit::new(SOCKET_BURST, SOCKET_RATE);
    // While a member is over their pace, their socket is not read at all: TCP
    // pushes back on the flooding client, and the flood costs the server nothing.
    let mut paused_until: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            why = subscription.ended() => return close_ended(&mut socket, why).await,
            // What the hub could not write at once goes out as the client reads.
            _ = std::future::poll_fn(|cx| peer.poll_unsent(cx)) => return,
            _ = tokio::time::sleep_until(paused_until.unwrap_or_else(tokio::time::Instant::now)), if paused_until.is_some() => {
                paused_until = None;
            }
            incoming = socket.recv(), if paused_until.is_none() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    // Members are paced; the group's staff broadcast freely.
                    let now = tokio::time::Instant::now();
                    let reply = if me.is_none() || pace.admit(now.into_std()) {
                        take(&state, &principal, group_id, &text, locale).await
                    } else {
                        paused_until = Some(now + std::time::Duration::from_secs_f64(1.0 / SOCKET_RATE as f64));
                        Some(error_frame("error", &HttpError::of(app::codes::SLOW_DOWN), locale))
                    };
                    if let Some(reply) = reply {
                        if !send_text(&mut socket, reply).await { return; }
                    }
                }
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// A message from the socket.
#[derive(Debug, Deserialize)]
struct Incoming {
    text: String,
    reply_to: Option<i64>,
    #[serde(default)]
    question: bool,
}

/// A refusal as a socket frame: its `type` and the API's one error shape.
fn error_frame(kind: &str, error: &HttpError, locale: crate::i18n::Locale) -> String {
    let mut frame = serde_json::to_value(crate::error::ErrorBody::of(error, locale)).expect("an error body serializes");
    frame["type"] = kind.into();
    frame.to_string()
}

/// Sends a socket's message; what to tell the sender alone (none when it went out).
async fn take(
    state: &AppState,
    principal: &Principal,
    group_id: i64,
    text: &str,
    locale: crate::i18n::Locale,
) -> Option<String> {
    let incoming: Incoming = match serde_json::from_str(text) {
        Ok(i) => i,
        Err(e) => {
            let error = HttpError::of(crate::error::codes::BODY_UNREADABLE).on("body").with("detail", e);
            return Some(error_frame("error", &error, locale));
        }
    };
    let draft = Draft { text: incoming.text, reply_to: incoming.reply_to, question: incoming.question };
    match state.community.post(principal, group_id, &draft).await {
        Ok(Posted::Sent(_)) => None,
        Ok(Posted::Blocked(b)) => Some(error_frame("blocked", &b.refusal().into(), locale)),
        Err(e) => {
            let e = HttpError::from(e);
            if e.status().is_server_error() {
                tracing::error!(code = e.code().code, group_id, "sending a chat message failed");
            }
            Some(error_frame("error", &e, locale))
        }
    }
}

/// GET /groups/{group}/admission: pending applications to approve or reject
/// with a reason, and invite links (the group's admins).
pub async fn admission(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let id = path_id(&group, "group").map_err(fail)?;
    let (g, standing) = state.community.group_for(&viewer.principal, id).await.map_err(|e| fail(e.into()))?;
    let pending =
        state.community.applications(&viewer.principal, g.id, Some("pending")).await.map_err(|e| fail(e.into()))?;
    let seeds = state.community.seeds(&viewer.principal, g.id, 30).await.map_err(|e| fail(e.into()))?;
    let names: HashMap<i64, String> = state
        .db
        .members(g.id)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|m| (m.customer_id, m.name))
        .collect();
    let follow_ups = match (viewer.principal.role, viewer.principal.staff_id) {
        (Role::Advisor, Some(s)) => state.db.follow_ups(s).await.map_err(|e| fail(e.into()))?,
        _ => Vec::new(),
    };
    let lang = locale.tag();
    let body = html! {
        h1 { (g.name) " · " (locale.t("admission-title")) }
        (group_links(locale, &g, standing))
        @if pending.is_empty() { p.empty { (locale.t("admission-none")) } } @else {
            table.applications {
                thead { tr { th { (locale.t("col-customer")) } th { (locale.t("col-note")) } th { (locale.t("col-applied")) } th {} } }
                tbody { @for a in &pending { tr.application id={ "application-" (a.id) } {
                    td { a href={ "/customers/" (a.customer_id) "?lang=" (lang) } { (a.customer) } }
                    td { (a.note) } td { (when(a.created_at)) }
                    td {
                        form hx-post={ "/applications/" (a.id) "/decision?lang=" (lang) } hx-target="next .result" {
                            input type="text" name="reason" maxlength="200" placeholder=(locale.t("admission-reason"));
                            button type="submit" name="approve" value="true" { (locale.t("admission-approve")) }
                            button type="submit" name="approve" value="false" { (locale.t("admission-reject")) }
                        }
                        div.result {}
                    }
                } } }
            }
        }
        h2 { (locale.t("seeds-title")) }
        @if seeds.is_empty() { p.empty { (locale.t("seeds-none")) } } @else {
            table.seeds { tbody { @for seed in &seeds { tr.seed {
                td { a href={ "/customers/" (seed.customer_id) "?lang=" (lang) } { (names.get(&seed.customer_id).map_or("", String::as_str)) } }
                td { (locale.t(&format!("seed-{}", serde_json::to_value(seed.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()))) }
                td { (seed.reasons.join(", ")) }
                td { @if viewer.principal.role == Role::Advisor {
                    form hx-post={ "/groups/" (g.id) "/follow-ups?lang=" (lang) } hx-target="this" hx-swap="outerHTML" {
                        input type="hidden" name="customer_id" value=(seed.customer_id);
                        input type="text" name="note" maxlength="500" required placeholder=(locale.t("follow-up-note"));
                        button type="submit" { (locale.t("follow-up-add")) }
                    }
                } }
            } } } }
        }
        @if !follow_ups.is_empty() {
            h2 { (locale.t("follow-ups-title")) }
            ul.follow-ups { @for f in &follow_ups { li {
                a href={ "/customers/" (f.customer_id) "?lang=" (lang) } { (f.customer) } " · " (f.note) " · " (when(f.at))
            } } }
        }
        h2 { (locale.t("invite-title")) }
        form.invite hx-post={ "/groups/" (g.id) "/invite?lang=" (lang) } hx-target="#invite-link" {
            label { (locale.t("invite-days")) " " input type="number" name="days" value="7" min="1" max="30"; }
            button type="submit" { (locale.t("invite-make")) }
        }
        p id="invite-link" {}
    };
    Ok(page(locale, &locale.t("admission-title"), &format!("/groups/{}/admission", g.id), &viewer, body))
}

/// POST /groups/{group}/follow-ups (htmx): from a group's page, its advisor
/// puts a customer on their private follow-up list.
pub async fn follow_up(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let result = async {
        let (_, standing) = state.community.group_for(&viewer.principal, path_id(&group, "group")?).await?;
        if !standing.is_admin() {
            return Err(HttpError::of(app::codes::GROUP_ADMINS_ONLY).with("action", "follow_up"));
        }
        let customer = form.get("customer_id").map(|c| c.trim()).unwrap_or("");
        let customer = customer
            .parse::<i64>()
            .map_err(|_| HttpError::of(domain::codes::NOT_A_NUMBER).on("customer_id").with("value", customer))?;
        let note = form.get("note").map(String::as_str).unwrap_or("");
        state.community.follow_up(&viewer.principal, customer, note).await?;
        Ok(html! { span.followed { (locale.t("follow-up-added")) } })
    };
    form_reply(locale, result.await)
}

/// POST /applications/{application}/decision (htmx): approve or reject with a reason.
pub async fn decide(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(application): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id = path_id(&application, "application")?;
        let approve = form.get("approve").map(String::as_str) == Some("true");
        let reason = form.get("reason").map(String::as_str).unwrap_or("");
        state.community.decide_application(&viewer.principal, id, approve, reason).await?;
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}

/// POST /groups/{group}/invite (htmx): a new invite link.
pub async fn invite(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let result = async {
        let id = path_id(&group, "group")?;
        let days = match form.get("days").map(|d| d.trim()).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(
                d.parse::<i64>().map_err(|_| HttpError::of(domain::codes::NOT_A_NUMBER).on("days").with("value", d))?,
            ),
        };
        let (token, expires) = state.community.invite(&viewer.principal, id, days).await?;
        Ok(html! {
            (locale.t("invite-link")) " " a href={ "/join/" (token) } { "/join/" (token) }
            " · " (locale.t("invite-expires")) " " (when(expires))
        })
    };
    form_reply(locale, result.await)
}

/// GET /join/{token}: the group an invite leads to, and the button to join.
pub async fn join_page(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(token): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let (group_id, expires) = state
        .db
        .invite(&token)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or(fail(HttpError::of(app::codes::INVITE_NOT_FOUND)))?;
    let g = state
        .db
        .group(group_id)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or(fail(HttpError::of(app::codes::GROUP_NOT_FOUND)))?;
    let body = html! {
        h1 { (locale.t("join-title")) " " (g.name) }
        p { (g.description) } p { (locale.t("col-advisor")) ": " (g.advisor) " · " (locale.t("invite-expires")) " " (when(expires)) }
        form hx-post={ "/join/" (token) "?lang=" (locale.tag()) } hx-target="#join-result" {
            button type="submit" { (locale.t("join-button")) }
        }
        div id="join-result" {}
    };
    Ok(page(locale, &locale.t("join-title"), &format!("/join/{token}"), &viewer, body))
}

/// POST /join/{token} (htmx): in at once, or told why not.
pub async fn join(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(token): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    ReaderLocale(locale): ReaderLocale,
) -> Response {
    match state.community.accept_invite(&viewer.principal, &token).await {
        Ok(group) => {
            let to = format!("/groups/{group}?lang={}", q.lang.as_deref().unwrap_or("zh"));
            ([("HX-Redirect", to)], StatusCode::NO_CONTENT).into_response()
        }
        Err(e) => form_reply(locale, Err(e.into())),
    }
}

/// GET /groups/{group}/moderation: the log every member reads, appeals for
/// the viewer's own sanctions; for admins the report queue and reviews.
pub async fn moderation(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(group): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let id = path_id(&group, "group").map_err(fail)?;
    let (g, standing) = state.community.group_for(&viewer.principal, id).await.map_err(|e| fail(e.into()))?;
    let log = state.db.moderation_log(g.id, 200).await.map_err(|e| fail(e.into()))?;
    let reports =
        if standing.is_admin() { state.db.reports(g.id, true).await.map_err(|e| fail(e.into()))? } else { Vec::new() };
    let me = match standing {
        Standing::Member { customer_id } => Some(customer_id),
        _ => None,
    };
    let lang = locale.tag();
    let body = html! {
        h1 { (g.name) " · " (locale.t("moderation-title")) }
        (group_links(locale, &g, standing))
        @if standing.is_admin() {
            h2 { (locale.t("reports-title")) }
            @if reports.is_empty() { p.empty { (locale.t("reports-none")) } } @else {
                table.reports { tbody { @for r in &reports { tr.report {
                    td { (when(r.at)) } td { (r.sender_name) ": " (r.body) } td { (r.reason) }
                    td {
                        form hx-post={ "/reports/" (r.id) "/resolve?lang=" (lang) } hx-target="next .result" {
                            select name="outcome" {
                                option value="dismiss" { (locale.t("report-dismiss")) }
                                @for s in community::moderation::Sanction::ALL { option value=(s.as_str()) { (locale.t(&format!("sanction-{}", s.as_str()))) } }
                            }
                            input type="text" name="note" maxlength="200" required placeholder=(locale.t("moderation-note"));
                            button type="submit" { (locale.t("report-resolve")) }
                        }
                        div.result {}
                    }
                } } } }
            }
        }
        h2 { (locale.t("moderation-log")) }
        @if log.is_empty() { p.empty { (locale.t("moderation-none")) } } @else {
            table.moderation-log {
                thead { tr {
                    th { (locale.t("col-when")) } th { (locale.t("col-member")) } th { (locale.t("col-rule")) }
                    th { (locale.t("col-sanction")) } th { (locale.t("col-appeal")) } th { (locale.t("col-review")) }
                } }
                tbody { @for a in &log { tr.action id={ "action-" (a.id) } {
                    td { (when(a.at)) } td { (a.customer) }
                    td { (locale.t(&format!("violation-{}", a.violation))) ": " q { (a.excerpt) } }
                    td { (locale.t(&format!("sanction-{}", a.sanction))) @if a.overturned { " · " strong { (locale.t("moderation-overturned")) } } }
                    td {
                        @if let Some(text) = &a.appeal { (text) }
                        @else if me == Some(a.customer_id) && a.reviewed_at.is_none() {
                            form hx-post={ "/moderation/" (a.id) "/appeal?lang=" (lang) } hx-target="this" hx-swap="outerHTML" {
                                input type="text" name="text" maxlength="1000" required placeholder=(locale.t("appeal-why"));
                                button type="submit" { (locale.t("appeal-send")) }
                            }
                        }
                    }
                    td {
                        @if let Some(review) = &a.review { (review) " (" (a.reviewed_by.as_deref().unwrap_or("")) ")" }
                        @else if standing.is_admin() {
                            form hx-post={ "/moderation/" (a.id) "/review?lang=" (lang) } hx-target="next .result" {
                                input type="text" name="note" maxlength="200" required placeholder=(locale.t("moderation-note"));
                                button type="submit" name="overturn" value="false" { (locale.t("review-uphold")) }
                                button type="submit" name="overturn" value="true" { (locale.t("review-overturn")) }
                            }
                            div.result {}
                        }
                    }
                } } }
            }
        }
    };
    Ok(page(locale, &locale.t("moderation-title"), &format!("/groups/{}/moderation", g.id), &viewer, body))
}

/// POST /moderation/{action}/appeal (htmx): the sanctioned member appeals.
pub async fn appeal(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(action): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let result = async {
        let id = path_id(&action, "action")?;
        let text = form.get("text").map(String::as_str).unwrap_or("");
        state.community.appeal(&viewer.principal, id, text).await?;
        Ok(html! { span.appealed { (text.trim()) " · " (locale.t("appeal-sent")) } })
    };
    form_reply(locale, result.await)
}

/// POST /moderation/{action}/review (htmx): an admin upholds or overturns.
pub async fn review(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(action): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id = path_id(&action, "action")?;
        let overturn = form.get("overturn").map(String::as_str) == Some("true");
        let note = form.get("note").map(String::as_str).unwrap_or("");
        state.community.review(&viewer.principal, id, overturn, note).await?;
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}

/// POST /reports/{report}/resolve (htmx): an admin dismisses a report or sanctions the sender.
pub async fn resolve(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(report): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id = path_id(&report, "report")?;
        let outcome = form.get("outcome").map(String::as_str).unwrap_or("");
        let note = form.get("note").map(String::as_str).unwrap_or("");
        state.community.resolve_report(&viewer.principal, id, outcome, note).await?;
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}

/// GET /questions: unanswered questions past their time, and response-time
/// percentiles per advisor and per group over 30 days (staff).
pub async fn questions(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let now = chrono::Utc::now();
    let queue = state.community.question_queue(&viewer.principal, now).await.map_err(|e| fail(e.into()))?;
    let since = now - chrono::Duration::days(30);
    let times = state.community.response_times(&viewer.principal, since).await.map_err(|e| fail(e.into()))?;
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("questions-title")) }
        @if queue.is_empty() { p.empty { (locale.t("questions-none")) } } @else {
            table.questions {
                thead { tr { th { (locale.t("col-asked")) } th { (locale.t("col-group")) } th { (locale.t("col-question")) } th.num { (locale.t("col-service-minutes")) } th { (locale.t("col-escalation")) } } }
                tbody { @for o in &queue { tr.question {
                    td { (when(o.question.asked_at)) }
                    td { a href={ "/groups/" (o.question.group_id) "?lang=" (lang) "#m-" (o.question.message_id) } { (o.question.group_name) } }
                    td { (o.question.body) } td.num { (o.service_minutes) }
                    td { (locale.t(&format!("escalation-{}", serde_json::to_value(o.escalation).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()))) }
                } } }
            }
        }
        h2 { (locale.t("response-times-title")) }
        @if times.is_empty() { p.empty { (locale.t("response-times-none")) } } @else {
            table.response-times {
                thead { tr { th { (locale.t("col-by")) } th.num { "id" } th.num { (locale.t("col-answered")) } th.num { "p50" } th.num { "p90" } th.num { "p99" } } }
                tbody { @for t in &times { tr {
                    td { (locale.t(&format!("col-{}", t.by))) } td.num { (t.id) } td.num { (t.answered) }
                    td.num { (t.p50) } td.num { (t.p90) } td.num { (t.p99) }
                } } }
            }
        }
    };
    Ok(page(locale, &locale.t("questions-title"), "/questions", &viewer, body))
}
