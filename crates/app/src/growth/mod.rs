//! Growth (issue 27): the points ledger's use cases. Transfers from a
//! points system (the points feed), statements for the customer and their
//! advisor, and the sweeps that void timed-out holds and expire old lots.

pub mod referrals;
pub mod sharing;
pub mod tiers;

use crate::{codes, Error};
use access::Principal;
use chrono::{DateTime, Utc};
use domain::CustomerId;
use growth::earning::{Activity, EarningRules};
use growth::{Account, Balance, LedgerError, Lot, Operation, Posted};
use serde::Serialize;
use store::{Db, StatementLine};

/// The most operations one call of the points feed may carry.
pub const MAX_OPERATIONS: usize = 10_000;

/// What became of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointsOutcome {
    /// Applied (or, for a repeat, applied before): the transfer as it stands.
    Done(Posted),
    /// Refused by the ledger; nothing moved.
    Refused(LedgerError),
    /// A customer account of no known customer; nothing moved.
    UnknownCustomer(CustomerId),
}

/// Runs a batch of operations from a points system, as one unit of work:
/// each decided on the books as the ones before it left them.
pub async fn post_operations(db: &Db, ops: &[Operation]) -> Result<Vec<PointsOutcome>, Error> {
    if ops.len() > MAX_OPERATIONS {
        let e = codes::TOO_MANY_EVENTS.refuse().with("count", ops.len()).with("max", MAX_OPERATIONS);
        return Err(e.into());
    }
    let unknown = UnknownCustomers::of(db, ops.iter()).await?;
    let unknown = |op: &Operation| unknown.in_op(op);
    let runnable: Vec<Operation> = ops.iter().filter(|op| unknown(op).is_none()).cloned().collect();
    let mut ran = db.ledger_run(&runnable, db.now()).await?.into_iter();
    Ok(ops
        .iter()
        .map(|op| match unknown(op) {
            Some(c) => PointsOutcome::UnknownCustomer(c),
            None => match ran.next().expect("an outcome per operation run") {
                Ok(p) => PointsOutcome::Done(p),
                Err(e) => PointsOutcome::Refused(e),
            },
        })
        .collect())
}

/// Which customers a batch's transfers name exist: a transfer to or from
/// one who does not is refused before the batch runs.
struct UnknownCustomers(std::collections::HashSet<i64>);

impl UnknownCustomers {
    async fn of(db: &Db, ops: impl Iterator<Item = &Operation>) -> Result<UnknownCustomers, store::StoreError> {
        let mut customers: Vec<i64> = ops
            .filter_map(|op| match op {
                Operation::Apply(t) => Some([t.debit, t.credit]),
                Operation::Decide { .. } => None,
            })
            .flatten()
            .filter_map(|a| a.customer().map(|c| c.0))
            .collect();
        customers.sort_unstable();
        customers.dedup();
        Ok(UnknownCustomers(db.known_customers(&customers).await?))
    }

    /// The first customer an operation names who does not exist.
    fn in_op(&self, op: &Operation) -> Option<CustomerId> {
        match op {
            Operation::Apply(t) => {
                [t.debit, t.credit].into_iter().filter_map(Account::customer).find(|c| !self.0.contains(&c.0))
            }
            Operation::Decide { .. } => None,
        }
    }
}

/// A customer's points as their statement shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    /// The customer.
    pub customer_id: CustomerId,
    /// Their name.
    pub name: String,
    /// Posted points.
    pub balance: i64,
    /// What may be spent now (posted less holds).
    pub available: i64,
    /// Points promised but not yet posted (referral rewards awaiting their conditions).
    pub pending_in: i64,
    /// Points held for spends not yet decided.
    pub pending_out: i64,
    /// The lots the balance is made of, oldest (first to be used or expire) first.
    pub lots: Vec<LotView>,
    /// Transfers, newest first.
    pub lines: Vec<StatementLine>,
    /// The `before` of the next page, when there is one.
    pub next_before: Option<i64>,
}

