//! The figures the overview reads (issue 23) are kept current by whatever
//! moves the book: trades and cash flows through the book's rules, position
//! corrections, corporate actions, handovers and imports. After a random
//! run of them, every scope's overview agrees with the same figures summed
//! from the book itself, and with a rebuild from scratch, on both backends.

use access::{Principal, Role, Scope};
use chrono::{DateTime, Duration, Utc};
use domain::{
    AccountId, BranchId, CashFlow, CashFlowKind, CorporateAction, CustomerId, EventId, InstrumentCode, Money, Position,
    Side, StaffId, Trade, TradeId, UserId,
};
use rand::{Rng, SeedableRng};
use store::{FirmOverview, Rows};
use test_support::TestDb;

fn admin() -> Principal {
    Principal {
        user_id: UserId(1),
        login: "admin".into(),
        role: Role::Admin,
        staff_id: None,
        branch_id: None,
        customer_id: None,
    }
}

async fn int(t: &TestDb, sql: &str) -> i64 {
    t.text(&format!("SELECT CAST(({sql}) AS TEXT)")).await.parse().expect(sql)
}

/// The `k`th value (wrapping) of a one-column query, as text.
async fn nth(t: &TestDb, sql: &str, k: u64) -> String {
    let n = int(t, &format!("SELECT COUNT(*) FROM ({sql}) q")).await as u64;
    t.text(&format!("{sql} LIMIT 1 OFFSET {}", k % n.max(1))).await
}

/// The `k`th account (wrapping).
async fn account_at(t: &TestDb, k: u64) -> AccountId {
    AccountId(nth(t, "SELECT CAST(id AS TEXT) FROM accounts ORDER BY id", k).await.parse().unwrap())
}

/// The `k`th advisor (wrapping).
async fn advisor_at(t: &TestDb, k: u64) -> StaffId {
    StaffId(nth(t, "SELECT CAST(id AS TEXT) FROM staff WHERE role = 'advisor' ORDER BY id", k).await.parse().unwrap())
}

/// The overview's figures summed from the book, as the old per-request
/// queries did, for the customers `filter` (over `customers c`) selects.
async fn from_book(t: &TestDb, filter: &str) -> FirmOverview {
    let as_of = t.text("SELECT COALESCE(CAST(MAX(time) AS TEXT), '') FROM trades").await;
    let as_of: Option<DateTime<Utc>> = (!as_of.is_empty()).then(|| {
        let text = as_of.replace(' ', "T");
        let text = if text.ends_with("+00") { format!("{text}:00") } else { text };
        DateTime::parse_from_rfc3339(&text).expect("a time").with_timezone(&Utc)
    });
    let customers = int(t, &format!("SELECT COUNT(*) FROM customers c WHERE {filter}")).await;
    let branches = int(t, &format!("SELECT COUNT(DISTINCT c.branch_id) FROM customers c WHERE {filter}")).await;
    let advisors = int(t, &format!("SELECT COUNT(DISTINCT c.advisor_id) FROM customers c WHERE {filter}")).await;
    let cash = int(
        t,
        &format!(
            "SELECT COALESCE(SUM(a.cash), 0) FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE {filter}"
        ),
    )
    .await;
    let market_value = int(
        t,
        &format!(
            "SELECT COALESCE(SUM(p.quantity * i.last_close), 0) FROM positions p JOIN instruments i ON i.code = p.instrument \
             JOIN accounts a ON a.id = p.account_id JOIN customers c ON c.id = a.customer_id WHERE {filter}"
        ),
    )
    .await;
    let dormant = match as_of {
        None => customers,
        Some(t0) => {
            // Active: a trade on a Shanghai day after the cut-off, i.e. at or
            // after the cut-off day's next midnight in Shanghai (UTC+8).
            let day =
                domain::to_shanghai(t0).date_naive() - Duration::days(store::DORMANT_AFTER_DAYS) + Duration::days(1);
            let from = day.and_hms_opt(0, 0, 0).unwrap().and_utc() - Duration::hours(8);
            let from = match t.name {
                "sqlite" => format!("'{}'", from.format("%Y-%m-%dT%H:%M:%S+00:00")),
                _ => format!("TIMESTAMPTZ '{}'", from.format("%Y-%m-%d %H:%M:%S+00")),
            };
            int(
                t,
                &format!(
                    "SELECT COUNT(*) FROM customers c WHERE {filter} AND NOT EXISTS (SELECT 1 FROM accounts a \
                     JOIN trades t ON t.account_id = a.id WHERE a.customer_id = c.id AND t.time >= {from})"
                ),
            )
            .await
        }
    };
    FirmOverview {
        branches,
        advisors,
        customers,
        cash: Money::new(cash, 4),
        market_value: Money::new(market_value, 4),
        assets_under_custody: Money::new(cash + market_value, 4),
        customers_per_advisor: if advisors == 0 { 0 } else { (customers + advisors / 2) / advisors },
        dormant_customers: dormant,
        as_of,
    }
}

