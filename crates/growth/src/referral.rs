//! Referrals: a customer's invite code, the judgement of a referral when the
//! friend's account opens, the reward as a pending transfer that posts only
//! once the friend is real-name verified and has made a first deposit of at
//! least the configured amount (never on trading volume), and the figures of
//! the Matthew effect (those who invite once invite again).

use crate::ledger::{Account, FirmAccount, Kind, Operation, Transfer};
use chrono::{DateTime, Utc};
use domain::CustomerId;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The letters of an invite code: no 0/O, 1/I/L, so a code read aloud survives.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Letters in an invite code (31^8, about 8.5e11 codes).
pub const CODE_LEN: usize = 8;

/// A customer's invite code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InviteCode(String);

impl InviteCode {
    /// A fresh random code.
    pub fn fresh() -> InviteCode {
        let mut rng = <rand_pcg::Pcg64Mcg as rand::SeedableRng>::from_entropy();
        InviteCode((0..CODE_LEN).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect())
    }

    /// A code as typed (case and spaces forgiven), if it can be one.
    pub fn parse(s: &str) -> Option<InviteCode> {
        let s: String = s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_uppercase();
        (s.len() == CODE_LEN && s.bytes().all(|b| ALPHABET.contains(&b))).then_some(InviteCode(s))
    }

    /// As stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who a referral names as the inviter, as given: a customer id or an invite code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviterGiven {
    /// A customer id (what a brokerage's account-opening system records).
    Customer(CustomerId),
    /// An invite code.
    Code(InviteCode),
    /// Neither.
    Unreadable,
}

impl InviterGiven {
    /// Reads a `referred_by` value.
    pub fn read(s: &str) -> InviterGiven {
        let s = s.trim();
        if !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse().map_or(InviterGiven::Unreadable, |id| InviterGiven::Customer(CustomerId(id)));
        }
        InviteCode::parse(s).map_or(InviterGiven::Unreadable, InviterGiven::Code)
    }
}

/// What a customer may share as a link carrying their invite code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareKind {
    /// A published content item (a pre-market preview, a review).
    Content,
    /// A published investment idea.
    Idea,
    /// A published model portfolio.
    Portfolio,
}

impl ShareKind {
    /// As in a share link's path.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareKind::Content => "content",
            ShareKind::Idea => "idea",
            ShareKind::Portfolio => "portfolio",
        }
    }

    /// From a share link's path.
    pub fn parse(s: &str) -> Option<ShareKind> {
        [ShareKind::Content, ShareKind::Idea, ShareKind::Portfolio].into_iter().find(|k| k.as_str() == s)
    }

    /// The share link of an item for the sharer with `code` (relative to the server).
    pub fn link(self, item: i64, code: &InviteCode) -> String {
        format!("/share/{}/{item}?by={}", self.as_str(), code.as_str())
    }
}

/// How referrals are rewarded and watched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralRules {
    /// The friend's first deposit that qualifies the reward, in yuan.
    pub min_first_deposit_yuan: i64,
    /// Days after the friend's opening within which they must qualify.
    pub qualify_days: u32,
    /// Referrals by one inviter in one day that send the rest of that day's to review.
    pub review_per_day: u32,
}

impl Default for ReferralRules {
    fn default() -> Self {
        ReferralRules { min_first_deposit_yuan: 1_000, qualify_days: 90, review_per_day: 5 }
    }
}

/// Why referral rules cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralRuleError {
    /// A bound broken.
    #[error("{rule} is {value}: give {min} to {max}")]
    Bound {
        /// The rule.
        rule: &'static str,
        /// Its value.
        value: i64,
        /// Lowest allowed.
        min: i64,
        /// Highest allowed.
        max: i64,
    },
}

impl ReferralRules {
    /// Every rule within bounds, or the first that is not.
    pub fn validate(&self) -> Result<(), ReferralRuleError> {
        for (rule, value, min, max) in [
            ("min_first_deposit_yuan", self.min_first_deposit_yuan, 1, 100_000_000),
            ("qualify_days", i64::from(self.qualify_days), 1, 365),
            ("review_per_day", i64::from(self.review_per_day), 1, 10_000),
        ] {
            if !(min..=max).contains(&value) {
                return Err(ReferralRuleError::Bound { rule, value, min, max });
            }
        }
        Ok(())
    }

