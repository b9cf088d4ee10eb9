//! Advisors' content: drafted, checked for banned phrases before it is
//! submitted, approved or rejected by compliance, and only then scheduled
//! into groups, where it goes out with the risk disclaimer and the
//! advisor's licence number. Every version is kept.

use super::{refuse, refuse_on, Communities, CommunityError, Standing};
use crate::codes;
use access::{AuditEntry, Principal, Role};
use chrono::{DateTime, Utc};
use community::moderation::{self, GroupRules};
use domain::{
    ContentBody, ContentId, ContentKind, ContentStatus, ContentTitle, CustomerId, GroupId, Note, SenderKind, StaffId,
};
use serde::Serialize;
use store::{ContentVersion, NewMessage, PublicationRow};

/// Carried by every published item.
pub const DISCLAIMER: &str = "风险提示：投资有风险，入市需谨慎。以上内容仅供参考，不构成投资建议。\
     Risk disclosure: investing involves risk; this is for reference only and is not investment advice.";

fn kind_heading(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::PreMarket => "盘前预览 Pre-market preview",
        ContentKind::PostMarket => "盘后复盘 Post-market review",
        ContentKind::Article => "文章 Article",
    }
}

/// The banned phrases in a text: the group rules' prohibited content, except
/// that an advisor's review may name many stocks.
pub fn banned_phrases(text: &str) -> Vec<moderation::Finding> {
    let rules = GroupRules { max_stock_codes: usize::MAX, ..GroupRules::default() };
    moderation::findings(&rules, text)
}

/// The text a published item carries into a group.
pub fn published_text(version: &ContentVersion, advisor: &str, licence_no: &str) -> String {
    format!(
        "【{}】{}\n\n{}\n\n—— {advisor} · 执业编号 Licence No. {licence_no}\n{DISCLAIMER}",
        kind_heading(version.kind),
        version.title,
        version.body
    )
}

/// An item as its author, compliance or a reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ContentView {
    /// Versions the caller may see, newest first (a reader: the published ones).
    pub versions: Vec<ContentVersion>,
    /// Where and when it goes out.
    pub publications: Vec<PublicationRow>,
    /// Customers who have read it.
    pub reads: i64,
}

fn check_text(title: &str, body: &str) -> Result<(ContentTitle, ContentBody), CommunityError> {
    Ok((ContentTitle::parse(title)?, ContentBody::parse(body)?))
}

impl Communities {
    fn author(principal: &Principal) -> Result<StaffId, CommunityError> {
        match (principal.role, principal.staff_id) {
            (Role::Advisor, Some(s)) => Ok(s),
            _ => Err(refuse(codes::ADVISORS_WRITE_CONTENT).into()),
        }
    }

    async fn own_versions(
        &self,
        principal: &Principal,
        item_id: ContentId,
    ) -> Result<Vec<ContentVersion>, CommunityError> {
        let advisor = Self::author(principal)?;
        let versions = self.db.content_versions(item_id).await?;
        if versions.first().is_none_or(|v| v.advisor_id != advisor) {
            return Err(refuse(codes::CONTENT_NOT_FOUND).into());
        }
        Ok(versions)
    }

    /// An advisor starts an item as a draft; its id.
    pub async fn draft_content(
        &self,
        principal: &Principal,
        kind: &str,
        title: &str,
        body: &str,
    ) -> Result<ContentId, CommunityError> {
        let advisor = Self::author(principal)?;
        let kind: ContentKind = kind.parse()?;
        let (title, body) = check_text(title, body)?;
        Ok(self.db.create_content(advisor, kind, &title, &body).await?)
    }

    /// The author writes a new version (a draft again); its number.
    pub async fn revise_content(
        &self,
        principal: &Principal,
        item_id: ContentId,
        title: &str,
        body: &str,
    ) -> Result<i64, CommunityError> {
        self.own_versions(principal, item_id).await?;
        let (title, body) = check_text(title, body)?;
        Ok(self.db.revise_content(item_id, &title, &body).await?)
    }

    /// The author submits the newest draft for review, after the banned-phrase check; the version.
    pub async fn submit_content(&self, principal: &Principal, item_id: ContentId) -> Result<i64, CommunityError> {
        let versions = self.own_versions(principal, item_id).await?;
        let latest = &versions[0];
        if latest.status != ContentStatus::Draft {
            return Err(refuse(codes::ONLY_DRAFTS_SUBMITTED).into());
        }
        let found = banned_phrases(&format!("{}\n{}", latest.title, latest.body));
        if !found.is_empty() {
            let list: Vec<String> =
                found.iter().map(|f| format!("\"{}\" ({}: {})", f.excerpt, f.violation.as_str(), f.reason)).collect();
            return Err(refuse_on(codes::BANNED_PHRASES, "body").with("phrases", list.join(", ")).into());
        }
        // The products it names, for the funnel, recorded with the submission: one unit of work.
        let catalogue = self.db.products(false).await?;
        let named: Vec<domain::ProductId> =
            crate::advice::products_named(&format!("{}\n{}", latest.title, latest.body), &catalogue)
                .iter()
                .map(|p| p.id)
                .collect();
        let mut unit = self.db.begin().await?;
        if !unit.set_content_status(item_id, latest.version, ContentStatus::Draft, ContentStatus::Submitted).await? {
            return Err(refuse(codes::DRAFT_CHANGED).into());
        }
        unit.set_content_products(item_id, &named).await?;
        unit.commit().await?;
        Ok(latest.version)
    }

