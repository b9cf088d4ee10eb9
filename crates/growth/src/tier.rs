//! Tiers: a customer's standing from the points they earned in the last
//! twelve months, with benefits from the firm's configuration. A tier is a
//! service level, never a suitability grade: nothing here reads or changes a
//! risk level, so points can never unlock a riskier product. A rise counts at
//! once; a fall only after the customer has stayed below their tier for the
//! grace period, so a quiet month does not make a customer flap.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest grace the configuration may give, in days.
pub const MAX_GRACE_DAYS: u32 = 365;

/// What a tier gives its customers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Benefits {
    /// Rank in the advisors' question queue: higher is answered first (0-9).
    pub question_priority: u8,
    /// Professional content (research notes, model portfolios' reasoning) is open to them.
    pub professional_content: bool,
    /// Discount on the commission, in basis points of it (0-5000).
    pub fee_discount_bp: u32,
}

/// One tier: its name, the points that reach it, and its benefits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Its name, as customers see it (`gold`).
    pub name: String,
    /// Points earned in the last twelve months that reach it.
    pub min_points: i64,
    /// What it gives.
    #[serde(default)]
    pub benefits: Benefits,
}

/// The tiers, lowest first, and the grace before a fall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierRules {
    /// Days a customer may stay below their tier before they fall.
    pub grace_days: u32,
    /// The tiers, lowest first; the first starts at 0 points.
    pub tiers: Vec<Tier>,
}

impl Default for TierRules {
    fn default() -> Self {
        let tier = |name: &str, min_points, question_priority, professional_content, fee_discount_bp| Tier {
            name: name.into(),
            min_points,
            benefits: Benefits { question_priority, professional_content, fee_discount_bp },
        };
        // A customer who signs in and trades most trading days earns about 3,750 a year.
        TierRules {
            grace_days: 30,
            tiers: vec![
                tier("standard", 0, 0, false, 0),
                tier("silver", 1_000, 1, false, 200),
                tier("gold", 3_000, 2, true, 500),
                tier("platinum", 8_000, 3, true, 1_000),
            ],
        }
    }
}

/// Why tier rules cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TierRuleError {
    /// No tiers, or the first does not start at 0.
    #[error("the first tier must start at 0 points")]
    NoBase,
    /// Tiers not strictly rising in points.
    #[error("tier {name} needs {min_points} points: each tier must need more than the one before")]
    NotRising {
        /// The tier.
        name: String,
        /// Its points.
        min_points: i64,
    },
    /// An empty or repeated name.
    #[error("tier name '{0}' is empty or used twice")]
    Name(String),
    /// A benefit out of bounds.
    #[error("tier {name}: {benefit} is out of bounds")]
    Benefit {
        /// The tier.
        name: String,
        /// The benefit.
        benefit: &'static str,
    },
    /// A grace period too long.
    #[error("grace_days {0}: give 0 to {MAX_GRACE_DAYS}")]
    Grace(u32),
}

impl TierRules {
    /// The rules hold together, or the first reason they do not.
    pub fn validate(&self) -> Result<(), TierRuleError> {
        if self.grace_days > MAX_GRACE_DAYS {
            return Err(TierRuleError::Grace(self.grace_days));
        }
        if self.tiers.first().is_none_or(|t| t.min_points != 0) {
            return Err(TierRuleError::NoBase);
        }
        for (i, t) in self.tiers.iter().enumerate() {
            let name = t.name.trim();
            if name.is_empty() || name.len() > 40 || self.tiers[..i].iter().any(|o| o.name == t.name) {
                return Err(TierRuleError::Name(t.name.clone()));
            }
            if i > 0 && t.min_points <= self.tiers[i - 1].min_points {
                return Err(TierRuleError::NotRising { name: t.name.clone(), min_points: t.min_points });
            }
            let b = &t.benefits;
            let bad = |benefit| Err(TierRuleError::Benefit { name: t.name.clone(), benefit });
            if b.question_priority > 9 {
                return bad("question_priority");
            }
            if b.fee_discount_bp > 5_000 {
                return bad("fee_discount_bp");
            }
        }
        Ok(())
    }

