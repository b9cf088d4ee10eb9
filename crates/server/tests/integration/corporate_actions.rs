//! An ex-rights day (issue 22): a 10-for-10 bonus with a 0.5 CNY dividend
//! sent to the events feed adjusts every holder's position, cost and cash
//! once, and a replayed day trading around the exchange's reference price
//! raises no reminder the adjustment explains. The same day without the
//! action (the control) shows what would have been sent: a 50% "fall".

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use test_support::{events_token, http, most_held_stock, sqlite_with_book, TestApp, TestDb};

type Reminders = BTreeSet<(i64, String, String)>;

struct Day {
    code: String,
    day: String,
    prev: i64,
}

/// The day's stock (see [`most_held_stock`]).
async fn stock(book: &TestDb) -> Day {
    let (code, day, prev) = most_held_stock(book).await;
    Day { code, day, prev }
}

async fn rows(book: &TestDb, sql: &str) -> Vec<(i64, i64, i64, i64)> {
    match book.db.pool() {
        store::Pool::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        store::Pool::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

async fn reminders_on(book: &TestDb, day: &str) -> Reminders {
    let sql = format!("SELECT account_id, rule, COALESCE(instrument, '') FROM reminders WHERE trading_day = '{day}'");
    match book.db.pool() {
        store::Pool::Sqlite(p) => sqlx::query_as(&sql).fetch_all(p).await.unwrap().into_iter().collect(),
        store::Pool::Postgres(p) => sqlx::query_as(&sql).fetch_all(p).await.unwrap().into_iter().collect(),
    }
}

async fn send(app: &TestApp, token: &str, events: Value) -> Value {
    let r = http()
        .post(app.url("/api/v1/feeds/events"))
        .bearer_auth(token)
        .json(&json!({ "events": events }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report = r.json().await.unwrap();
    app.settled().await;
    report
}

/// The day replayed around `level` (0.0001 CNY): four snapshots, at most 1.5% below it.
fn snapshots(d: &Day, level: i64, reference: i64) -> Value {
    let text = |v: i64| format!("{}.{:04}", v / 10_000, v % 10_000);
    let moments = ["09:31:00", "10:30:00", "13:30:00", "14:50:00"];
    let events: Vec<Value> = moments
        .iter()
        .enumerate()
        .map(|(k, clock)| {
            let last = (level * (1000 - 5 * k as i64) / 1000) / 100 * 100;
            json!({ "type": "snapshot", "code": d.code, "time": format!("{}T{clock}+08:00", d.day), "last": text(last),
                    "prev_close": text(reference), "high": text(level.max(last)), "low": text(last), "volume": "1000" })
        })
        .collect();
    Value::Array(events)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ex_rights_day_adjusts_the_book_and_raises_no_false_reminder() {
    // 10送10派5: (prev - 0.5) / 2, to the fen.
    let with = sqlite_with_book(300).await;
    let d = stock(&with).await;
    let reference = ((d.prev - 5_000) * 2 / 2 + 100) / 200 * 100; // (prev - 0.5) / 2 rounded to 0.01, halves up
    let holders = rows(
        &with,
        &format!(
            "SELECT p.account_id, p.quantity, p.cost_price, a.cash FROM positions p JOIN accounts a ON a.id = p.account_id \
             WHERE p.instrument = '{}' ORDER BY p.account_id",
            d.code
        ),
    )
    .await;
    assert!(holders.len() > 10, "a widely held stock: {}", holders.len());

    let app = TestApp::spawn(with.db.clone()).await;
    let token = events_token(&with.db).await;
    let action = json!([{ "type": "corporate_action", "id": 7001, "instrument": d.code, "ex_date": d.day,
                          "cash_per_share": "0.5", "new_shares_per_share": "1" }]);
    let report = send(&app, &token, action.clone()).await;
    assert_eq!(report["files"][0]["loaded"], 1, "{report}");
    send(&app, &token, snapshots(&d, reference, reference)).await;
    // Sent again, the action changes nothing a second time.
    assert_eq!(send(&app, &token, action).await["files"][0]["already_present"], 1);

    // The book followed the action: twice the shares, cost (c - 0.5) / 2, the dividend in cash.
    let after: BTreeMap<i64, (i64, i64, i64)> = rows(
        &with,
        &format!(
            "SELECT p.account_id, p.quantity, p.cost_price, a.cash FROM positions p JOIN accounts a ON a.id = p.account_id \
             WHERE p.instrument = '{}' ORDER BY p.account_id",
            d.code
        ),
    )
    .await
    .into_iter()
    .map(|(a, q, c, cash)| (a, (q, c, cash)))
    .collect();
    for (account, q, cost, cash) in &holders {
        let halved = ((cost - 5_000).max(0) + 1) / 2; // to 0.0001 CNY, halves up
        assert_eq!(after[account], (q * 2, halved, cash + q * 5_000), "account {account}");
    }
    let audit = with.db.audit_records().await.unwrap();
    assert!(audit.iter().any(|r| r.entry.entity == "corporate_action" && r.entry.entity_id == "7001"));

    // The control: the same day, the same prices, no action.
    let control = sqlite_with_book(300).await;
    let control_app = TestApp::spawn(control.db.clone()).await;
    let control_token = events_token(&control.db).await;
    send(&control_app, &control_token, snapshots(&d, reference, d.prev)).await;

    let sent = reminders_on(&with, &d.day).await;
    let false_alarms = reminders_on(&control, &d.day).await;
    // The rules a price move fires; holding-state rules (trapped, concentration) are the same either way.
    let moves =
        ["stock_drop", "limit_down", "drawdown", "account_day_loss", "heavy_below_ma20", "heavy_macd_death_cross"];
    let about_the_stock = |set: &Reminders| -> Reminders {
        set.iter().filter(|r| r.2 == d.code && moves.contains(&r.1.as_str())).cloned().collect()
    };
    assert!(!about_the_stock(&false_alarms).is_empty(), "without the action the day looks like a 50% fall");
    assert!(about_the_stock(&sent).is_empty(), "no move the adjustment explains: {:?}", about_the_stock(&sent));
    let accounts: BTreeSet<i64> = holders.iter().map(|h| h.0).collect();
    let account_level = |set: &Reminders| -> Reminders {
        set.iter().filter(|r| r.2.is_empty() && accounts.contains(&r.0)).cloned().collect()
    };
    assert!(account_level(&sent).is_subset(&account_level(&false_alarms)), "nothing new on the holders' accounts");
    assert!(
        account_level(&sent).len() < account_level(&false_alarms).len(),
        "the control's holders were told of a day loss the action explains"
    );
}
