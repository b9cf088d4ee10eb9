//! A group's chat page and its live socket: history first, then every
//! message as it comes, each once; a member's messages through the rules.

use super::*;
use domain::{GroupId, MessageId};

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
    let last = recent.last().map_or(MessageId(0), |m| m.id);
    let writes = matches!(standing, Standing::Admin { .. } | Standing::Member { .. });
    let me = match standing {
        Standing::Member { customer_id } => customer_id.0,
        _ => 0,
    };
    let body = html! {
        h1 { (g.name) " " small.live id="chat-status" { (locale.t("reminders-connecting")) } }
        (group_links(locale, &g, standing))
        p.description { (g.description) " · " (g.members) " / " (g.capacity) " " (locale.t("col-members"))
            " · " (locale.t("col-advisor")) " " a.advisor href={ "/advisors/" (g.advisor_id) "?lang=" (locale.tag()) } { (g.advisor) } }
        (rules_view(locale, &g))
        @if !pinned.is_empty() {
            section.pinned { h2 { (locale.t("chat-pinned")) } ul { @for m in &pinned { (message_item(locale, m)) } } }
        }
        section id="chat" data-group=(g.id) data-last=(last) data-me=(me) data-csrf=(viewer.csrf)
            data-live=(locale.t("reminders-live")) data-offline=(locale.t("reminders-offline"))
            data-system=(locale.t("chat-system")) data-envelope-open=(locale.t("envelope-open"))
            data-envelope-got=(locale.t("envelope-got")) data-envelope-opened=(locale.t("envelope-opened"))
            data-envelope-returned=(locale.t("envelope-returned")) {
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
                // A red envelope: an admin's from the firm's budget, a member's from their own points.
                form id="envelope-form" {
                    (locale.t("envelope-title")) " "
                    label { (locale.t("envelope-points")) " " input type="number" id="envelope-points" min="1" value="100"; }
                    " " label { (locale.t("envelope-shares")) " " input type="number" id="envelope-shares" min="1" max="200" value="5"; }
                    " " select id="envelope-split" {
                        option value="random" { (locale.t("envelope-split-random")) }
                        option value="equal" { (locale.t("envelope-split-equal")) }
                    }
                    " " button type="submit" { (locale.t("envelope-send")) }
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
    before: Option<MessageId>,
}

/// Where a reconnecting socket resumes.
#[derive(Debug, Deserialize)]
pub struct LiveParams {
    /// The last message id the client has; it gets everything after.
    after: Option<MessageId>,
}

/// Only our own pages may open a chat socket with the viewer's cookie.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
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
    let after = q.after.unwrap_or(MessageId(0)).max(MessageId(0));
    // Subscribe before reading history, so nothing sent in between is lost.
    let me = viewer.principal.customer_id.filter(|_| viewer.principal.role == Role::Customer);
    let subscription = state.community.hub().subscribe(g.id, me, std::sync::Arc::new(peer.clone()));
    // Chat frames are small: small buffers keep ten thousand sockets in little memory,
    // and writing each frame at once keeps latency down.
    let upgrade = upgrade.read_buffer_size(SOCKET_BUFFER).write_buffer_size(0).max_message_size(MAX_FRAME);
    // Refusals over the socket speak the reader's language, as pages do.
    let locale = crate::i18n::choose(None, &headers);
    let open = state.metrics.socket_open(crate::metrics::SocketKind::Chat);
    Ok(upgrade.on_upgrade(move |socket| async move {
        converse(Chat { socket, peer, subscription, locale }, state, viewer.principal, g.id, after).await;
        drop(open);
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

async fn converse(chat: Chat, state: AppState, principal: Principal, group_id: GroupId, after: MessageId) {
    let Chat { mut socket, peer, subscription, locale } = chat;
    // An id past the newest message (a client's bad memory) would hide what comes next.
    let newest = match state.db.messages_before(group_id, None, 1).await {
        Ok(m) => m.last().map_or(MessageId(0), |m| m.id),
        Err(e) => {
            tracing::error!(error = %e, %group_id, "reading chat history failed");
            return close(&mut socket, 1011, "history unavailable; reconnect").await;
        }
    };
    let mut last = after.min(newest);
    loop {
        let page = match state.community.history_after(group_id, last, CATCH_UP_PAGE).await {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, %group_id, "reading chat history failed");
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
    reply_to: Option<MessageId>,
    #[serde(default)]
    question: bool,
    #[serde(default)]
    confirm_unsuitable: bool,
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
    group_id: GroupId,
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
    let draft = Draft {
        text: incoming.text,
        reply_to: incoming.reply_to,
        question: incoming.question,
        confirm_unsuitable: incoming.confirm_unsuitable,
    };
    match state.community.post(principal, group_id, &draft).await {
        Ok(Posted::Sent(_)) => None,
        Ok(Posted::Blocked(b)) => Some(error_frame("blocked", &b.refusal().into(), locale)),
        Err(e) => {
            let e = HttpError::from(e);
            if e.status().is_server_error() {
                tracing::error!(code = e.code().code, %group_id, "sending a chat message failed");
            }
            Some(error_frame("error", &e, locale))
        }
    }
}
