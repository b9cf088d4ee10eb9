//! Sharing (issue 27): the public page of a shared item (no sign-in), and
//! the share box (link and QR code) a customer sees on the items they may share.

use super::layout::{PageError, PageQuery};
use crate::auth::Viewer;
use crate::{AppState, HttpError};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use growth::referral::ShareKind;
use maud::{html, Markup, PreEscaped};

/// A share link's query: the sharer's invite code, and the language.
#[derive(Debug, serde::Deserialize)]
pub struct ShareParams {
    by: Option<String>,
    lang: Option<String>,
}

fn kind_of(kind: &str) -> Result<ShareKind, HttpError> {
    ShareKind::parse(kind).ok_or_else(|| HttpError::of(app::codes::SHARE_NOT_FOUND).on("kind"))
}

/// GET /share/{kind}/{id}?by=CODE (no sign-in): the published item, who
/// shared it (masked) and their invite code; the open is counted for them.
pub async fn open(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    PageQuery(q): PageQuery<ShareParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let fail = |e: HttpError| PageError(e, locale);
    let kind = kind_of(&kind).map_err(fail)?;
    let id: i64 = crate::params::path_id(&id, "id").map_err(fail)?;
    let item = app::growth::sharing::open(&state.db, kind, id, q.by.as_deref()).await.map_err(|e| fail(e.into()))?;
    let body = html! {
        article.shared {
            h1 #shared-title { (item.title) }
            p.byline { (locale.t_with("share-author", &[("author", item.author.clone())])) }
            @if !item.body.is_empty() { p.body { (item.body) } }
        }
        @if let (Some(by), Some(code)) = (&item.shared_by, &item.code) {
            section.invite {
                p #shared-by { (locale.t_with("share-shared-by", &[("name", by.clone())])) }
                p { (locale.t("referral-landing-code")) " " code #share-code { (code) } }
            }
        }
        p.explain { (locale.t("share-disclaimer")) }
    };
    Ok(super::shell(locale, &item.title, &format!("/share/{}/{id}", kind.as_str()), None, body))
}

/// GET /content/{item}/share: the share box of a published content item
/// (the group chat links here from each published item).
pub async fn content(
    State(state): State<AppState>,
    axum::Extension(viewer): axum::Extension<Viewer>,
    Path(item): Path<String>,
    PageQuery(q): PageQuery<ShareParams>,
    headers: HeaderMap,
) -> Result<Markup, PageError> {
    let locale = crate::i18n::choose(q.lang.as_deref(), &headers);
    let id: i64 = crate::params::path_id(&item, "item").map_err(|e| PageError(e, locale))?;
    let body = if viewer.principal.role == access::Role::Customer {
        let shared = app::growth::sharing::open(&state.db, ShareKind::Content, id, None)
            .await
            .map_err(|e| PageError(e.into(), locale))?;
        let share = share_box(&state, &viewer, locale, &headers, ShareKind::Content, id).await;
        html! { h1 { (shared.title) } (share) }
    } else {
        html! { h1 { (locale.t("share-title")) } p.explain { (locale.t("share-customers")) } }
    };
    Ok(super::layout::page(locale, &locale.t("share-title"), &format!("/content/{id}/share"), &viewer, body))
}

/// The link's absolute form for a QR code: the host the reader reached us by.
pub(crate) fn absolute(headers: &HeaderMap, link: &str) -> String {
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}{link}")
}

/// A QR code of `text` as inline SVG (without the XML declaration).
pub(crate) fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).build();
            svg.find("<svg").map_or(svg.clone(), |i| svg[i..].to_owned())
        }
        Err(_) => String::new(),
    }
}

/// The share box for a customer on an item they may share: the link and its
/// QR code, both carrying their invite code. Nothing for staff, or for an
/// item not (yet) published.
pub(crate) async fn share_box(
    state: &AppState,
    viewer: &Viewer,
    locale: messages::Locale,
    headers: &HeaderMap,
    kind: ShareKind,
    id: i64,
) -> Markup {
    if viewer.principal.role != access::Role::Customer {
        return html! {};
    }
    let Ok(link) = app::growth::sharing::link(&state.db, &viewer.principal, kind, id).await else { return html! {} };
    let url = absolute(headers, &link);
    html! {
        section.share {
            h2 { (locale.t("share-title")) }
            p.explain { (locale.t("share-explain")) }
            p { a #share-link href=(link) { (locale.t("share-open")) } }
            div.qr { (PreEscaped(qr_svg(&url))) }
        }
    }
}
