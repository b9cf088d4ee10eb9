//! Snapshots through the events feed move the server's position watch: every
//! holder of a falling stock gets a reminder, once per step, stored with its
//! sentence and figures; staff see it at once, the customer after quiet hours.

use access::Role;
use chrono::{Timelike, Utc};
use domain::{parse_timestamp, SetClock};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::sync::Arc;
use test_support::{events_token, http, sqlite_with_book, Session, TestApp, TestDb};

/// The non-ST stock with real bars held by most accounts, its last bar day
/// and the close before it; the demo customer is given 1,000 shares of it.
async fn held_stock(book: &TestDb, customer: i64) -> (String, String, Decimal) {
    let code = book
        .text(
            "SELECT p.instrument FROM positions p JOIN instruments i ON i.code = p.instrument \
             WHERE p.quantity > 0 AND NOT i.st AND i.kind = 'stock' \
             AND EXISTS (SELECT 1 FROM daily_bars b WHERE b.instrument = p.instrument) \
             GROUP BY p.instrument ORDER BY COUNT(*) DESC, p.instrument LIMIT 1",
        )
        .await;
    let day = book.text(&format!("SELECT MAX(date) FROM daily_bars WHERE instrument = '{code}'")).await;
    let prev: i64 = book
        .text(&format!(
            "SELECT CAST(close AS TEXT) FROM daily_bars WHERE instrument = '{code}' AND date < '{day}' \
             ORDER BY date DESC LIMIT 1"
        ))
        .await
        .parse()
        .unwrap();
    book.execute(&format!(
        "INSERT INTO positions (account_id, instrument, quantity, sellable_quantity, cost_price) \
         SELECT MIN(id), '{code}', 1000, 1000, {prev} FROM accounts WHERE customer_id = {customer} \
         AND NOT EXISTS (SELECT 1 FROM positions p JOIN accounts a ON a.id = p.account_id \
                         WHERE a.customer_id = {customer} AND p.instrument = '{code}')"
    ))
    .await;
    (code, day, Decimal::new(prev, 4))
}

fn snapshot(code: &str, day: &str, clock: &str, prev: Decimal, fall_permille: i64) -> Value {
    let last = (prev * Decimal::new(1000 - fall_permille, 3)).round_dp(2);
    json!({ "type": "snapshot", "code": code, "time": format!("{day}T{clock}+08:00"), "last": last.to_string(),
            "prev_close": prev.to_string(), "high": prev.to_string(), "low": last.to_string(), "volume": "1000" })
}

