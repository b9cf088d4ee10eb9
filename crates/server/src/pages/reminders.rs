//! Risk reminders on pages: the list (staff: their customers' reminders as
//! they are made; a customer: their inbox, as reminders are delivered), kept
//! live over a WebSocket; and the firm's reminder volume per rule per day.

use super::layout::{page, PageError, PageQuery};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::AppState;
use access::{Role, Scope};
use app::risk_desk::DeskEvent;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use domain::to_shanghai;
use maud::{html, Markup};
use std::collections::BTreeMap;
use store::ReminderRow;
use tokio::sync::broadcast::error::RecvError;

/// A reminder as a page shows it; the same fields the WebSocket sends.
#[derive(Debug, Clone, serde::Serialize)]
struct ReminderLine {
    id: domain::ReminderId,
    time: String,
    customer_id: domain::CustomerId,
    account_id: domain::AccountId,
    customer: String,
    rule: String,
    /// The instrument the reminder is about, when it is about one.
    instrument: Option<String>,
    text: String,
}

fn line(locale: Locale, r: &ReminderRow) -> ReminderLine {
    ReminderLine {
        id: r.id,
        time: to_shanghai(r.created_at).format("%m-%d %H:%M:%S").to_string(),
        customer_id: r.customer_id,
        account_id: r.account_id,
        customer: r.customer.clone(),
        rule: locale.t(&format!("rule-{}", r.rule)),
        instrument: r.instrument.clone(),
        text: if locale == Locale::Zh { r.text_zh.clone() } else { r.text_en.clone() },
    }
}

fn item(locale: Locale, l: &ReminderLine) -> Markup {
    html! {
        li.reminder id={ "reminder-" (l.id) } {
            span.when { (l.time) } " "
            a href={ "/customers/" (l.customer_id) "?lang=" (locale.tag()) } { (l.customer) } " "
            strong.rule { (l.rule) } " "
            span.text { (l.text) }
            @if let Some(code) = &l.instrument {
                " " a.ticket href={ "/orders/ticket?account_id=" (l.account_id) "&instrument=" (code) "&side=sell&source=reminder&reminder_id=" (l.id) "&lang=" (locale.tag()) } { (locale.t("orders-ticket")) }
            }
        }
    }
}

/// The live list of reminders: the newest first, and the script that adds
/// new ones as the server pushes them.
pub(crate) async fn panel(state: &AppState, viewer: &Viewer, locale: Locale, limit: i64) -> Result<Markup, PageError> {
    let rows = app::reminders::list(&state.db, &viewer.principal, None, limit)
        .await
        .map_err(|e| PageError(e.into(), locale))?;
    Ok(html! {
        section.reminders {
            h2 { (locale.t("reminders-title")) " " small.live id="reminders-status" { (locale.t("reminders-connecting")) } }
            p.empty id="reminders-none" hidden[!rows.is_empty()] { (locale.t("reminders-none")) }
            ul id="reminders" data-lang=(locale.tag()) data-live=(locale.t("reminders-live")) data-offline=(locale.t("reminders-offline")) {
                @for r in &rows { (item(locale, &line(locale, r))) }
            }
        }
        script src="/assets/reminders-live.js" {}
    })
}

/// GET /reminders: staff see their customers' reminders; a customer their inbox.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let body = html! {
        h1 { (locale.t("reminders-title")) }
        @if viewer.principal.role != Role::Customer {
            p { a href={ "/reminders/volume?lang=" (locale.tag()) } { (locale.t("volume-title")) } }
        }
        (panel(&state, &viewer, locale, 200).await?)
    };
    Ok(page(locale, &locale.t("reminders-title"), "/reminders", &viewer, body))
}

/// Over how many days the volume page counts.
#[derive(Debug, serde::Deserialize)]
pub struct VolumeQuery {
    lang: Option<String>,
    days: Option<i64>,
}