/// A lot with the day it expires.
#[derive(Debug, Clone, Serialize)]
pub struct LotView {
    /// The transfer that earned it.
    pub source: String,
    /// Earned.
    pub earned_at: DateTime<Utc>,
    /// Left of it.
    pub remaining: i64,
    /// When what is left expires.
    pub expires_at: DateTime<Utc>,
}

impl From<Lot> for LotView {
    fn from(l: Lot) -> Self {
        LotView { expires_at: l.expires_at(), source: l.source, earned_at: l.earned_at, remaining: l.remaining }
    }
}

/// A customer's statement, for the customer or staff who serve them: up to
/// `limit` (1..=1000) transfers before `before`.
pub async fn statement(
    db: &Db,
    principal: &Principal,
    customer: CustomerId,
    before: Option<i64>,
    limit: i64,
) -> Result<Statement, Error> {
    if !(1..=1000).contains(&limit) {
        let e = domain::codes::OUT_OF_RANGE.refuse().on("limit").with("value", limit).with("min", 1).with("max", 1000);
        return Err(e.into());
    }
    let Some(name) = db.customer_name_in_scope(customer, principal.scope()).await? else {
        return Err(codes::CUSTOMER_NOT_FOUND.refuse().into());
    };
    let b: Balance = db.points_balance(Account::Customer(customer)).await?;
    let lots = db.points_lots(customer).await?.into_iter().map(LotView::from).collect();
    let lines = db.points_statement(customer, before, limit).await?;
    let next_before = (lines.len() as i64 == limit).then(|| lines.last().map(|l| l.seq)).flatten();
    Ok(Statement {
        customer_id: customer,
        name,
        balance: b.net(),
        available: b.available(),
        pending_in: b.credits_pending,
        pending_out: b.debits_pending,
        lots,
        lines,
        next_before,
    })
}

/// Earns what customers' activities give under `rules`, as one batch:
/// each under its source event's key, so an activity seen again (a replayed
/// feed, a second trade the same day) earns nothing more. How many earned.
pub async fn earn(db: &Db, rules: &EarningRules, activities: &[Activity]) -> Result<usize, Error> {
    let ops: Vec<Operation> = activities.iter().filter_map(|a| rules.earn(a)).map(Operation::Apply).collect();
    if ops.is_empty() {
        return Ok(0);
    }
    // A repeat answers its first result, applied at an earlier moment: only this batch's count.
    let now = chrono::SubsecRound::trunc_subsecs(db.now(), 6);
    Ok(db.ledger_run(&ops, now).await?.iter().filter(|o| o.as_ref().is_ok_and(|p| p.at == now)).count())
}

/// Earns what an activity gives inside the caller's unit of work, so the
/// activity and its points are written together or not at all.
pub async fn earn_in(tx: &mut store::Tx, rules: &EarningRules, activity: &Activity) -> Result<(), Error> {
    if let Some(t) = rules.earn(activity) {
        let now = chrono::SubsecRound::trunc_subsecs(tx.now(), 6);
        // A repeat (the same key) answers its first result and moves nothing.
        tx.ledger_run(&[Operation::Apply(t)], now).await?;
    }
    Ok(())
}

/// What the events feed's stored logins and trades earn (logins by the
/// Beijing day, trades once a trading day per customer), each at the moment
/// of its first event: transfers standing for them (earlier ones included).
pub async fn earn_from_events(
    db: &Db,
    rules: &EarningRules,
    logins: &[(i64, DateTime<Utc>)],
    trades: &[(i64, DateTime<Utc>)],
) -> Result<usize, Error> {
    let day = |t: DateTime<Utc>| domain::to_shanghai(t).date_naive();
    let mut activities: Vec<(Activity, DateTime<Utc>)> =
        logins.iter().map(|(c, t)| (Activity::Login { customer: CustomerId(*c), day: day(*t) }, *t)).collect();
    let accounts: Vec<i64> = trades.iter().map(|(a, _)| *a).collect();
    let owners: std::collections::HashMap<i64, i64> = db.account_owners(&accounts).await?.into_iter().collect();
    activities.extend(trades.iter().filter_map(|(a, t)| {
        owners.get(a).map(|c| (Activity::TradingDay { customer: CustomerId(*c), day: day(*t) }, *t))
    }));
    // One earning per key, at its first event: the points are earned when the activity happened.
    activities.sort_by_key(|(a, t)| (format!("{a:?}"), *t));
    activities.dedup_by(|later, first| later.0 == first.0);
    activities.sort_by_key(|(_, t)| *t);
    let ops: Vec<(Operation, DateTime<Utc>)> = activities
        .iter()
        .filter_map(|(a, t)| rules.earn(a).map(|tr| (Operation::Apply(tr), chrono::SubsecRound::trunc_subsecs(*t, 6))))
        .collect();
    if ops.is_empty() {
        return Ok(0);
    }
    let timed: Vec<(&Operation, DateTime<Utc>)> = ops.iter().map(|(o, t)| (o, *t)).collect();
    Ok(db.ledger_run_at(&timed).await?.iter().filter(|o| o.is_ok()).count())
}

