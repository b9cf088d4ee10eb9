//! Referrals' use cases: a customer's invite code and link, judging the
//! referrals that imports and links record, posting rewards once the friend
//! qualifies, the review queue, the leaderboard and the Matthew report.

use crate::{codes, Error};
use access::{Principal, Role};
use chrono::{DateTime, Utc};
use domain::CustomerId;
use growth::referral::{self, InviteCode, InviterGiven, MatthewReport, ReferralFacts};
use growth::{GrowthRules, Operation};
use serde::Serialize;
use store::{Db, LeaderRow, ReferralRow};

/// Referrals judged in one unit of work.
const BATCH: i64 = 500;

/// Days before a friend's opening within which an open of the inviter's share attributes it.
pub const SHARE_ATTRIBUTION_DAYS: u64 = 30;

/// A customer's invite code, made the first time it is asked for.
pub async fn invite_code(db: &Db, principal: &Principal, customer: CustomerId) -> Result<InviteCode, Error> {
    if db.customer_name_in_scope(customer, principal.scope()).await?.is_none() {
        return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
    }
    loop {
        if let Some(code) = db.invite_code(customer.0).await?.as_deref().and_then(InviteCode::parse) {
            return Ok(code);
        }
        // A fresh code taken by another customer (one chance in ~10^11) is drawn again.
        db.give_invite_code(customer.0, InviteCode::fresh().as_str(), db.now()).await?;
    }
}

/// What judging and settling referrals did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReferralRun {
    /// Referrals judged and rewarded (pending until the friend qualifies).
    pub rewarded: usize,
    /// Referrals refused.
    pub refused: usize,
    /// Of the rewarded, those held for review.
    pub held_for_review: usize,
    /// Rewards posted because the friend qualified.
    pub posted: usize,
}

/// Judges the referrals waiting, a unit of work per batch: the inviter
/// resolved, the refusals checked (self, a friend known before, a friend
/// referred before, no such inviter), the reward put pending until the
/// friend qualifies or the window closes; an inviter's referrals past the
/// day's limit are held for a person to review. Then posts the rewards of
/// friends who qualified.
pub async fn settle(db: &Db, rules: &GrowthRules, now: DateTime<Utc>) -> Result<ReferralRun, Error> {
    let mut run = ReferralRun::default();
    loop {
        let mut tx = db.begin().await?;
        let waiting = tx.new_referrals(BATCH).await?;
        if waiting.is_empty() {
            break;
        }
        for r in &waiting {
            let referee = CustomerId(r.referee_id);
            let inviter = match InviterGiven::read(&r.inviter_given) {
                InviterGiven::Customer(c) => tx.customer_exists(c.0).await?.then_some(c),
                InviterGiven::Code(code) => tx.inviter_by_code(code.as_str()).await?.map(CustomerId),
                InviterGiven::Unreadable => None,
            };
            let (same_person, known_before, already_referred) = match inviter {
                Some(i) => tx.referral_facts(i.0, referee.0).await?,
                None => (false, false, false),
            };
            let facts = ReferralFacts { referee, inviter, same_person, known_before, already_referred };
            match referral::judge(&facts) {
                Err(why) => {
                    tx.judge_referral(r.seq, inviter.map(|c| c.0), Some(why.code().code), None, None, now).await?;
                    run.refused += 1;
                }
                Ok(inviter) => {
                    let day = domain::to_shanghai(r.attributed_at).date_naive();
                    let from = crate::growth::tiers::window_start(day + chrono::Days::new(365));
                    let same_day = tx.referrals_between(inviter.0, from, from + chrono::Days::new(1)).await?;
                    let review = (same_day >= i64::from(rules.referral.review_per_day)).then_some("many_in_a_day");
                    let points = rules.earning.referral;
                    let transfer =
                        (points > 0).then(|| rules.referral.pending_reward(inviter, referee, points, r.attributed_at));
                    if let Some(t) = &transfer {
                        tx.ledger_run(&[Operation::Apply(t.clone())], now).await?.remove(0)?;
                    }
                    let id = transfer.as_ref().map(|t| t.id.as_str());
                    tx.judge_referral(r.seq, Some(inviter.0), None, id, review, now).await?;
                    // Opened within a month of one of the inviter's shares being opened: that share's (the last).
                    let month_before = r.attributed_at - chrono::Days::new(SHARE_ATTRIBUTION_DAYS);
                    tx.attribute_to_share(r.seq, inviter.0, month_before, r.attributed_at).await?;
                    run.rewarded += 1;
                    run.held_for_review += usize::from(review.is_some());
                }
            }
        }
        tx.commit().await?;
    }
    run.posted = post_qualified(db, rules, now, None).await?;
    Ok(run)
}