/// GET /reminders/volume: reminders per rule per trading day in the viewer's scope (staff).
pub async fn volume(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<VolumeQuery>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = app::reminders::volume(&state.db, &viewer.principal, q.days.unwrap_or(30))
        .await
        .map_err(|e| PageError(e.into(), locale))?;
    // Days down the side, rules across: one row per day.
    // The watch's rules, and the notices on holdings that come by the event path.
    let rules: Vec<&str> = watch::rules::Rule::ALL.iter().map(|r| r.as_str()).chain([app::notices::RULE]).collect();
    let mut days: BTreeMap<chrono::NaiveDate, BTreeMap<&str, i64>> = BTreeMap::new();
    for v in &rows {
        *days
            .entry(v.trading_day)
            .or_default()
            .entry(rules.iter().find(|r| **r == v.rule).copied().unwrap_or("?"))
            .or_default() += v.count;
    }
    let body = html! {
        h1 { (locale.t("volume-title")) }
        @if days.is_empty() {
            p.empty { (locale.t("reminders-none")) }
        } @else {
            table.volume {
                thead { tr {
                    th { (locale.t("col-day")) }
                    @for r in &rules { th { (locale.t(&format!("rule-{r}"))) } }
                    th { (locale.t("col-total")) }
                } }
                tbody {
                    @for (day, counts) in days.iter().rev() {
                        tr {
                            td { (day) }
                            @for r in &rules { td.num { (counts.get(r).copied().unwrap_or(0)) } }
                            td.num { (counts.values().sum::<i64>()) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(locale, &locale.t("volume-title"), "/reminders/volume", &viewer, body))
}

/// Is this reminder the viewer's to see?
fn in_scope(scope: Scope, r: &ReminderRow) -> bool {
    match scope {
        Scope::Firm => true,
        Scope::Branch(b) => r.branch_id == b,
        Scope::Advisor(a) => r.advisor_id == a,
        Scope::Customer(c) => r.customer_id == c,
        Scope::Nothing => false,
    }
}

/// GET /reminders/live (WebSocket): pushes each new reminder in the viewer's
/// scope as a JSON line: staff when it is made, a customer when it is delivered.
pub async fn live(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let events = state.desk.subscribe();
    let open = state.metrics.socket_open(crate::metrics::SocketKind::Reminders);
    let metrics = state.metrics.clone();
    upgrade.on_upgrade(move |socket| async move {
        push(socket, events, viewer, locale, &metrics).await;
        drop(open);
    })
}

async fn push(
    mut socket: WebSocket,
    mut events: tokio::sync::broadcast::Receiver<DeskEvent>,
    viewer: Viewer,
    locale: Locale,
    metrics: &crate::metrics::Metrics,
) {
    let scope = viewer.principal.scope();
    let customer = viewer.principal.role == Role::Customer;
    loop {
        tokio::select! {
            event = events.recv() => {
                let row = match event {
                    Ok(DeskEvent::Made(r)) if !customer => r,
                    Ok(DeskEvent::Delivered(r)) if customer => r,
                    Ok(_) => continue,
                    // Fell behind a burst: the page reloads its list from the database.
                    Err(RecvError::Lagged(_)) => {
                        if socket.send(Message::Text(r#"{"reload":true}"#.into())).await.is_err() { return }
                        continue;
                    }
                    Err(RecvError::Closed) => return,
                };
                if !in_scope(scope, &row) {
                    continue;
                }
                let text = serde_json::to_string(&line(locale, &row)).expect("a reminder line serializes");
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
                metrics.reminder_pushed();
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pushed_reminder_reaches_only_its_scope() {
        let r = ReminderRow {
            id: domain::ReminderId(1),
            customer_id: domain::CustomerId(7),
            customer: "c".into(),
            advisor_id: domain::StaffId(3),
            branch_id: domain::BranchId(2),
            account_id: domain::AccountId(70),
            rule: "stock_drop".into(),
            instrument: None,
            step: 1,
            measure: 500,
            figures: "{}".into(),
            text_zh: String::new(),
            text_en: String::new(),
            rule_version: String::new(),
            trading_day: chrono::NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
            created_at: chrono::Utc::now(),
            deliver_at: chrono::Utc::now(),
            delivered_at: None,
        };
        assert!(
            in_scope(Scope::Firm, &r)
                && in_scope(Scope::Branch(domain::BranchId(2)), &r)
                && in_scope(Scope::Advisor(domain::StaffId(3)), &r)
        );
        assert!(in_scope(Scope::Customer(domain::CustomerId(7)), &r));
        assert!(
            !in_scope(Scope::Branch(domain::BranchId(1)), &r)
                && !in_scope(Scope::Advisor(domain::StaffId(4)), &r)
                && !in_scope(Scope::Customer(domain::CustomerId(8)), &r)
        );
        assert!(!in_scope(Scope::Nothing, &r));
    }
}