    /// The tier a customer's rolling points reach.
    pub fn earned(&self, rolling_points: i64) -> &Tier {
        self.tiers.iter().rev().find(|t| rolling_points >= t.min_points).unwrap_or(&self.tiers[0])
    }

    /// A tier by name; a name the rules no longer have reads as the lowest tier.
    pub fn named(&self, name: &str) -> &Tier {
        self.tiers.iter().find(|t| t.name == name).unwrap_or(&self.tiers[0])
    }

    fn rank(&self, name: &str) -> usize {
        self.tiers.iter().position(|t| t.name == name).unwrap_or(0)
    }

    /// The next tier above `name` and the points it needs, if any.
    pub fn next_above(&self, name: &str) -> Option<&Tier> {
        self.tiers.get(self.rank(name) + 1)
    }

    /// Judges a customer on `today`: their standing as it was (none if never
    /// judged), and the points they earned in the twelve months to today.
    pub fn judge(&self, was: Option<&Standing>, rolling_points: i64, today: NaiveDate) -> Judgement {
        let earned = self.earned(rolling_points);
        let fresh = |reason| Standing { tier: earned.name.clone(), since: today, below_since: None, reason };
        let Some(was) = was else {
            let standing = fresh(TierReason::First);
            // A customer first seen in the lowest tier has nothing to log.
            let change = (self.rank(&earned.name) > 0).then(|| change(None, &standing, rolling_points));
            return Judgement { standing, change };
        };
        let (held, reached) = (self.rank(&was.tier), self.rank(&earned.name));
        if reached > held || (was.tier != self.tiers[held].name) {
            // A rise, or a tier the configuration no longer has: at once.
            let standing = fresh(TierReason::Rise);
            let change = Some(change(Some(was), &standing, rolling_points));
            return Judgement { standing, change };
        }
        if reached == held {
            let standing = Standing { below_since: None, ..was.clone() };
            return Judgement { standing, change: None };
        }
        let below_since = was.below_since.unwrap_or(today);
        if (today - below_since).num_days() >= i64::from(self.grace_days) {
            let standing = fresh(TierReason::FallAfterGrace);
            let change = Some(change(Some(was), &standing, rolling_points));
            return Judgement { standing, change };
        }
        Judgement { standing: Standing { below_since: Some(below_since), ..was.clone() }, change: None }
    }

    /// The last day of a customer's grace, when they are in one.
    pub fn grace_ends(&self, standing: &Standing) -> Option<NaiveDate> {
        standing.below_since.map(|d| d + chrono::Days::new(u64::from(self.grace_days)))
    }
}

fn change(was: Option<&Standing>, now: &Standing, rolling_points: i64) -> TierChange {
    TierChange { from: was.map(|w| w.tier.clone()), to: now.tier.clone(), rolling_points, reason: now.reason }
}

/// Why a customer holds their tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierReason {
    /// Their first judgement.
    First,
    /// Their points reached a higher tier.
    Rise,
    /// They stayed below their tier for the whole grace period.
    FallAfterGrace,
}

impl TierReason {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            TierReason::First => "first",
            TierReason::Rise => "rise",
            TierReason::FallAfterGrace => "fall_after_grace",
        }
    }

    /// From its stored form.
    pub fn parse(s: &str) -> Option<TierReason> {
        [TierReason::First, TierReason::Rise, TierReason::FallAfterGrace].into_iter().find(|r| r.as_str() == s)
    }
}

/// A customer's tier as last judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// The tier held.
    pub tier: String,
    /// Held since.
    pub since: NaiveDate,
    /// The first day of the current spell below it, if any (the grace's start).
    pub below_since: Option<NaiveDate>,
    /// Why they hold it.
    pub reason: TierReason,
}

