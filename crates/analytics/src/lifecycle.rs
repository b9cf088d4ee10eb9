//! Where each customer stands in a month: new (their account opened in
//! it), returning (active in it and in the month before), resurrected
//! (active in it after a month without), dormant (nothing in it). Every
//! customer whose account is open by the month's end is in exactly one.

use serde::{Deserialize, Serialize};

use crate::Month;

/// A customer's stage in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The account opened this month.
    New,
    /// Active this month and the month before.
    Returning,
    /// Active this month, not the month before (opened earlier).
    Resurrected,
    /// Opened earlier, nothing this month.
    Dormant,
}

impl Stage {
    /// The stage of a customer whose account opened in `opened`, in `month`,
    /// given whether they were active in it and in the month before; None
    /// before their account opened.
    pub fn of(opened: Month, month: Month, active: bool, active_before: bool) -> Option<Stage> {
        if month < opened {
            None
        } else if month == opened {
            Some(Stage::New)
        } else if !active {
            Some(Stage::Dormant)
        } else if active_before {
            Some(Stage::Returning)
        } else {
            Some(Stage::Resurrected)
        }
    }

    /// The stage's name in the API and in the message catalogues.
    pub fn code(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Returning => "returning",
            Stage::Resurrected => "resurrected",
            Stage::Dormant => "dormant",
        }
    }
}

/// How many customers are at each stage in a month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// Accounts opened this month.
    pub new: u64,
    /// Active this month and the one before.
    pub returning: u64,
    /// Active again after a month without.
    pub resurrected: u64,
    /// Nothing this month.
    pub dormant: u64,
}

impl Lifecycle {
    /// Counts one customer at a stage.
    pub fn count(&mut self, stage: Stage) {
        *match stage {
            Stage::New => &mut self.new,
            Stage::Returning => &mut self.returning,
            Stage::Resurrected => &mut self.resurrected,
            Stage::Dormant => &mut self.dormant,
        } += 1;
    }

    /// From the counts kept per month: the users, those opened in the month,
    /// and those returning and resurrected; the rest are dormant.
    pub fn from_counts(users: u64, new: u64, returning: u64, resurrected: u64) -> Lifecycle {
        Lifecycle { new, returning, resurrected, dormant: users.saturating_sub(new + returning + resurrected) }
    }

    /// Every customer counted.
    pub fn total(&self) -> u64 {
        self.new + self.returning + self.resurrected + self.dormant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[test]
    fn each_customer_has_one_stage_a_month() {
        let opened = m("2025-03");
        assert_eq!(Stage::of(opened, m("2025-02"), true, false), None);
        assert_eq!(Stage::of(opened, m("2025-03"), false, false), Some(Stage::New));
        assert_eq!(Stage::of(opened, m("2025-04"), true, false), Some(Stage::Resurrected));
        assert_eq!(Stage::of(opened, m("2025-05"), true, true), Some(Stage::Returning));
        assert_eq!(Stage::of(opened, m("2025-06"), false, true), Some(Stage::Dormant));
    }

    #[test]
    fn the_dormant_are_the_rest() {
        let l = Lifecycle::from_counts(100, 5, 30, 10);
        assert_eq!(l.dormant, 55);
        assert_eq!(l.total(), 100);
    }
}
