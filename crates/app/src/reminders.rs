//! Risk reminders as readers see them: staff the reminders of the customers
//! in their scope as they are made; a customer their own, once delivered.
//! The volume per rule per day is staff's.

use crate::Error;
use access::{Principal, Role};
use domain::ReminderId;
use store::{Db, ReminderQuery, ReminderRow, ReminderVolume};

/// The most reminders one read returns.
pub const MAX_LIMIT: i64 = 500;
/// The most days the volume counts.
pub const MAX_DAYS: i64 = 366;

/// The reminders a principal may read, newest first (after an id, if given).
pub async fn list(
    db: &Db,
    principal: &Principal,
    after: Option<ReminderId>,
    limit: i64,
) -> Result<Vec<ReminderRow>, Error> {
    if !(1..=MAX_LIMIT).contains(&limit) {
        let e = domain::codes::OUT_OF_RANGE.refuse().on("limit").with("value", limit).with("min", 1);
        return Err(e.with("max", MAX_LIMIT).into());
    }
    let q = ReminderQuery { scope: principal.scope(), delivered_only: principal.role == Role::Customer, after, limit };
    Ok(db.reminders(&q).await?)
}

/// Reminders per rule per trading day over `days` calendar days back from the
/// newest day with reminders, in the principal's scope; staff only.
pub async fn volume(db: &Db, principal: &Principal, days: i64) -> Result<Vec<ReminderVolume>, Error> {
    crate::tasks::staff_only(principal)?;
    if !(1..=MAX_DAYS).contains(&days) {
        let e = domain::codes::OUT_OF_RANGE.refuse().on("days").with("value", days).with("min", 1);
        return Err(e.with("max", MAX_DAYS).into());
    }
    Ok(db.reminder_volume(principal.scope(), days).await?)
}