    /// The inviter's reward, pending from the friend's opening until they
    /// qualify or the window closes (then the ledger voids it).
    pub fn pending_reward(
        &self,
        inviter: CustomerId,
        referee: CustomerId,
        points: i64,
        opened_at: DateTime<Utc>,
    ) -> Transfer {
        Transfer {
            id: reward_id(referee),
            debit: Account::Firm(FirmAccount::ReferralPending),
            credit: Account::Customer(inviter),
            amount: points,
            reason: "referral".into(),
            kind: Kind::Pending { timeout: opened_at + chrono::Days::new(u64::from(self.qualify_days)) },
            corrects: None,
        }
    }
}

/// A referral's reward transfer id: one reward per friend, ever.
pub fn reward_id(referee: CustomerId) -> String {
    format!("referral:{referee}")
}

/// The decision that posts a qualified reward.
pub fn post_reward(referee: CustomerId) -> Operation {
    Operation::Decide { decision: format!("referral-qualified:{referee}"), id: reward_id(referee), post: true }
}

/// The decision that voids a reward a reviewer rejected.
pub fn reject_reward(referee: CustomerId) -> Operation {
    Operation::Decide { decision: format!("referral-rejected:{referee}"), id: reward_id(referee), post: false }
}

/// What is known of a referral when it is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFacts {
    /// The friend.
    pub referee: CustomerId,
    /// The inviter, if the given id or code names a customer.
    pub inviter: Option<CustomerId>,
    /// The inviter and the friend share a national ID or phone (by lookup hash).
    pub same_person: bool,
    /// The friend's national ID or phone was known before their opening (another account).
    pub known_before: bool,
    /// The friend was referred (and rewarded) before.
    pub already_referred: bool,
}

/// Why a referral earns nothing; the inviter sees the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The given id or code names no customer.
    UnknownInviter,
    /// The inviter referred themselves (the same customer, or the same person by ID or phone).
    SelfReferral,
    /// The friend was already known to the firm.
    AlreadyKnown,
    /// The friend was already referred by someone.
    AlreadyReferred,
}

impl Refusal {
    /// The stable code (`referral_<reason>`), as stored and in the catalogues.
    pub fn code(self) -> domain::Code {
        match self {
            Refusal::UnknownInviter => crate::codes::REFERRAL_UNKNOWN_INVITER,
            Refusal::SelfReferral => crate::codes::REFERRAL_SELF,
            Refusal::AlreadyKnown => crate::codes::REFERRAL_ALREADY_KNOWN,
            Refusal::AlreadyReferred => crate::codes::REFERRAL_ALREADY_REFERRED,
        }
    }
}

/// Judges a referral: the inviter to reward, or why not.
pub fn judge(f: &ReferralFacts) -> Result<CustomerId, Refusal> {
    let inviter = f.inviter.ok_or(Refusal::UnknownInviter)?;
    if inviter == f.referee || f.same_person {
        return Err(Refusal::SelfReferral);
    }
    if f.known_before {
        return Err(Refusal::AlreadyKnown);
    }
    if f.already_referred {
        return Err(Refusal::AlreadyReferred);
    }
    Ok(inviter)
}

