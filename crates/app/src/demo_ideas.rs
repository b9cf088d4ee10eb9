//! The demo's ideas, research sources, model portfolio and outreach: ideas
//! proposed and approved on dates within the committed bars (each through
//! the real use cases, on a clock set to that day), so that they carry
//! track records; a portfolio with followers and a rebalance; one send.

use crate::community::Communities;
use crate::ideas::IdeaRequest;
use crate::outreach::{Item, Outreach, Segment, SendRequest};
use crate::Error;
use access::{Principal, Role};
use chrono::NaiveDate;
use domain::{CustomerId, InstrumentCode, Money, ResearchSourceId, SetClock, StaffId, UserId};
use std::sync::Arc;
use store::Db;

/// What the demo's ideas set-up made.
#[derive(Debug, Clone, Default)]
pub struct DemoIdeas {
    /// Ideas published.
    pub ideas: usize,
    /// Research sources configured.
    pub sources: usize,
    /// The model portfolio, with its followers.
    pub portfolio: Option<(domain::PortfolioId, usize)>,
    /// Customers the demo send reached.
    pub sent_to: usize,
}

fn staff(role: Role, staff_id: StaffId) -> Principal {
    Principal {
        user_id: UserId(0),
        login: format!("demo-{}", role.as_str()),
        role,
        staff_id: Some(staff_id),
        branch_id: None,
        customer_id: None,
    }
}

/// The database as of 10:00 Shanghai on `day`.
fn on(db: &Db, day: &str) -> Db {
    let at = domain::parse_timestamp("at", &format!("{day} 10:00:00")).expect("a demo day");
    db.clone().with_clock(Arc::new(SetClock::at(at)))
}

/// An instrument's close on a day, if it has a bar then.
async fn close_on(db: &Db, code: &str, day: NaiveDate) -> Result<Option<Money>, Error> {
    let code = InstrumentCode::parse(code)?;
    Ok(db.daily_bars(&code, Some(day), Some(day)).await?.first().map(|b| b.close))
}

/// Answers that make a steady C4 investor in stocks and funds, long horizon.
fn c4_answers() -> advice::Answers {
    let mut a: advice::Answers =
        crate::advice::questionnaire().questions.iter().map(|q| (q.id.clone(), vec!["c".to_owned()])).collect();
    a.insert("varieties".into(), vec!["b".into(), "c".into()]);
    a
}

