//! The advisor's weekly service plan (seed 003): contact time split 60% to
//! core and dormant customers, 30% to maintaining, 10% to precipitating;
//! within each part, customers with the most pressing reasons first.

use crate::Amount;
use domain::CustomerId;
use serde::Serialize;

/// Why an advisor should reach a customer this week, most pressing first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Risk reminders went to the customer in the last week.
    RiskReminder,
    /// Holdings far under cost: the customer needs care.
    HeavyLoss,
    /// A dormant customer with assets worth waking.
    DormantWorthWaking,
    /// The customer's birthday falls in the week's month.
    Birthday,
}

impl Trigger {
    /// Every trigger, most pressing first.
    pub const ALL: [Trigger; 4] =
        [Trigger::RiskReminder, Trigger::HeavyLoss, Trigger::DormantWorthWaking, Trigger::Birthday];

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::RiskReminder => "risk_reminder",
            Trigger::HeavyLoss => "heavy_loss",
            Trigger::DormantWorthWaking => "dormant_worth_waking",
            Trigger::Birthday => "birthday",
        }
    }

    /// From the stable text form.
    pub fn parse(text: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// The three parts of an advisor's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Core and dormant customers: 60%.
    CoreAndDormant,
    /// Maintaining customers: 30%.
    Maintaining,
    /// Precipitating customers: 10%.
    Precipitating,
}

impl Bucket {
    /// The three, in plan order.
    pub const ALL: [Bucket; 3] = [Bucket::CoreAndDormant, Bucket::Maintaining, Bucket::Precipitating];

    /// The share of contacts, in percent.
    pub fn percent(self) -> u32 {
        match self {
            Bucket::CoreAndDormant => 60,
            Bucket::Maintaining => 30,
            Bucket::Precipitating => 10,
        }
    }

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::CoreAndDormant => "core_and_dormant",
            Bucket::Maintaining => "maintaining",
            Bucket::Precipitating => "precipitating",
        }
    }

    /// From the stable text form.
    pub fn parse(text: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.as_str() == text)
    }

    /// The bucket of a service tier (`core`, `dormant`, `maintaining`, `precipitating`).
    pub fn of_tier(tier: &str) -> Option<Bucket> {
        match tier {
            "core" | "dormant" => Some(Bucket::CoreAndDormant),
            "maintaining" => Some(Bucket::Maintaining),
            "precipitating" => Some(Bucket::Precipitating),
            _ => None,
        }
    }
}

/// A customer the plan may include.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Customer id.
    pub customer_id: CustomerId,
    /// Which part of the advisor's time serves them.
    pub bucket: Bucket,
    /// What the customer is worth to the firm (0.0001 CNY): assets plus
    /// recent revenue at its weight; among equals, the larger first.
    pub value: Amount,
    /// Why to reach them this week, most pressing first.
    pub triggers: Vec<Trigger>,
}

/// One contact in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedContact {
    /// Customer id.
    pub customer_id: CustomerId,
    /// Which part of the advisor's time it counts to.
    pub bucket: Bucket,
    /// Order within the whole plan, from 1.
    pub rank: u32,
    /// Why.
    pub triggers: Vec<Trigger>,
}

/// Contacts an advisor can make in a week.
pub fn contacts_per_week(contact_hours: u32, minutes_per_contact: u32) -> u32 {
    contact_hours * 60 / minutes_per_contact.max(1)
}

/// The contacts per bucket for `contacts` in all: 60/30/10 rounded to the
/// nearest, the rest to precipitating, so each is within one contact of its share.
pub fn split(contacts: u32) -> [u32; 3] {
    let part = |percent: u32| (contacts * percent + 50) / 100;
    let (core, maintaining) = (part(60), part(30));
    let maintaining = maintaining.min(contacts - core);
    [core, maintaining, contacts - core - maintaining]
}

/// The week's plan: each bucket's share of `contacts`, customers with the
/// most pressing trigger first (then more triggers, then the larger value to the firm).
/// Slots a bucket cannot fill (too few customers) go to the others, in
/// plan order, so that no contact time is left unplanned.
pub fn weekly_plan(candidates: &[Candidate], contacts: u32) -> Vec<PlannedContact> {
    let mut queues: Vec<Vec<&Candidate>> = Bucket::ALL
        .iter()
        .map(|&b| {
            let mut q: Vec<&Candidate> = candidates.iter().filter(|c| c.bucket == b).collect();
            q.sort_by(|a, b| {
                let first = |c: &Candidate| c.triggers.iter().min().copied().map_or(Trigger::ALL.len(), |t| t as usize);
                (first(a), std::cmp::Reverse(a.triggers.len()), std::cmp::Reverse(a.value), a.customer_id).cmp(&(
                    first(b),
                    std::cmp::Reverse(b.triggers.len()),
                    std::cmp::Reverse(b.value),
                    b.customer_id,
                ))
            });
            q.reverse(); // popped from the back
            q
        })
        .collect();
    let mut want = split(contacts);
    // Move what a bucket cannot fill to the next ones that can.
    let mut spare = 0;
    for (k, queue) in queues.iter().enumerate() {
        let have = queue.len() as u32;
        if want[k] > have {
            spare += want[k] - have;
            want[k] = have;
        }
    }
    for (k, queue) in queues.iter().enumerate() {
        let room = queue.len() as u32 - want[k];
        let add = room.min(spare);
        want[k] += add;
        spare -= add;
    }
    let mut plan = Vec::with_capacity(contacts as usize);
    for (k, queue) in queues.iter_mut().enumerate() {
        for _ in 0..want[k] {
            let c = queue.pop().expect("want is at most the queue's length");
            plan.push(PlannedContact {
                customer_id: c.customer_id,
                bucket: c.bucket,
                rank: plan.len() as u32 + 1,
                triggers: c.triggers.clone(),
            });
        }
    }
    plan
}

