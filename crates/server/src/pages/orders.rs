//! Order pages (issue 26): the ticket (opened blank, from an instrument, a
//! position or a reminder, prefilled by its query), what the checks found
//! and the confirm step, the orders and conditional orders in the viewer's
//! scope, and the errors prevented.

use super::layout::{page, refused, PageError, PageQuery};
use crate::auth::Viewer;
use crate::i18n::Locale;
use crate::AppState;
use access::Role;
use app::orders::{ConditionalRequest, Placed, TicketRequest};
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use domain::{to_shanghai, OrderId};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

/// What a ticket opens with.
#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    lang: Option<String>,
    account_id: Option<String>,
    instrument: Option<String>,
    side: Option<String>,
    quantity: Option<String>,
    price: Option<String>,
    source: Option<String>,
    reminder_id: Option<String>,
}

fn money(units: i64) -> String {
    ::orders::money(units).to_string()
}

/// GET /orders/ticket: the ticket, prefilled from its query.
pub async fn ticket(
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<TicketQuery>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let side = q.side.as_deref().unwrap_or("buy");
    let body = html! {
        h1 { (locale.t("orders-ticket")) }
        p.explain { (locale.t("orders-ticket-explain")) }
        form.ticket hx-post={ "/orders/ticket?lang=" (locale.tag()) } hx-target="#ticket-result" hx-swap="innerHTML" {
            input type="hidden" name="source" value=(q.source.as_deref().unwrap_or("ticket"));
            input type="hidden" name="reminder_id" value=(v(&q.reminder_id));
            label { (locale.t("orders-account")) " " input type="text" name="account_id" value=(v(&q.account_id)) required; }
            label { (locale.t("orders-instrument")) " " input type="text" name="instrument" value=(v(&q.instrument)) required; }
            label { (locale.t("orders-side")) " "
                select name="side" {
                    option value="buy" selected[side == "buy"] { (locale.t("orders-buy")) }
                    option value="sell" selected[side == "sell"] { (locale.t("orders-sell")) }
                }
            }
            label { (locale.t("orders-type")) " "
                select name="order_type" {
                    option value="limit" { (locale.t("orders-limit")) }
                    option value="market" { (locale.t("orders-market")) }
                }
            }
            label { (locale.t("orders-price")) " " input type="text" name="price" value=(v(&q.price)); }
            label { (locale.t("orders-quantity")) " " input type="text" name="quantity" value=(v(&q.quantity)) required; }
            button type="submit" name="intent" value="check" { (locale.t("orders-check")) }
            button type="submit" name="intent" value="send" { (locale.t("orders-send")) }
        }
        div #ticket-result {}
        p { a href={ "/orders?lang=" (locale.tag()) } { (locale.t("orders-title")) } }
    };
    Ok(page(locale, &locale.t("orders-ticket"), "/orders/ticket", &viewer, body))
}

fn outcome(locale: Locale, placed: &Placed) -> Markup {
    html! {
        div.outcome data-status=(placed.status) {
            p.status { (locale.t(&format!("orders-status-{}", placed.status)))
                @if let Some(id) = placed.id { " · #" (id) } " · " (locale.t("orders-fee")) " " (placed.fee) }
            @if placed.findings.is_empty() { p.clean { (locale.t("orders-no-findings")) } }
            ul.findings {
                @for f in &placed.findings {
                    li class={ "finding " (f.severity) } data-rule=(f.rule) {
                        strong { (locale.t(&format!("orders-severity-{}", f.severity))) } " "
                        code { (f.rule) } " "
                        (if locale == Locale::Zh { &f.message_zh } else { &f.message_en })
                    }
                }
            }
            @if let (Some(id), "unconfirmed") = (placed.id, placed.status) {
                form.confirm hx-post={ "/orders/" (id) "/confirm?lang=" (locale.tag()) } hx-target="#ticket-result" hx-swap="innerHTML" {
                    button type="submit" { (locale.t("orders-confirm")) }
                }
            }
        }
    }
}

fn ticket_of(form: &HashMap<String, String>) -> Result<TicketRequest, crate::HttpError> {
    let text = |f: &str| form.get(f).map(|s| s.trim().to_owned()).unwrap_or_default();
    let number = |f: &'static str| -> Result<i64, crate::HttpError> {
        text(f).parse().map_err(|_| crate::HttpError::of(domain::codes::NOT_A_NUMBER).on(f).with("value", text(f)))
    };
    Ok(TicketRequest {
        account_id: number("account_id")?,
        instrument: text("instrument"),
        side: text("side"),
        order_type: Some(text("order_type")).filter(|t| !t.is_empty()),
        price: Some(text("price")).filter(|t| !t.is_empty()),
        quantity: number("quantity")?,
        source: Some(text("source")).filter(|t| !t.is_empty()),
        reminder_id: text("reminder_id").parse().ok(),
    })
}