/// Posts the rewards of friends who qualified, a unit of work per batch;
/// `among` narrows it to these friends (those a feed call just saw deposit),
/// so the events feed does not search every pending reward. How many posted.
pub async fn post_qualified(
    db: &Db,
    rules: &GrowthRules,
    now: DateTime<Utc>,
    among: Option<&[i64]>,
) -> Result<usize, Error> {
    let min_deposit = rules.referral.min_first_deposit_yuan.saturating_mul(10_i64.pow(domain::FIXED_POINT_SCALE));
    let mut posted = 0;
    loop {
        let mut tx = db.begin().await?;
        let friends = tx.qualified_referrals(min_deposit, BATCH, among).await?;
        if friends.is_empty() {
            return Ok(posted);
        }
        let ops: Vec<Operation> = friends.iter().map(|f| referral::post_reward(CustomerId(*f))).collect();
        posted += tx.ledger_run(&ops, now).await?.iter().filter(|o| o.is_ok()).count();
        tx.commit().await?;
        if (friends.len() as i64) < BATCH {
            return Ok(posted);
        }
    }
}

/// The system acting for the whole firm (the demo's set-up).
pub(crate) fn system() -> Principal {
    Principal {
        user_id: domain::UserId(0),
        login: "system:growth".into(),
        role: Role::Admin,
        staff_id: None,
        branch_id: None,
        customer_id: None,
    }
}

/// Prompts, once, each group member about a week after joining to invite
/// a friend: the prompt shows on their points page, and a task for it
/// goes to their advisor's queue. How many were prompted.
pub async fn prompt_week_one(db: &Db, now: DateTime<Utc>) -> Result<usize, Error> {
    let mut prompted = 0;
    loop {
        let due = db.due_invite_prompts(now, BATCH).await?;
        for (customer, group, joined_at) in &due {
            // The prompt and the advisor's task: one unit of work, audited.
            let mut unit = db.begin().await?;
            if unit.record_invite_prompt(*customer, *group, *joined_at, now).await? {
                let title = "入群满一周：请客户邀请好友，送上邀请码和链接（积分页）";
                let due = Some(now + chrono::Days::new(3));
                let task = unit.add_task(CustomerId(*customer), domain::TaskKind::FollowUp, title, due).await?;
                unit.set_invite_prompt_task(*customer, task.0).await?;
                unit.audit(access::AuditEntry {
                    actor: "system:growth".into(),
                    action: "invite_prompt".into(),
                    entity: "tasks".into(),
                    entity_id: task.to_string(),
                    detail: serde_json::json!({ "customer": customer, "group": group }).to_string(),
                })
                .await?;
                prompted += 1;
            }
            unit.commit().await?;
        }
        if (due.len() as i64) < BATCH {
            return Ok(prompted);
        }
    }
}

/// A customer's week-one prompt, marked seen when they are the reader.
pub async fn invite_prompt(
    db: &Db,
    principal: &Principal,
    customer: CustomerId,
) -> Result<Option<store::InvitePrompt>, Error> {
    if db.customer_name_in_scope(customer, principal.scope()).await?.is_none() {
        return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
    }
    let prompt = db.invite_prompt(customer.0).await?;
    if prompt.is_some() && principal.customer_id == Some(customer) {
        db.mark_invite_prompt_seen(customer.0, db.now()).await?;
    }
    Ok(prompt)
}

/// Who may review referrals: managers (their branch), compliance and admins.
fn reviewer(principal: &Principal) -> Result<(), Error> {
    match principal.role {
        Role::Manager | Role::Compliance | Role::Admin => Ok(()),
        _ => Err(codes::REFERRAL_REVIEWERS.refuse().into()),
    }
}