/// A judgement: the standing to keep, and the change to log if it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The standing from now on.
    pub standing: Standing,
    /// What changed, for the log the customer and advisor read.
    pub change: Option<TierChange>,
}

/// A change of tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierChange {
    /// The tier before (none at the first judgement).
    pub from: Option<String>,
    /// The tier after.
    pub to: String,
    /// The rolling points that decided it.
    pub rolling_points: i64,
    /// Why.
    pub reason: TierReason,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn a_rise_counts_at_once_and_a_fall_only_after_the_grace() {
        let rules = TierRules::default(); // silver 1,000, gold 3,000; grace 30 days
        let first = rules.judge(None, 3_200, day("2026-01-01"));
        assert_eq!(first.standing.tier, "gold");
        assert_eq!(first.change.as_ref().map(|c| c.from.clone()), Some(None));
        let gold = first.standing;
        // Below gold for 29 days: still gold, grace counting from the first day below.
        let dip = rules.judge(Some(&gold), 2_900, day("2026-02-01"));
        assert_eq!((dip.standing.tier.as_str(), dip.change), ("gold", None));
        assert_eq!(dip.standing.below_since, Some(day("2026-02-01")));
        assert_eq!(rules.grace_ends(&dip.standing), Some(day("2026-03-03")));
        let still = rules.judge(Some(&dip.standing), 500, day("2026-03-02"));
        assert_eq!((still.standing.tier.as_str(), still.change), ("gold", None));
        // Back above within the grace: the grace is forgotten.
        let back = rules.judge(Some(&still.standing), 3_000, day("2026-03-02"));
        assert_eq!((back.standing.below_since, back.change), (None, None));
        // Below again: a new grace, and a fall to what the points reach once it is over.
        let dip = rules.judge(Some(&back.standing), 900, day("2026-04-01"));
        let fall = rules.judge(Some(&dip.standing), 900, day("2026-05-01"));
        let change = fall.change.expect("a fall after 30 days");
        assert_eq!((change.from.as_deref(), change.to.as_str()), (Some("gold"), "standard"));
        assert_eq!(change.reason, TierReason::FallAfterGrace);
        assert_eq!(fall.standing.since, day("2026-05-01"));
        // Judged again the same day: nothing more.
        assert_eq!(rules.judge(Some(&fall.standing), 900, day("2026-05-01")).change, None);
    }

    #[test]
    fn a_first_judgement_in_the_lowest_tier_logs_nothing() {
        let rules = TierRules::default();
        let j = rules.judge(None, 20, day("2026-01-01"));
        assert_eq!((j.standing.tier.as_str(), j.change), ("standard", None));
        let rise = rules.judge(Some(&j.standing), 1_000, day("2026-01-02")).change.unwrap();
        assert_eq!(
            (rise.from.as_deref(), rise.to.as_str(), rise.reason),
            (Some("standard"), "silver", TierReason::Rise)
        );
    }

    #[test]
    fn rules_that_do_not_hold_together_are_refused() {
        assert_eq!(TierRules::default().validate(), Ok(()));
        let mut r = TierRules::default();
        r.tiers[0].min_points = 10;
        assert_eq!(r.validate(), Err(TierRuleError::NoBase));
        let mut r = TierRules::default();
        r.tiers[2].min_points = 1_000;
        assert!(matches!(r.validate(), Err(TierRuleError::NotRising { .. })));
        let mut r = TierRules::default();
        r.tiers[3].name = "gold".into();
        assert!(matches!(r.validate(), Err(TierRuleError::Name(_))));
        let mut r = TierRules::default();
        r.tiers[1].benefits.fee_discount_bp = 9_000;
        assert!(matches!(r.validate(), Err(TierRuleError::Benefit { benefit: "fee_discount_bp", .. })));
        assert!(serde_json::from_str::<TierRules>(r#"{"grace_days": 3, "tiers": [], "risk_level": 5}"#).is_err());
    }
}