/// Sets up the demo's ideas, sources, portfolio and a send; skipped (empty)
/// when the book has none of the committed stocks' bars.
pub async fn set_up(
    db: &Db,
    advisor: StaffId,
    other_advisor: Option<StaffId>,
    compliance: StaffId,
    admin: StaffId,
    demo_customer: Option<CustomerId>,
) -> Result<DemoIdeas, Error> {
    let mut made = DemoIdeas::default();
    if close_on(db, "600519.SH", NaiveDate::from_ymd_opt(2024, 2, 5).expect("a date")).await?.is_none() {
        return Ok(made);
    }
    let admin = staff(Role::Admin, admin);
    let desk = crate::ideas::add_source(db, &admin, "本公司研究所 House research desk", "desk", "S0001-RS-001").await?;
    let outside =
        crate::ideas::add_source(db, &admin, "外部研究机构甲 Outside institution A", "institution", "S0002-RS-017")
            .await?;
    made.sources = 2;
    let reviewer = staff(Role::Compliance, compliance);
    // (day, instrument, source, horizon, advisor): the demo advisor's own, the two sources', another advisor's.
    let mut plan: Vec<(&str, &str, Option<ResearchSourceId>, i32, StaffId)> = vec![
        ("2024-02-05", "600519.SH", None, 60, advisor),
        ("2024-02-19", "000333.SZ", Some(desk), 120, advisor),
        ("2024-03-11", "600036.SH", Some(desk), 60, advisor),
        ("2024-04-08", "000858.SZ", Some(outside), 20, advisor),
        ("2024-05-06", "601318.SH", Some(outside), 20, advisor),
        ("2024-07-01", "600900.SH", None, 120, advisor),
        ("2024-09-02", "300750.SZ", Some(desk), 60, advisor),
        ("2024-09-23", "600030.SH", Some(outside), 20, advisor),
        ("2024-12-02", "002415.SZ", Some(outside), 60, advisor),
        ("2025-02-10", "002594.SZ", Some(desk), 20, advisor),
        ("2025-04-08", "000651.SZ", None, 60, advisor),
        ("2025-05-12", "601398.SH", Some(desk), 20, advisor),
    ];
    if let Some(other) = other_advisor {
        plan.extend([
            ("2024-03-18", "600276.SH", None, 60, other),
            ("2024-08-05", "000001.SZ", None, 20, other),
            ("2025-03-03", "603288.SH", None, 60, other),
        ]);
    }
    let mut last = None;
    for (day, code, source, horizon, by) in plan {
        let date: NaiveDate = day.parse().expect("a demo day");
        let Some(close) = close_on(db, code, date).await? else { continue };
        let price = |f: i64| (close * Money::new(f, 2)).round_dp(2);
        let request = IdeaRequest {
            instrument: code.into(),
            direction: "long".into(),
            entry_low: price(98),
            entry_high: price(102),
            target: price(115),
            stop: price(92),
            horizon_days: horizon,
            rationale: "估值处于历史低位区间，基本面稳健，分批布局。Valuation near its historical lows and sound \
                        fundamentals: build the position in steps."
                .into(),
            source_id: source,
            risk: None,
        };
        let at = on(db, day);
        let author = staff(Role::Advisor, by);
        let Ok((idea, content)) = crate::ideas::propose(&at, &author, &request, None).await else { continue };
        Communities::new(at.clone())
            .review_content(&reviewer, content, 1, true, "")
            .await
            .map_err(|e| Error::Store(store::StoreError::Corrupt { what: "demo review", reason: e.to_string() }))?;
        made.ideas += 1;
        last = Some(idea);
    }
    // A model portfolio from March 2024, rebalanced in September, with followers.
    let me = staff(Role::Advisor, advisor);
    let weights = |w: &[(&str, i64)]| w.iter().map(|(c, p)| ((*c).to_owned(), Money::from(*p))).collect::<Vec<_>>();
    let start = on(db, "2024-03-01");
    let (portfolio, content) = crate::portfolios::create(
        &start,
        &me,
        "稳健价值组合 Steady value",
        "精选低估值蓝筹，长期持有，按季度调整。Undervalued blue chips held for the long run, reviewed each quarter.",
        &weights(&[("600519.SH", 25), ("000333.SZ", 20), ("600036.SH", 15), ("600900.SH", 15)]),
        // It backs the professional rung of the advisory ladder, when the catalogue has it.
        db.products(false).await?.into_iter().find(|p| p.ladder == Some(domain::Ladder::Professional)).map(|p| p.id),
    )
    .await?;
    let review = |db: Db, content| {
        let reviewer = reviewer.clone();
        async move {
            Communities::new(db)
                .review_content(&reviewer, content, 1, true, "")
                .await
                .map_err(|e| Error::Store(store::StoreError::Corrupt { what: "demo review", reason: e.to_string() }))
        }
    };
    review(start.clone(), content).await?;
    let mut followers = 0;
    let candidates = db.customers_of_advisor(advisor, 12).await?;
    let others = candidates.into_iter().filter(|c| Some(*c) != demo_customer);
    for customer in demo_customer.into_iter().chain(others).take(12) {
        if Some(customer) != demo_customer {
            crate::advice::record_answers(&start, "demo", customer, &c4_answers()).await?;
        }
        let as_advisor = staff(Role::Advisor, advisor);
        if crate::portfolios::follow(&start, &as_advisor, portfolio, customer, true).await.unwrap_or(false) {
            followers += 1;
        }
    }
    let september = on(db, "2024-09-02");
    let (_, content) = crate::portfolios::rebalance(
        &september,
        &me,
        portfolio,
        &weights(&[("600519.SH", 20), ("000333.SZ", 20), ("600036.SH", 20), ("600900.SH", 20)]),
        "消费减仓、银行与电力加仓，保持两成现金。Less consumer, more banks and power; a fifth kept in cash.",
    )
    .await?;
    review(september, content).await?;
    made.portfolio = Some((portfolio, followers));
    // The newest idea sent to the portfolio's followers and the demo customer, today.
    if let Some(idea) = last {
        let mut to: Vec<CustomerId> = db.followers(portfolio).await?;
        to.extend(demo_customer);
        let outreach = Outreach::new(db.clone(), watch::rules::QuietHours::default());
        let request = SendRequest {
            item: Item::Idea(idea),
            segment: Segment::Customers(to),
            named: "{\"demo\":true}".into(),
            preview: false,
        };
        if let Ok(o) = outreach.send(&me, &request).await {
            made.sent_to = o.recipients;
        }
    }
    Ok(made)
}
