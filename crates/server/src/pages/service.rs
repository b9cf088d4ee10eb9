//! The service pages (issue 29): a customer files a complaint or a
//! suggestion and follows it (replies, closing with their satisfaction,
//! reopening); the advisor, the complaints team (compliance) and the branch
//! manager work their queues, overdue tickets marked by how far they have
//! climbed; the suggestions board with votes and adoptions; incidents with
//! the report's timeline and deadline, and compliance's gate on the notice.

use super::groups::form_reply;
use super::layout::{page, PageError, PageQuery};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::i18n::ReaderLocale;
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Role;
use app::service::{Filing, IncidentFacts, ServiceDesk};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use chrono::{DateTime, Utc};
use domain::{to_shanghai, CustomerId};
use maud::{html, Markup};
use messages::Locale;
use service::ticket::{Category, Kind, Status};
use std::collections::HashMap;
use store::{TicketFilter, TicketRow};

fn when(d: DateTime<Utc>) -> String {
    to_shanghai(d).format("%Y-%m-%d %H:%M").to_string()
}

/// Reloads the page the form was on (htmx), or a given one.
fn go(to: String) -> Response {
    ([("HX-Redirect", to)], axum::http::StatusCode::NO_CONTENT).into_response()
}

fn status_badge(locale: Locale, t: &TicketRow, now: DateTime<Utc>) -> Markup {
    let overdue = t.status == "open" && t.kind == "complaint" && t.due_at <= now;
    html! {
        span class={ "status " (t.status) } { (locale.t(&format!("service-status-{}", t.status))) }
        @if t.level != "queue" {
            " " span.level.escalated { (locale.t(&format!("service-level-{}", t.level))) }
        }
        @if overdue { " " span.overdue { (locale.t("service-overdue")) } }
    }
}

fn tickets_table(locale: Locale, tickets: &[TicketRow], staff: bool, now: DateTime<Utc>) -> Markup {
    let lang = locale.tag();
    html! {
        @if tickets.is_empty() { p.empty { (locale.t("none")) } } @else {
            table.tickets {
                thead { tr {
                    th { "#" } th { (locale.t("service-subject")) } th { (locale.t("col-kind")) } th { (locale.t("service-category")) }
                    @if staff { th { (locale.t("col-customer")) } th { (locale.t("service-channel")) } }
                    th { (locale.t("service-state")) } th { (locale.t("service-due")) } th { (locale.t("service-filed")) }
                } }
                tbody { @for t in tickets {
                    tr.ticket id={ "ticket-" (t.id) } {
                        td { (t.id) }
                        td { a href={ "/service/tickets/" (t.id) "?lang=" (lang) } { q { (t.subject) } } }
                        td { (locale.t(&format!("service-kind-{}", t.kind))) }
                        td { (locale.t(&format!("service-category-{}", t.category))) }
                        @if staff {
                            td { a href={ "/customers/" (t.customer_id) "?lang=" (lang) } { (t.customer) } }
                            td { (locale.t(&format!("service-channel-{}", t.channel))) }
                        }
                        td { (status_badge(locale, t, now)) }
                        td { (when(t.due_at)) }
                        td { (when(t.created_at)) }
                    }
                } }
            }
        }
    }
}

fn options(locale: Locale, prefix: &str, values: &[&str]) -> Markup {
    html! { @for v in values { option value=(v) { (locale.t(&format!("{prefix}-{v}"))) } } }
}

fn filing_form(locale: Locale, staff: bool) -> Markup {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    html! {
        form #file-ticket hx-post={ "/service/tickets?lang=" (locale.tag()) } hx-target="#file-result" {
            @if staff {
                label { (locale.t("col-customer")) " " input type="number" name="customer_id" min="1" required; }
                label { (locale.t("service-channel")) " " select name="channel" { (options(locale, "service-channel", &["phone", "counter"])) } }
            }
            label { (locale.t("col-kind")) " " select name="kind" { (options(locale, "service-kind", &["complaint", "feedback"])) } }
            label { (locale.t("service-category")) " " select name="category" { (options(locale, "service-category", &categories)) } }
            label { (locale.t("service-subject")) " " input type="text" name="subject" maxlength="100" required; }
            label { (locale.t("service-body")) " " textarea name="body" rows="4" maxlength="2000" required {} }
            button type="submit" { (locale.t("service-file")) }
        }
        div #file-result {}
    }
}

