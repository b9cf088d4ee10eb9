//! Analytics for staff (issue 28): TUV by firm, branch, advisor or group
//! for a month with its change from the month before split among its four
//! factors; each month's lifecycle stages; cohorts by the month accounts
//! opened. Read from the counts the event path keeps current (a few rows
//! per team and month), over the customers in the caller's scope.

use crate::{codes, Error};
use access::{Principal, Role, Scope};
use analytics::history::History;
use analytics::tuv::decompose;
use analytics::{CohortTable, Decomposition, Funnel, Lifecycle, Month, Tuv};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use store::Db;

/// The most months one request may span (three years).
pub const MAX_MONTHS: i32 = 36;

/// What TUV is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// The whole scope as one.
    Firm,
    /// Per branch.
    Branch,
    /// Per advisor.
    Advisor,
    /// Per chat group (its members as of each month's end).
    Group,
}

impl Grouping {
    /// Reads a grouping's name.
    pub fn parse(text: &str) -> Result<Grouping, Error> {
        match text {
            "firm" => Ok(Grouping::Firm),
            "branch" => Ok(Grouping::Branch),
            "advisor" => Ok(Grouping::Advisor),
            "group" => Ok(Grouping::Group),
            _ => Err(codes::ANALYTICS_GROUPING.refuse().on("by").with("given", text).into()),
        }
    }

    /// Its name.
    pub fn code(self) -> &'static str {
        match self {
            Grouping::Firm => "firm",
            Grouping::Branch => "branch",
            Grouping::Advisor => "advisor",
            Grouping::Group => "group",
        }
    }
}

/// Reads a month given by a caller, refused with what is wrong.
pub fn parse_month(text: &str, field: &'static str) -> Result<Month, Error> {
    text.trim().parse().map_err(|e: analytics::MonthError| {
        codes::MONTH_INVALID.refuse().on(field).with("given", &e.text).with("reason", e.reason).into()
    })
}

/// A range of months a caller asked for, refused when backwards or too long.
pub fn month_range(first: Month, last: Month) -> Result<(), Error> {
    if last < first || last.since(first) >= MAX_MONTHS {
        return Err(codes::MONTH_RANGE.refuse().on("from").with("most", MAX_MONTHS).into());
    }
    Ok(())
}

/// One grouping's TUV in a month, beside the month before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TuvLine {
    /// `firm`, or the branch's, advisor's or group's id.
    pub key: String,
    /// Its name.
    pub name: String,
    /// This month.
    pub figures: Tuv,
    /// The month before.
    pub previous: Tuv,
    /// The change from the month before, by factor (Shapley).
    pub change: Decomposition,
}

/// TUV of a month by a grouping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TuvReport {
    /// The month.
    pub month: Month,
    /// The grouping.
    pub by: Grouping,
    /// One line per firm, branch, advisor or group in scope, by key.
    pub lines: Vec<TuvLine>,
}

fn staff_scope(principal: &Principal, what: &str) -> Result<Scope, Error> {
    if principal.role == Role::Customer {
        return Err(codes::STAFF_ONLY.refuse().with("what", what).into());
    }
    Ok(principal.scope())
}

/// A team's month: its funnel (users cumulative), and the accounts opened,
/// returning and resurrected in it.
type TeamMonthFigures = (Funnel, u64, u64, u64);

/// Funnels per team key and month from the kept counts.
struct TeamFunnels {
    /// (branch, advisor) -> month -> figures.
    funnels: BTreeMap<(i64, i64), BTreeMap<Month, TeamMonthFigures>>,
}