    /// Compliance approves or rejects a submitted version; a rejection needs a comment.
    pub async fn review_content(
        &self,
        principal: &Principal,
        item_id: ContentId,
        version: i64,
        approve: bool,
        note: &str,
    ) -> Result<(), CommunityError> {
        if principal.role != Role::Compliance {
            return Err(refuse(codes::COMPLIANCE_REVIEWS).into());
        }
        let note = note.trim();
        if !approve && note.is_empty() {
            return Err(refuse_on(domain::codes::REASON_REQUIRED, "comment").into());
        }
        if self.db.content_versions(item_id).await?.iter().all(|v| v.version != version) {
            return Err(refuse(codes::CONTENT_NOT_FOUND).into());
        }
        // Compliance's decision and its audit record are one unit of work.
        let mut unit = self.db.begin().await?;
        if !unit.review_content(item_id, version, approve, &principal.login, note).await? {
            return Err(refuse(codes::NOT_SUBMITTED).into());
        }
        // An idea's text approved is the idea published: tracked from this moment. A model
        // portfolio's is the portfolio published; a rebalance's puts it into effect and tells
        // the followers, in this unit of work.
        if approve {
            unit.publish_idea_of(item_id).await?;
            unit.publish_portfolio_of(item_id).await?;
            if let Some(v) = self.db.content_versions(item_id).await?.into_iter().find(|v| v.version == version) {
                let day = book::trading_day(self.db.now());
                unit.apply_rebalance_of(item_id, &v.title, &v.body, day).await?;
            }
        }
        unit.audit(AuditEntry {
            actor: principal.actor(),
            action: if approve { "approve_content" } else { "reject_content" }.into(),
            entity: "content_items".into(),
            entity_id: item_id.to_string(),
            detail: serde_json::json!({ "version": version, "note": note }).to_string(),
        })
        .await?;
        unit.commit().await?;
        Ok(())
    }

    /// The author schedules the newest approved version into groups they run,
    /// at a moment (none: now); what is due goes out at once. The placements made.
    pub async fn schedule_content(
        &self,
        principal: &Principal,
        item_id: ContentId,
        groups: &[GroupId],
        at: Option<DateTime<Utc>>,
    ) -> Result<u64, CommunityError> {
        let versions = self.own_versions(principal, item_id).await?;
        let Some(approved) = versions.iter().find(|v| v.status == ContentStatus::Approved) else {
            return Err(refuse(codes::NOT_APPROVED).into());
        };
        if groups.is_empty() {
            return Err(refuse_on(codes::GROUPS_REQUIRED, "groups").into());
        }
        for g in groups {
            let (group, standing) = self.group_for(principal, *g).await?;
            if !matches!(standing, Standing::Admin { .. }) {
                return Err(refuse(codes::OWN_GROUPS_ONLY).into());
            }
            if group.licence_no.as_deref().is_none_or(|l| l.trim().is_empty()) {
                return Err(refuse(codes::NO_LICENCE).into());
            }
        }
        let now = self.db.now();
        let mut unit = self.db.begin().await?;
        let made = unit.schedule_content(item_id, approved.version, groups, at.unwrap_or(now)).await?;
        unit.commit().await?;
        self.publish_due(now).await?;
        Ok(made)
    }