/// POST /orders/ticket: checks or sends the ticket; answers what the checks found.
pub async fn send(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<super::overview::LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let r = match ticket_of(&form) {
        Ok(r) => r,
        Err(e) => return refused(locale, e),
    };
    let now = state.db.now();
    let done = if form.get("intent").map(String::as_str) == Some("check") {
        state.orders.check(&viewer.principal, &r, now).await
    } else {
        state.orders.place(&viewer.principal, &r, now).await
    };
    match done {
        Ok(placed) => outcome(locale, &placed).into_response(),
        Err(e) => refused(locale, e.into()),
    }
}

/// POST /orders/{order}/confirm: the person confirms what the checks asked.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<super::overview::LangParam>,
    headers: HeaderMap,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: OrderId = match crate::params::path_id(&id, "order") {
        Ok(id) => id,
        Err(e) => return refused(locale, e),
    };
    match state.orders.confirm(&viewer.principal, id, state.db.now()).await {
        Ok(placed) => outcome(locale, &placed).into_response(),
        Err(e) => refused(locale, e.into()),
    }
}

/// POST /orders/{order}/cancel: cancels a working order.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<super::overview::LangParam>,
    headers: HeaderMap,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: OrderId = match crate::params::path_id(&id, "order") {
        Ok(id) => id,
        Err(e) => return refused(locale, e),
    };
    match state.orders.cancel(&viewer.principal, id).await {
        Ok(()) => html! { span.cancelled { (locale.t("orders-status-cancelled")) } }.into_response(),
        Err(e) => refused(locale, e.into()),
    }
}

/// GET /orders: the orders and conditional orders in the viewer's scope, and the conditional order form.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<super::overview::LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = app::orders::list(&state.db, &viewer.principal, None).await.map_err(|e| PageError(e.into(), locale))?;
    let conditionals =
        app::orders::conditionals(&state.db, &viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("orders-title")) }
        p { a href={ "/orders/ticket?lang=" (locale.tag()) } { (locale.t("orders-ticket")) }
            @if viewer.principal.role != Role::Customer { " · " a href={ "/orders/prevented?lang=" (locale.tag()) } { (locale.t("orders-prevented")) } } }
        @if rows.is_empty() { p.empty { (locale.t("orders-none")) } } @else {
            table.orders {
                thead { tr {
                    th { "#" } th { (locale.t("orders-placed")) } th { (locale.t("orders-account")) } th { (locale.t("orders-instrument")) }
                    th { (locale.t("orders-side")) } th { (locale.t("orders-price")) } th { (locale.t("orders-quantity")) }
                    th { (locale.t("orders-filled")) } th { (locale.t("orders-status")) } th {}
                } }
                tbody { @for o in &rows {
                    tr id={ "order-" (o.id) } data-status=(o.status) {
                        td { (o.id) } td { (to_shanghai(o.placed_at).format("%m-%d %H:%M:%S")) } td { (o.account_id) }
                        td { a href={ "/instruments/" (o.instrument) "?lang=" (locale.tag()) } { (o.instrument) } }
                        td { (locale.t(&format!("orders-{}", o.side))) } td.num { (money(o.price)) } td.num { (o.quantity) }
                        td.num.filled { (o.filled) } td.status { (locale.t(&format!("orders-status-{}", o.status))) @if !o.note.is_empty() { " (" (o.note) ")" } }
                        td { @if o.status == "working" {
                            form hx-post={ "/orders/" (o.id) "/cancel?lang=" (locale.tag()) } hx-target="closest td" hx-swap="innerHTML" {
                                button type="submit" { (locale.t("orders-cancel")) }
                            }
                        } }
                    }
                } }
            }
        }
        h2 { (locale.t("orders-conditionals")) }
        @if !conditionals.is_empty() {
            table.conditionals {
                thead { tr { th { "#" } th { (locale.t("orders-account")) } th { (locale.t("orders-instrument")) } th { (locale.t("orders-kind")) }
                    th { (locale.t("orders-quantity")) } th { (locale.t("orders-valid-until")) } th { (locale.t("orders-status")) } } }
                tbody { @for c in &conditionals {
                    tr id={ "conditional-" (c.id) } data-status=(c.status) {
                        td { (c.id) } td { (c.account_id) } td { (c.instrument) } td { (locale.t(&format!("orders-kind-{}", c.kind))) }
                        td.num { (c.quantity) } td { (c.valid_until) } td.status { (locale.t(&format!("orders-conditional-{}", c.status))) }
                    }
                } }
            }
        }
        section.conditional {
            h3 { (locale.t("orders-conditional-new")) }
            form.conditional hx-post={ "/orders/conditional?lang=" (locale.tag()) } hx-target="#conditional-result" hx-swap="innerHTML" {
                label { (locale.t("orders-account")) " " input type="text" name="account_id" required; }
                label { (locale.t("orders-instrument")) " " input type="text" name="instrument" required; }
                label { (locale.t("orders-kind")) " " select name="kind" {
                    @for k in ::orders::ConditionKind::ALL { option value=(k.as_str()) { (locale.t(&format!("orders-kind-{}", k.as_str()))) } }
                } }
                label { (locale.t("orders-side")) " " select name="side" {
                    option value="buy" { (locale.t("orders-buy")) } option value="sell" { (locale.t("orders-sell")) } } }
                label { (locale.t("orders-quantity")) " " input type="text" name="quantity" required; }
                label { (locale.t("orders-trigger-price")) " " input type="text" name="price"; }
                label { (locale.t("orders-percent")) " " input type="text" name="percent"; }
                label { (locale.t("orders-fall-percent")) " " input type="text" name="fall_percent"; }
                label { (locale.t("orders-floor")) " " input type="text" name="floor"; }
                label { (locale.t("orders-ceiling")) " " input type="text" name="ceiling"; }
                label { (locale.t("orders-valid-until")) " " input type="date" name="valid_until" required; }
                button type="submit" { (locale.t("orders-place")) }
            }
            div #conditional-result {}
        }
    };
    Ok(page(locale, &locale.t("orders-title"), "/orders", &viewer, body))
}