/// How closely the contacts made follow the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Adherence {
    /// Contacts planned per bucket.
    pub planned: [u32; 3],
    /// Contacts made per bucket.
    pub done: [u32; 3],
}

impl Adherence {
    /// Contacts made in all.
    pub fn done_total(&self) -> u32 {
        self.done.iter().sum()
    }

    /// Each bucket's share of the contacts made, in percent (0 when none made).
    pub fn done_percent(&self) -> [u32; 3] {
        let total = self.done_total();
        self.done.map(|d| (d * 100 + total / 2).checked_div(total).unwrap_or(0))
    }

    /// The largest gap, in percentage points, between a bucket's share of
    /// the contacts made and its target (0 when none made yet).
    pub fn largest_gap(&self) -> u32 {
        if self.done_total() == 0 {
            return 0;
        }
        let shares = self.done_percent();
        Bucket::ALL.iter().zip(shares).map(|(b, s)| b.percent().abs_diff(s)).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(customer_id: i64, bucket: Bucket, assets: Amount, triggers: &[Trigger]) -> Candidate {
        Candidate { customer_id: CustomerId(customer_id), bucket, value: assets, triggers: triggers.to_vec() }
    }

    #[test]
    fn the_split_is_within_one_contact_of_60_30_10() {
        for n in 0..500 {
            let s = split(n);
            assert_eq!(s.iter().sum::<u32>(), n);
            for (k, pct) in [60, 30, 10].into_iter().enumerate() {
                let exact = f64::from(n) * f64::from(pct) / 100.0;
                assert!((f64::from(s[k]) - exact).abs() <= 1.0, "{n}: {s:?}");
            }
        }
        assert_eq!(split(80), [48, 24, 8]);
        assert_eq!(contacts_per_week(20, 15), 80);
    }

    #[test]
    fn the_most_pressing_come_first_within_each_part() {
        use Bucket::*;
        use Trigger::*;
        let candidates = vec![
            candidate(1, CoreAndDormant, 900, &[]),
            candidate(2, CoreAndDormant, 100, &[Birthday]),
            candidate(3, CoreAndDormant, 100, &[RiskReminder]),
            candidate(4, CoreAndDormant, 500, &[HeavyLoss, Birthday]),
            candidate(5, CoreAndDormant, 800, &[HeavyLoss]),
            candidate(6, Maintaining, 10, &[]),
            candidate(7, Maintaining, 20, &[Birthday]),
            candidate(8, Precipitating, 5, &[]),
            candidate(9, Precipitating, 6, &[]),
        ];
        // 10 contacts: 6 / 3 / 1, but only 5 core and 2 maintaining: their spare slot goes on.
        let plan = weekly_plan(&candidates, 10);
        let order: Vec<i64> = plan.iter().map(|c| c.customer_id.0).collect();
        assert_eq!(order, vec![3, 4, 5, 2, 1, 7, 6, 9, 8]);
        assert_eq!(plan.iter().map(|c| c.rank).collect::<Vec<_>>(), (1..=9).collect::<Vec<_>>());
        // 5 contacts: 3 / 2 / 0 (60% of 5 is 3; 30% is 1.5, rounded to 2).
        let plan = weekly_plan(&candidates, 5);
        assert_eq!(plan.iter().map(|c| c.customer_id.0).collect::<Vec<_>>(), vec![3, 4, 5, 7, 6]);
    }

    #[test]
    fn adherence_measures_the_split_of_contacts_made() {
        let a = Adherence { planned: [48, 24, 8], done: [30, 15, 5] };
        assert_eq!((a.done_total(), a.done_percent(), a.largest_gap()), (50, [60, 30, 10], 0));
        let a = Adherence { planned: [48, 24, 8], done: [5, 10, 5] };
        assert_eq!((a.done_percent(), a.largest_gap()), ([25, 50, 25], 35));
        assert_eq!(Adherence { planned: [1, 0, 0], done: [0, 0, 0] }.largest_gap(), 0);
    }
}
