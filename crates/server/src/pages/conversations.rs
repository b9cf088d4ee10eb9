//! One-to-one conversations' pages (issue 29): the list (an advisor opens
//! one with a customer they serve, a customer with their advisor), and a
//! conversation, live: what either side sends appears on the other's page
//! without a reload.

use super::groups::form_reply;
use super::layout::{page, PageError, PageQuery};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::i18n::ReaderLocale;
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Role;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use domain::{to_shanghai, CustomerId};
use maud::{html, Markup};
use std::collections::HashMap;
use store::ConversationMessageRow;
use tokio::sync::broadcast::error::RecvError;

fn line(m: &ConversationMessageRow) -> Markup {
    html! {
        li class={ "said " (m.sender_kind) } id={ "said-" (m.id) } {
            span.when { (to_shanghai(m.at).format("%m-%d %H:%M")) } " "
            span.who { (m.sender_name) } ": "
            q.text { (m.body) }
        }
    }
}

/// GET /conversations: the viewer's conversations.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = state.conversations.list(&viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("conversations-title")) }
        @match viewer.principal.role {
            Role::Advisor => {
                form #open-conversation hx-post={ "/conversations?lang=" (lang) } hx-target="#open-result" {
                    label { (locale.t("col-customer")) " " input type="number" name="customer_id" min="1" required; }
                    button type="submit" { (locale.t("conversations-open")) }
                }
                div #open-result {}
            },
            Role::Customer => {
                form #open-conversation hx-post={ "/conversations?lang=" (lang) } hx-target="#open-result" {
                    button type="submit" { (locale.t("conversations-my-advisor")) }
                }
                div #open-result {}
            },
            _ => {},
        }
        @if rows.is_empty() { p.empty { (locale.t("none")) } } @else {
            table.conversations {
                thead { tr { th { (locale.t("col-customer")) } th { (locale.t("col-advisor")) } th { (locale.t("conversations-last")) } } }
                tbody { @for c in &rows {
                    tr { td { a href={ "/conversations/" (c.id) "?lang=" (lang) } { (c.customer) } } td { (c.advisor) }
                         td { @match c.last_at { Some(t) => (to_shanghai(t).format("%Y-%m-%d %H:%M")), None => "—" } } }
                } }
            }
        }
    };
    Ok(page(locale, &locale.t("conversations-title"), "/conversations", &viewer, body))
}

/// POST /conversations (htmx): opens (or finds) one, then goes to it.
pub async fn open(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let customer = match form.get("customer_id").filter(|c| !c.trim().is_empty()) {
            Some(c) => Some(path_id::<CustomerId>(c, "customer")?),
            None => None,
        };
        Ok::<_, HttpError>(state.conversations.open(&viewer.principal, customer).await?)
    };
    match result.await {
        Ok(id) => (
            [("HX-Redirect", format!("/conversations/{id}?lang={}", locale.tag()))],
            axum::http::StatusCode::NO_CONTENT,
        )
            .into_response(),
        Err(e) => form_reply(locale, Err(e)),
    }
}

/// GET /conversations/{conversation}: the conversation, live.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: app::Error| PageError(e.into(), locale);
    let id: i64 = path_id(&id, "conversation").map_err(|e| PageError(e, locale))?;
    let c = state.conversations.get(&viewer.principal, id).await.map_err(fail)?;
    let messages = state.conversations.messages(&viewer.principal, id, 0).await.map_err(fail)?;
    let lang = locale.tag();
    let side = match viewer.principal.role {
        Role::Customer => true,
        Role::Advisor => viewer.principal.staff_id.is_some_and(|s| s.0 == c.advisor_id),
        _ => false,
    };
    let body = html! {
        p { a href={ "/conversations?lang=" (lang) } { "← " (locale.t("conversations-title")) } }
        h1 { (c.customer) " · " (c.advisor) }
        p { span #conversation-status .live data-live=(locale.t("reminders-live")) data-offline=(locale.t("reminders-offline")) { (locale.t("reminders-offline")) } }
        ol #conversation data-id=(c.id) data-lang=(lang) { @for m in &messages { (line(m)) } }
        @if side {
            form #say hx-post={ "/conversations/" (c.id) "/messages?lang=" (lang) } hx-target="#conversation" hx-swap="beforeend" {
                textarea name="text" rows="2" maxlength="2000" required {}
                button type="submit" { (locale.t("conversations-send")) }
            }
            @if viewer.principal.role == Role::Advisor { p.explain { (locale.t("conversations-screened")) } }
        } @else {
            p.explain { (locale.t("conversations-read-only")) }
        }
        script src="/assets/conversation-live.js" {}
    };
    Ok(page(locale, &locale.t("conversations-title"), &format!("/conversations/{}", c.id), &viewer, body))
}

/// POST /conversations/{conversation}/messages (htmx): sends; answers the new line.
pub async fn send(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id: i64 = path_id(&id, "conversation")?;
        let text = form.get("text").map_or("", String::as_str);
        Ok::<_, HttpError>(line(&state.conversations.send(&viewer.principal, id, text).await?))
    };
    form_reply(locale, result.await)
}

/// GET /conversations/{conversation}/live (WebSocket): each new message of the conversation.
pub async fn live(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    // A page of another site may not open a socket with the viewer's cookie.
    if !super::groups::chat::same_origin(&headers) {
        return Err(HttpError::of(crate::error::codes::CROSS_SITE_SOCKET));
    }
    let id: i64 = path_id(&id, "conversation")?;
    state.conversations.get(&viewer.principal, id).await?;
    let events = state.conversations.subscribe();
    let open = state.metrics.socket_open(crate::metrics::SocketKind::Conversation);
    Ok(upgrade.on_upgrade(move |socket| async move {
        push(socket, events, id).await;
        drop(open);
    }))
}

async fn push(
    mut socket: WebSocket,
    mut events: tokio::sync::broadcast::Receiver<ConversationMessageRow>,
    conversation: i64,
) {
    loop {
        tokio::select! {
            event = events.recv() => {
                let row = match event {
                    Ok(r) if r.conversation_id == conversation => r,
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => {
                        if socket.send(Message::Text(r#"{"reload":true}"#.into())).await.is_err() { return }
                        continue;
                    }
                    Err(RecvError::Closed) => return,
                };
                let frame = serde_json::json!({ "id": row.id, "html": line(&row).into_string() }).to_string();
                if socket.send(Message::Text(frame.into())).await.is_err() {
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