/// POST /orders/conditional: places a conditional order from the form.
pub async fn place_conditional(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<super::overview::LangParam>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let text = |f: &str| form.get(f).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let number = |f: &'static str| -> Result<i64, crate::HttpError> {
        let t = text(f).unwrap_or_default();
        t.parse().map_err(|_| crate::HttpError::of(domain::codes::NOT_A_NUMBER).on(f).with("value", t))
    };
    let (account_id, quantity) = match (number("account_id"), number("quantity")) {
        (Ok(a), Ok(q)) => (a, q),
        (Err(e), _) | (_, Err(e)) => return refused(locale, e),
    };
    let r = ConditionalRequest {
        account_id,
        instrument: text("instrument").unwrap_or_default(),
        kind: text("kind").unwrap_or_default(),
        side: text("side"),
        quantity,
        price: text("price"),
        percent: text("percent"),
        fall_percent: text("fall_percent"),
        floor: text("floor"),
        ceiling: text("ceiling"),
        valid_until: text("valid_until").unwrap_or_default(),
    };
    match state.orders.place_conditional(&viewer.principal, &r, state.db.now()).await {
        Ok(id) => html! { p.placed data-conditional=(id) { (locale.t("orders-conditional-placed")) " #" (id) } }
            .into_response(),
        Err(e) => refused(locale, e.into()),
    }
}

/// GET /orders/prevented: tickets each rule blocked or made confirm, for the scope and per advisor.
pub async fn prevented(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<super::overview::LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let p = app::orders::prevented(&state.db, &viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let body = html! {
        h1 { (locale.t("orders-prevented")) }
        p.explain { (locale.t("orders-prevented-explain")) }
        table.prevented {
            thead { tr { th { (locale.t("orders-rule")) } th { (locale.t("orders-severity")) } th { (locale.t("orders-tickets")) } } }
            tbody { @for (rule, severity, n) in &p.by_rule {
                tr data-rule=(rule) { td { code { (rule) } } td { (locale.t(&format!("orders-severity-{severity}"))) } td.num { (n) } }
            } }
        }
        h2 { (locale.t("orders-per-advisor")) }
        table.per-advisor {
            thead { tr { th { (locale.t("orders-advisor")) } th { (locale.t("orders-rule")) } th { (locale.t("orders-severity")) } th { (locale.t("orders-tickets")) } } }
            tbody { @for (advisor, rule, severity, n) in &p.by_advisor {
                tr { td { a href={ "/advisors/" (advisor) "?lang=" (locale.tag()) } { (advisor) } } td { code { (rule) } }
                    td { (locale.t(&format!("orders-severity-{severity}"))) } td.num { (n) } }
            } }
        }
    };
    Ok(page(locale, &locale.t("orders-prevented"), "/orders/prevented", &viewer, body))
}
