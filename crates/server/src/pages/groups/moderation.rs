//! Moderation as data: the log every member reads, appeals, reviews and reports.

use super::*;

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