async fn team_funnels(db: &Db, scope: Scope, first: Month, last: Month) -> Result<TeamFunnels, Error> {
    let (rows, base) = db.team_months(scope, first, last).await?;
    let mut by_team: BTreeMap<(i64, i64), BTreeMap<Month, store::TeamMonth>> = BTreeMap::new();
    for r in rows {
        by_team.entry((r.branch_id, r.advisor_id)).or_default().insert(r.month, r);
    }
    let base: HashMap<(i64, i64), i64> = base.into_iter().map(|(b, a, n)| ((b, a), n)).collect();
    for key in base.keys() {
        by_team.entry(*key).or_default();
    }
    let mut funnels = BTreeMap::new();
    for (team, months) in by_team {
        let mut users = base.get(&team).copied().unwrap_or(0).max(0) as u64;
        let mut out = BTreeMap::new();
        for month in first.through(last) {
            let r = months.get(&month);
            let n = |f: fn(&store::TeamMonth) -> i64| r.map_or(0, |r| f(r).max(0) as u64);
            users += n(|r| r.opened);
            let funnel =
                Funnel { users, active: n(|r| r.active), paying: n(|r| r.paying), revenue: r.map_or(0, |r| r.revenue) };
            out.insert(month, (funnel, n(|r| r.opened), n(|r| r.returning), n(|r| r.resurrected)));
        }
        funnels.insert(team, out);
    }
    Ok(TeamFunnels { funnels })
}

/// TUV for `month` by `by`, over the customers in the caller's scope.
pub async fn tuv(db: &Db, principal: &Principal, month: Month, by: Grouping) -> Result<TuvReport, Error> {
    let scope = staff_scope(principal, "analytics")?;
    let before = month.pred();
    let mut keyed: BTreeMap<(i64, String), (String, Funnel, Funnel)> = BTreeMap::new();
    if by == Grouping::Group {
        for (id, name, [prev, now]) in group_funnels(db, principal, scope, [before, month]).await? {
            keyed.insert((id, id.to_string()), (name, now, prev));
        }
    } else {
        let teams = team_funnels(db, scope, before, month).await?;
        let names = if by == Grouping::Firm { (HashMap::new(), HashMap::new()) } else { db.team_names().await? };
        for ((branch, advisor), months) in &teams.funnels {
            let (sort, key, name) = match by {
                Grouping::Branch => (*branch, branch.to_string(), names.0.get(branch).cloned().unwrap_or_default()),
                Grouping::Advisor => (*advisor, advisor.to_string(), names.1.get(advisor).cloned().unwrap_or_default()),
                _ => (0, "firm".to_owned(), String::new()),
            };
            let line = keyed.entry((sort, key)).or_insert_with(|| (name, Funnel::default(), Funnel::default()));
            line.1.add(&months[&month].0);
            line.2.add(&months[&before].0);
        }
        if by == Grouping::Firm && keyed.is_empty() {
            keyed.insert((0, "firm".to_owned()), (String::new(), Funnel::default(), Funnel::default()));
        }
    }
    let lines = keyed
        .into_iter()
        .map(|((_, key), (name, now, prev))| TuvLine {
            key,
            name,
            figures: now.tuv(),
            previous: prev.tuv(),
            change: decompose(&prev, &now),
        })
        .collect();
    Ok(TuvReport { month, by, lines })
}

/// The groups in scope and their members' funnels in each of `months`.
async fn group_funnels<const N: usize>(
    db: &Db,
    principal: &Principal,
    scope: Scope,
    months: [Month; N],
) -> Result<Vec<(i64, String, [Funnel; N])>, Error> {
    let groups = match scope {
        Scope::Firm => db.groups_of_branch(None).await?,
        Scope::Branch(b) => db.groups_of_branch(Some(b)).await?,
        Scope::Advisor(_) => match principal.staff_id {
            Some(staff) => db.groups_run_by(staff).await?,
            None => Vec::new(),
        },
        Scope::Customer(_) | Scope::Nothing => Vec::new(),
    };
    let (first, last) = (months.iter().min().copied(), months.iter().max().copied());
    let (Some(first), Some(last)) = (first, last) else { return Ok(Vec::new()) };
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        let members = db.group_member_months(g.id.0, first, last).await?;
        let funnels = months.map(|month| {
            let end = store::month_start(month.succ());
            let mut total = Funnel::default();
            for m in &members {
                let member_then = m.joined_at < end && m.removed_at.is_none_or(|r| r >= end);
                if let (true, Some(opened)) = (member_then, m.opened) {
                    total.add(&History::new(opened, m.months.iter().map(|(k, v)| (*k, *v))).funnel(month));
                }
            }
            total
        });
        out.push((g.id.0, g.name.clone(), funnels));
    }
    Ok(out)
}