    /// Publishes every placement due by `now`; how many went out.
    pub async fn publish_due(&self, now: DateTime<Utc>) -> Result<usize, CommunityError> {
        let _one_publisher = self.publishing.lock().await;
        let mut sent = 0;
        for due in self.db.due_publications(now).await? {
            let versions = self.db.content_versions(due.item_id).await?;
            let Some(version) =
                versions.iter().find(|v| v.version == due.version && v.status == ContentStatus::Approved)
            else {
                continue;
            };
            let Some(group) = self.db.group(due.group_id).await? else { continue };
            let message = NewMessage {
                group_id: group.id,
                sender_kind: SenderKind::Staff,
                sender_id: group.advisor_id.0,
                sender_name: group.advisor.clone(),
                body: published_text(version, &group.advisor, group.licence_no.as_deref().unwrap_or("")),
                reply_to: None,
                mentions: "[]".into(),
                content_id: Some(due.item_id),
                at: now,
                red_envelope_id: None,
            };
            // The message and the placement's mark are one unit of work: a
            // placement is published once, even across a crash.
            if self.send_unit(message, None, Some(due.id)).await?.is_some() {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// An item as the principal may see it: its author, compliance and
    /// administrators see every version; a member of a group it reached sees
    /// what was published there, and their read is counted.
    pub async fn content_for(&self, principal: &Principal, item_id: ContentId) -> Result<ContentView, CommunityError> {
        let mut versions = self.db.content_versions(item_id).await?;
        let Some(first) = versions.first() else { return Err(refuse(codes::CONTENT_NOT_FOUND).into()) };
        let publications = self.db.publications(item_id).await?;
        let staff_sees_all = matches!(principal.role, Role::Compliance | Role::Admin)
            || (principal.role == Role::Advisor && principal.staff_id == Some(first.advisor_id));
        if !staff_sees_all {
            let mut reached = false;
            for p in publications.iter().filter(|p| p.message_id.is_some()) {
                if let Ok((_, standing)) = self.group_for(principal, p.group_id).await {
                    reached |= standing.reads();
                }
            }
            if !reached {
                return Err(refuse(codes::CONTENT_NOT_FOUND).into());
            }
            let published: Vec<i64> =
                publications.iter().filter(|p| p.message_id.is_some()).map(|p| p.version).collect();
            versions.retain(|v| published.contains(&v.version));
            if let (Role::Customer, Some(c)) = (principal.role, principal.customer_id) {
                // The read and what it earns, in one unit of work.
                let mut unit = self.db.begin().await?;
                unit.record_read(item_id, c).await?;
                let read = growth::earning::Activity::ContentRead { customer: c, item: format!("content:{item_id}") };
                crate::growth::earn_in(&mut unit, &self.growth.earning, &read).await?;
                unit.commit().await?;
            }
        }
        let reads = self.db.read_count(item_id).await?;
        Ok(ContentView { versions, publications, reads })
    }

    /// The content list: an advisor's own items; compliance and administrators everyone's (newest version each).
    pub async fn content_list(&self, principal: &Principal) -> Result<Vec<ContentVersion>, CommunityError> {
        match principal.role {
            Role::Advisor => Ok(self.db.content_latest(Some(Self::author(principal)?)).await?),
            Role::Compliance | Role::Admin => Ok(self.db.content_latest(None).await?),
            _ => Err(refuse(codes::CONTENT_ROLES).into()),
        }
    }

    /// Versions waiting for compliance (compliance only).
    pub async fn review_queue(&self, principal: &Principal) -> Result<Vec<ContentVersion>, CommunityError> {
        if principal.role != Role::Compliance {
            return Err(refuse(codes::COMPLIANCE_REVIEWS).into());
        }
        Ok(self.db.review_queue().await?)
    }

    /// The advisor's own follow-up list, newest first.
    pub async fn follow_ups(&self, principal: &Principal) -> Result<Vec<store::FollowUpRow>, CommunityError> {
        let Some(advisor) = principal.staff_id.filter(|_| principal.role == Role::Advisor) else {
            return Err(refuse(codes::OWN_FOLLOW_UPS).into());
        };
        Ok(self.db.follow_ups(advisor).await?)
    }

    /// An advisor puts one of their customers on their follow-up list.
    pub async fn follow_up(
        &self,
        principal: &Principal,
        customer_id: CustomerId,
        note: &str,
    ) -> Result<(), CommunityError> {
        let advisor = Self::author(principal)?;
        let note = Note::parse(note)?;
        if self.db.advisor_of(customer_id).await? != Some(advisor) {
            return Err(refuse(codes::CUSTOMER_NOT_FOUND).into());
        }
        Ok(self.db.add_follow_up(advisor, customer_id, &note).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banned_phrase_check_allows_many_stocks_but_not_promises() {
        assert!(banned_phrases("今日关注 600519 000001 300750 688981 的走势").is_empty());
        let found = banned_phrases("这只票稳赚，加微信 abc123 细聊");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].excerpt, "稳赚");
    }

    #[test]
    fn published_text_carries_the_disclaimer_and_the_licence() {
        let v = ContentVersion {
            item_id: ContentId(1),
            advisor_id: StaffId(2),
            kind: ContentKind::PreMarket,
            version: 3,
            title: "周一早评".into(),
            body: "关注量能。".into(),
            status: ContentStatus::Approved,
            written_at: chrono::Utc::now(),
            reviewer: None,
            review_note: None,
            reviewed_at: None,
        };
        let text = published_text(&v, "王顾问", "S1234567890");
        assert!(text.starts_with("【盘前预览 Pre-market preview】周一早评"));
        assert!(text.contains("Licence No. S1234567890") && text.ends_with(DISCLAIMER));
    }
}
