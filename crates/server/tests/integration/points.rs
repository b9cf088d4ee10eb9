//! Points through the real server on both backends: a points system posts
//! transfers and decisions on the points feed (each answered: applied, a
//! repeat answered with its first result, or refused with a code and a
//! message), and the customer reads their statement (JSON and CSV) with the
//! lots and the day each expires; nobody else's.

use serde_json::{json, Value};
use test_support::{backends, customer_session, load_book, TestApp};

async fn token(t: &test_db::TestDb, scope: access::FeedScope) -> String {
    let token = access::new_api_token();
    let name = domain::TokenName::parse("points system").unwrap();
    t.db.create_api_token("test", &name, scope, &access::secret_digest(&token)).await.unwrap();
    token
}

async fn feed(app: &TestApp, token: &str, operations: Value) -> (u16, Value) {
    let r = test_support::http()
        .post(app.url("/api/v1/feeds/points"))
        .bearer_auth(token)
        .json(&json!({ "operations": operations }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn earn(id: &str, customer: i64, amount: i64) -> Value {
    json!({ "apply": { "id": id, "debit": { "firm": "issuance" }, "credit": { "customer": customer },
        "amount": amount, "reason": "daily_login", "kind": { "phase": "single" } } })
}

fn spend(id: &str, customer: i64, amount: i64, kind: Value) -> Value {
    json!({ "apply": { "id": id, "debit": { "customer": customer }, "credit": { "firm": "redemption" },
        "amount": amount, "reason": "reward", "kind": kind } })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_points_system_posts_transfers_and_the_customer_reads_the_statement() {
    for mut t in backends().await {
        load_book(&mut t, 120, 100).await;
        let app = TestApp::spawn(t.db.clone()).await;
        let points = token(&t, access::FeedScope::Points).await;
        let events = token(&t, access::FeedScope::Events).await;

        let (status, body) = feed(&app, &events, json!([earn("x", 1, 1)])).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("token_scope")), "{}: {body}", t.name);

        let hold_kind = json!({ "phase": "pending", "timeout": "2099-01-01T00:00:00Z" });
        let ops = json!([
            earn("login:1:d1", 1, 500),
            earn("login:1:d1", 1, 500),
            earn("login:1:d1", 1, 501),
            spend("mall:9", 1, 600, json!({ "phase": "single" })),
            earn("login:999999:d1", 999_999, 5),
            spend("mall:hold:1", 1, 200, hold_kind),
            { "decide": { "decision": "mall:ship:1", "id": "mall:hold:1", "post": true } },
            { "decide": { "decision": "mall:ship:1", "id": "mall:hold:1", "post": true } },
            { "decide": { "decision": "mall:cancel:1", "id": "mall:hold:1", "post": false } },
            { "apply": { "id": "fix:1", "debit": { "customer": 1 }, "credit": { "firm": "issuance" }, "amount": 50,
                "reason": "correction", "kind": { "phase": "single" }, "corrects": "login:1:d1" } },
            earn("zero", 1, 0),
        ]);
        let (status, body) = feed(&app, &points, ops).await;
        assert_eq!(status, 200, "{}: {body}", t.name);
        let results = body["results"].as_array().unwrap();
        let code = |i: usize| results[i]["code"].as_str().unwrap_or("");
        assert_eq!(results[0]["transfer"]["state"], "posted", "{}", t.name);
        assert_eq!(results[1]["transfer"], results[0]["transfer"], "{}: a repeat answers the first result", t.name);
        assert_eq!(code(2), "points_id_reused", "{}", t.name);
        assert_eq!(code(3), "points_insufficient", "{}", t.name);
        assert!(results[3]["message"].as_str().unwrap().contains("500"), "{}: {}", t.name, results[3]);
        assert_eq!(code(4), "customer_not_found", "{}", t.name);
        assert_eq!(results[5]["transfer"]["state"], "pending", "{}", t.name);
        assert_eq!(results[6]["transfer"]["state"], "posted", "{}", t.name);
        assert_eq!(results[7]["transfer"], results[6]["transfer"], "{}: the same decision again", t.name);
        assert_eq!(code(8), "points_not_pending", "{}", t.name);
        assert_eq!(results[9]["transfer"]["transfer"]["corrects"], "login:1:d1", "{}", t.name);
        assert_eq!(code(10), "points_not_positive", "{}", t.name);
        assert_eq!((body["done"].as_u64(), body["refused"].as_u64()), (Some(6), Some(5)), "{}", t.name);

        // The customer's statement: 500 earned, 200 spent, 50 corrected away.
        let me = customer_session(&t, &app, 1).await;
        let s: Value = me.get(&app.url("/api/v1/customers/1/points")).await.json().await.unwrap();
        assert_eq!((s["balance"].as_i64(), s["available"].as_i64()), (Some(250), Some(250)), "{}: {s}", t.name);
        let reasons: Vec<&str> = s["lines"].as_array().unwrap().iter().map(|l| l["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["correction", "reward", "daily_login"], "{}: newest first", t.name);
        assert_eq!(s["lines"][0]["points"], -50, "{}", t.name);
        let lots = s["lots"].as_array().unwrap();
        assert_eq!((lots.len(), lots[0]["remaining"].as_i64()), (1, Some(250)), "{}", t.name);
        assert!(lots[0]["expires_at"].as_str().unwrap() > lots[0]["earned_at"].as_str().unwrap(), "{}", t.name);
        let csv = me.get(&app.url("/api/v1/customers/1/points.csv")).await.text().await.unwrap();
        assert!(csv.starts_with("seq,id,points,reason,state"), "{}: {csv}", t.name);
        assert_eq!(csv.lines().count(), 4, "{}: a header and three transfers", t.name);
        // The page: the customer's own from the menu, with the figures, the lots and the reasons in words.
        let html = me.get(&app.url("/points?lang=en")).await.text().await.unwrap();
        assert!(html.contains(r#"id="points-balance">250<"#), "{}: {html}", t.name);
        assert!(
            html.contains("correction")
                && html.contains("reward redeemed")
                && html.contains("first sign-in of the day"),
            "{}",
            t.name
        );
        let advisor =
            app.sign_in(&t.user(access::Role::Advisor).login, &t.user(access::Role::Advisor).password).await.unwrap();
        // Staff see the firm's side of the books, and that they balance.
        let firm = advisor.get(&app.url("/points?lang=en")).await.text().await.unwrap();
        assert!(
            firm.contains("Redeemed for rewards") && firm.contains(r#"id="points-books">balance"#),
            "{}: {firm}",
            t.name
        );
        let status = advisor.get(&app.url("/customers/1/points")).await.status();
        let advisor_of_1: String = t.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 1").await;
        let demo_advisor: String =
            t.text("SELECT CAST(staff_id AS TEXT) FROM users WHERE role = 'advisor' LIMIT 1").await;
        assert_eq!(
            status == 200,
            advisor_of_1 == demo_advisor,
            "{}: the advisor reads their customers' points only",
            t.name
        );
        // Another customer reads only their own.
        let other = customer_session(&t, &app, 2).await;
        assert_eq!(other.get(&app.url("/api/v1/customers/1/points")).await.status(), 404, "{}", t.name);
        let (status, _) = (other.get(&app.url("/api/v1/customers/1/points?limit=0")).await.status(), ());
        assert_eq!(status, 400, "{}: a limit out of range", t.name);
        assert_eq!(t.db.ledger_totals().await.unwrap().net, 0, "{}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn logins_and_trades_on_the_events_feed_earn_once_a_day_and_a_replay_earns_nothing() {
    for mut t in backends().await {
        load_book(&mut t, 60, 100).await;
        let app = TestApp::spawn(t.db.clone()).await;
        app.wait_until_ready().await;
        let token = test_support::events_token(&t.db).await;
        let row = t
            .text("SELECT CAST(customer_id AS TEXT) || ',' || CAST(id AS TEXT) FROM accounts ORDER BY id LIMIT 1")
            .await;
        let (customer, account) = row.split_once(',').unwrap();
        let (customer, account): (i64, i64) = (customer.parse().unwrap(), account.parse().unwrap());
        let code = t.text("SELECT code FROM instruments WHERE kind = 'stock' ORDER BY code LIMIT 1").await;
        let day = "2026-12-01";
        let events = json!({ "events": [
            { "type": "login", "id": 990_001, "customer_id": customer, "time": format!("{day}T09:01:00+08:00"), "channel": "app" },
            { "type": "login", "id": 990_002, "customer_id": customer, "time": format!("{day}T13:01:00+08:00"), "channel": "pc" },
            { "type": "trade", "id": 990_001, "account_id": account, "instrument": code, "side": "buy",
              "quantity": 100, "price": "10.00", "fee": "5.00", "time": format!("{day}T10:01:00+08:00") },
            { "type": "trade", "id": 990_002, "account_id": account, "instrument": code, "side": "buy",
              "quantity": 100, "price": "10.00", "fee": "5.00", "time": format!("{day}T10:02:00+08:00") },
        ] });
        let send = || async {
            let r = test_support::http()
                .post(app.url("/api/v1/feeds/events"))
                .bearer_auth(&token)
                .json(&events)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{}", t.name);
        };
        let points = || async {
            t.db.points_balance(growth::Account::Customer(domain::CustomerId(customer))).await.unwrap().net()
        };
        let before = points().await;
        send().await;
        // Two logins and two trades in one day: the day's login (5) and the trading day (10), once each.
        assert_eq!(points().await - before, 15, "{}", t.name);
        send().await;
        assert_eq!(points().await - before, 15, "{}: a replayed feed earns nothing", t.name);
        let login = t.db.points_transfer(&format!("earn:login:{customer}:{day}")).await.unwrap().unwrap();
        assert_eq!(login.transfer.reason, "daily_login", "{}", t.name);
    }
}