/// One month's lifecycle and funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LifecycleMonth {
    /// The month.
    pub month: Month,
    /// Customers by stage.
    pub stages: Lifecycle,
    /// Users, active, paying and revenue.
    pub funnel: Tuv,
}

/// Each month's lifecycle stages and TUV figures from `first` to `last`, over the caller's scope.
pub async fn lifecycle(
    db: &Db,
    principal: &Principal,
    first: Month,
    last: Month,
) -> Result<Vec<LifecycleMonth>, Error> {
    let scope = staff_scope(principal, "analytics")?;
    month_range(first, last)?;
    let teams = team_funnels(db, scope, first, last).await?;
    let mut out = Vec::new();
    for month in first.through(last) {
        let (mut funnel, mut new, mut returning, mut resurrected) = (Funnel::default(), 0, 0, 0);
        for months in teams.funnels.values() {
            let (f, o, rt, rs) = &months[&month];
            funnel.add(f);
            new += o;
            returning += rt;
            resurrected += rs;
        }
        out.push(LifecycleMonth {
            month,
            stages: Lifecycle::from_counts(funnel.users, new, returning, resurrected),
            funnel: funnel.tuv(),
        });
    }
    Ok(out)
}

/// Cohorts opened from `first` to `last`, followed to `last`, over the caller's scope.
pub async fn cohorts(db: &Db, principal: &Principal, first: Month, last: Month) -> Result<CohortTable, Error> {
    let scope = staff_scope(principal, "analytics")?;
    month_range(first, last)?;
    let (sizes, counts) = db.cohort_counts(scope, first, last).await?;
    Ok(CohortTable::build(first, last, &sizes, &counts))
}

/// The month of the book's clock (its latest trade), or the current month
/// on an empty book: what the pages show when no month is asked for.
pub async fn default_month(db: &Db) -> Result<Month, Error> {
    Ok(match db.book_month().await? {
        Some(m) => m,
        None => store::month_of(db.now()),
    })
}

/// A question answered within this many service minutes is within the SLA:
/// before it would go to the branch manager.
pub const ANSWER_SLA_MINUTES: i64 = community::service_clock::TO_BRANCH_MANAGER;

