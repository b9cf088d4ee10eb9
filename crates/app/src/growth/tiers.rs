//! Tiers' use cases: the nightly judgement of every customer with points or
//! a tier, and a customer's tier as they and their advisor see it.

use crate::{codes, Error};
use access::Principal;
use chrono::{DateTime, NaiveDate, Utc};
use domain::CustomerId;
use growth::tier::{Benefits, TierRules};
use serde::Serialize;
use store::{Db, TierChangeRow, TierRow};

/// Customers judged in one unit of work (by id range).
const CHUNK: i64 = 20_000;

/// What a run of the judgement did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TierRun {
    /// Customers judged.
    pub judged: usize,
    /// Changes of tier logged.
    pub changes: usize,
}

/// The start of the twelve-month window ending `today` (Beijing midnight, 365 days before).
pub fn window_start(today: NaiveDate) -> DateTime<Utc> {
    let day = today - chrono::Days::new(365);
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    midnight.and_local_timezone(domain::shanghai()).single().expect("a fixed offset").with_timezone(&Utc)
}

/// Judges every customer with points earned in the window or a tier on
/// `today`, a unit of work per range of ids: rises at once, falls after
/// the grace, each change logged. Running it twice on a day changes nothing more.
pub async fn recompute(db: &Db, rules: &TierRules, today: NaiveDate) -> Result<TierRun, Error> {
    let since = window_start(today);
    let highest = db.highest_points_customer().await?;
    let mut run = TierRun::default();
    let mut lo = 1;
    while lo <= highest {
        let hi = lo.saturating_add(CHUNK - 1);
        let points: std::collections::BTreeMap<i64, i64> =
            db.rolling_points(lo, hi, since).await?.into_iter().collect();
        let held: std::collections::BTreeMap<i64, TierRow> =
            db.tier_rows(lo, hi).await?.into_iter().map(|r| (r.customer_id, r)).collect();
        let customers: std::collections::BTreeSet<i64> = points.keys().chain(held.keys()).copied().collect();
        let (mut save, mut changes) = (Vec::new(), Vec::new());
        for c in customers {
            let rolling = points.get(&c).copied().unwrap_or(0);
            let was = held.get(&c);
            let j = rules.judge(was.map(|r| &r.standing), rolling, today);
            run.judged += 1;
            if let Some(change) = j.change {
                changes.push((c, today, change));
            }
            // Only a standing that moved is written: a quiet night writes nothing.
            let first_above_lowest = was.is_none() && j.standing.tier != rules.tiers[0].name;
            if was.is_some_and(|w| w.standing != j.standing) || first_above_lowest {
                save.push(TierRow { customer_id: c, standing: j.standing, rolling_points: rolling, judged_on: today });
            }
        }
        if !save.is_empty() || !changes.is_empty() {
            let mut tx = db.begin().await?;
            tx.save_standings(&save, &changes).await?;
            tx.commit().await?;
        }
        run.changes += changes.len();
        lo = hi.saturating_add(1);
    }
    Ok(run)
}

/// A customer's tier as they and their advisor see it.
#[derive(Debug, Clone, Serialize)]
pub struct TierView {
    /// The tier held.
    pub tier: String,
    /// Its benefits.
    pub benefits: Benefits,
    /// Points earned in the last twelve months (now).
    pub rolling_points: i64,
    /// Held since (none for a customer never judged above the lowest tier).
    pub since: Option<NaiveDate>,
    /// The last day of a grace below the tier, when in one.
    pub grace_ends: Option<NaiveDate>,
    /// The next tier and the points it needs.
    pub next: Option<(String, i64)>,
    /// Changes of tier, newest first.
    pub changes: Vec<TierChangeRow>,
}

/// A customer's tier, for the customer or staff who serve them.
pub async fn view(db: &Db, rules: &TierRules, principal: &Principal, customer: CustomerId) -> Result<TierView, Error> {
    if db.customer_name_in_scope(customer, principal.scope()).await?.is_none() {
        return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
    }
    let today = domain::to_shanghai(db.now()).date_naive();
    let rolling = db.rolling_points(customer.0, customer.0, window_start(today)).await?.first().map_or(0, |r| r.1);
    let row = db.customer_tier(customer.0).await?;
    let tier = rules.named(row.as_ref().map_or(rules.tiers[0].name.as_str(), |r| r.standing.tier.as_str()));
    let next = rules.next_above(&tier.name).map(|t| (t.name.clone(), (t.min_points - rolling).max(0)));
    Ok(TierView {
        tier: tier.name.clone(),
        benefits: tier.benefits.clone(),
        rolling_points: rolling,
        since: row.as_ref().map(|r| r.standing.since),
        grace_ends: row.as_ref().and_then(|r| rules.grace_ends(&r.standing)),
        next,
        changes: db.tier_changes(customer.0, 50).await?,
    })
}