/// Every scope's overview against the book's own sums.
async fn agree(t: &TestDb, step: &str) {
    let mut scopes = vec![(Scope::Firm, "1 = 1".to_owned())];
    for b in 1..=int(t, "SELECT MAX(id) FROM branches").await {
        scopes.push((Scope::Branch(BranchId(b)), format!("c.branch_id = {b}")));
    }
    let advisors = int(t, "SELECT COUNT(*) FROM staff WHERE role = 'advisor'").await as u64;
    for k in 0..advisors {
        let a = advisor_at(t, k).await;
        scopes.push((Scope::Advisor(a), format!("c.advisor_id = {a}")));
    }
    for c in [1, 7, 33] {
        scopes.push((Scope::Customer(CustomerId(c)), format!("c.id = {c}")));
    }
    for (scope, filter) in scopes {
        let kept = t.db.firm_overview(scope).await.unwrap();
        assert_eq!(kept, from_book(t, &filter).await, "{}: {scope:?} after {step}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_kept_figures_agree_with_the_book_after_random_events_on_both_backends() {
    for mut t in test_support::backends().await {
        test_support::load_book(&mut t, 90, 5).await;
        agree(&t, "the import").await;
        let start = t.db.firm_overview(Scope::Firm).await.unwrap().as_of.expect("the book has trades");
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(23);
        let mut next_id = 9_000_000_000_i64;
        for op in 0..48 {
            next_id += 1;
            let k = rng.gen::<u64>();
            // Times wander over half a year, so the dormant cut-off moves both ways.
            let time = start + Duration::hours(rng.gen_range(-2_000..2_500));
            let what = match op % 6 {
                0 | 1 => {
                    let code = nth(&t, "SELECT code FROM instruments WHERE kind = 'stock' ORDER BY code", k >> 8).await;
                    let close = int(&t, &format!("SELECT last_close FROM instruments WHERE code = '{code}'")).await;
                    let trade = Trade {
                        id: TradeId(next_id),
                        account_id: account_at(&t, k).await,
                        instrument: InstrumentCode::parse(&code).unwrap(),
                        side: Side::Buy,
                        quantity: 100 * rng.gen_range(1..5),
                        price: Money::new(close, 4),
                        fee: Money::new(5, 0),
                        time,
                    };
                    app::book::take(&t.db, &[trade], &[]).await.unwrap();
                    "a buy"
                }
                2 => {
                    let held = nth(
                        &t,
                        "SELECT CAST(account_id AS TEXT) || ' ' || instrument FROM positions \
                         WHERE sellable_quantity >= 100 ORDER BY account_id, instrument",
                        k,
                    )
                    .await;
                    let (acc, code) = held.split_once(' ').unwrap();
                    let trade = Trade {
                        id: TradeId(next_id),
                        account_id: AccountId(acc.parse().unwrap()),
                        instrument: InstrumentCode::parse(code).unwrap(),
                        side: Side::Sell,
                        quantity: 100,
                        price: Money::new(1234, 2),
                        fee: Money::new(5, 0),
                        time,
                    };
                    app::book::take(&t.db, &[trade], &[]).await.unwrap();
                    "a sell"
                }
                3 => {
                    let flow = CashFlow {
                        id: EventId(next_id),
                        account_id: account_at(&t, k).await,
                        kind: if rng.gen_bool(0.5) { CashFlowKind::Deposit } else { CashFlowKind::Fee },
                        amount: Money::new(rng.gen_range(1..1_000_000), 2),
                        time,
                    };
                    app::book::take(&t.db, &[], &[flow]).await.unwrap();
                    "a cash flow"
                }
                4 => {
                    let (from, to) = (advisor_at(&t, k).await, advisor_at(&t, k >> 16).await);
                    if from != to {
                        app::handover::hand_over(&t.db, &admin(), from, to).await.unwrap();
                    }
                    "a handover"
                }
                _ if op % 12 == 5 => {
                    let held = nth(&t, "SELECT DISTINCT instrument FROM positions ORDER BY instrument", k).await;
                    let today = domain::to_shanghai(t.db.now()).date_naive();
                    let action = CorporateAction {
                        id: EventId(next_id),
                        instrument: InstrumentCode::parse(&held).unwrap(),
                        ex_date: today,
                        cash_per_share: Money::new(5, 1),
                        new_shares_per_share: Money::new(3, 1),
                    };
                    t.db.insert(&Rows::CorporateActions(vec![action])).await.unwrap();
                    app::corporate::apply_due(&t.db, today).await.unwrap();
                    "a corporate action"
                }
                _ => {
                    let held = nth(
                        &t,
                        "SELECT CAST(account_id AS TEXT) || ' ' || instrument FROM positions ORDER BY account_id, instrument",
                        k,
                    )
                    .await;
                    let (acc, code) = held.split_once(' ').unwrap();
                    let corrected = Position {
                        account_id: AccountId(acc.parse().unwrap()),
                        instrument: InstrumentCode::parse(code).unwrap(),
                        quantity: 100 * rng.gen_range(1..30),
                        sellable_quantity: 100,
                        cost_price: Money::new(1000, 2),
                    };
                    app::book::correct_positions(&t.db, &[corrected], "test").await.unwrap();
                    "a position correction"
                }
            };
            if op % 4 == 3 {
                agree(&t, &format!("{what} (step {op})")).await;
            }
        }
        agree(&t, "the run").await;
        let kept = t.db.firm_overview(Scope::Firm).await.unwrap();
        t.db.rebuild_figures().await.unwrap();
        assert_eq!(kept, t.db.firm_overview(Scope::Firm).await.unwrap(), "{}: a rebuild finds the same", t.name);
        agree(&t, "the rebuild").await;
    }
}
