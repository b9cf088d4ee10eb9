//! The question SLA's clock: it counts service minutes only, 08:30 to 22:00
//! Asia/Shanghai, every day of the week (advisors answer on weekends too;
//! the market's calendar does not stop questions). A question asked at 21:55
//! has used 5 minutes at 22:00 and its sixth starts at 08:30 next morning.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone, Utc};
use serde::Serialize;

/// Service minutes after which an unanswered question goes to the advisor's queue.
pub const TO_ADVISOR_QUEUE: i64 = 15;
/// Service minutes after which it goes to the branch manager.
pub const TO_BRANCH_MANAGER: i64 = 120;

/// Where an unanswered question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// Within its first 15 service minutes.
    Open,
    /// In the advisor's queue.
    AdvisorQueue,
    /// Raised to the branch manager.
    BranchManager,
}

/// The daily service window, in Beijing time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceHours {
    opens: NaiveTime,
    closes: NaiveTime,
}

impl Default for ServiceHours {
    fn default() -> Self {
        ServiceHours::new(
            NaiveTime::from_hms_opt(8, 30, 0).expect("08:30"),
            NaiveTime::from_hms_opt(22, 0, 0).expect("22:00"),
        )
        .expect("08:30 is before 22:00")
    }
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

impl ServiceHours {
    /// A window from `opens` to `closes` the same day; none when it would be empty.
    pub fn new(opens: NaiveTime, closes: NaiveTime) -> Option<ServiceHours> {
        (opens < closes).then_some(ServiceHours { opens, closes })
    }

    /// The service window of the Beijing day that `at` falls on.
    fn window_of(&self, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let day = at.with_timezone(&beijing()).date_naive();
        let at_time = |t: NaiveTime| {
            beijing().from_local_datetime(&day.and_time(t)).single().expect("a fixed offset has no gaps").to_utc()
        };
        (at_time(self.opens), at_time(self.closes))
    }

    /// Service time between two moments (zero when `to` is not after `from`).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        let mut t = from;
        while t < to {
            let (opens, closes) = self.window_of(t);
            let start = t.max(opens);
            let end = to.min(closes);
            if end > start {
                total += end - start;
            }
            // On to the next Beijing day.
            t = opens + Duration::days(1) - (self.opens - NaiveTime::MIN);
        }
        total
    }

    /// The moment at which `minutes` service minutes will have passed since `from`.
    pub fn after(&self, from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut left = Duration::minutes(minutes.max(0));
        let mut t = from;
        loop {
            let (opens, closes) = self.window_of(t);
            if t < opens {
                t = opens;
            }
            if t < closes {
                let room = closes - t;
                if left <= room {
                    return t + left;
                }
                left -= room;
            }
            t = opens + Duration::days(1);
        }
    }

    /// Where a question asked at `asked` and still unanswered stands at `now`.
    pub fn escalation(&self, asked: DateTime<Utc>, now: DateTime<Utc>) -> Escalation {
        let used = self.between(asked, now).num_minutes();
        if used >= TO_BRANCH_MANAGER {
            Escalation::BranchManager
        } else if used >= TO_ADVISOR_QUEUE {
            Escalation::AdvisorQueue
        } else {
            Escalation::Open
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Beijing local time as UTC.
    fn bj(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{text}+08:00")).unwrap().to_utc()
    }

    #[test]
    fn the_clock_stops_at_22_00_and_starts_again_at_08_30() {
        let h = ServiceHours::default();
        // Tuesday 21:50: ten minutes tonight, five tomorrow morning.
        let asked = bj("2026-11-17T21:50:00");
        assert_eq!(h.after(asked, TO_ADVISOR_QUEUE), bj("2026-11-18T08:35:00"));
        assert_eq!(h.between(asked, bj("2026-11-18T08:35:00")), Duration::minutes(15));
        assert_eq!(h.escalation(asked, bj("2026-11-18T08:34:00")), Escalation::Open);
        assert_eq!(h.escalation(asked, bj("2026-11-18T08:35:00")), Escalation::AdvisorQueue);
        // Asked in the night: the clock starts at 08:30.
        assert_eq!(h.after(bj("2026-11-18T03:00:00"), 15), bj("2026-11-18T08:45:00"));
        assert_eq!(h.between(bj("2026-11-18T22:00:00"), bj("2026-11-19T08:30:00")), Duration::zero());
    }

    #[test]
    fn weekends_are_service_days_too() {
        let h = ServiceHours::default();
        // Friday 21:00: one hour on Friday, then Saturday from 08:30.
        let asked = bj("2026-11-20T21:00:00");
        assert_eq!(h.after(asked, TO_BRANCH_MANAGER), bj("2026-11-21T09:30:00"));
        assert_eq!(h.escalation(asked, bj("2026-11-21T09:29:59")), Escalation::AdvisorQueue);
        assert_eq!(h.escalation(asked, bj("2026-11-21T09:30:00")), Escalation::BranchManager);
        // Saturday 08:00 to Monday 08:00: two whole service days of 13.5 hours.
        assert_eq!(h.between(bj("2026-11-21T08:00:00"), bj("2026-11-23T08:00:00")), Duration::minutes(2 * 810));
    }

    #[test]
    fn an_empty_window_is_refused() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(ServiceHours::new(t(22, 0), t(8, 30)).is_none());
        assert!(ServiceHours::new(t(9, 0), t(9, 0)).is_none());
    }
}