/// Earns the tenure points of customers whose account's anniversary fell
/// in the week to `today` (a missed night catches up; each year's key is
/// its own, so a second run earns nothing). How many earned.
pub async fn earn_tenure(db: &Db, rules: &EarningRules, today: chrono::NaiveDate) -> Result<usize, Error> {
    use chrono::Datelike;
    let week: Vec<chrono::NaiveDate> = (0..7).map(|d| today - chrono::Days::new(d)).collect();
    let month_days: Vec<String> = week.iter().map(|d| d.format("%m-%d").to_string()).collect();
    let mut activities = Vec::new();
    for (customer, opened) in db.opening_anniversaries(&month_days).await? {
        let opened = domain::to_shanghai(opened).date_naive();
        let Some(day) = week.iter().find(|d| d.month() == opened.month() && d.day() == opened.day()) else { continue };
        let years = day.year() - opened.year();
        if years >= 1 {
            activities.push(Activity::Tenure { customer: CustomerId(customer), years: years as u32 });
        }
    }
    let mut earned = 0;
    for chunk in activities.chunks(1_000) {
        earned += earn(db, rules, chunk).await?;
    }
    Ok(earned)
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Holds and pending rewards past their timeout, voided.
    pub voided: usize,
    /// Expiry transfers made.
    pub expired: usize,
    /// Referrals judged and rewards posted.
    pub referrals: referrals::ReferralRun,
    /// Members prompted to invite a friend a week after joining a group.
    pub prompted: usize,
}

/// The ledger's sweep (hourly in `serve`): holds and pending rewards past
/// their timeout voided, lots past their life expired, referrals waiting
/// judged, rewards of friends who qualified posted, and members a week into
/// a group prompted to invite a friend.
pub async fn sweep(db: &Db, rules: &growth::GrowthRules, now: DateTime<Utc>) -> Result<SweepReport, Error> {
    // Qualifications first: a friend who qualified in time is paid even if the sweep runs after the window.
    let referrals = referrals::settle(db, rules, now).await?;
    let voided = db.void_timed_out(now, 1_000).await?;
    let expired = db.expire_lots(now, 1_000).await?;
    let prompted = referrals::prompt_week_one(db, now).await?;
    Ok(SweepReport { voided, expired, referrals, prompted })
}

/// What an import of ledger steps did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Steps found done by an earlier run of the same import, and skipped.
    pub resumed_after: i64,
    /// Transfers and decisions applied (repeats of earlier ones included).
    pub applied: usize,
    /// Sweeps run (time-outs voided, lots expired).
    pub sweeps: usize,
    /// Refused, by line (from 1): the code and the reason.
    pub refused: Vec<(u64, &'static str, String)>,
}

