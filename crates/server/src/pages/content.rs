//! Content on pages: the advisor's editor (draft, revise, submit, schedule
//! into groups) and compliance's review queue (approve or reject with a comment).

use super::groups::refreshed;
use super::layout::{page, PageError, PageQuery};
use super::overview::LangParam;
use crate::auth::Viewer;
use crate::i18n::{Locale, ReaderLocale};
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Role;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use domain::to_shanghai;
use maud::{html, Markup};
use std::collections::HashMap;
use store::ContentVersion;

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    to_shanghai(t).format("%Y-%m-%d %H:%M").to_string()
}

fn version_view(locale: Locale, v: &ContentVersion) -> Markup {
    html! {
        div.version {
            h3 { (v.title) " " small { "v" (v.version) " · " (when(v.written_at)) " · " (locale.t(&format!("content-kind-{}", v.kind))) " · " span.status { (locale.t(&format!("content-status-{}", v.status))) } } }
            pre.body { (v.body) }
            @if let Some(note) = &v.review_note { @if !note.is_empty() { p.review { (locale.t("content-review-note")) ": " (note) } } }
        }
    }
}

/// GET /content: an advisor's items with their editor; compliance's review queue.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    PageQuery(q): PageQuery<LangParam>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let p = &viewer.principal;
    let lang = locale.tag();
    let body = match p.role {
        Role::Compliance => {
            let queue = state.community.review_queue(p).await.map_err(|e| fail(e.into()))?;
            html! {
                h1 { (locale.t("content-review-title")) }
                @if queue.is_empty() { p.empty { (locale.t("content-review-none")) } }
                @for v in &queue {
                    section.review-item id={ "review-" (v.item_id) "-" (v.version) } {
                        (version_view(locale, v))
                        form hx-post={ "/content/" (v.item_id) "/review?version=" (v.version) "&lang=" (lang) } hx-target="next .result" {
                            input type="text" name="comment" maxlength="500" placeholder=(locale.t("content-review-comment"));
                            button type="submit" name="approve" value="true" { (locale.t("content-approve")) }
                            button type="submit" name="approve" value="false" { (locale.t("content-reject")) }
                        }
                        div.result {}
                    }
                }
            }
        }
        Role::Advisor => {
            let items = state.community.content_list(p).await.map_err(|e| fail(e.into()))?;
            let groups = state.community.groups_of(p).await.map_err(|e| fail(e.into()))?.0;
            let mut reads = HashMap::new();
            for v in &items {
                reads.insert(v.item_id, state.db.read_count(v.item_id).await.map_err(|e| fail(e.into()))?);
            }
            html! {
                h1 { (locale.t("content-title")) }
                h2 { (locale.t("content-new")) }
                form.content-new hx-post={ "/content?lang=" (lang) } hx-target="#content-new-result" {
                    select name="kind" { @for k in domain::ContentKind::ALL { option value=(k) { (locale.t(&format!("content-kind-{k}"))) } } }
                    input type="text" name="title" maxlength="120" required placeholder=(locale.t("content-title-field"));
                    textarea name="body" rows="6" required placeholder=(locale.t("content-body-field")) {}
                    button type="submit" { (locale.t("content-save-draft")) }
                }
                div id="content-new-result" {}
                @for v in &items {
                    section.content-item id={ "item-" (v.item_id) } {
                        (version_view(locale, v))
                        p { (locale.t("content-reads")) ": " (reads.get(&v.item_id).copied().unwrap_or(0)) }
                        @if v.status == domain::ContentStatus::Draft {
                            button hx-post={ "/content/" (v.item_id) "/submit?lang=" (lang) } hx-target="next .result" { (locale.t("content-submit")) }
                        }
                        @if v.status == domain::ContentStatus::Approved && !groups.is_empty() {
                            form hx-post={ "/content/" (v.item_id) "/schedule?lang=" (lang) } hx-target="next .result" {
                                @for g in &groups { label { input type="checkbox" name={ "group-" (g.id) } value="on"; " " (g.name) } " " }
                                input type="text" name="at" placeholder="YYYY-MM-DD HH:MM:SS";
                                button type="submit" { (locale.t("content-schedule")) }
                            }
                        }
                        details { summary { (locale.t("content-revise")) }
                            form hx-post={ "/content/" (v.item_id) "/versions?lang=" (lang) } hx-target="next .result" {
                                input type="text" name="title" maxlength="120" required value=(v.title);
                                textarea name="body" rows="6" required { (v.body) }
                                button type="submit" { (locale.t("content-save-draft")) }
                            }
                        }
                        div.result {}
                    }
                }
            }
        }
        _ => return Err(fail(HttpError::of(app::codes::CONTENT_ROLES))),
    };
    Ok(page(locale, &locale.t("content-title"), "/content", &viewer, body))
}

/// POST /content (htmx): a new draft.
pub async fn create(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    refreshed(
        locale,
        state
            .community
            .draft_content(&viewer.principal, field("kind"), field("title"), field("body"))
            .await
            .map(|_| ())
            .map_err(HttpError::from),
    )
}

/// POST /content/{item}/versions (htmx): a new version.
pub async fn revise(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(item): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let result = async {
        let item = path_id(&item, "item")?;
        state.community.revise_content(&viewer.principal, item, field("title"), field("body")).await?;
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}

/// POST /content/{item}/submit (htmx): submit for review after the banned-phrase check.
pub async fn submit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(item): Path<String>,
    ReaderLocale(locale): ReaderLocale,
) -> Response {
    let result = async {
        state.community.submit_content(&viewer.principal, path_id(&item, "item")?).await?;
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}

/// Which version a review is of.
#[derive(Debug, serde::Deserialize)]
pub struct VersionParam {
    version: Option<i64>,
}

/// POST /content/{item}/review (htmx): compliance approves or rejects.
pub async fn review(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(item): Path<String>,
    PageQuery(q): PageQuery<VersionParam>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let item = path_id(&item, "item")?;
        let version = q.version.ok_or(HttpError::of(domain::codes::EMPTY).on("version"))?;
        let approve = form.get("approve").map(String::as_str) == Some("true");
        let comment = form.get("comment").map(String::as_str).unwrap_or("");
        state.community.review_content(&viewer.principal, item, version, approve, comment).await?;
        // A rebalance approved tells its followers: pushed now to those connected.
        if let Err(e) = state.outreach.deliver_due(state.db.now()).await {
            tracing::error!(error = %e, "delivering a rebalance's notices failed; the outbox retries");
        }
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}

/// POST /content/{item}/schedule (htmx): publish the approved version into the ticked groups.
pub async fn schedule(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(item): Path<String>,
    ReaderLocale(locale): ReaderLocale,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = async {
        let item = path_id(&item, "item")?;
        let groups: Vec<domain::GroupId> =
            form.keys().filter_map(|k| k.strip_prefix("group-")).filter_map(|g| g.parse().ok()).collect();
        let at = match form.get("at").map(|a| a.trim()).filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => Some(domain::parse_timestamp("at", a).map_err(|e| HttpError::from(e.for_field("at")))?),
        };
        state.community.schedule_content(&viewer.principal, item, &groups, at).await?;
        Ok::<_, HttpError>(())
    };
    refreshed(locale, result.await)
}