/// One advisor's month, beside the others in the viewer's scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisorKpi {
    /// The advisor.
    pub advisor_id: i64,
    /// Name.
    pub name: String,
    /// Their customers now.
    pub customers: u64,
    /// Their customers' TUV figures in the month.
    pub tuv: Tuv,
    /// Questions asked in the month and answered.
    pub answered: usize,
    /// Median service minutes to an answer.
    pub answer_p50_minutes: Option<i64>,
    /// 90th percentile.
    pub answer_p90_minutes: Option<i64>,
    /// Share answered within the SLA, 0..1.
    pub answered_in_sla: Option<rust_decimal::Decimal>,
    /// Content items published to their groups in the month.
    pub content_published: i64,
    /// Reads of their content in the month.
    pub content_reads: i64,
    /// Weekly plan: contacts planned for the weeks starting in the month.
    pub plan_planned: i64,
    /// Of them, done.
    pub plan_done: i64,
    /// Reminders made for their customers in the month.
    pub reminders: i64,
    /// Of them, followed by a contact with the customer.
    pub reminders_followed: i64,
    /// Sends made in the month.
    pub sends: i64,
    /// Recipients of those sends who followed through (a trade in the idea's
    /// instrument, a purchase of the product) within the window.
    pub conversions: i64,
    /// Complaints their customers filed in the month (issue 29).
    pub complaints: Option<i64>,
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Every advisor in the caller's scope, their month side by side: answers,
/// content, the plan, reminders followed up, conversions, their customers' TUV.
pub async fn advisor_kpis(db: &Db, principal: &Principal, month: Month) -> Result<Vec<AdvisorKpi>, Error> {
    let scope = staff_scope(principal, "analytics")?;
    let (from, to) = (store::month_start(month), store::month_start(month.succ()));
    let last_day = month.end().pred_opt().expect("a month has a last day");
    let counts = db.advisor_counts(scope, from, to, month.first_day(), last_day).await?;
    let teams = team_funnels(db, scope, month, month).await?;
    let complaints = db.complaints_by_advisor(scope, from, to).await?;
    let mut funnels: std::collections::HashMap<i64, Funnel> = std::collections::HashMap::new();
    for ((_, advisor), months) in &teams.funnels {
        funnels.entry(*advisor).or_default().add(&months[&month].0);
    }
    let mut out = Vec::new();
    for (advisor, name) in db.advisors_in_scope(scope).await? {
        let c = counts.get(&advisor.0).cloned().unwrap_or_default();
        let mut minutes = c.answer_minutes.clone();
        minutes.sort_unstable();
        let in_sla = (!minutes.is_empty()).then(|| {
            let within = minutes.iter().filter(|m| **m <= ANSWER_SLA_MINUTES).count();
            (rust_decimal::Decimal::from(within as u64) / rust_decimal::Decimal::from(minutes.len() as u64)).round_dp(4)
        });
        let (mut sends, mut conversions) = (0, 0);
        for send in
            db.sends(Some(advisor), 10_000).await?.into_iter().filter(|s| s.created_at >= from && s.created_at < to)
        {
            let until = crate::outreach::midnight_after(crate::outreach::follow_through_until(send.created_at));
            conversions += db.followed_through(&send, send.created_at, until).await?;
            sends += 1;
        }
        let funnel = funnels.get(&advisor.0).copied().unwrap_or_default();
        out.push(AdvisorKpi {
            advisor_id: advisor.0,
            name,
            customers: funnel.users,
            tuv: funnel.tuv(),
            answered: minutes.len(),
            answer_p50_minutes: percentile(&minutes, 0.5),
            answer_p90_minutes: percentile(&minutes, 0.9),
            answered_in_sla: in_sla,
            content_published: c.published,
            content_reads: c.reads,
            plan_planned: c.planned,
            plan_done: c.done,
            reminders: c.reminders,
            reminders_followed: c.followed,
            sends,
            conversions,
            complaints: Some(complaints.get(&advisor.0).copied().unwrap_or(0)),
        });
    }
    Ok(out)
}

/// How many weeks a group's health looks back.
pub const HEALTH_WEEKS: i64 = 8;

/// A trading day's cadence in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CadenceDay {
    /// The trading day.
    pub day: chrono::NaiveDate,
    /// A pre-market preview went out that day.
    pub preview: bool,
    /// A post-market review went out that day.
    pub review: bool,
}

/// A group's health over the last [`HEALTH_WEEKS`] weeks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupHealth {
    /// The group.
    pub group_id: i64,
    /// Its name.
    pub name: String,
    /// Members now.
    pub members: u64,
    /// Week by week, oldest first.
    pub weeks: Vec<analytics::group::GroupWeek>,
    /// Members' messages per member per week, over the weeks.
    pub messages_per_member_per_week: f64,
    /// How members' activity decays after their first week.
    pub decay: analytics::group::Decay,
    /// Questions asked in the weeks.
    pub questions: u64,
    /// Of them, answered.
    pub answered: u64,
    /// Of them, answered within the SLA.
    pub answered_in_sla: u64,
    /// Reads of the content published to the group in the weeks.
    pub content_reads: i64,
    /// Seed users among the members (over the weeks).
    pub seed_users: u64,
    /// The advisor's and co-admins' messages in the weeks.
    pub staff_messages: u64,
    /// The last ten trading days' previews and reviews, newest first.
    pub cadence: Vec<CadenceDay>,
    /// What is overdue today (the advisor is prompted on the page).
    pub overdue: Vec<community::cadence::Missing>,
    /// Members by the week they joined (within the weeks): the share writing
    /// in the group each week after, and revenue per member since joining.
    pub join_cohorts: Vec<analytics::group::JoinCohort>,
}

