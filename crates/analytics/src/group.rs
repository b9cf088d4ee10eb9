//! A group's health (seed 001: activity decays after the first week; an
//! advisor is judged by answers, content and presence): messages per
//! member per week, the weekly trend, the decay of members' activity after
//! their first week, and whether each trading day's preview and review
//! went out.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A message as the figures need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Said {
    /// A customer's (a member's) or staff's.
    pub by_member: bool,
    /// The customer's or staff member's id.
    pub sender: i64,
    /// When.
    pub at: DateTime<Utc>,
}

/// A member as the figures need them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// The customer.
    pub customer: i64,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
    /// When they left, if they did.
    pub removed_at: Option<DateTime<Utc>>,
}

/// One week of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupWeek {
    /// The week's first day (a Monday, Shanghai).
    pub week: NaiveDate,
    /// Members at the week's end.
    pub members: u64,
    /// Members' messages.
    pub member_messages: u64,
    /// Members who wrote at least once.
    pub active_members: u64,
    /// Messages per member.
    pub messages_per_member: f64,
    /// The advisor's and co-admins' messages.
    pub staff_messages: u64,
}

/// How members' activity decays after joining.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decay {
    /// Members counted (joined at least four weeks before the end).
    pub members: u64,
    /// Their messages per member in their first week.
    pub first_week: f64,
    /// Per member per week in weeks two to four.
    pub weeks_two_to_four: f64,
    /// weeks_two_to_four / first_week (none when nobody wrote in the first week).
    pub kept: Option<f64>,
}

/// The Monday (Shanghai) of an instant's week.
pub fn week_of(t: DateTime<Utc>) -> NaiveDate {
    use chrono::Datelike;
    let day = (t + Duration::hours(8)).date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The instant a Shanghai day starts.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc() - Duration::hours(8)
}

/// The group's weeks from `first` (a Monday) to `last`, both included.
pub fn weekly(members: &[Member], said: &[Said], first: NaiveDate, last: NaiveDate) -> Vec<GroupWeek> {
    let mut by_week: BTreeMap<NaiveDate, (u64, HashSet<i64>, u64)> = BTreeMap::new();
    for s in said {
        let w = by_week.entry(week_of(s.at)).or_default();
        if s.by_member {
            w.0 += 1;
            w.1.insert(s.sender);
        } else {
            w.2 += 1;
        }
    }
    let mut out = Vec::new();
    let mut week = first;
    while week <= last {
        let end = start_of(week + Duration::days(7));
        let members =
            members.iter().filter(|m| m.joined_at < end && m.removed_at.is_none_or(|r| r >= end)).count() as u64;
        let (messages, active, staff) = by_week.get(&week).map_or((0, 0, 0), |w| (w.0, w.1.len() as u64, w.2));
        out.push(GroupWeek {
            week,
            members,
            member_messages: messages,
            active_members: active,
            messages_per_member: if members == 0 { 0.0 } else { messages as f64 / members as f64 },
            staff_messages: staff,
        });
        week += Duration::days(7);
    }
    out
}

/// Members' messages in their first week after joining against weeks two to
/// four, over members who joined at least four weeks before `now`.
pub fn decay(members: &[Member], said: &[Said], now: DateTime<Utc>) -> Decay {
    let counted: HashMap<i64, DateTime<Utc>> =
        members.iter().filter(|m| m.joined_at <= now - Duration::weeks(4)).map(|m| (m.customer, m.joined_at)).collect();
    let (mut first, mut later) = (0u64, 0u64);
    for s in said.iter().filter(|s| s.by_member) {
        let Some(joined) = counted.get(&s.sender) else { continue };
        let after = s.at - *joined;
        if after >= Duration::zero() && after < Duration::weeks(1) {
            first += 1;
        } else if after >= Duration::weeks(1) && after < Duration::weeks(4) {
            later += 1;
        }
    }
    let n = counted.len() as u64;
    let per = |v: f64| if n == 0 { 0.0 } else { v / n as f64 };
    let (first_week, weeks_two_to_four) = (per(first as f64), per(later as f64 / 3.0));
    Decay {
        members: n,
        first_week,
        weeks_two_to_four,
        kept: (first_week > 0.0).then(|| weeks_two_to_four / first_week),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str, hour: u32) -> DateTime<Utc> {
        let d: NaiveDate = day.parse().unwrap();
        d.and_hms_opt(hour, 0, 0).unwrap().and_utc() - Duration::hours(8)
    }

    #[test]
    fn weeks_count_members_messages_and_the_advisor() {
        let members = [
            Member { customer: 1, joined_at: at("2025-06-02", 9), removed_at: None },
            Member { customer: 2, joined_at: at("2025-06-10", 9), removed_at: None },
        ];
        let said = [
            Said { by_member: true, sender: 1, at: at("2025-06-03", 10) },
            Said { by_member: true, sender: 1, at: at("2025-06-04", 10) },
            Said { by_member: false, sender: 7, at: at("2025-06-04", 11) },
            Said { by_member: true, sender: 2, at: at("2025-06-11", 10) },
        ];
        let weeks = weekly(&members, &said, "2025-06-02".parse().unwrap(), "2025-06-09".parse().unwrap());
        assert_eq!(weeks.len(), 2);
        assert_eq!(
            (weeks[0].members, weeks[0].member_messages, weeks[0].active_members, weeks[0].staff_messages),
            (1, 2, 1, 1)
        );
        assert_eq!((weeks[1].members, weeks[1].member_messages), (2, 1));
        assert_eq!(weeks[1].messages_per_member, 0.5);
        assert_eq!(
            week_of(at("2025-06-08", 23)),
            "2025-06-02".parse::<NaiveDate>().unwrap(),
            "Sunday night is the week's end"
        );
    }

    #[test]
    fn activity_decays_after_the_first_week() {
        let members = [
            Member { customer: 1, joined_at: at("2025-05-01", 9), removed_at: None },
            Member { customer: 2, joined_at: at("2025-05-01", 9), removed_at: None },
            // Joined too recently to count.
            Member { customer: 3, joined_at: at("2025-06-20", 9), removed_at: None },
        ];
        let mut said = Vec::new();
        for d in ["2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04"] {
            said.push(Said { by_member: true, sender: 1, at: at(d, 12) });
            said.push(Said { by_member: true, sender: 2, at: at(d, 12) });
        }
        said.push(Said { by_member: true, sender: 1, at: at("2025-05-15", 12) });
        said.push(Said { by_member: true, sender: 3, at: at("2025-06-21", 12) });
        let d = decay(&members, &said, at("2025-06-25", 12));
        assert_eq!(d.members, 2);
        assert_eq!(d.first_week, 4.0, "8 messages in the first week among 2 members");
        assert!(
            (d.weeks_two_to_four - 1.0 / 6.0).abs() < 1e-9,
            "1 message over 3 weeks among 2: {}",
            d.weeks_two_to_four
        );
        assert!((d.kept.unwrap() - 1.0 / 24.0).abs() < 1e-9);
    }
}

