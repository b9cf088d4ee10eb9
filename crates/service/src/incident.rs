//! Incidents: a burst of complaints or group messages about one area of the
//! firm's systems (trading, login, quotes, data) opens one; it records when it
//! started and ended, what was affected and how many investors, and gets a
//! grade from CSRC-style hints, which sets the deadline of the report to the
//! regulator. A notice to the affected groups goes out only once compliance
//! approves it.

use crate::ticket::Category;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The part of the firm's systems an incident hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// Placing or cancelling orders.
    Trading,
    /// Signing in.
    Login,
    /// Market quotes.
    Quotes,
    /// Investors' personal data (a leak).
    Data,
}

impl Area {
    /// Every area.
    pub const ALL: [Area; 4] = [Area::Trading, Area::Login, Area::Quotes, Area::Data];

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Trading => "trading",
            Area::Login => "login",
            Area::Quotes => "quotes",
            Area::Data => "data",
        }
    }

    /// Reads the text form.
    pub fn parse(text: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.as_str() == text.trim())
    }

    /// The area a complaint's category is about, if a system one.
    pub fn of(category: Category) -> Option<Area> {
        match category {
            Category::Trading => Some(Area::Trading),
            Category::Login => Some(Area::Login),
            Category::Quotes => Some(Area::Quotes),
            Category::Data => Some(Area::Data),
            _ => None,
        }
    }

    /// What members write in a group when this area fails.
    fn words(self) -> &'static [&'static str] {
        match self {
            Area::Trading => &[
                "下不了单",
                "无法下单",
                "不能下单",
                "委托失败",
                "撤不了单",
                "无法撤单",
                "交易不了",
                "无法交易",
                "下单失败",
                "卖不出去",
            ],
            Area::Login => &["登不上", "登录不了", "无法登录", "登录失败", "进不去", "闪退", "登陆不了", "登陆失败"],
            Area::Quotes => &[
                "行情不动",
                "行情卡",
                "行情不刷新",
                "没有行情",
                "行情延迟",
                "行情错",
                "k线不动",
                "K线不动",
                "报价不动",
            ],
            Area::Data => &["信息泄露", "信息被泄露", "资料泄露", "隐私泄露", "泄露了我的"],
        }
    }
}

/// The area a group message reports a fault in, if it does.
pub fn reported_area(text: &str) -> Option<Area> {
    Area::ALL.into_iter().find(|a| a.words().iter().any(|w| text.contains(w)))
}

/// The grade of an incident, after the CSRC's classification of IT incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// Below the reporting hints (a fault shorter than 5 minutes, no data lost).
    BelowThreshold,
    /// 一般: an interruption of 5 minutes or more, or any data leak.
    General,
    /// 较大: 30 minutes or more, 10,000 investors or more, or a leak of 1,000 investors' data.
    Larger,
    /// 重大: 2 hours or more, 100,000 investors or more, or a leak of 10,000 investors' data.
    Major,
    /// 特别重大: a trading day's session (4 hours) or more, 1,000,000 investors or more, or a leak of 100,000.
    ParticularlyMajor,
}

impl Grade {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::BelowThreshold => "below_threshold",
            Grade::General => "general",
            Grade::Larger => "larger",
            Grade::Major => "major",
            Grade::ParticularlyMajor => "particularly_major",
        }
    }

    /// Reads the text form.
    pub fn parse(text: &str) -> Option<Grade> {
        [Grade::BelowThreshold, Grade::General, Grade::Larger, Grade::Major, Grade::ParticularlyMajor]
            .into_iter()
            .find(|g| g.as_str() == text.trim())
    }

    /// Hours from the start to the first report to the regulator (None: no report due).
    pub fn first_report_hours(self) -> Option<i64> {
        match self {
            Grade::BelowThreshold => None,
            Grade::General => Some(24),
            Grade::Larger => Some(4),
            Grade::Major | Grade::ParticularlyMajor => Some(1),
        }
    }
}

/// What is known of an incident, for its grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The area.
    pub area: Area,
    /// Started.
    pub started: DateTime<Utc>,
    /// Ended (None: still going; counted to `now`).
    pub ended: Option<DateTime<Utc>>,
    /// Investors affected (complaints and reports counted, or the firm's estimate).
    pub affected_investors: i64,
}