/// The referrals held for review in the caller's scope.
pub async fn review_queue(db: &Db, principal: &Principal) -> Result<Vec<ReferralRow>, Error> {
    reviewer(principal)?;
    Ok(db.referral_review_queue(principal.scope(), 200).await?)
}

/// A reviewer lets a held referral through (it posts once the friend
/// qualifies) or rejects it (its reward is voided now).
pub async fn review(db: &Db, principal: &Principal, seq: i64, approve: bool) -> Result<ReferralRow, Error> {
    reviewer(principal)?;
    let Some(row) = db.referral(seq, principal.scope()).await? else {
        return Err(codes::REFERRAL_NOT_FOUND.refuse().into());
    };
    if row.review.is_none() || row.reward_state.as_deref() != Some("pending") {
        return Err(codes::REFERRAL_REVIEWED.refuse().into());
    }
    let mut tx = db.begin().await?;
    let actor = principal.actor();
    let done = if approve {
        tx.clear_referral_review(seq, &actor).await?
    } else {
        let ok = tx.reject_referral_review(seq, &actor).await?;
        if ok {
            tx.ledger_run(&[referral::reject_reward(CustomerId(row.referee_id))], db.now()).await?.remove(0)?;
        }
        ok
    };
    if !done {
        return Err(codes::REFERRAL_REVIEWED.refuse().into());
    }
    // The decision, its ledger movement and its audit record: one unit of work.
    tx.audit(access::AuditEntry {
        actor,
        action: if approve { "approve" } else { "reject" }.into(),
        entity: "referrals".into(),
        entity_id: seq.to_string(),
        detail: serde_json::json!({ "referee": row.referee_id, "inviter": row.inviter_id, "review": row.review })
            .to_string(),
    })
    .await?;
    tx.commit().await?;
    db.referral(seq, principal.scope()).await?.ok_or_else(|| codes::REFERRAL_NOT_FOUND.refuse().into())
}

/// The referrals a customer made, newest first, for them or their advisor.
pub async fn referrals_of(db: &Db, principal: &Principal, inviter: CustomerId) -> Result<Vec<ReferralRow>, Error> {
    if db.customer_name_in_scope(inviter, principal.scope()).await?.is_none() {
        return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
    }
    let mut rows = db.referrals_by(inviter.0, 200).await?;
    for r in &mut rows {
        // A friend's name is theirs: the inviter and staff see it masked.
        r.referee_name = domain::mask_name(&r.referee_name);
    }
    Ok(rows)
}

/// The firm's leaderboard as customers see it: the ten inviters with the
/// most qualified friends, names masked, no ids.
pub async fn public_leaders(db: &Db) -> Result<Vec<(String, i64)>, Error> {
    Ok(db
        .referral_leaders(access::Scope::Firm, 10)
        .await?
        .into_iter()
        .filter(|l| l.qualified > 0)
        .map(|l| (domain::mask_name(&l.name), l.qualified))
        .collect())
}

/// The referral figures a manager reads: the leaderboard and the Matthew report.
#[derive(Debug, Clone, Serialize)]
pub struct ReferralReport {
    /// The inviters with the most qualified friends.
    pub leaders: Vec<LeaderRow>,
    /// How invitations concentrate.
    pub matthew: MatthewReport,
    /// How the week-one invite prompts converted.
    pub prompts: store::PromptConversion,
    /// Opens of shared links and the openings attributed to them, per kind.
    pub shares: Vec<store::ShareFigures>,
}

/// The leaderboard and the Matthew report over the inviters in the caller's scope (staff only).
pub async fn report(db: &Db, principal: &Principal) -> Result<ReferralReport, Error> {
    if principal.role == Role::Customer {
        return Err(codes::STAFF_ONLY.refuse().into());
    }
    let scope = principal.scope();
    let histories = db.inviter_histories(scope).await?;
    let counts: Vec<u64> = histories.iter().map(|h| h.1.max(0) as u64).collect();
    let days: Vec<i64> = histories
        .iter()
        .filter_map(|(_, _, first, joined)| joined.filter(|j| j <= first).map(|j| (*first - j).num_days()))
        .collect();
    Ok(ReferralReport {
        leaders: db.referral_leaders(scope, 20).await?,
        matthew: referral::matthew(&counts, &days),
        prompts: db.invite_prompt_conversion(scope).await?,
        shares: db.share_figures(scope).await?,
    })
}
