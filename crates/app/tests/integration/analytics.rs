//! The analytics counts (issue 28) are kept current by whatever stores an
//! event: the import, trades through the book, group messages, handovers.
//! After a random run of them, TUV by advisor, the lifecycle and the
//! cohorts agree with the same figures computed from the stored events
//! themselves (the analytics crate's reference computation), and with a
//! rebuild from scratch, on both backends.

use access::{Principal, Role};
use analytics::history::{self, History};
use analytics::{CohortTable, Month};
use app::analytics::{self as use_cases, Grouping};
use chrono::{DateTime, Duration, Utc};
use domain::{AccountId, InstrumentCode, Money, SenderKind, Side, Trade, TradeId, UserId};
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap};
use test_support::TestDb;

fn admin() -> Principal {
    Principal::operator()
}

fn time(text: &str) -> DateTime<Utc> {
    let text = text.replace(' ', "T");
    let text = if text.ends_with("+00") { format!("{text}:00") } else { text };
    DateTime::parse_from_rfc3339(&text).expect("a time").with_timezone(&Utc)
}

/// Every customer's history and team, from the stored events alone.
async fn from_events(t: &TestDb) -> (HashMap<i64, History>, HashMap<i64, (i64, i64)>) {
    let fees = orders::FeeSchedule::default();
    let rows = |sql: &str| {
        let sql = sql.to_owned();
        async move { t.text(&format!("SELECT COALESCE(STRING_AGG(r, ';'), '') FROM ({sql}) q")).await }
    };
    let mut out: HashMap<i64, History> = HashMap::new();
    let mut teams = HashMap::new();
    let customers = rows("SELECT CAST(id AS TEXT) || '|' || CAST(branch_id AS TEXT) || '|' || CAST(advisor_id AS TEXT) || '|' || CAST(opened_at AS TEXT) AS r FROM customers").await;
    let mut events: Vec<(i64, DateTime<Utc>, i64)> = Vec::new();
    for line in customers.split(';').filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('|').collect();
        let id: i64 = f[0].parse().unwrap();
        teams.insert(id, (f[1].parse().unwrap(), f[2].parse().unwrap()));
        out.insert(id, History { opened: Some(store::month_of(time(f[3]))), months: BTreeMap::new() });
    }
    for line in rows("SELECT CAST(customer_id AS TEXT) || '|' || CAST(time AS TEXT) AS r FROM logins").await.split(';')
    {
        if let Some((c, at)) = line.split_once('|') {
            events.push((c.parse().unwrap(), time(at), 0));
        }
    }
    let sql = "SELECT CAST(sender_id AS TEXT) || '|' || CAST(at AS TEXT) AS r FROM group_messages WHERE sender_kind = 'customer'";
    for line in rows(sql).await.split(';') {
        if let Some((c, at)) = line.split_once('|') {
            events.push((c.parse().unwrap(), time(at), 0));
        }
    }
    let sql = "SELECT CAST(a.customer_id AS TEXT) || '|' || i.kind || '|' || CAST(t.quantity AS TEXT) || '|' || \
               CAST(t.price AS TEXT) || '|' || CAST(t.time AS TEXT) AS r FROM trades t JOIN accounts a ON a.id = t.account_id \
               JOIN instruments i ON i.code = t.instrument";
    for line in rows(sql).await.split(';').filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('|').collect();
        let kind: domain::InstrumentKind = f[1].parse().unwrap();
        let amount = f[2].parse::<i64>().unwrap() * f[3].parse::<i64>().unwrap();
        events.push((f[0].parse().unwrap(), time(f[4]), fees.commission(kind, amount)));
    }
    for (c, at, revenue) in events {
        let h = out.get_mut(&c).expect("a known customer");
        let month = store::month_of(at);
        if h.opened.is_some_and(|o| month >= o) {
            *h.months.entry(month).or_default() += revenue;
        }
    }
    (out, teams)
}

