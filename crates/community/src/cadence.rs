//! A group's daily cadence (issue 28): each trading day the advisor sends
//! a pre-market preview and a post-market review. By the configured times,
//! a missing one is called out to the advisor.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// When each day's preview and review are due (Shanghai time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadence {
    /// The pre-market preview is due by this time.
    pub preview_by: NaiveTime,
    /// The post-market review is due by this time.
    pub review_by: NaiveTime,
}

impl Default for Cadence {
    /// A preview before the call auction (09:15), a review an hour after the close (16:00).
    fn default() -> Self {
        Cadence {
            preview_by: NaiveTime::from_hms_opt(9, 15, 0).expect("a valid time"),
            review_by: NaiveTime::from_hms_opt(16, 0, 0).expect("a valid time"),
        }
    }
}

/// What a day's cadence is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// The pre-market preview.
    Preview,
    /// The post-market review.
    Review,
}

impl Cadence {
    /// Reads `HH:MM` for either time, refused with why.
    pub fn time(text: &str) -> Result<NaiveTime, String> {
        NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|e| format!("'{text}' is not a time HH:MM: {e}"))
    }

    /// What is overdue today at `now` (Shanghai), given what went out; nothing on a day without trading.
    pub fn overdue(&self, trading_day: bool, now: NaiveTime, preview_sent: bool, review_sent: bool) -> Vec<Missing> {
        let mut out = Vec::new();
        if trading_day && now >= self.preview_by && !preview_sent {
            out.push(Missing::Preview);
        }
        if trading_day && now >= self.review_by && !review_sent {
            out.push(Missing::Review);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveTime {
        Cadence::time(s).unwrap()
    }

    #[test]
    fn a_missing_preview_or_review_is_overdue_only_after_its_time_on_a_trading_day() {
        let c = Cadence::default();
        assert!(c.overdue(true, t("09:00"), false, false).is_empty(), "before 09:15 nothing is due");
        assert_eq!(c.overdue(true, t("09:20"), false, false), [Missing::Preview]);
        assert!(c.overdue(true, t("09:20"), true, false).is_empty());
        assert_eq!(c.overdue(true, t("16:30"), false, false), [Missing::Preview, Missing::Review]);
        assert_eq!(c.overdue(true, t("16:30"), true, false), [Missing::Review]);
        assert!(c.overdue(false, t("16:30"), false, false).is_empty(), "a holiday asks for nothing");
        assert!(Cadence::time("9h").is_err());
    }
}