/// GET /service: a customer's tickets and the form to file one; staff's queue.
pub async fn home(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.get("lang").map(String::as_str), &headers);
    let fail = |e: app::Error| PageError(e.into(), locale);
    let p = &viewer.principal;
    let staff = p.role != Role::Customer;
    let view = q.get("view").map_or("queue", String::as_str);
    let filter = match view {
        "all" => TicketFilter { limit: 300, ..TicketFilter::default() },
        "escalated" => TicketFilter {
            unresolved: true,
            level_at_least: Some("manager".into()),
            limit: 300,
            ..TicketFilter::default()
        },
        _ => ServiceDesk::default_filter(p),
    };
    let tickets = state.service.list(p, filter).await.map_err(fail)?;
    let now = state.db.now();
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("service-title")) }
        p { a href={ "/service/feedback?lang=" (lang) } { (locale.t("service-board")) } @if staff { " · " a href={ "/incidents?lang=" (lang) } { (locale.t("incidents-title")) } } }
        @if staff {
            nav.views {
                a href={ "/service?lang=" (lang) } { (locale.t(&format!("service-queue-{}", p.role))) } " · "
                a href={ "/service?view=escalated&lang=" (lang) } { (locale.t("service-view-escalated")) } " · "
                a href={ "/service?view=all&lang=" (lang) } { (locale.t("service-view-all")) }
            }
            h2 { (locale.t("service-tickets")) }
            (tickets_table(locale, &tickets, true, now))
            h2 { (locale.t("service-file-for")) }
            (filing_form(locale, true))
        } @else {
            h2 { (locale.t("service-file-own")) }
            (filing_form(locale, false))
            h2 { (locale.t("service-mine")) }
            (tickets_table(locale, &tickets, false, now))
        }
    };
    Ok(page(locale, &locale.t("service-title"), "/service", &viewer, body))
}

/// POST /service/tickets (htmx): files a ticket, then opens it.
pub async fn file(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let field = |name: &str| form.get(name).cloned().unwrap_or_default();
        let customer_id = match form.get("customer_id").filter(|c| !c.trim().is_empty()) {
            Some(c) => Some(path_id::<CustomerId>(c, "customer")?),
            None => None,
        };
        let filing = Filing {
            customer_id,
            kind: field("kind"),
            category: field("category"),
            channel: form.get("channel").cloned(),
            subject: field("subject"),
            body: field("body"),
        };
        Ok::<_, HttpError>(state.service.file(&viewer.principal, &filing).await?)
    };
    match result.await {
        Ok(id) => go(format!("/service/tickets/{id}?lang={}", locale.tag())),
        Err(e) => form_reply(locale, Err(e)),
    }
}

