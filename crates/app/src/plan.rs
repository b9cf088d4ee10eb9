//! The advisor's weekly service plan, made from the stored labels (see
//! [`crate::classify`]): whom to contact in which part of the 60/30/10
//! split and why, contacts marked done, adherence, and a CSV export.

use crate::classify::{label_pairs, ClassifyRunError};
use crate::{codes, Error};
use access::{Principal, Role};
use chrono::{Datelike, Duration, NaiveDate};
use classify::plan::{contacts_per_week, weekly_plan, Adherence, Bucket, Candidate, Trigger};
use classify::Amount;
use domain::{CustomerId, StaffId};
use store::{Db, PlanInput, PlanRow};

/// Firm settings for planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanSettings {
    /// Minutes one contact takes, on average.
    pub minutes_per_contact: u32,
    /// A heavy loss: holdings under cost by at least this share of assets (basis points).
    pub heavy_loss_bp: i64,
    /// Among equals, the plan puts first the customer worth more: assets plus
    /// the last three months' revenue times this (40: a yuan of commission a
    /// quarter weighs as 40 yuan of assets, about ten years of it).
    pub revenue_weight: i64,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings { minutes_per_contact: 15, heavy_loss_bp: 1_000, revenue_weight: 40 }
    }
}

/// An advisor's plan for a week, with how closely it is being followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekPlan {
    /// The advisor.
    pub advisor_id: StaffId,
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    /// Contacts the advisor's hours allow.
    pub capacity: u32,
    /// The plan, in rank order.
    pub contacts: Vec<PlanRow>,
    /// Planned and done per bucket.
    pub adherence: Adherence,
}

/// The Monday of `day`'s week.
pub fn week_start_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Whether someone born on `birth` has their birthday in the month of the
/// week from `week_start` (the month of its Thursday, as ISO weeks count).
/// By month, not by week: a plan that named the birthday's week would, with
/// the age, narrow the birth date to seven days and so the masked national
/// ID to a few thousand numbers; a month leaves over 10,000.
fn birthday_in_month_of_week(birth: NaiveDate, week_start: NaiveDate) -> bool {
    (week_start + Duration::days(3)).month() == birth.month()
}

/// The plan's candidates: an advisor's labelled customers with their triggers.
pub fn candidates(
    inputs: &[PlanInput],
    week_start: NaiveDate,
    settings: PlanSettings,
) -> Result<Vec<Candidate>, ClassifyRunError> {
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        let labels = label_pairs(input.customer_id, &input.labels)?;
        let tier = labels.iter().find(|(d, _)| d == "service_tier").map_or("", |(_, l)| l.as_str());
        let Some(bucket) = Bucket::of_tier(tier) else { continue };
        let features: serde_json::Value = serde_json::from_str(&input.features)
            .map_err(|source| ClassifyRunError::StoredLabels { customer: input.customer_id, source })?;
        let figure = |name: &str| features[name].as_i64().unwrap_or(0);
        let (assets, unrealized): (Amount, Amount) = (figure("assets"), figure("unrealized_pnl"));
        let mut triggers = Vec::new();
        if input.recent_reminders > 0 {
            triggers.push(Trigger::RiskReminder);
        }
        if assets > 0 && i128::from(-unrealized) * 10_000 >= i128::from(settings.heavy_loss_bp) * i128::from(assets) {
            triggers.push(Trigger::HeavyLoss);
        }
        if tier == "dormant" {
            triggers.push(Trigger::DormantWorthWaking);
        }
        if birthday_in_month_of_week(input.birth_date, week_start) {
            triggers.push(Trigger::Birthday);
        }
        let value = assets.saturating_add(figure("revenue_3m").saturating_mul(settings.revenue_weight));
        out.push(Candidate { customer_id: input.customer_id, bucket, value, triggers });
    }
    Ok(out)
}

/// Planned and done contacts per bucket of a stored plan.
pub fn adherence(rows: &[PlanRow]) -> Adherence {
    let mut a = Adherence { planned: [0; 3], done: [0; 3] };
    for r in rows {
        if let Some(k) = Bucket::parse(&r.bucket).and_then(|b| Bucket::ALL.iter().position(|&x| x == b)) {
            a.planned[k] += 1;
            a.done[k] += u32::from(r.done_at.is_some());
        }
    }
    a
}

