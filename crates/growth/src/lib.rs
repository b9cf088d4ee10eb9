//! Growth, the pure part (issue 27): the points ledger, earning rules, red
//! envelopes, tiers and referrals. Points
//! are money-like, so the ledger follows TigerBeetle's model: every movement
//! is a transfer between two accounts (double entry, so the balances of all
//! accounts always sum to zero), each transfer has a unique id (a repeat
//! with the same body answers the first result; another body under the same
//! id is refused), transfers are immutable (a correction is a new transfer
//! linked to the first), and a transfer may be two-phase: pending, then
//! posted or voided exactly once, or voided when its timeout passes. A
//! customer's balance never goes below zero, pending debits included. Points
//! come in lots that expire 24 months after they were earned, first in first
//! out, by transfers to the firm's expiry account.

pub mod codes;
pub mod earning;
pub mod envelope;
pub mod ledger;
pub mod referral;
pub mod tier;
pub mod workload;

pub use ledger::{
    expiry_candidates_before, Account, Balance, Changes, FirmAccount, Kind, Ledger, LedgerError, Lot, Operation,
    Posted, State, Transfer, LOT_LIFE_MONTHS, MAX_ID_LEN,
};

/// The firm's growth configuration: what earns, the tiers, the referral
/// reward's conditions. One JSON file (`serve --growth-rules`), checked at start.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrowthRules {
    /// What activity earns.
    pub earning: earning::EarningRules,
    /// The tiers and their grace.
    pub tiers: tier::TierRules,
    /// When a referral's reward posts.
    pub referral: referral::ReferralRules,
    /// The advisors' red-envelope budget.
    pub envelopes: envelope::EnvelopeRules,
}

impl GrowthRules {
    /// Every part holds, or the first reason it does not (with the part named).
    pub fn validate(&self) -> Result<(), String> {
        self.earning.validate().map_err(|e| format!("earning: {e}"))?;
        self.tiers.validate().map_err(|e| format!("tiers: {e}"))?;
        self.referral.validate().map_err(|e| format!("referral: {e}"))?;
        self.envelopes.validate().map_err(|e| format!("envelopes: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_rules_read_by_part_and_refuse_what_does_not_hold() {
        let rules: GrowthRules =
            serde_json::from_str(r#"{"envelopes": {"advisor_monthly_budget": 5000}, "tiers": {"grace_days": 10}}"#)
                .unwrap();
        assert_eq!(rules.envelopes.advisor_monthly_budget, 5_000);
        assert_eq!((rules.tiers.grace_days, rules.tiers.tiers.len()), (10, 4), "unnamed fields keep their defaults");
        assert_eq!(rules.earning, earning::EarningRules::default());
        assert_eq!(rules.validate(), Ok(()));
        let bad = GrowthRules { envelopes: envelope::EnvelopeRules { advisor_monthly_budget: -1 }, ..rules };
        assert!(bad.validate().unwrap_err().starts_with("envelopes:"));
        assert!(serde_json::from_str::<GrowthRules>(r#"{"tier": {}}"#).is_err(), "a misspelt part is refused");
    }
}