/// GET /service/tickets/{ticket}: the ticket, its steps and attachments, and what the viewer may do.
pub async fn ticket(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: i64 = path_id(&id, "ticket").map_err(|e| PageError(e, locale))?;
    let v = state.service.show(&viewer.principal, id).await.map_err(|e| PageError(e.into(), locale))?;
    let t = &v.ticket;
    let lang = locale.tag();
    let now = state.db.now();
    let own = viewer.principal.customer_id.is_some_and(|c| c.0 == t.customer_id);
    let status = Status::parse(&t.status).unwrap_or(Status::Open);
    let action = |what: &str| format!("/service/tickets/{}/{what}?lang={lang}", t.id);
    let body = html! {
        p { a href={ "/service?lang=" (lang) } { "← " (locale.t("service-title")) } }
        h1 { (locale.t("service-ticket")) " #" (t.id) ": " q { (t.subject) } }
        dl.ticket-facts {
            dt { (locale.t("col-kind")) } dd { (locale.t(&format!("service-kind-{}", t.kind))) }
            dt { (locale.t("service-category")) } dd { (locale.t(&format!("service-category-{}", t.category))) }
            dt { (locale.t("service-channel")) } dd { (locale.t(&format!("service-channel-{}", t.channel))) }
            dt { (locale.t("service-queue")) } dd { (locale.t(&format!("service-queue-name-{}", t.queue))) }
            dt { (locale.t("service-state")) } dd #ticket-status { (status_badge(locale, t, now)) }
            dt { (locale.t("service-due")) } dd { (when(t.due_at)) }
            @if let Some(s) = t.satisfaction { dt { (locale.t("service-satisfaction")) } dd #satisfaction { (s) " / 5" } }
            @if t.kind == Kind::Feedback.as_str() { dt { (locale.t("service-votes")) } dd { (t.votes) } }
            @if let Some(incident) = t.incident_id.filter(|_| viewer.principal.role != Role::Customer) {
                dt { (locale.t("incident")) } dd { a href={ "/incidents/" (incident) "?lang=" (lang) } { "#" (incident) } }
            }
        }
        section.ticket-body { h2 { (locale.t("service-body")) } p { q { (t.body) } } }
        @if let Some(note) = &t.adoption_note { p.adopted { (locale.t("service-adopted")) ": " q { (note) } } }
        h2 { (locale.t("service-history")) }
        ol.ticket-events {
            @for e in &v.events {
                li class={ "event " (e.kind) } {
                    span.when { (when(e.at)) } " · "
                    span.what { (locale.t(&format!("service-event-{}", e.kind))) } " · "
                    span.who { (e.actor_name) }
                    @if !e.public { " · " span.internal { (locale.t("service-internal")) } }
                    @if !e.body.is_empty() {
                        @match e.kind.as_str() {
                            "filed" => { " · " (locale.t(&format!("service-channel-{}", e.body))) },
                            "escalated" => { " · " (locale.t(&format!("service-level-{}", e.body))) },
                            _ => { ": " q.said { (e.body) } },
                        }
                    }
                }
            }
        }
        @if !v.attachments.is_empty() {
            h2 { (locale.t("service-attachments")) }
            ul.attachments { @for a in &v.attachments {
                li { a href={ "/api/v1/tickets/" (t.id) "/attachments/" (a.seq) } { q { (a.name) } } " (" (locale.t(&format!("service-file-{}", a.file_type))) ", " (locale.t_with("service-bytes", &[("n", a.size.to_string())])) ")" }
            } }
        }
        @if (own || v.may_reply) && status != Status::Closed && v.attachments.len() < state.service.settings().attachments_per_ticket {
            form #attach data-ticket=(t.id) data-failed=(locale.t("service-attach-failed")) {
                input type="file" name="file" accept="image/png,image/jpeg,application/pdf,text/plain" required;
                button type="submit" { (locale.t("service-attach")) }
            }
            p #attach-result role="status" {}
            script src="/assets/ticket-attach.js" {}
        }
        @if v.may_reply && status != Status::Closed {
            h2 { (locale.t("service-reply")) }
            form #reply hx-post=(action("reply")) hx-target="#reply-result" {
                textarea name="text" rows="4" maxlength="2000" required {}
                label { input type="checkbox" name="internal" value="true"; " " (locale.t("service-internal")) }
                button type="submit" { (locale.t("service-send-reply")) }
            }
            div #reply-result {}
        }
        @if own {
            @if status != Status::Closed {
                form #note hx-post=(action("note")) hx-target="#note-result" {
                    textarea name="text" rows="2" maxlength="2000" required {}
                    button type="submit" { (locale.t("service-add-note")) }
                }
                div #note-result {}
                form #close hx-post=(action("close")) hx-target="#close-result" {
                    label { (locale.t("service-satisfaction")) " "
                        select name="satisfaction" { @for s in (1..=5).rev() { option value=(s) { (locale.t(&format!("service-satisfaction-{s}"))) } } } }
                    input type="text" name="comment" maxlength="500";
                    button type="submit" { (locale.t("service-close")) }
                }
                div #close-result {}
            }
            @if status != Status::Open {
                form #reopen hx-post=(action("reopen")) hx-target="#reopen-result" {
                    input type="text" name="text" maxlength="2000" required;
                    button type="submit" { (locale.t("service-reopen")) }
                }
                div #reopen-result {}
            }
        }
        @if viewer.principal.role == Role::Admin && t.kind == Kind::Feedback.as_str() && t.adopted_at.is_none() {
            form #adopt hx-post=(action("adopt")) hx-target="#adopt-result" {
                input type="text" name="text" maxlength="500" required;
                button type="submit" { (locale.t("service-adopt")) }
            }
            div #adopt-result {}
        }
    };
    Ok(page(locale, &locale.t("service-ticket"), &format!("/service/tickets/{}", t.id), &viewer, body))
}

