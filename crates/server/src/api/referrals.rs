//! Tiers and referrals over the API (issue 27): a customer's tier, invite
//! code and referrals; the review queue, a review, and the referral report.

use super::input::JsonBody;
use crate::params::path_id;
use crate::{AppState, HttpError};
use access::Principal;
use app::growth::referrals::ReferralReport;
use app::growth::tiers::TierView;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use domain::CustomerId;
use serde::{Deserialize, Serialize};
use store::ReferralRow;
use utoipa::ToSchema;

/// A share link of the caller's.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareLink {
    /// The link, relative to this server; it carries the caller's invite code.
    pub link: String,
    /// The link as the caller reached this server.
    pub url: String,
    /// A QR code of `url`, as SVG.
    pub qr_svg: String,
}

/// The caller's share link for an item, with its URL and QR code.
async fn share(
    state: &AppState,
    principal: &Principal,
    kind: growth::referral::ShareKind,
    id: &str,
    headers: &axum::http::HeaderMap,
) -> Result<Json<ShareLink>, HttpError> {
    let id: i64 = path_id(id, "id")?;
    let link = app::growth::sharing::link(&state.db, principal, kind, id).await?;
    let url = crate::pages::sharing::absolute(headers, &link);
    Ok(Json(ShareLink { qr_svg: crate::pages::sharing::qr_svg(&url), link, url }))
}

/// The caller's share link for a published idea, with a QR code: a
/// customer's carries their invite code; staff's carries none.
#[utoipa::path(get, path = "/ideas/{idea}/share", params(("idea" = i64, Path, description = "Idea id")),
    responses((status = 200, body = ShareLink), (status = 404, body = crate::error::ErrorBody)))]
pub async fn share_idea(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(idea): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Json<ShareLink>, HttpError> {
    share(&state, &principal, growth::referral::ShareKind::Idea, &idea, &headers).await
}

/// The caller's share link for a published model portfolio, with a QR code.
#[utoipa::path(get, path = "/portfolios/{portfolio}/share", params(("portfolio" = i64, Path, description = "Portfolio id")),
    responses((status = 200, body = ShareLink), (status = 404, body = crate::error::ErrorBody)))]
pub async fn share_portfolio(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(portfolio): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Json<ShareLink>, HttpError> {
    share(&state, &principal, growth::referral::ShareKind::Portfolio, &portfolio, &headers).await
}

/// The caller's share link for a published content item, with a QR code.
#[utoipa::path(get, path = "/content/{item}/share", params(("item" = i64, Path, description = "Content item id")),
    responses((status = 200, body = ShareLink), (status = 404, body = crate::error::ErrorBody)))]
pub async fn share_content(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(item): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Json<ShareLink>, HttpError> {
    share(&state, &principal, growth::referral::ShareKind::Content, &item, &headers).await
}

/// A customer's tier: its benefits, the points earned in the last twelve
/// months, the next tier and what it needs, a grace's end, and every change.
#[utoipa::path(get, path = "/customers/{customer}/tier", params(("customer" = i64, Path, description = "Customer id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn tier(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(customer): Path<String>,
) -> Result<Json<TierView>, HttpError> {
    let customer: CustomerId = path_id(&customer, "customer")?;
    Ok(Json(app::growth::tiers::view(&state.db, &state.growth.tiers, &principal, customer).await?))
}

/// A customer's invite code and the link that carries it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invite {
    /// The code a friend gives when opening an account.
    pub code: String,
    /// The link to share (relative to this server).
    pub link: String,
}

/// The customer's invite code (made the first time it is asked for) and link.
#[utoipa::path(get, path = "/customers/{customer}/invite", params(("customer" = i64, Path, description = "Customer id")),
    responses((status = 200, body = Invite), (status = 404, body = crate::error::ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(customer): Path<String>,
) -> Result<Json<Invite>, HttpError> {
    let customer: CustomerId = path_id(&customer, "customer")?;
    let code = app::growth::referrals::invite_code(&state.db, &principal, customer).await?;
    Ok(Json(Invite { link: format!("/invite/{}", code.as_str()), code: code.as_str().to_owned() }))
}

/// The friends a customer referred (names masked), newest first: each
/// refused with its reason's code, or rewarded with the reward's state in
/// the ledger (pending until the friend qualifies, posted, or voided).
#[utoipa::path(get, path = "/customers/{customer}/referrals", params(("customer" = i64, Path, description = "Customer id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn referrals(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(customer): Path<String>,
) -> Result<Json<Vec<ReferralRow>>, HttpError> {
    let customer: CustomerId = path_id(&customer, "customer")?;
    Ok(Json(app::growth::referrals::referrals_of(&state.db, &principal, customer).await?))
}

/// Referrals held for review (an inviter's many in one day), oldest first:
/// for managers (their branch), compliance and admins.
#[utoipa::path(get, path = "/referrals/review",
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn review_queue(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<ReferralRow>>, HttpError> {
    Ok(Json(app::growth::referrals::review_queue(&state.db, &principal).await?))
}

/// A reviewer's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// true lets the referral through (its reward posts once the friend qualifies); false voids the reward.
    pub approve: bool,
}

/// Decides a held referral; audited.
#[utoipa::path(post, path = "/referrals/{referral}/review", params(("referral" = i64, Path, description = "Referral number")),
    request_body = Review,
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(referral): Path<String>,
    JsonBody(r): JsonBody<Review>,
) -> Result<Json<ReferralRow>, HttpError> {
    let seq = path_id(&referral, "referral")?;
    Ok(Json(app::growth::referrals::review(&state.db, &principal, seq, r.approve).await?))
}

/// The referral leaderboard and the Matthew report (invites per inviter,
/// the share who invite again, days from joining a group to the first
/// invite), over the inviters in the caller's scope; staff only.
#[utoipa::path(get, path = "/referrals/report",
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<ReferralReport>, HttpError> {
    Ok(Json(app::growth::referrals::report(&state.db, &principal).await?))
}
