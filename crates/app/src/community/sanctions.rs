//! Moderation as data: the sanction ladder, the log every member reads,
//! appeals and reviews, members' reports.

use super::*;
use domain::{AppealText, Note};

impl Communities {
    /// Applies the next step of the ladder for a finding, logs it, and tells the group.
    pub(super) async fn sanction(
        &self,
        group: &GroupRow,
        customer_id: CustomerId,
        finding: Finding,
        by: &str,
    ) -> Result<Blocked, CommunityError> {
        let prior = self.db.prior_offences(group.id, customer_id).await?;
        let sanction = Sanction::for_offence(prior.clamp(0, u32::MAX as i64) as u32);
        // The log says what the words matched when they were disguised.
        let logged = if finding.reason == finding.excerpt || finding.reason.is_empty() {
            finding.excerpt.clone()
        } else {
            format!("{} → {}", finding.excerpt, finding.reason)
        };
        self.apply_sanction(group, customer_id, finding.violation.as_str(), &logged, sanction, by).await.map(
            |(action_id, muted_until)| Blocked {
                action_id,
                violation: finding.violation,
                excerpt: finding.excerpt,
                reason: finding.reason,
                sanction,
                muted_until,
            },
        )
    }

    pub(super) async fn apply_sanction(
        &self,
        group: &GroupRow,
        customer_id: CustomerId,
        violation: &str,
        excerpt: &str,
        sanction: Sanction,
        by: &str,
    ) -> Result<(ActionId, Option<DateTime<Utc>>), CommunityError> {
        let action = NewAction {
            group_id: group.id,
            customer_id,
            violation: violation.to_owned(),
            excerpt: excerpt.to_owned(),
            sanction: sanction.as_str(),
            decided_by: by.to_owned(),
        };
        // The log row and the sanction it records are one unit of work: the
        // log never says "muted" of a member who is not.
        let now = self.db.now();
        let muted_until = sanction.mute().map(|d| now + d);
        let mut unit = self.db.begin().await?;
        let action_id = unit.record_action(&action).await?;
        if let Some(until) = muted_until {
            unit.set_muted_until(group.id, customer_id, Some(until)).await?;
        }
        if sanction == Sanction::Remove {
            unit.set_removed(group.id, customer_id, Some(now)).await?;
        }
        unit.commit().await?;
        if sanction == Sanction::Remove {
            self.close_for(group.id, customer_id).await;
        }
        Ok((action_id, muted_until))
    }