/// A step on a ticket from its page (htmx): reply, note, close, reopen, vote or adopt; then reloads.
async fn act(
    state: AppState,
    viewer: Viewer,
    id: String,
    step: &str,
    locale: Locale,
    headers: HeaderMap,
    form: HashMap<String, String>,
) -> Response {
    let result = async {
        let id: i64 = path_id(&id, "ticket")?;
        let text = form.get("text").cloned().unwrap_or_default();
        let p = &viewer.principal;
        let s = &state.service;
        match step {
            "reply" => s.reply(p, id, &text, form.get("internal").is_some_and(|v| v == "true")).await?,
            "note" => s.add_note(p, id, &text).await?,
            "close" => {
                let satisfaction: i32 = form.get("satisfaction").map_or("", String::as_str).trim().parse().unwrap_or(0);
                s.close(p, id, satisfaction, form.get("comment").map_or("", String::as_str)).await?
            }
            "reopen" => s.reopen(p, id, &text).await?,
            "vote" => s.vote(p, id).await?,
            _ => s.adopt(p, id, &text).await?,
        }
        Ok::<_, HttpError>(id)
    };
    match result.await {
        Ok(id) if step == "vote" => {
            let back = headers.get("HX-Current-URL").and_then(|v| v.to_str().ok()).map(str::to_owned);
            go(back.unwrap_or_else(|| format!("/service/feedback?lang={}#suggestion-{id}", locale.tag())))
        }
        Ok(id) => go(format!("/service/tickets/{id}?lang={}", locale.tag())),
        Err(e) => form_reply(locale, Err(e)),
    }
}

macro_rules! ticket_steps {
    ($($(#[$doc:meta])* $name:ident = $step:literal;)*) => {$(
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            Extension(viewer): Extension<Viewer>,
            Path(id): Path<String>,
            ReaderLocale(locale): ReaderLocale,
            headers: HeaderMap,
            Form(form): Form<HashMap<String, String>>,
        ) -> Response {
            act(state, viewer, id, $step, locale, headers, form).await
        }
    )*};
}

ticket_steps! {
    /// POST /service/tickets/{ticket}/reply: staff reply (or note internally).
    reply = "reply";
    /// POST /service/tickets/{ticket}/note: the customer adds to it.
    note = "note";
    /// POST /service/tickets/{ticket}/close: the customer closes it with their satisfaction.
    close = "close";
    /// POST /service/tickets/{ticket}/reopen: the customer reopens it.
    reopen = "reopen";
    /// POST /service/tickets/{ticket}/vote: a customer votes for a suggestion.
    vote = "vote";
    /// POST /service/tickets/{ticket}/adopt: the product team adopts a suggestion.
    adopt = "adopt";
}

/// GET /service/feedback: the suggestions board, adopted first, then by votes.
pub async fn board(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let board = state.service.board().await.map_err(|e| PageError(e.into(), locale))?;
    let customer = viewer.principal.role == Role::Customer;
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("service-board")) }
        p { (locale.t("service-board-intro")) }
        @if board.is_empty() { p.empty { (locale.t("none")) } } @else {
            table.board {
                thead { tr { th { (locale.t("service-subject")) } th { (locale.t("service-category")) } th { (locale.t("service-votes")) } th { (locale.t("service-adopted")) } th {} } }
                tbody { @for t in &board {
                    tr.suggestion id={ "suggestion-" (t.id) } {
                        td { q { (t.subject) } }
                        td { (locale.t(&format!("service-category-{}", t.category))) }
                        td.votes { (t.votes) }
                        td { @if let Some(note) = &t.adoption_note { span.adopted { q { (note) } " — " (locale.t_with("service-credited", &[("name", t.customer.chars().take(1).collect::<String>())])) } } }
                        td { @if customer {
                            button.vote hx-post={ "/service/tickets/" (t.id) "/vote?lang=" (lang) } hx-target="next .result" { (locale.t("service-vote")) }
                            span.result {}
                        } }
                    }
                } }
            }
        }
    };
    Ok(page(locale, &locale.t("service-board"), "/service/feedback", &viewer, body))
}