/// The advisor's plan for the week of `day`: the stored one, or made now
/// from the stored labels and kept. None when there is no such advisor.
pub async fn plan_week(
    db: &Db,
    advisor_id: StaffId,
    day: NaiveDate,
    settings: PlanSettings,
) -> Result<Option<WeekPlan>, ClassifyRunError> {
    let Some(hours) = db.contact_hours(advisor_id).await? else { return Ok(None) };
    let week_start = week_start_of(day);
    let capacity = contacts_per_week(u32::try_from(hours.max(0)).unwrap_or(0), settings.minutes_per_contact);
    let mut contacts = db.plan(advisor_id, week_start).await?;
    if contacts.is_empty() {
        let inputs = db.plan_inputs(advisor_id, week_start - Duration::days(7)).await?;
        let plan = weekly_plan(&candidates(&inputs, week_start, settings)?, capacity);
        let rows: Vec<(CustomerId, &str, i64, String)> = plan
            .iter()
            .map(|c| {
                let triggers: Vec<&str> = c.triggers.iter().map(|t| t.as_str()).collect();
                (c.customer_id, c.bucket.as_str(), i64::from(c.rank), triggers.join(","))
            })
            .collect();
        db.store_plan(advisor_id, week_start, &rows).await?;
        contacts = db.plan(advisor_id, week_start).await?;
    }
    let adherence = adherence(&contacts);
    Ok(Some(WeekPlan { advisor_id, week_start, capacity, contacts, adherence }))
}

/// Whose plan, for which week, the principal asks for: an advisor their own;
/// managers, compliance and admins any advisor in their scope (the first by
/// default); customers none. `week` is any day of it (YYYY-MM-DD), this week by default.
pub async fn chosen(
    db: &Db,
    principal: &Principal,
    advisor: Option<&str>,
    week: Option<&str>,
) -> Result<(StaffId, NaiveDate), Error> {
    let week = match week.filter(|w| !w.is_empty()) {
        Some(w) => domain::parse_date("week", w).map_err(domain::Refusal::from)?,
        None => db.today(),
    };
    match principal.role {
        Role::Customer => return Err(codes::STAFF_ONLY.refuse().with("what", "plan").into()),
        Role::Advisor => {
            let own = principal.staff_id.ok_or_else(|| Error::from(codes::ADVISOR_NOT_FOUND.refuse()))?;
            return Ok((own, week));
        }
        Role::Manager | Role::Compliance | Role::Admin => {}
    }
    let advisors = db.advisors_in_scope(principal.scope()).await?;
    let advisor = match advisor.filter(|a| !a.is_empty()) {
        Some(a) => {
            a.parse::<StaffId>().map_err(|_| domain::codes::NOT_A_NUMBER.refuse().on("advisor").with("value", a))?
        }
        None => advisors.first().map(|a| a.0).ok_or_else(|| Error::from(codes::ADVISOR_NOT_FOUND.refuse()))?,
    };
    // Someone else's advisors are not found, as if they did not exist.
    if !advisors.iter().any(|a| a.0 == advisor) {
        return Err(codes::ADVISOR_NOT_FOUND.refuse().into());
    }
    Ok((advisor, week))
}

/// The plan the principal asks for (see [`chosen`]), made now if the week has none.
pub async fn plan_for(
    db: &Db,
    principal: &Principal,
    advisor: Option<&str>,
    week: Option<&str>,
) -> Result<WeekPlan, Error> {
    let (advisor, day) = chosen(db, principal, advisor, week).await?;
    plan_week(db, advisor, day, PlanSettings::default()).await?.ok_or_else(|| codes::ADVISOR_NOT_FOUND.refuse().into())
}

/// Marks a planned contact made, with what came of it (1 to 500 characters); its row.
pub async fn complete_contact(
    db: &Db,
    principal: &Principal,
    advisor: Option<&str>,
    week: Option<&str>,
    customer: CustomerId,
    outcome: &str,
) -> Result<PlanRow, Error> {
    let (advisor, day) = chosen(db, principal, advisor, week).await?;
    let outcome = domain::Outcome::parse(outcome)?;
    let week = week_start_of(day);
    if !db.complete_contact(principal, advisor, week, customer, &outcome).await? {
        return Err(codes::CONTACT_NOT_FOUND.refuse().into());
    }
    let rows = db.plan(advisor, week).await?;
    rows.into_iter().find(|c| c.customer_id == customer).ok_or_else(|| codes::CONTACT_NOT_FOUND.refuse().into())
}