/// Runs ledger steps (one JSON `growth::workload::Step` a line) as import
/// `name`: `batch` steps a unit of work, each unit recording how far the
/// import has come, so an import stopped anywhere (even killed) and started
/// again resumes after its last unit: no step lost, none run twice. A line
/// that does not read, or names a customer who does not exist, is refused
/// and reported; the others go through.
pub async fn import_steps(
    db: &Db,
    name: &str,
    lines: impl Iterator<Item = std::io::Result<String>>,
    batch: usize,
) -> Result<ImportReport, ImportStepsError> {
    use growth::workload::{Step, Work};
    let mut report = ImportReport::default();
    let mut tx = db.begin().await?;
    report.resumed_after = tx.import_progress(name).await?;
    drop(tx);
    let mut pending: Vec<(u64, Step)> = Vec::with_capacity(batch);
    let mut read: i64 = report.resumed_after;
    let mut lines = lines.enumerate().skip(report.resumed_after as usize).peekable();
    loop {
        pending.clear();
        let mut last_line = read;
        while pending.len() < batch {
            let Some((i, line)) = lines.next() else { break };
            let line = line?;
            last_line = i as i64 + 1;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Step>(&line) {
                Ok(step) => pending.push((i as u64 + 1, step)),
                Err(e) => report.refused.push((i as u64 + 1, "not_a_step", e.to_string())),
            }
        }
        if last_line == read {
            return Ok(report);
        }
        let runs = pending.iter().filter_map(|(_, s)| match &s.work {
            Work::Run(op) => Some(op),
            _ => None,
        });
        let known = UnknownCustomers::of(db, runs).await?;
        let mut steps = Vec::with_capacity(pending.len());
        let mut line_of = Vec::with_capacity(pending.len());
        for (line, step) in pending.drain(..) {
            let unknown = match &step.work {
                Work::Run(op) => known.in_op(op),
                _ => None,
            };
            match unknown {
                Some(c) => report.refused.push((line, codes::CUSTOMER_NOT_FOUND.code, format!("no customer {c}"))),
                None => {
                    line_of.push(line);
                    steps.push(step);
                }
            }
        }
        let mut tx = db.begin().await?;
        let outcomes = tx.run_steps(&steps).await?;
        tx.set_import_progress(name, last_line).await?;
        tx.commit().await?;
        read = last_line;
        for (line, outcome) in line_of.into_iter().zip(outcomes) {
            match outcome {
                None => report.sweeps += 1,
                Some(Ok(_)) => report.applied += 1,
                Some(Err(e)) => report.refused.push((line, domain::ErrorCode::code(&e).code, e.to_string())),
            }
        }
    }
}

/// Why an import of ledger steps stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportStepsError {
    /// The file could not be read.
    #[error("reading the steps: {0}")]
    Read(#[from] std::io::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// What the demo's points set-up did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoPoints {
    /// Transfers earned from the customers' sign-ins and trading days.
    pub earned: usize,
    /// Referrals from the book judged and settled.
    pub referrals: referrals::ReferralRun,
    /// Customers judged into tiers, and tier changes.
    pub tiers: tiers::TierRun,
    /// The demo customer's balance, tier and invite code.
    pub customer: Option<(i64, String, String)>,
}

/// The demo's points: `customers`' sign-ins and trading days in the book
/// earn their points history (under the same keys as the events feed, so a
/// replay earns nothing twice), the book's referrals are judged, tiers are
/// judged for today, and the demo customer gets their invite code.
pub async fn set_up_demo(
    db: &Db,
    rules: &growth::GrowthRules,
    customers: &[CustomerId],
    demo_customer: Option<CustomerId>,
) -> Result<DemoPoints, Error> {
    let mut out = DemoPoints::default();
    let ids: Vec<i64> = customers.iter().map(|c| c.0).collect();
    for chunk in ids.chunks(500) {
        let (logins, trades) = db.activity_of(chunk).await?;
        out.earned += earn_from_events(db, &rules.earning, &logins, &trades).await?;
    }
    out.referrals = referrals::settle(db, rules, db.now()).await?;
    let today = domain::to_shanghai(db.now()).date_naive();
    out.tiers = tiers::recompute(db, &rules.tiers, today).await?;
    if let Some(c) = demo_customer {
        let principal = referrals::system();
        let code = referrals::invite_code(db, &principal, c).await?;
        let tier = tiers::view(db, &rules.tiers, &principal, c).await?;
        let balance = db.points_balance(growth::Account::Customer(c)).await?.net();
        out.customer = Some((balance, tier.tier, code.as_str().to_owned()));
    }
    Ok(out)
}