/// The Matthew effect in a firm's referrals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatthewReport {
    /// Inviters with at least one referral.
    pub inviters: u64,
    /// Referrals (not refused).
    pub referrals: u64,
    /// Inviters by how many they invited: 1, 2, 3-5, 6-10, 11+.
    pub invites_per_inviter: Vec<(&'static str, u64)>,
    /// The share of referrals made by the top tenth of inviters, in percent.
    pub top_tenth_share_pct: f64,
    /// Of those who invited once, the share who invited again, in percent.
    pub invited_again_pct: f64,
    /// Inviters by days from joining their first group to their first invite: 0-3, 4-7, 8-14, 15-30, 31+.
    pub days_to_first_invite: Vec<(&'static str, u64)>,
    /// The median of those days, when any inviter is in a group.
    pub median_days_to_first_invite: Option<i64>,
}

/// The report from each inviter's referral count and, for inviters in a
/// group, the days from joining it to their first invite.
pub fn matthew(counts: &[u64], days_to_first: &[i64]) -> MatthewReport {
    let bucket = |edges: &[(&'static str, i64, i64)], values: &mut dyn Iterator<Item = i64>| {
        let mut out: Vec<(&'static str, u64)> = edges.iter().map(|(l, _, _)| (*l, 0)).collect();
        for v in values {
            if let Some(i) = edges.iter().position(|(_, lo, hi)| (*lo..=*hi).contains(&v)) {
                out[i].1 += 1;
            }
        }
        out
    };
    let per = [("1", 1, 1), ("2", 2, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11+", 11, i64::MAX)];
    let days = [("0-3", 0, 3), ("4-7", 4, 7), ("8-14", 8, 14), ("15-30", 15, 30), ("31+", 31, i64::MAX)];
    let mut sorted: Vec<u64> = counts.iter().copied().filter(|c| *c > 0).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let referrals: u64 = sorted.iter().sum();
    let top = sorted.len().div_ceil(10);
    let pct =
        |part: u64, whole: u64| if whole == 0 { 0.0 } else { (part as f64 * 1000.0 / whole as f64).round() / 10.0 };
    let mut d = days_to_first.to_vec();
    d.sort_unstable();
    MatthewReport {
        inviters: sorted.len() as u64,
        referrals,
        invites_per_inviter: bucket(&per, &mut sorted.iter().map(|c| *c as i64)),
        top_tenth_share_pct: pct(sorted[..top].iter().sum(), referrals),
        invited_again_pct: pct(sorted.iter().filter(|c| **c >= 2).count() as u64, sorted.len() as u64),
        days_to_first_invite: bucket(&days, &mut d.iter().copied()),
        median_days_to_first_invite: (!d.is_empty()).then(|| d[d.len() / 2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ReferralFacts {
        ReferralFacts {
            referee: CustomerId(2),
            inviter: Some(CustomerId(1)),
            same_person: false,
            known_before: false,
            already_referred: false,
        }
    }

    #[test]
    fn every_refusal_has_its_reason() {
        assert_eq!(judge(&facts()), Ok(CustomerId(1)));
        assert_eq!(judge(&ReferralFacts { inviter: None, ..facts() }), Err(Refusal::UnknownInviter));
        assert_eq!(judge(&ReferralFacts { inviter: Some(CustomerId(2)), ..facts() }), Err(Refusal::SelfReferral));
        assert_eq!(judge(&ReferralFacts { same_person: true, ..facts() }), Err(Refusal::SelfReferral));
        assert_eq!(judge(&ReferralFacts { known_before: true, ..facts() }), Err(Refusal::AlreadyKnown));
        assert_eq!(judge(&ReferralFacts { already_referred: true, ..facts() }), Err(Refusal::AlreadyReferred));
        assert_eq!(Refusal::AlreadyKnown.code().code, "referral_already_known");
    }

    #[test]
    fn codes_read_as_typed_and_ids_as_ids() {
        let code = InviteCode::fresh();
        assert_eq!(code.as_str().len(), CODE_LEN);
        assert_eq!(InviteCode::parse(&code.as_str().to_lowercase()), Some(code.clone()));
        assert_eq!(InviterGiven::read(&format!(" {} ", code.as_str())), InviterGiven::Code(code));
        assert_eq!(InviterGiven::read("1234"), InviterGiven::Customer(CustomerId(1234)));
        assert_eq!(InviteCode::parse("ABCD1234"), None, "1 is not a code letter");
        assert_eq!(InviterGiven::read("not a code"), InviterGiven::Unreadable);
    }

    #[test]
    fn the_reward_waits_for_the_window_and_never_names_trading() {
        let rules = ReferralRules::default();
        let opened: DateTime<Utc> = "2026-01-01T02:00:00Z".parse().unwrap();
        let t = rules.pending_reward(CustomerId(1), CustomerId(2), 500, opened);
        assert_eq!(t.kind, Kind::Pending { timeout: "2026-04-01T02:00:00Z".parse().unwrap() });
        assert_eq!((t.id.as_str(), t.credit), ("referral:2", Account::Customer(CustomerId(1))));
        assert_eq!(rules.validate(), Ok(()));
        assert!(ReferralRules { qualify_days: 0, ..rules }.validate().is_err());
    }

    #[test]
    fn the_matthew_report_counts_repeat_inviters() {
        // Ten inviters: one invited 20, one 3, eight once.
        let counts = [20, 3, 1, 1, 1, 1, 1, 1, 1, 1];
        let r = matthew(&counts, &[6, 7, 8, 40]);
        assert_eq!((r.inviters, r.referrals), (10, 31));
        assert_eq!(r.invites_per_inviter, vec![("1", 8), ("2", 0), ("3-5", 1), ("6-10", 0), ("11+", 1)]);
        assert_eq!(r.top_tenth_share_pct, 64.5);
        assert_eq!(r.invited_again_pct, 20.0);
        assert_eq!(r.days_to_first_invite, vec![("0-3", 0), ("4-7", 2), ("8-14", 1), ("15-30", 0), ("31+", 1)]);
        assert_eq!(r.median_days_to_first_invite, Some(8));
        assert_eq!(matthew(&[], &[]).top_tenth_share_pct, 0.0);
    }
}
