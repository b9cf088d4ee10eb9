//! Earning rules: what a customer's activity earns, from the firm's
//! configuration (versioned, checked at start). Every earning's transfer id
//! is its source event's idempotency key, so an event seen twice earns once.
//! Trading earns for the day, never per trade: points must not reward churning.

use crate::ledger::{Account, FirmAccount, Kind, Transfer};
use chrono::NaiveDate;
use domain::CustomerId;
use serde::{Deserialize, Serialize};

/// The most points one earning may give (a typo guard on the configuration).
pub const MAX_POINTS_PER_EARNING: i64 = 100_000;

/// What earns what; zero turns an earning off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EarningRules {
    /// The configuration's version, shown beside every statement it made (from 1).
    pub version: u32,
    /// The first sign-in of a day (Beijing).
    pub daily_login: i64,
    /// A day with at least one trade: once a day, however many trades.
    pub trading_day: i64,
    /// Reading a published content item, once per item.
    pub content_read: i64,
    /// A question of the customer's answered in a group, once per question.
    pub question_answered: i64,
    /// Completing the risk questionnaire, once a day at most.
    pub questionnaire: i64,
    /// Each full year as a customer, once per year.
    pub tenure_year: i64,
    /// A referral that qualifies (the inviter's reward, posted once the friend qualifies).
    pub referral: i64,
}

impl Default for EarningRules {
    fn default() -> Self {
        EarningRules {
            version: 1,
            daily_login: 5,
            trading_day: 10,
            content_read: 2,
            question_answered: 5,
            questionnaire: 50,
            tenure_year: 100,
            referral: 500,
        }
    }
}

/// Why earning rules cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Version 0.
    #[error("version must be 1 or more")]
    Version,
    /// A rule's points below zero or above the guard.
    #[error("{rule} gives {points} points: give 0 to {MAX_POINTS_PER_EARNING}")]
    Points {
        /// The rule.
        rule: &'static str,
        /// Its points.
        points: i64,
    },
}

impl EarningRules {
    /// Every rule within bounds, or the first that is not.
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.version == 0 {
            return Err(RuleError::Version);
        }
        for (rule, points) in self.each() {
            if !(0..=MAX_POINTS_PER_EARNING).contains(&points) {
                return Err(RuleError::Points { rule, points });
            }
        }
        Ok(())
    }

    fn each(&self) -> [(&'static str, i64); 7] {
        [
            ("daily_login", self.daily_login),
            ("trading_day", self.trading_day),
            ("content_read", self.content_read),
            ("question_answered", self.question_answered),
            ("questionnaire", self.questionnaire),
            ("tenure_year", self.tenure_year),
            ("referral", self.referral),
        ]
    }

    /// The transfer an activity earns, if its rule gives points.
    pub fn earn(&self, activity: &Activity) -> Option<Transfer> {
        let (points, reason, key) = match activity {
            Activity::Login { customer, day } => (self.daily_login, "daily_login", format!("login:{customer}:{day}")),
            Activity::TradingDay { customer, day } => (self.trading_day, "trade", format!("trade:{customer}:{day}")),
            Activity::ContentRead { customer, item } => {
                (self.content_read, "content_read", format!("read:{customer}:{item}"))
            }
            Activity::QuestionAnswered { customer, question } => {
                (self.question_answered, "question_answered", format!("answered:{customer}:{question}"))
            }
            Activity::Questionnaire { customer, day } => {
                (self.questionnaire, "questionnaire", format!("questionnaire:{customer}:{day}"))
            }
            Activity::Tenure { customer, years } => (self.tenure_year, "tenure", format!("tenure:{customer}:{years}")),
        };
        (points > 0).then(|| Transfer {
            id: format!("earn:{key}"),
            debit: Account::Firm(FirmAccount::Issuance),
            credit: Account::Customer(activity.customer()),
            amount: points,
            reason: reason.into(),
            kind: Kind::Single,
            corrects: None,
        })
    }
}

/// Something a customer did that may earn points, with its idempotency key's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    /// Signed in on a day (Beijing).
    Login {
        /// Who.
        customer: CustomerId,
        /// The day.
        day: NaiveDate,
    },
    /// Traded on a day.
    TradingDay {
        /// Who.
        customer: CustomerId,
        /// The day.
        day: NaiveDate,
    },
    /// Read a published content item.
    ContentRead {
        /// Who.
        customer: CustomerId,
        /// The item (or send) read.
        item: String,
    },
    /// Had a question answered.
    QuestionAnswered {
        /// Who asked.
        customer: CustomerId,
        /// The question's message id.
        question: i64,
    },
    /// Completed the risk questionnaire on a day.
    Questionnaire {
        /// Who.
        customer: CustomerId,
        /// The day.
        day: NaiveDate,
    },
    /// Completed a year as a customer.
    Tenure {
        /// Who.
        customer: CustomerId,
        /// Full years.
        years: u32,
    },
}

impl Activity {
    /// Whose activity.
    pub fn customer(&self) -> CustomerId {
        match self {
            Activity::Login { customer, .. }
            | Activity::TradingDay { customer, .. }
            | Activity::ContentRead { customer, .. }
            | Activity::QuestionAnswered { customer, .. }
            | Activity::Questionnaire { customer, .. }
            | Activity::Tenure { customer, .. } => *customer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_earns_under_its_events_key_and_trading_earns_once_a_day() {
        let r = EarningRules::default();
        let day: NaiveDate = "2026-12-07".parse().unwrap();
        let login = r.earn(&Activity::Login { customer: CustomerId(7), day }).unwrap();
        assert_eq!((login.id.as_str(), login.amount), ("earn:login:7:2026-12-07", 5));
        // Two trades the same day: the same transfer id, so the second earns nothing.
        let a = r.earn(&Activity::TradingDay { customer: CustomerId(7), day }).unwrap();
        let b = r.earn(&Activity::TradingDay { customer: CustomerId(7), day }).unwrap();
        assert_eq!(a, b);
        let off = EarningRules { daily_login: 0, ..EarningRules::default() };
        assert_eq!(off.earn(&Activity::Login { customer: CustomerId(7), day }), None);
    }

    #[test]
    fn rules_out_of_bounds_are_refused_at_start() {
        assert_eq!(EarningRules::default().validate(), Ok(()));
        let bad = EarningRules { trading_day: -1, ..EarningRules::default() };
        assert_eq!(bad.validate(), Err(RuleError::Points { rule: "trading_day", points: -1 }));
        assert_eq!(EarningRules { version: 0, ..EarningRules::default() }.validate(), Err(RuleError::Version));
        let typo = serde_json::from_str::<EarningRules>(r#"{"version": 2, "daly_login": 5}"#);
        assert!(typo.is_err(), "an unknown rule is refused, not ignored");
    }
}