async fn reminders(app: &TestApp, s: &Session, query: &str) -> Vec<Value> {
    let r = s.get(&app.url(&format!("/api/v1/reminders{query}"))).await;
    assert_eq!(r.status(), 200);
    r.json::<Vec<Value>>().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_falling_stock_reminds_every_holder_once_per_step_and_quiet_hours_hold_the_customers_copy() {
    let book = sqlite_with_book(300).await;
    // Quiet hours around now (Asia/Shanghai), so the customer's copy must wait.
    let now = domain::to_shanghai(Utc::now());
    let minute = (now.hour() * 60 + now.minute()) as i64;
    let at = |m: i64| format!("{:02}:{:02}", m.rem_euclid(1440) / 60, m.rem_euclid(1440) % 60);
    let quiet = format!("{}-{}", at(minute - 60), at(minute + 60)).parse().unwrap();
    let settings = app::risk_desk::DeskSettings { quiet, threads: 2, ..Default::default() };
    let app = TestApp::spawn_with(book.db.clone(), settings).await;
    let token = events_token(&book.db).await;
    let customer_user = book.user(Role::Customer);
    let customer: i64 = book
        .text(&format!("SELECT CAST(customer_id AS TEXT) FROM users WHERE login = '{}'", customer_user.login))
        .await
        .parse()
        .unwrap();
    let (code, day, prev) = held_stock(&book, customer).await;
    let send = |events: Value| {
        let (url, token, app) = (app.url("/api/v1/feeds/events"), token.clone(), &app);
        async move {
            let r = http().post(url).bearer_auth(token).json(&json!({ "events": events })).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let report = r.json::<Value>().await.unwrap();
            app.settled().await;
            report
        }
    };
    let stored = |sql: String| {
        let book = &book;
        async move { book.text(&format!("SELECT CAST(({sql}) AS TEXT)")).await.parse::<i64>().unwrap() }
    };
    let holders = stored(format!("SELECT COUNT(*) FROM positions WHERE instrument = '{code}' AND quantity > 0")).await;
    let drops = |step: i64| {
        format!("SELECT COUNT(*) FROM reminders WHERE rule = 'stock_drop' AND instrument = '{code}' AND step = {step}")
    };

    // -3%: nothing for this stock. A bad snapshot beside it is rejected by index; the good one still counts.
    let mut bad = snapshot(&code, &day, "09:35:00", prev, 30);
    bad["last"] = json!("-1");
    let report = send(json!([snapshot(&code, &day, "09:31:00", prev, 30), bad])).await;
    assert_eq!(report["files"][0]["rejects"][0]["at"], 1, "{report}");
    assert_eq!(stored(drops(1)).await, 0);

    // -7.5%: every holder, at step 2 (5%, then each further 2%), with sentence and figures.
    send(json!([snapshot(&code, &day, "10:00:00", prev, 75)])).await;
    assert_eq!(stored(drops(2)).await, holders);
    // The same level again, and a little worse within the step: nothing new.
    send(json!([snapshot(&code, &day, "10:01:00", prev, 75), snapshot(&code, &day, "10:02:00", prev, 85)])).await;
    assert_eq!(
        stored(format!("SELECT COUNT(*) FROM reminders WHERE rule = 'stock_drop' AND instrument = '{code}'")).await,
        holders
    );
    // -9.5%: a step worse, so once more for each holder.
    send(json!([snapshot(&code, &day, "10:30:00", prev, 95)])).await;
    assert_eq!(stored(drops(3)).await, holders);

    // The demo customer sells the lot through the feed; at limit-down every other holder hears of it, they do not.
    let account = stored(format!("SELECT MIN(id) FROM accounts WHERE customer_id = {customer}")).await;
    let sold = json!({ "type": "trade", "id": 990_000_001i64, "account_id": account, "instrument": code, "side": "sell",
        "quantity": 1000, "price": snapshot(&code, &day, "10:40:00", prev, 95)["last"], "fee": "5",
        "time": format!("{day}T10:40:00+08:00") });
    let report = send(json!([sold])).await;
    assert_eq!(report["files"][0]["loaded"], 1, "{report}");
    send(json!([snapshot(&code, &day, "10:45:00", prev, 100)])).await;
    let limit_downs = format!("SELECT COUNT(*) FROM reminders WHERE rule = 'limit_down' AND instrument = '{code}'");
    assert_eq!(stored(limit_downs.clone()).await, holders - 1);
    assert_eq!(stored(format!("{limit_downs} AND customer_id = {customer}")).await, 0);

    // The advisor sees their customers' reminders at once, held or not.
    let advisor = book.user(Role::Advisor);
    let s = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let seen = reminders(&app, &s, "?limit=500").await;
    let mine = stored(format!(
        "SELECT COUNT(*) FROM reminders r JOIN customers c ON c.id = r.customer_id JOIN users u ON u.staff_id = c.advisor_id \
         WHERE u.login = '{}'",
        advisor.login
    ))
    .await;
    assert_eq!(seen.len() as i64, mine.min(500), "the newest 500 of {mine}");
    assert!(seen.windows(2).all(|w| w[0]["id"].as_i64() > w[1]["id"].as_i64()), "newest first");
    let newest = seen[0]["id"].as_i64().unwrap();
    assert!(reminders(&app, &s, &format!("?after={newest}")).await.is_empty());
    assert_eq!(reminders(&app, &s, &format!("?after={}", newest - 1)).await.len(), 1);
    assert!(seen.iter().all(|r| r["delivered_at"].is_null()), "held over quiet hours, yet on the advisor's queue");

    // The customer: nothing while quiet; after the outbox runs past the quiet hours, their own.
    let c = app.sign_in(&customer_user.login, &customer_user.password).await.unwrap();
    assert!(reminders(&app, &c, "").await.is_empty(), "held during quiet hours");
    let delivered = book.db.deliver_due_reminders(Utc::now() + chrono::Duration::minutes(61)).await.unwrap();
    assert_eq!(delivered.len() as i64, stored("SELECT COUNT(*) FROM reminders".into()).await, "none lost");
    let inbox = reminders(&app, &c, "").await;
    let own = stored(format!("SELECT COUNT(*) FROM reminders WHERE customer_id = {customer}")).await;
    assert_eq!(inbox.len() as i64, own);
    let r = inbox.iter().find(|r| r["instrument"] == json!(code) && r["step"] == 3).expect("the step-3 drop");
    assert!(r["text_zh"].as_str().unwrap().contains(&code) && r["text_zh"].as_str().unwrap().contains("下跌9."));
    assert!(r["text_en"].as_str().unwrap().contains("is down 9."), "{r}");
    assert_eq!(r["figures"]["prev_close"], json!(prev.normalize().to_string()));
    assert!(!r["delivered_at"].is_null());
    assert!(inbox.iter().all(|r| r["customer_id"] == customer));

    // The volume page and API count them per rule and day; bad parameters are 400s.
    // The window ends on the newest day with reminders: the start's own
    // (concentration, dated by today's session) are more than a year after
    // the fixture's bars, so they leave the window to the feed's day.
    book.execute(&format!("DELETE FROM reminders WHERE trading_day <> '{day}'")).await;
    let volume: Vec<Value> = s.get(&app.url("/api/v1/reminders/volume?days=366")).await.json().await.unwrap();
    let counted = volume.iter().find(|v| v["rule"] == "stock_drop" && v["trading_day"] == json!(day));
    assert!(counted.is_some_and(|v| v["count"].as_i64().unwrap() > 0), "{day}: {volume:?}");
    assert_eq!(s.get(&app.url("/api/v1/reminders/volume?days=0")).await.status(), 400);
    assert_eq!(s.get(&app.url("/api/v1/reminders?limit=100000")).await.status(), 400);
    assert_eq!(c.get(&app.url("/api/v1/reminders/volume")).await.status(), 403);
    let page = s.get(&app.url("/reminders/volume?lang=en&days=366")).await.text().await.unwrap();
    assert!(page.contains("Stock down") && page.contains(&day));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_server_loads_the_watch_before_the_feed_and_sends_no_reminder_twice() {
    let book = sqlite_with_book(300).await;
    let customer: i64 = book.text("SELECT CAST(MIN(id) AS TEXT) FROM customers").await.parse().unwrap();
    let (code, day, prev) = held_stock(&book, customer).await;
    // The server's clock in the trading day replayed, so each start loads that day's watch.
    let clock = Arc::new(SetClock::at(parse_timestamp("at", &format!("{day} 10:00:00")).unwrap()));
    let db = book.db.clone().with_clock(clock);
    let token = events_token(&book.db).await;
    let count = |sql: &'static str| {
        let book = &book;
        async move { book.text(&format!("SELECT CAST(({sql}) AS TEXT)")).await.parse::<i64>().unwrap() }
    };
    let moment = json!([snapshot(&code, &day, "10:00:00", prev, 75), snapshot(&code, &day, "10:30:00", prev, 95)]);
    let mut after_each_start = Vec::new();
    for _ in 0..2 {
        let app = TestApp::spawn(db.clone()).await;
        // Ready: the watch was loaded at start (spawn waits for /ready), and the feed takes events.
        let ready = http().get(app.url("/ready")).send().await.unwrap();
        assert_eq!(ready.status(), 200);
        let r = http()
            .post(app.url("/api/v1/feeds/events"))
            .bearer_auth(&token)
            .json(&json!({ "events": moment }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        app.settled().await;
        after_each_start.push(count("SELECT COUNT(*) FROM reminders").await);
        drop(app);
    }
    assert!(after_each_start[0] > 0, "the falling stock reminded its holders");
    assert_eq!(
        after_each_start[1], after_each_start[0],
        "the second start judged everyone again and stored nothing twice"
    );
    let twice = count(
        "SELECT COUNT(*) FROM (SELECT account_id FROM reminders \
         GROUP BY account_id, rule, COALESCE(instrument, ''), step, trading_day HAVING COUNT(*) > 1) d",
    )
    .await;
    assert_eq!(twice, 0);
}