/// The kept figures agree with the events' for every advisor and month,
/// the firm's lifecycle and the cohorts.
async fn agree(t: &TestDb, last: Month, step: &str) {
    let (histories, teams) = from_events(t).await;
    let first = last.plus(-11);
    let operator = admin();
    for month in first.through(last) {
        let report = use_cases::tuv(&t.db, &operator, month, Grouping::Advisor).await.unwrap();
        let mut advisors: BTreeMap<i64, Vec<&History>> = BTreeMap::new();
        for (id, h) in &histories {
            advisors.entry(teams[id].1).or_default().push(h);
        }
        let kept: BTreeMap<String, (analytics::Tuv, analytics::Tuv)> =
            report.lines.iter().map(|l| (l.key.clone(), (l.figures.clone(), l.previous.clone()))).collect();
        for (advisor, hs) in &advisors {
            let want = history::funnel(hs.iter().copied(), month).tuv();
            let want_before = history::funnel(hs.iter().copied(), month.pred()).tuv();
            let got = kept.get(&advisor.to_string()).cloned();
            assert_eq!(got, Some((want, want_before)), "{}: advisor {advisor} in {month} after {step}", t.name);
        }
        for l in &report.lines {
            let d = &l.change;
            assert_eq!(d.users + d.active_rate + d.conversion + d.arpu, d.change, "{}: the parts sum", t.name);
        }
    }
    let lifecycle = use_cases::lifecycle(&t.db, &operator, first, last).await.unwrap();
    for m in &lifecycle {
        assert_eq!(
            m.stages,
            history::lifecycle(histories.values(), m.month),
            "{}: lifecycle {} after {step}",
            t.name,
            m.month
        );
        assert_eq!(m.stages.total(), m.funnel.users, "{}: every user has one stage", t.name);
    }
    let kept = use_cases::cohorts(&t.db, &operator, first, last).await.unwrap();
    let (sizes, counts) = history::cohort_counts(histories.values());
    assert_eq!(kept, CohortTable::build(first, last, &sizes, &counts), "{}: cohorts after {step}", t.name);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_kept_counts_agree_with_the_events_after_random_events_on_both_backends() {
    for mut t in test_support::backends().await {
        test_support::load_book(&mut t, 90, 5).await;
        let last = use_cases::default_month(&t.db).await.unwrap();
        agree(&t, last, "the import").await;
        let latest = time(&t.text("SELECT CAST(MAX(time) AS TEXT) FROM trades").await);
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(28);
        let mut next_id = 9_100_000_000_i64;
        let group =
            t.db.create_group(&store::NewGroup {
                advisor_id: domain::StaffId(
                    t.text("SELECT CAST(MIN(id) AS TEXT) FROM staff WHERE role = 'advisor'").await.parse().unwrap(),
                ),
                name: domain::GroupName::parse("复盘群").unwrap(),
                description: domain::GroupDescription::parse("每日复盘").unwrap(),
                rules: "{}".into(),
                capacity: 500,
            })
            .await
            .unwrap();
        for op in 0..30 {
            next_id += 1;
            let k = rng.gen::<u64>();
            // Over the last four months, so months are joined, split and revisited.
            let at = latest - Duration::hours(rng.gen_range(0..2_900));
            let accounts = t.text("SELECT CAST(COUNT(*) AS TEXT) FROM accounts").await.parse::<u64>().unwrap();
            let account: i64 = t
                .text(&format!("SELECT CAST(id AS TEXT) FROM accounts ORDER BY id LIMIT 1 OFFSET {}", k % accounts))
                .await
                .parse()
                .unwrap();
            let customer: i64 = t
                .text(&format!("SELECT CAST(customer_id AS TEXT) FROM accounts WHERE id = {account}"))
                .await
                .parse()
                .unwrap();
            let what = match op % 5 {
                0 | 1 => {
                    let code = t.text("SELECT code FROM instruments WHERE kind = 'stock' ORDER BY code LIMIT 1").await;
                    let close: i64 = t
                        .text(&format!("SELECT CAST(last_close AS TEXT) FROM instruments WHERE code = '{code}'"))
                        .await
                        .parse()
                        .unwrap();
                    let trade = Trade {
                        id: TradeId(next_id),
                        account_id: AccountId(account),
                        instrument: InstrumentCode::parse(&code).unwrap(),
                        side: Side::Buy,
                        quantity: 100 * rng.gen_range(1..50),
                        price: Money::new(close, 4),
                        fee: Money::new(5, 0),
                        time: at,
                    };
                    app::book::take(&t.db, std::slice::from_ref(&trade), &[]).await.unwrap();
                    // Sent again: no second effect.
                    app::book::take(&t.db, &[trade], &[]).await.unwrap();
                    "a buy"
                }
                2 => {
                    t.db.insert_message(&store::NewMessage {
                        group_id: group,
                        sender_kind: SenderKind::Customer,
                        sender_id: customer,
                        sender_name: "客户".into(),
                        body: "今天怎么看？".into(),
                        reply_to: None,
                        mentions: "[]".into(),
                        content_id: None,
                        at,
                        red_envelope_id: None,
                    })
                    .await
                    .unwrap();
                    "a group message"
                }
                3 => {
                    let dir = tempfile::tempdir().unwrap();
                    std::fs::write(
                        dir.path().join("logins.csv"),
                        format!("id,customer_id,time,channel\n{next_id},{customer},{},app\n", at.to_rfc3339()),
                    )
                    .unwrap();
                    let mut opts = app::ImportOptions::new(dir.path());
                    opts.rejects = dir.path().join("rejects.csv");
                    opts.progress = false;
                    let report = app::import_dir(&t.db, &opts).await.unwrap();
                    assert_eq!(report.rejected(), 0);
                    "a login imported"
                }
                _ => {
                    let advisors =
                        t.text("SELECT STRING_AGG(CAST(id AS TEXT), ',') FROM staff WHERE role = 'advisor'").await;
                    let advisors: Vec<i64> = advisors.split(',').map(|a| a.parse().unwrap()).collect();
                    let (from, to) =
                        (advisors[k as usize % advisors.len()], advisors[(k >> 16) as usize % advisors.len()]);
                    if from != to {
                        let admin = Principal {
                            user_id: UserId(1),
                            login: "admin".into(),
                            role: Role::Admin,
                            staff_id: None,
                            branch_id: None,
                            customer_id: None,
                        };
                        app::handover::hand_over(&t.db, &admin, domain::StaffId(from), domain::StaffId(to))
                            .await
                            .unwrap();
                    }
                    "a handover"
                }
            };
            if op % 5 == 4 {
                agree(&t, last, &format!("{what} (step {op})")).await;
            }
        }
        agree(&t, last, "the run").await;
        let kept = use_cases::tuv(&t.db, &admin(), last, Grouping::Branch).await.unwrap();
        t.db.rebuild_analytics().await.unwrap();
        assert_eq!(
            kept,
            use_cases::tuv(&t.db, &admin(), last, Grouping::Branch).await.unwrap(),
            "{}: a rebuild finds the same",
            t.name
        );
        agree(&t, last, "the rebuild").await;
    }
}