    /// An admin sanctions a member by hand (from a report or on sight); the action id.
    pub async fn sanction_member(
        &self,
        principal: &Principal,
        group_id: GroupId,
        customer_id: CustomerId,
        sanction: &str,
        reason: &str,
    ) -> Result<ActionId, CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() {
            return Err(admins_only("moderate").into());
        }
        let sanction = Sanction::parse(sanction).ok_or_else(|| {
            refuse_on(domain::codes::NOT_ONE_OF, "sanction")
                .with("value", sanction)
                .with("options", "warn, mute_hour, mute_day, remove")
        })?;
        if reason.trim().is_empty() {
            return Err(refuse_on(domain::codes::REASON_REQUIRED, "reason").into());
        }
        if self.db.membership(group_id, customer_id).await?.is_none_or(|m| m.removed_at.is_some()) {
            return Err(refuse(codes::MEMBER_NOT_FOUND).into());
        }
        let (id, _) =
            self.apply_sanction(&group, customer_id, "manual", reason.trim(), sanction, &principal.login).await?;
        Ok(id)
    }

    /// The sanctioned member appeals, once, with their reason.
    pub async fn appeal(&self, principal: &Principal, action_id: ActionId, text: &str) -> Result<(), CommunityError> {
        let action = self.db.action(action_id).await?.ok_or_else(|| refuse(codes::ACTION_NOT_FOUND))?;
        if principal.role != Role::Customer || principal.customer_id != Some(action.customer_id) {
            return Err(refuse(codes::SANCTIONED_APPEALS).into());
        }
        let text = AppealText::parse(text)?;
        if !self.db.appeal_action(action_id, &text).await? {
            return Err(refuse(codes::ACTION_APPEALED).into());
        }
        Ok(())
    }

    /// An admin reviews an action (appealed or not): upholds it, or
    /// overturns it, which lifts its mute or removal and stops it counting.
    pub async fn review(
        &self,
        principal: &Principal,
        action_id: ActionId,
        overturn: bool,
        note: &str,
    ) -> Result<(), CommunityError> {
        let action = self.db.action(action_id).await?.ok_or_else(|| refuse(codes::ACTION_NOT_FOUND))?;
        let (group, standing) = self.group_for(principal, action.group_id).await?;
        if !standing.is_admin() {
            return Err(admins_only("review").into());
        }
        let note = note.trim();
        if note.is_empty() {
            return Err(refuse_on(domain::codes::REASON_REQUIRED, "note").into());
        }
        // The review and the lifting of what it overturns are one unit of work.
        let mut unit = self.db.begin().await?;
        if !unit.review_action(action_id, overturn, note, &principal.login).await? {
            return Err(refuse(codes::ACTION_REVIEWED).into());
        }
        if overturn {
            match Sanction::parse(&action.sanction) {
                Some(Sanction::MuteHour | Sanction::MuteDay) => {
                    unit.set_muted_until(group.id, action.customer_id, None).await?
                }
                Some(Sanction::Remove) => unit.add_member(group.id, action.customer_id, self.db.now()).await?,
                _ => {}
            }
        }
        unit.commit().await?;
        Ok(())
    }

    /// A member reports a message of their group; the report id.
    pub async fn report(
        &self,
        principal: &Principal,
        message_id: MessageId,
        reason: &str,
    ) -> Result<ReportId, CommunityError> {
        let message = self.db.message(message_id).await?.ok_or_else(|| refuse(codes::MESSAGE_NOT_FOUND))?;
        let (_, standing) = self.group_for(principal, message.group_id).await?;
        let Standing::Member { customer_id } = standing else {
            return Err(refuse(codes::MEMBERS_REPORT).into());
        };
        let reason = Note::parse(reason).map_err(|e| e.for_field("reason"))?;
        Ok(self.db.report_message(message.group_id, message_id, customer_id, &reason).await?)
    }

    /// An admin closes a report: dismissed, or a sanction on the message's sender.
    pub async fn resolve_report(
        &self,
        principal: &Principal,
        report_id: ReportId,
        outcome: &str,
        note: &str,
    ) -> Result<(), CommunityError> {
        let report = self.db.report(report_id).await?.ok_or_else(|| refuse(codes::REPORT_NOT_FOUND))?;
        let (group, standing) = self.group_for(principal, report.group_id).await?;
        if !standing.is_admin() {
            return Err(admins_only("resolve").into());
        }
        let message = self.db.message(report.message_id).await?.ok_or_else(|| refuse(codes::MESSAGE_NOT_FOUND))?;
        let note = note.trim();
        if note.is_empty() {
            return Err(refuse_on(domain::codes::REASON_REQUIRED, "note").into());
        }
        if outcome != "dismiss" {
            let sanction = Sanction::parse(outcome).ok_or_else(|| {
                refuse_on(domain::codes::NOT_ONE_OF, "outcome")
                    .with("value", outcome)
                    .with("options", "dismiss, warn, mute_hour, mute_day, remove")
            })?;
            if message.sender_kind != SenderKind::Customer {
                return Err(refuse_on(codes::SANCTION_NEEDS_MEMBER, "outcome").into());
            }
            let excerpt: String = message.body.chars().take(60).collect();
            self.apply_sanction(&group, CustomerId(message.sender_id), "report", &excerpt, sanction, &principal.login)
                .await?;
        }
        if !self.db.resolve_report(report_id, &format!("{outcome}: {note}")).await? {
            return Err(refuse(codes::REPORT_RESOLVED).into());
        }
        Ok(())
    }

    /// A group's open reports, for its admins.
    pub async fn open_reports(
        &self,
        principal: &Principal,
        group_id: GroupId,
    ) -> Result<Vec<store::ReportRow>, CommunityError> {
        let (group, standing) = self.group_for(principal, group_id).await?;
        if !standing.is_admin() {
            return Err(admins_only("reports").into());
        }
        Ok(self.db.reports(group.id, true).await?)
    }
}