/// GET /incidents: incidents, newest first (staff).
pub async fn incidents(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let rows = state.service.incidents(&viewer.principal).await.map_err(|e| PageError(e.into(), locale))?;
    let lang = locale.tag();
    let body = html! {
        h1 { (locale.t("incidents-title")) }
        @if rows.is_empty() { p.empty { (locale.t("none")) } } @else {
            table.incidents {
                thead { tr { th { "#" } th { (locale.t("incident-area")) } th { (locale.t("incident-grade")) } th { (locale.t("service-state")) } th { (locale.t("incident-started")) } th { (locale.t("incident-affected")) } th { (locale.t("incident-notice")) } } }
                tbody { @for i in &rows {
                    tr.incident {
                        td { a href={ "/incidents/" (i.id) "?lang=" (lang) } { "#" (i.id) } }
                        td { (locale.t(&format!("incident-area-{}", i.area))) }
                        td { (locale.t(&format!("incident-grade-{}", i.grade))) }
                        td { (locale.t(&format!("incident-status-{}", i.status))) }
                        td { (when(i.started_at)) }
                        td { (i.affected_investors) }
                        td { (locale.t(&format!("incident-notice-{}", i.notice_status))) }
                    }
                } }
            }
        }
    };
    Ok(page(locale, &locale.t("incidents-title"), "/incidents", &viewer, body))
}

/// GET /incidents/{incident}: the incident, its report timeline and deadline, what is linked, the notice's gate.
pub async fn incident(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: i64 = path_id(&id, "incident").map_err(|e| PageError(e, locale))?;
    let v = state.service.incident(&viewer.principal, id).await.map_err(|e| PageError(e.into(), locale))?;
    let i = &v.incident;
    let lang = locale.tag();
    let now = state.db.now();
    let compliance = viewer.principal.role == Role::Compliance;
    let action = |what: &str| format!("/incidents/{}/{what}?lang={lang}", i.id);
    let local = |d: DateTime<Utc>| to_shanghai(d).format("%Y-%m-%d %H:%M:%S").to_string();
    let body = html! {
        p { a href={ "/incidents?lang=" (lang) } { "← " (locale.t("incidents-title")) } }
        h1 { (locale.t("incident")) " #" (i.id) ": " (locale.t(&format!("incident-area-{}", i.area))) }
        dl.incident-facts {
            dt { (locale.t("incident-grade")) } dd #grade { (locale.t(&format!("incident-grade-{}", i.grade))) }
            dt { (locale.t("service-state")) } dd { (locale.t(&format!("incident-status-{}", i.status))) }
            dt { (locale.t("incident-started")) } dd { (when(i.started_at)) }
            dt { (locale.t("incident-ended")) } dd { @match i.ended_at { Some(e) => (when(e)), None => "—" } }
            dt { (locale.t("incident-affected")) } dd #affected { (i.affected_investors) }
            dt { (locale.t("incident-summary")) } dd { q { (i.summary) } }
            @if let Some(due) = v.next_deadline {
                dt { (locale.t("incident-next-deadline")) } dd #deadline .deadline { (when(due)) }
            }
        }
        h2 { (locale.t("incident-timeline")) }
        ol.timeline { @for m in &v.timeline {
            li class={ @if m.deadline { "deadline" } @if m.deadline && m.at < now { " missed" } } {
                span.when { (when(m.at)) } " · " (locale.t(&format!("incident-milestone-{}", m.what)))
            }
        } }
        h2 { (locale.t("incident-notice")) ": " span #notice-status { (locale.t(&format!("incident-notice-{}", i.notice_status))) } }
        @if let Some(text) = &i.notice_text { p.notice-text { q { (text) } } }
        @if i.notice_status != "approved" {
            form #draft-notice hx-post=(action("notice")) hx-target="#notice-result" {
                textarea name="text" rows="3" maxlength="2000" required {}
                button type="submit" { (locale.t("incident-draft-notice")) }
            }
        }
        @if compliance && i.notice_status == "pending" {
            form #approve-notice hx-post=(action("decision")) hx-target="#notice-result" {
                input type="hidden" name="approve" value="true";
                button type="submit" { (locale.t("incident-approve")) }
            }
            form #reject-notice hx-post=(action("decision")) hx-target="#notice-result" {
                input type="hidden" name="approve" value="false";
                button type="submit" { (locale.t("incident-reject")) }
            }
        }
        div #notice-result {}
        @if compliance && i.status == "open" {
            h2 { (locale.t("incident-record")) }
            form #incident-facts hx-post=(action("facts")) hx-target="#facts-result" {
                label { (locale.t("incident-started")) " " input type="text" name="started_at" value=(local(i.started_at)) required; }
                label { (locale.t("incident-ended")) " " input type="text" name="ended_at" placeholder="YYYY-MM-DD HH:MM:SS"; }
                label { (locale.t("incident-affected")) " " input type="number" name="affected_investors" min="0" value=(i.affected_investors); }
                label { (locale.t("incident-summary")) " " textarea name="summary" rows="2" maxlength="2000" required { (i.summary) } }
                button type="submit" { (locale.t("incident-save")) }
            }
            div #facts-result {}
        }
        h2 { (locale.t("incident-complaints")) " (" (v.tickets.len()) ")" }
        (tickets_table(locale, &v.tickets, true, now))
        h2 { (locale.t("incident-messages")) " (" (v.messages.len()) ")" }
        @if v.messages.is_empty() { p.empty { (locale.t("none")) } } @else {
            ul.fault-reports { @for m in v.messages.iter().take(200) {
                li { (when(m.at)) " · " a href={ "/groups/" (m.group_id) "?lang=" (lang) } { (locale.t("incident-group")) " " (m.group_id) } ": " q { (m.body) } }
            } }
        }
    };
    Ok(page(locale, &locale.t("incident"), &format!("/incidents/{}", i.id), &viewer, body))
}