/// The grade by the hints: the duration of an interruption, the investors affected, a leak's size.
pub fn grade(facts: &Facts, now: DateTime<Utc>) -> Grade {
    let n = facts.affected_investors;
    if facts.area == Area::Data {
        return match n {
            100_000.. => Grade::ParticularlyMajor,
            10_000.. => Grade::Major,
            1_000.. => Grade::Larger,
            1.. => Grade::General,
            _ => Grade::BelowThreshold,
        };
    }
    let lasted = facts.ended.unwrap_or(now) - facts.started;
    let by_time = if lasted >= Duration::hours(4) {
        Grade::ParticularlyMajor
    } else if lasted >= Duration::hours(2) {
        Grade::Major
    } else if lasted >= Duration::minutes(30) {
        Grade::Larger
    } else if lasted >= Duration::minutes(5) {
        Grade::General
    } else {
        Grade::BelowThreshold
    };
    let by_count = match n {
        1_000_000.. => Grade::ParticularlyMajor,
        100_000.. => Grade::Major,
        10_000.. => Grade::Larger,
        _ => Grade::BelowThreshold,
    };
    by_time.max(by_count)
}

/// One line of the report's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    /// What: started, first_report_due, notice_approved, ended, final_report_due.
    pub what: &'static str,
    /// When (due or done).
    pub at: DateTime<Utc>,
    /// A deadline (not an event that happened).
    pub deadline: bool,
}

/// Days after the end for the written report.
pub const FINAL_REPORT_DAYS: i64 = 5;

/// The timeline of the report to the regulator: what happened and what is due by when.
pub fn timeline(facts: &Facts, grade: Grade, notice_approved: Option<DateTime<Utc>>) -> Vec<Milestone> {
    let mut out = vec![Milestone { what: "started", at: facts.started, deadline: false }];
    if let Some(h) = grade.first_report_hours() {
        out.push(Milestone { what: "first_report_due", at: facts.started + Duration::hours(h), deadline: true });
    }
    if let Some(at) = notice_approved {
        out.push(Milestone { what: "notice_approved", at, deadline: false });
    }
    if let Some(end) = facts.ended {
        out.push(Milestone { what: "ended", at: end, deadline: false });
        if grade != Grade::BelowThreshold {
            out.push(Milestone {
                what: "final_report_due",
                at: end + Duration::days(FINAL_REPORT_DAYS),
                deadline: true,
            });
        }
    }
    out.sort_by_key(|m| m.at);
    out
}

/// Whether `times` (sorted) hold `count` or more within any `window` ending at or before the last.
pub fn is_burst(times: &[DateTime<Utc>], count: usize, window: Duration) -> bool {
    count > 0 && times.windows(count).any(|w| w[count - 1] - w[0] < window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + minutes * 60, 0).unwrap()
    }

    fn facts(area: Area, minutes: i64, affected: i64) -> Facts {
        Facts { area, started: t(0), ended: Some(t(minutes)), affected_investors: affected }
    }

    #[test]
    fn grades_follow_the_hints() {
        assert_eq!(grade(&facts(Area::Trading, 4, 10), t(4)), Grade::BelowThreshold);
        assert_eq!(grade(&facts(Area::Trading, 5, 10), t(5)), Grade::General, "5 minutes of trading");
        assert_eq!(grade(&facts(Area::Login, 45, 10), t(45)), Grade::Larger);
        assert_eq!(grade(&facts(Area::Login, 6, 150_000), t(6)), Grade::Major, "many investors");
        assert_eq!(grade(&facts(Area::Quotes, 300, 0), t(300)), Grade::ParticularlyMajor);
        assert_eq!(grade(&facts(Area::Data, 0, 1), t(0)), Grade::General, "any leak is reported");
        assert_eq!(grade(&facts(Area::Data, 0, 20_000), t(0)), Grade::Major);
        let open = Facts { ended: None, ..facts(Area::Trading, 0, 0) };
        assert_eq!(grade(&open, t(40)), Grade::Larger, "an open incident is counted to now");
    }

    #[test]
    fn the_timeline_shows_the_report_deadlines() {
        let f = facts(Area::Trading, 40, 600);
        let g = grade(&f, t(40));
        let line = timeline(&f, g, Some(t(20)));
        let whats: Vec<&str> = line.iter().map(|m| m.what).collect();
        assert_eq!(whats, ["started", "notice_approved", "ended", "first_report_due", "final_report_due"]);
        assert_eq!(line[3].at, t(4 * 60), "a larger incident: first report within 4 hours");
        assert_eq!(line[4].at, t(40) + Duration::days(5));
    }

    #[test]
    fn bursts_and_what_members_report() {
        let times: Vec<_> = (0..50).map(|k| t(k / 5)).collect(); // 50 in 10 minutes
        assert!(is_burst(&times, 50, Duration::minutes(10)));
        let slow: Vec<_> = (0..50).map(t).collect();
        assert!(!is_burst(&slow, 50, Duration::minutes(10)));
        assert_eq!(reported_area("老师，APP登录不了怎么办"), Some(Area::Login));
        assert_eq!(reported_area("下单失败，一直转圈"), Some(Area::Trading));
        assert_eq!(reported_area("今天行情不错"), None);
    }
}