/// Weekly contact hours a manager may set, inclusive.
pub const HOURS: std::ops::RangeInclusive<i64> = 1..=60;

/// A manager (or admin) sets an advisor's weekly contact hours for plans made from now on.
pub async fn set_hours(db: &Db, principal: &Principal, advisor: StaffId, hours: &str) -> Result<i64, Error> {
    if !matches!(principal.role, Role::Manager | Role::Admin) {
        return Err(codes::MANAGERS_SET_HOURS.refuse().into());
    }
    let known = db.advisors_in_scope(principal.scope()).await?;
    if !known.iter().any(|a| a.0 == advisor) {
        return Err(codes::ADVISOR_NOT_FOUND.refuse().into());
    }
    let text = hours.trim();
    let out_of_range = || {
        domain::codes::OUT_OF_RANGE
            .refuse()
            .on("hours")
            .with("value", text)
            .with("min", HOURS.start())
            .with("max", HOURS.end())
    };
    let hours = text.parse::<i64>().map_err(|_| out_of_range())?;
    if !HOURS.contains(&hours) {
        return Err(out_of_range().into());
    }
    if !db.set_contact_hours(principal, advisor, hours).await? {
        return Err(codes::ADVISOR_NOT_FOUND.refuse().into());
    }
    Ok(hours)
}

/// The plan as CSV: rank, customer id and name, bucket, triggers, done at, outcome.
pub fn plan_csv(plan: &WeekPlan) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["rank", "customer_id", "customer", "bucket", "triggers", "done_at", "outcome"];
    w.write_record(header).expect("writing to memory");
    for c in &plan.contacts {
        w.write_record([
            c.rank.to_string(),
            c.customer_id.to_string(),
            c.customer.clone(),
            c.bucket.clone(),
            c.triggers.clone(),
            c.done_at.clone().unwrap_or_default(),
            c.outcome.clone().unwrap_or_default(),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 fields is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_birthdays_fall_in_their_month() {
        assert_eq!(week_start_of(day("2026-11-22")), day("2026-11-16")); // a Sunday
        assert_eq!(week_start_of(day("2026-11-16")), day("2026-11-16"));
        assert!(birthday_in_month_of_week(day("1980-11-22"), day("2026-11-16")));
        assert!(birthday_in_month_of_week(day("1980-11-01"), day("2026-11-16")), "any day of the month");
        assert!(!birthday_in_month_of_week(day("1980-12-01"), day("2026-11-16")));
        // The week of Monday 30 November 2026 has its Thursday in December.
        assert!(birthday_in_month_of_week(day("1996-12-29"), day("2026-11-30")));
        assert!(!birthday_in_month_of_week(day("1996-11-30"), day("2026-11-30")));
    }

    fn input(customer_id: i64, tier: &str, assets: i64, unrealized: i64, reminders: i64, birth: &str) -> PlanInput {
        PlanInput {
            customer_id: CustomerId(customer_id),
            birth_date: day(birth),
            labels: format!(r#"[["service_tier",{{"label":"{tier}","reasons":[]}}]]"#),
            features: format!(r#"{{"assets":{assets},"unrealized_pnl":{unrealized}}}"#),
            recent_reminders: reminders,
        }
    }

    #[test]
    fn triggers_come_from_reminders_losses_dormancy_and_birthdays() {
        let inputs = [
            input(1, "core", 1_000, -100, 0, "1970-01-01"),
            input(2, "dormant", 1_000, -99, 2, "1970-11-18"),
            input(3, "maintaining", 0, 0, 0, "1970-01-01"),
            input(4, "unknown", 1_000, 0, 0, "1970-01-01"),
        ];
        let c = candidates(&inputs, day("2026-11-16"), PlanSettings::default()).unwrap();
        assert_eq!(c.len(), 3, "a customer without a tier is not planned");
        assert_eq!(c[0].triggers, vec![Trigger::HeavyLoss], "10% of assets under cost");
        assert_eq!(c[1].triggers, vec![Trigger::RiskReminder, Trigger::DormantWorthWaking, Trigger::Birthday]);
        assert_eq!((c[2].bucket, c[2].triggers.len()), (Bucket::Maintaining, 0));
    }
}
