//! A customer's inbox (what their advisor and the firm sent them, arriving
//! live while the page is open; opening a message counts it read) and, for
//! staff, the sends with their reads and follow-through.

use super::layout::{page, PageError, PageQuery};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::AppState;
use access::Role;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::{to_shanghai, SendId};
use maud::{html, Markup};
use serde::Serialize;
use store::InboxRow;
use tokio::sync::broadcast::error::RecvError;

/// A message as the page and its live script show it.
#[derive(Debug, Serialize)]
struct InboxLine {
    id: i64,
    time: String,
    sender: String,
    kind: String,
    title: String,
    body: String,
    read: bool,
}

fn line(locale: Locale, r: &InboxRow) -> InboxLine {
    InboxLine {
        id: r.send_id.0,
        time: r.delivered_at.map(|t| to_shanghai(t).format("%m-%d %H:%M").to_string()).unwrap_or_default(),
        sender: r.sender.clone(),
        kind: locale.t(&format!("send-kind-{}", r.item_kind)),
        title: r.title.clone(),
        body: r.body.clone(),
        read: r.read_at.is_some(),
    }
}

fn item(locale: Locale, l: &InboxLine) -> Markup {
    html! {
        li.message.unread[!l.read] id={ "message-" (l.id) } {
            details hx-post={ "/inbox/" (l.id) "/read?lang=" (locale.tag()) } hx-trigger="toggle once" hx-swap="none" {
                summary { span.when { (l.time) } " " strong.kind { (l.kind) } " " span.title { (l.title) } " " span.sender { "— " (l.sender) } }
                pre.body { (l.body) }
            }
        }
    }
}

/// GET /inbox: a customer's messages, newest first, new ones added live.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = state.outreach.inbox(&viewer.principal, 200).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("inbox-title")) " " small.live id="inbox-status" { (locale.t("reminders-connecting")) } }
        p.empty id="inbox-none" hidden[!rows.is_empty()] { (locale.t("inbox-none")) }
        ul id="inbox" data-lang=(locale.tag()) data-live=(locale.t("reminders-live")) data-offline=(locale.t("reminders-offline")) {
            @for r in &rows { (item(locale, &line(locale, r))) }
        }
        script src="/assets/inbox-live.js" {}
    };
    Ok(page(locale, &locale.t("inbox-title"), "/inbox", &viewer, body))
}

/// POST /inbox/{send}/read: the customer opened the message.
pub async fn read(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<axum::http::StatusCode, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: SendId = crate::params::path_id(&id, "send").map_err(|e| PageError(e, locale))?;
    state.outreach.read(&viewer.principal, id).await.map_err(|e| PageError(e.into(), locale))?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// GET /inbox/live (WebSocket): pushes each message as it reaches the viewer's inbox.
pub async fn live(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let Some(customer) = viewer.principal.customer_id else {
        return PageError(crate::HttpError::of(app::codes::CUSTOMERS_ONLY), locale).into_response();
    };
    let events = state.outreach.subscribe();
    let open = state.metrics.socket_open(crate::metrics::SocketKind::Inbox);
    upgrade.on_upgrade(move |socket| async move {
        push(socket, events, customer, locale).await;
        drop(open);
    })
}

async fn push(
    mut socket: WebSocket,
    mut events: tokio::sync::broadcast::Receiver<InboxRow>,
    customer: domain::CustomerId,
    locale: Locale,
) {
    loop {
        tokio::select! {
            event = events.recv() => {
                let row = match event {
                    Ok(r) if r.customer_id == customer => r,
                    Ok(_) => continue,
                    // Fell behind a burst: the page reloads its list from the database.
                    Err(RecvError::Lagged(_)) => {
                        if socket.send(Message::Text(r#"{"reload":true}"#.into())).await.is_err() { return }
                        continue;
                    }
                    Err(RecvError::Closed) => return,
                };
                let text = serde_json::to_string(&line(locale, &row)).expect("an inbox line serializes");
                if socket.send(Message::Text(text.into())).await.is_err() {
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

/// GET /sends: staff's sends with what they led to.
pub async fn sends(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = state.outreach.sends(&viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("sends-title")) }
        p.explain { (locale.t("sends-explain")) }
        @if rows.is_empty() { p.empty { (locale.t("sends-none")) } } @else {
            table.sends {
                thead { tr {
                    th { (locale.t("send-when")) } th { (locale.t("send-sender")) } th { (locale.t("send-item")) }
                    th { (locale.t("send-segment")) } th { (locale.t("send-matched")) } th { (locale.t("send-withheld")) }
                    th { (locale.t("send-recipients")) } th { (locale.t("send-delivered")) } th { (locale.t("send-reads")) }
                    th { (locale.t("send-followed")) }
                } }
                tbody {
                    @for r in &rows {
                        tr id={ "send-" (r.send.id) } {
                            td { (to_shanghai(r.send.created_at).format("%Y-%m-%d %H:%M")) }
                            td { (r.send.sender) }
                            td { (locale.t(&format!("send-kind-{}", r.send.item_kind))) " · " (r.send.title) }
                            td.segment { (r.send.segment) }
                            td.num { (r.send.matched) }
                            td.num.withheld { (r.send.withheld) }
                            td.num { (r.send.recipients) }
                            td.num { (r.send.delivered) }
                            td.num.reads { (r.send.reads) }
                            td.followed { a href={ "/sends/" (r.send.id) "?lang=" (locale.tag()) } { (locale.t("send-count")) } }
                        }
                    }
                }
            }
        }
    };
    if viewer.principal.role == Role::Customer {
        return Err(PageError(crate::HttpError::of(app::codes::STAFF_ONLY).with("what", "sends"), locale));
    }
    Ok(page(locale, &locale.t("sends-title"), "/sends", &viewer, body))
}

/// GET /sends/{send}: one send with its reads and follow-through.
pub async fn send(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: SendId = crate::params::path_id(&id, "send").map_err(|e| PageError(e, locale))?;
    let r = state.outreach.send_report(&viewer.principal, id).await.map_err(|e| PageError(e.into(), locale))?;
    let s = &r.send;
    let body = html! {
        h1 { (locale.t(&format!("send-kind-{}", s.item_kind))) " · " (s.title) }
        dl.send {
            dt { (locale.t("send-when")) } dd { (to_shanghai(s.created_at).format("%Y-%m-%d %H:%M")) }
            dt { (locale.t("send-sender")) } dd { (s.sender) }
            dt { (locale.t("send-segment")) } dd.segment { (s.segment) }
            dt { (locale.t("send-matched")) } dd.num { (s.matched) }
            dt { (locale.t("send-withheld")) } dd.num.withheld { (s.withheld) }
            dt { (locale.t("send-recipients")) } dd.num { (s.recipients) }
            dt { (locale.t("send-delivered")) } dd.num { (s.delivered) }
            dt { (locale.t("send-reads")) } dd.num.reads { (s.reads) }
            dt { (locale.t("send-followed")) } dd.num.followed { (r.followed_through.unwrap_or(0)) " "
                small { "(" (locale.t_with("send-until", &[("day", r.follow_through_until.to_string())])) ")" } }
        }
    };
    Ok(page(locale, &s.title, &format!("/sends/{id}"), &viewer, body))
}