/// A step on an incident from its page (htmx): facts, notice (draft) or decision; then reloads.
async fn incident_act(
    state: AppState,
    viewer: Viewer,
    id: String,
    step: &str,
    locale: Locale,
    form: HashMap<String, String>,
) -> Response {
    let result = async {
        let id: i64 = path_id(&id, "incident")?;
        let field = |name: &str| form.get(name).cloned().unwrap_or_default();
        let p = &viewer.principal;
        // Whose first: an incident out of reach is refused before its form is read.
        state.service.incident(p, id).await?;
        match step {
            "facts" => {
                let started_at = domain::parse_timestamp("started_at", &field("started_at"))?;
                let ended = field("ended_at");
                let ended_at =
                    (!ended.trim().is_empty()).then(|| domain::parse_timestamp("ended_at", &ended)).transpose()?;
                let affected = field("affected_investors");
                let affected_investors = (!affected.trim().is_empty())
                    .then(|| affected.trim().parse::<i64>())
                    .transpose()
                    .map_err(|_| HttpError::of(domain::codes::NOT_A_NUMBER).on("affected_investors"))?;
                let facts = IncidentFacts { started_at, ended_at, affected_investors, summary: field("summary") };
                state.service.update_incident(p, id, &facts).await?;
            }
            "notice" => state.service.draft_notice(p, id, &field("text")).await?,
            _ => {
                state.service.decide_notice(p, id, field("approve") == "true", &state.community).await?;
            }
        }
        Ok::<_, HttpError>(id)
    };
    match result.await {
        Ok(id) => go(format!("/incidents/{id}?lang={}", locale.tag())),
        Err(e) => form_reply(locale, Err(e)),
    }
}

macro_rules! incident_steps {
    ($($(#[$doc:meta])* $name:ident = $step:literal;)*) => {$(
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            Extension(viewer): Extension<Viewer>,
            Path(id): Path<String>,
            ReaderLocale(locale): ReaderLocale,
            Form(form): Form<HashMap<String, String>>,
        ) -> Response {
            incident_act(state, viewer, id, $step, locale, form).await
        }
    )*};
}

incident_steps! {
    /// POST /incidents/{incident}/facts: compliance records what is known.
    incident_facts = "facts";
    /// POST /incidents/{incident}/notice: staff draft the notice.
    incident_notice = "notice";
    /// POST /incidents/{incident}/decision: compliance approves or rejects the notice.
    incident_decision = "decision";
}
