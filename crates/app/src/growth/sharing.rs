//! Sharing (issue 27): a customer shares a published content item, idea or
//! model portfolio as a link (and a QR code) carrying their invite code;
//! whoever opens it sees the item without signing in, the open is counted,
//! and an account opened with the code soon after is attributed to the
//! share (see [`super::referrals::settle`]).

use crate::{codes, Error};
use access::{Principal, Role};
use domain::{ContentId, CustomerId, IdeaId, PortfolioId};
use growth::referral::{InviteCode, ShareKind};
use serde::Serialize;
use store::Db;

/// A shared item as its public page shows it: published text only.
#[derive(Debug, Clone, Serialize)]
pub struct SharedItem {
    /// What it is.
    pub kind: ShareKind,
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its text (the published version's body, an idea's rationale, a portfolio's advisor).
    pub body: String,
    /// Who wrote it: the advisor.
    pub author: String,
    /// The sharer's name, masked, when the link names one.
    pub shared_by: Option<String>,
    /// The sharer's invite code, to give when opening an account.
    pub code: Option<String>,
}

/// The published item, or None (unpublished, or no such item).
async fn published(db: &Db, kind: ShareKind, id: i64) -> Result<Option<(String, String, String)>, Error> {
    Ok(match kind {
        // A research source's reasoning is professional content: never on a public page.
        ShareKind::Idea => db.idea(IdeaId(id)).await?.filter(|i| i.published_at.is_some()).map(|i| {
            let body = if i.source_id.is_some() { String::new() } else { i.rationale };
            (format!("{} {}", i.instrument_name, i.instrument), body, i.advisor)
        }),
        ShareKind::Portfolio => db
            .portfolio(PortfolioId(id))
            .await?
            .filter(|p| p.published_at.is_some())
            .map(|p| (p.name, String::new(), p.advisor)),
        ShareKind::Content => {
            let shown: Vec<i64> = db
                .publications(ContentId(id))
                .await?
                .into_iter()
                .filter(|p| p.message_id.is_some())
                .map(|p| p.version)
                .collect();
            let versions = db.content_versions(ContentId(id)).await?;
            let latest = versions.into_iter().filter(|v| shown.contains(&v.version)).max_by_key(|v| v.version);
            match latest {
                Some(v) => Some((v.title, v.body, db.staff_name(v.advisor_id).await?.unwrap_or_default())),
                None => None,
            }
        }
    })
}

/// Opens a shared link: the item (published only), and the sharer named by
/// `by` (an invite code), whose share's open is counted.
pub async fn open(db: &Db, kind: ShareKind, id: i64, by: Option<&str>) -> Result<SharedItem, Error> {
    let Some((title, body, author)) = published(db, kind, id).await? else {
        return Err(codes::SHARE_NOT_FOUND.refuse().into());
    };
    let code = by.and_then(InviteCode::parse);
    let sharer = match &code {
        Some(code) => db.inviter_by_code(code.as_str()).await?,
        None => None,
    };
    let mut shared_by = None;
    if let Some(sharer) = sharer {
        db.record_share_open(kind.as_str(), id, sharer, db.now()).await?;
        shared_by = db.customer_name(CustomerId(sharer)).await?.map(|n| domain::mask_name(&n));
    }
    let code = sharer.and(code).map(|c| c.as_str().to_owned());
    Ok(SharedItem { kind, id, title, body, author, shared_by, code })
}

/// The caller's share link for an item: a customer's carries their invite
/// code and needs the item published; staff's (an advisor promoting their
/// own work) carries none, and opens once the item is published.
pub async fn link(db: &Db, principal: &Principal, kind: ShareKind, id: i64) -> Result<String, Error> {
    let (Role::Customer, Some(customer)) = (principal.role, principal.customer_id) else {
        return Ok(format!("/share/{}/{id}", kind.as_str()));
    };
    if published(db, kind, id).await?.is_none() {
        return Err(codes::SHARE_NOT_FOUND.refuse().into());
    }
    let code = super::referrals::invite_code(db, principal, customer).await?;
    Ok(kind.link(id, &code))
}
