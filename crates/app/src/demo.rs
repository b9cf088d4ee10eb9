//! `brokerdesk demo` after the book is loaded: a sign-in per role, every
//! customer labelled, each advisor's plan for this week, the demo advisor's
//! group with a conversation, and a feed token for replaying a real day.

use crate::demo_users::{create_demo_users, DemoUser, DemoUsersError};
use crate::plan::{plan_week, PlanSettings};
use crate::tokens::{MadeToken, Operator};
use access::{FeedScope, Scope};
use chrono::NaiveDate;
use domain::{GroupId, StaffId};
use store::{Db, KeySet, StoreError};
use thiserror::Error;

/// What the demo set up, to print.
#[derive(Debug)]
pub struct DemoSetUp {
    /// One sign-in per role, with passwords new on every run.
    pub users: Vec<DemoUser>,
    /// The day customers were labelled as of.
    pub as_of: NaiveDate,
    /// Customers labelled.
    pub customers: u64,
    /// Customers per service tier.
    pub tiers: Vec<(&'static str, u64)>,
    /// The first advisor's plan: name, customers, week, contacts, and the planned split.
    pub plan: Option<DemoPlan>,
    /// The demo advisor's group: id, members, messages.
    pub group: Option<(GroupId, usize, usize)>,
    /// A token for the events feed.
    pub token: MadeToken,
    /// Products in the catalogue (the demo customer has taken the questionnaire).
    pub products: usize,
    /// Ideas with track records, research sources, a model portfolio and a send.
    pub ideas: crate::demo_ideas::DemoIdeas,
    /// Points earned from the book's history, referrals, tiers, and the demo customer's standing.
    pub points: crate::growth::DemoPoints,
    /// The red envelope the advisor sent to the group: id, points, shares.
    pub envelope: Option<(i64, i64, i64)>,
    /// The demo customer's answered complaint and their conversation with the advisor.
    pub service: Option<(i64, i64)>,
}

/// The first advisor's weekly plan, as the demo prints it.
#[derive(Debug)]
pub struct DemoPlan {
    /// The advisor's name.
    pub advisor: String,
    /// Their customers.
    pub customers: usize,
    /// The Monday of the week.
    pub week_start: NaiveDate,
    /// Contacts planned.
    pub contacts: usize,
    /// Contacts per part: core and dormant, maintaining, precipitating.
    pub split: [u32; 3],
}

/// Why the demo could not be set up.
#[derive(Debug, Error)]
pub enum DemoError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Users could not be made.
    #[error(transparent)]
    Users(#[from] DemoUsersError),
    /// Classification or planning failed.
    #[error(transparent)]
    Classify(#[from] crate::classify::ClassifyRunError),
    /// The community or the feed token could not be set up.
    #[error(transparent)]
    Refused(#[from] crate::Error),
}

/// Sets up everything the demo shows over a loaded book.
pub async fn set_up(db: &Db) -> Result<DemoSetUp, DemoError> {
    let users = create_demo_users(db).await?;
    let today = db.today();
    let as_of = crate::classify::book_day(db).await?.unwrap_or(today);
    let labelled = crate::classify::classify_all(db, &classify::LabelConfig::default(), as_of, true).await?;
    let mut plan = None;
    for (k, (advisor, name)) in db.advisors_in_scope(Scope::Firm).await?.into_iter().enumerate() {
        let Some(week) = plan_week(db, advisor, today, PlanSettings::default()).await? else { continue };
        if k == 0 {
            plan = Some(DemoPlan {
                advisor: name,
                customers: db.plan_inputs(advisor, week.week_start).await?.len(),
                week_start: week.week_start,
                contacts: week.contacts.len(),
                split: week.adherence.planned,
            });
        }
    }
    let mut group = None;
    let mut envelope = None;
    let mut demo_customer = None;
    let mut staff = None;
    let advisors = db.key_set(KeySet::Advisors).await?;
    if let Some(advisor) = advisors.iter().min().copied().map(StaffId) {
        if let (_, Some(compliance), admin, Some(customer)) = db.demo_links(advisor).await? {
            let g = crate::demo_community::set_up(db, advisor, compliance, customer).await?;
            group = Some((g.group_id, g.members, g.messages));
            envelope = g.envelope;
            demo_customer = Some(customer);
            staff = admin.map(|admin| (advisor, compliance, admin));
        }
    }
    let products = crate::advice::set_up_demo(db, demo_customer).await?;
    let ideas = match staff {
        Some((advisor, compliance, admin)) => {
            let other = advisors.iter().copied().filter(|a| *a != advisor.0).min().map(StaffId);
            crate::demo_ideas::set_up(db, advisor, other, compliance, admin, demo_customer).await?
        }
        None => Default::default(),
    };
    // A blocked ticket, a working order and a stop-loss for the demo customer (issue 26).
    if let (Some((advisor, _, _)), Some(customer)) = (staff, demo_customer) {
        crate::orders::set_up_demo(db, advisor, customer).await?;
    }
    // Points: 200 of the first advisor's customers' history earned, the book's referrals judged, tiers judged.
    let mut earners = Vec::new();
    if let Some(advisor) = advisors.iter().min().copied().map(StaffId) {
        earners = db.customers_of_advisor(advisor, 200).await?;
    }
    let points = crate::growth::set_up_demo(db, &growth::GrowthRules::default(), &earners, demo_customer).await?;
    // A complaint answered, a suggestion voted for, a one-to-one conversation (issue 29).
    let mut service = None;
    if let (Some((advisor, _, _)), Some(customer)) = (staff, demo_customer) {
        let others: Vec<domain::CustomerId> = earners.iter().copied().filter(|c| *c != customer).collect();
        service = Some(crate::service::set_up_demo(db, advisor, customer, &others).await?);
    }
    let token = crate::tokens::create(db, Operator::Console, "demo replay", FeedScope::Events).await?;
    Ok(DemoSetUp {
        users,
        as_of,
        customers: labelled.customers,
        tiers: labelled.tiers.into_iter().collect(),
        plan,
        group,
        token,
        products,
        ideas,
        points,
        envelope,
        service,
    })
}