/// A group's health, for its admins and the staff who oversee it.
pub async fn group_health(
    db: &Db,
    communities: &crate::community::Communities,
    principal: &Principal,
    group: domain::GroupId,
) -> Result<GroupHealth, Error> {
    use analytics::group::{decay, join_cohorts, week_of, weekly, Member, Said};
    staff_scope(principal, "analytics")?;
    let seeds = communities.seeds(principal, group, HEALTH_WEEKS * 7).await?;
    let row = db.group(group).await?.ok_or_else(|| codes::GROUP_NOT_FOUND.refuse())?;
    let now = db.now();
    let last = week_of(now);
    let first = last - chrono::Duration::weeks(HEALTH_WEEKS - 1);
    let since = first.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - chrono::Duration::hours(8);
    let members: Vec<Member> = db
        .members(group)
        .await?
        .into_iter()
        .map(|m| Member { customer: m.customer_id.0, joined_at: m.joined_at, removed_at: m.removed_at })
        .collect();
    // Members' first four weeks are read too, for the decay of those who joined before the window.
    let earliest = members.iter().map(|m| m.joined_at).min().unwrap_or(since).min(since);
    let said: Vec<Said> = db
        .group_said(group, earliest)
        .await?
        .into_iter()
        .map(|(by_member, sender, at)| Said { by_member, sender, at })
        .collect();
    let in_window: Vec<Said> = said.iter().copied().filter(|s| s.at >= since).collect();
    let weeks = weekly(&members, &in_window, first, last);
    let per_week: f64 = weeks.iter().map(|w| w.messages_per_member).sum::<f64>() / weeks.len().max(1) as f64;
    let questions = db.group_question_times(group, since).await?;
    let answered: Vec<i64> = questions.iter().filter(|q| q.1.is_some()).map(|q| q.2.unwrap_or(0)).collect();
    let publications = db.group_publications(group, since.min(now - chrono::Duration::days(20))).await?;
    let sent = |day: chrono::NaiveDate, kind: &str| {
        publications.iter().any(|(at, k)| k == kind && domain::to_shanghai(*at).date_naive() == day)
    };
    let calendar = market::TradingCalendar::current();
    let today = domain::to_shanghai(now).date_naive();
    let mut day = if calendar.is_trading_day(today) { today } else { calendar.previous_trading_day(today) };
    let mut cadence = Vec::new();
    for _ in 0..10 {
        cadence.push(CadenceDay { day, preview: sent(day, "pre_market"), review: sent(day, "post_market") });
        day = calendar.previous_trading_day(day);
    }
    let overdue = communities.cadence().overdue(
        calendar.is_trading_day(today),
        domain::to_shanghai(now).time(),
        sent(today, "pre_market"),
        sent(today, "post_market"),
    );
    let revenue = db.group_member_revenue(group, since).await?;
    let cohorts = join_cohorts(&members, &in_window, &revenue, first, last);
    Ok(GroupHealth {
        join_cohorts: cohorts,
        group_id: group.0,
        name: row.name.clone(),
        members: members.iter().filter(|m| m.removed_at.is_none()).count() as u64,
        messages_per_member_per_week: per_week,
        decay: decay(&members, &said, now),
        questions: questions.len() as u64,
        answered: answered.len() as u64,
        answered_in_sla: answered.iter().filter(|m| **m <= ANSWER_SLA_MINUTES).count() as u64,
        content_reads: db.group_content_reads(group, since).await?,
        seed_users: seeds.len() as u64,
        staff_messages: weeks.iter().map(|w| w.staff_messages).sum(),
        weeks,
        cadence,
        overdue,
    })
}
