//! Questions and their service-hours clock: answers, the queue that
//! escalates, response times.

use super::*;
use std::collections::HashMap;

impl Communities {
    /// Stops a question's clock with an answer, if it is still open.
    pub(super) async fn answer(
        &self,
        question_id: MessageId,
        answer_id: MessageId,
        at: DateTime<Utc>,
    ) -> Result<bool, CommunityError> {
        let Some(q) = self.db.question(question_id).await? else { return Ok(false) };
        if q.answered_at.is_some() {
            return Ok(false);
        }
        let minutes = self.hours.between(q.asked_at, at).num_minutes();
        // The answer and the asker's points, in one unit of work.
        let mut unit = self.db.begin().await?;
        let answered = unit.answer_question(question_id, answer_id, at, minutes).await?;
        if answered {
            let activity =
                growth::earning::Activity::QuestionAnswered { customer: q.customer_id, question: q.message_id.0 };
            crate::growth::earn_in(&mut unit, &self.growth.earning, &activity).await?;
        }
        unit.commit().await?;
        Ok(answered)
    }

    /// An admin accepts a member's reply as the answer to a question.
    pub async fn accept_answer(
        &self,
        principal: &Principal,
        question_id: MessageId,
        answer_id: MessageId,
    ) -> Result<(), CommunityError> {
        let q = self.db.question(question_id).await?.ok_or_else(|| refuse(codes::QUESTION_NOT_FOUND))?;
        let (_, standing) = self.group_for(principal, q.group_id).await?;
        if !standing.is_admin() {
            return Err(admins_only("accept").into());
        }
        let answer = self.db.message(answer_id).await?.ok_or_else(|| refuse(codes::MESSAGE_NOT_FOUND))?;
        if answer.reply_to != Some(question_id) {
            return Err(refuse_on(codes::ANSWER_NOT_REPLY, "answer_id").into());
        }
        if !self.answer(question_id, answer_id, self.db.now()).await? {
            return Err(refuse(codes::QUESTION_ANSWERED).into());
        }
        Ok(())
    }

    /// Unanswered questions the principal is responsible for, with their
    /// clocks at `now`: an advisor's own past 15 service minutes; a branch
    /// manager's branch past 2 service hours; compliance and administrators all.
    pub async fn question_queue(
        &self,
        principal: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<OpenQuestion>, CommunityError> {
        let (advisor, branch, least) = match principal.role {
            Role::Advisor => (principal.staff_id, None, Escalation::AdvisorQueue),
            Role::Manager => (None, principal.branch_id, Escalation::BranchManager),
            Role::Compliance | Role::Admin => (None, None, Escalation::Open),
            Role::Customer => return Err(staff_only("question_queue").into()),
        };
        if advisor.is_none() && branch.is_none() && matches!(principal.role, Role::Advisor | Role::Manager) {
            return Ok(Vec::new());
        }
        let open = self.db.open_questions(advisor, branch).await?;
        let askers: Vec<i64> = open.iter().map(|q| q.customer_id.0).collect();
        let tiers: HashMap<i64, String> = self.db.tiers_of(&askers).await?.into_iter().collect();
        let mut queue: Vec<OpenQuestion> = open
            .into_iter()
            .map(|q| {
                let service_minutes = self.hours.between(q.asked_at, now).num_minutes();
                let escalation = self.hours.escalation(q.asked_at, now);
                let tier = self.growth.tiers.named(tiers.get(&q.customer_id.0).map_or("", String::as_str));
                let (tier, priority) = (tier.name.clone(), tier.benefits.question_priority);
                OpenQuestion { question: q, service_minutes, escalation, tier, priority }
            })
            .filter(|q| q.escalation >= least)
            .collect();
        // The most overdue first; within a step, the higher tier's benefit first; then the oldest.
        queue.sort_by_key(|q| {
            (std::cmp::Reverse(q.escalation), std::cmp::Reverse(q.priority), q.question.asked_at, q.question.message_id)
        });
        Ok(queue)
    }

    /// Response-time percentiles per advisor and per group, of questions asked since `since`, in the principal's view.
    pub async fn response_times(
        &self,
        principal: &Principal,
        since: DateTime<Utc>,
    ) -> Result<Vec<ResponseTimes>, CommunityError> {
        // A user whose link to staff is missing sees no one's (no id is negative).
        let (advisor, branch) = match principal.role {
            Role::Advisor => (principal.staff_id.or(Some(StaffId(-1))), None),
            Role::Manager => (None, principal.branch_id.or(Some(BranchId(-1)))),
            Role::Compliance | Role::Admin => (None, None),
            Role::Customer => return Err(staff_only("response_times").into()),
        };
        let answered = self.db.answered_questions(advisor, branch, since).await?;
        let mut by_advisor: std::collections::BTreeMap<StaffId, Vec<i64>> = Default::default();
        let mut by_group: std::collections::BTreeMap<GroupId, Vec<i64>> = Default::default();
        for q in &answered {
            let minutes = q.service_minutes.unwrap_or(0);
            by_advisor.entry(q.advisor_id).or_default().push(minutes);
            by_group.entry(q.group_id).or_default().push(minutes);
        }
        let summary = |by: &'static str, (id, v): (i64, Vec<i64>)| {
            let p = |n| community::chat::percentile(&v, n).unwrap_or(0);
            ResponseTimes { by, id, answered: v.len(), p50: p(50), p90: p(90), p99: p(99) }
        };
        Ok(by_advisor
            .into_iter()
            .map(|(id, v)| summary("advisor", (id.0, v)))
            .chain(by_group.into_iter().map(|(id, v)| summary("group", (id.0, v))))
            .collect())
    }
}
