//! Advisor communities on pages: the groups list, a group's chat (kept live
//! over a WebSocket that resumes from the last message seen), the admission
//! queue with invite links, the moderation log with appeals and reports,
//! joining by invite, and the question queue with response times.

mod admission;
pub(crate) mod chat;
mod health;
mod moderation;
mod questions;

pub use admission::{admission, decide, follow_up, invite, join, join_page};
pub use chat::{chat, live};
pub use health::{health, revise as revise_rules, rules};
pub use moderation::{appeal, moderation, resolve, review};
pub use questions::questions;

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
            span.sender { @if m.sender_kind == domain::SenderKind::System { (locale.t("chat-system")) } @else { (m.sender_name) } }
            " " span.when { (when(m.at)) } " "
            @if let Some(r) = m.reply_to { a.reply-to href={ "#m-" (r) } { "↩ " (r) } " " }
            span.body { (m.body) }
            @if let Some(c) = m.content_id {
                " " a.share href={ "/content/" (c) "/share?lang=" (locale.tag()) } { (locale.t("share-title")) }
            }
            @if let Some(e) = m.red_envelope_id {
                " " button.envelope type="button" data-envelope=(e) { (locale.t("envelope-open")) }
                " " span.envelope-status id={ "envelope-" (e) } {}
            }
        }
    }
}

fn group_links(locale: Locale, g: &GroupRow, standing: Standing) -> Markup {
    let lang = locale.tag();
    html! {
        nav.group-links {
            a href={ "/groups/" (g.id) "?lang=" (lang) } { (locale.t("chat-title")) } " · "
            a href={ "/groups/" (g.id) "/moderation?lang=" (lang) } { (locale.t("moderation-title")) }
            " · " a href={ "/groups/" (g.id) "/rules?lang=" (lang) } { (locale.t("rules-title")) }
            @if standing.is_admin() {
                " · " a href={ "/groups/" (g.id) "/admission?lang=" (lang) } { (locale.t("admission-title")) }
            }
            @if standing.is_admin() || standing == Standing::Observer {
                " · " a href={ "/groups/" (g.id) "/health?lang=" (lang) } { (locale.t("health-title")) }
            }
        }
    }
}

use community::screening::Category;

/// The group's published rules, in words.
fn rules_view(locale: Locale, g: &GroupRow) -> Markup {
    let rules: community::moderation::GroupRules = serde_json::from_str(&g.rules).unwrap_or_default();
    let firm = community::screening::Screen::firm();
    // The phrases are data (some English, as members write it): each quoted as such;
    // the firm's lexicon first, then the group's own.
    let words = |category: Category, own: &[String]| {
        let all: Vec<&str> = firm.phrases(category).into_iter().chain(own.iter().map(String::as_str)).collect();
        html! { @for (k, p) in all.iter().enumerate() { @if k > 0 { " / " } q.phrase { (p) } } }
    };
    html! {
        details.rules {
            summary { (locale.t("rules-title")) }
            p { (locale.t_with("rules-screening", &[("version", firm.version().to_string())])) }
            ul {
                li { (locale.t("violation-guaranteed_returns")) ": " (words(Category::GuaranteedReturns, &rules.guaranteed_returns)) }
                li { (locale.t("violation-insider_tip")) ": " (words(Category::InsiderTip, &rules.insider_tips)) }
                li { (locale.t("violation-illegal_tip_service")) ": " (words(Category::IllegalTipService, &[])) }
                li { (locale.t("violation-off_platform_contact")) " · " (locale.t("violation-external_link")) }
                li { (locale.t("violation-stock_pushing")) ": " (words(Category::StockPushing, &rules.pushing_phrases)) " · "
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
                    td { a href={ "/advisors/" (g.advisor_id) "?lang=" (lang) } { (g.advisor) } } td.num { (g.members) " / " (g.capacity) } td { (g.description) }
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