/// Members who joined in one week, week by week after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinCohort {
    /// The week they joined (its Monday).
    pub week: NaiveDate,
    /// How many joined.
    pub size: u64,
    /// From the week they joined (age 0) to the last week.
    pub cells: Vec<JoinCell>,
}

/// A join cohort in one week of its life.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinCell {
    /// Weeks since joining.
    pub age: i64,
    /// Members of the cohort who wrote in the group that week.
    pub active: u64,
    /// Active / size.
    pub retention: f64,
    /// Revenue from the cohort since joining per member (0.0001 CNY).
    pub lifetime_value: i64,
}

/// Cohorts by the week members joined, from `first` to `last` (Mondays):
/// the share writing in the group each week after, and the revenue each has
/// brought since joining (`revenue`: customer, when, 0.0001 CNY).
pub fn join_cohorts(
    members: &[Member],
    said: &[Said],
    revenue: &[(i64, DateTime<Utc>, i64)],
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<JoinCohort> {
    let joined: HashMap<i64, NaiveDate> = members.iter().map(|m| (m.customer, week_of(m.joined_at))).collect();
    let mut out = Vec::new();
    let mut week = first;
    while week <= last {
        let cohort: HashSet<i64> = joined.iter().filter(|(_, w)| **w == week).map(|(c, _)| *c).collect();
        let size = cohort.len() as u64;
        let mut cells = Vec::new();
        let mut at = week;
        let mut earned = 0i64;
        while at <= last {
            let active: HashSet<i64> = said
                .iter()
                .filter(|s| s.by_member && cohort.contains(&s.sender) && week_of(s.at) == at)
                .map(|s| s.sender)
                .collect();
            earned +=
                revenue.iter().filter(|(c, t, _)| cohort.contains(c) && week_of(*t) == at).map(|r| r.2).sum::<i64>();
            cells.push(JoinCell {
                age: (at - week).num_weeks(),
                active: active.len() as u64,
                retention: if size == 0 { 0.0 } else { active.len() as f64 / size as f64 },
                lifetime_value: if size == 0 { 0 } else { earned / size as i64 },
            });
            at += Duration::days(7);
        }
        out.push(JoinCohort { week, size, cells });
        week += Duration::days(7);
    }
    out
}

#[cfg(test)]
mod join_tests {
    use super::*;

    fn at(day: &str, hour: u32) -> DateTime<Utc> {
        let d: NaiveDate = day.parse().unwrap();
        d.and_hms_opt(hour, 0, 0).unwrap().and_utc() - Duration::hours(8)
    }

    #[test]
    fn members_by_the_week_they_joined() {
        let members = [
            Member { customer: 1, joined_at: at("2025-06-02", 9), removed_at: None },
            Member { customer: 2, joined_at: at("2025-06-03", 9), removed_at: None },
            Member { customer: 3, joined_at: at("2025-06-10", 9), removed_at: None },
        ];
        let said = [
            Said { by_member: true, sender: 1, at: at("2025-06-02", 10) },
            Said { by_member: true, sender: 2, at: at("2025-06-04", 10) },
            Said { by_member: true, sender: 1, at: at("2025-06-11", 10) },
            Said { by_member: false, sender: 9, at: at("2025-06-11", 10) },
        ];
        let revenue = [(1, at("2025-06-05", 10), 100_000), (2, at("2025-06-12", 10), 300_000)];
        let c = join_cohorts(&members, &said, &revenue, "2025-06-02".parse().unwrap(), "2025-06-09".parse().unwrap());
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].size, 2);
        assert_eq!(c[0].cells.iter().map(|k| k.active).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(c[0].cells[1].retention, 0.5);
        // 10 CNY in week 0, 30 more in week 1, among two members: 5 then 20 each.
        assert_eq!(c[0].cells.iter().map(|k| k.lifetime_value).collect::<Vec<_>>(), [50_000, 200_000]);
        assert_eq!((c[1].size, c[1].cells[0].active), (1, 0));
    }
}
