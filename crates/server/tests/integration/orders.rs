//! Order tools through the real server on both backends: tickets judged by
//! the pre-trade checks (blocked, confirmed, working), paper-filled by
//! snapshots on the events feed into the book (position, cash, trade), a
//! conditional stop-loss fired by a quote in continuous trading and not in
//! the lunch break, and the errors prevented counted per rule.

use access::Role;
use domain::{parse_timestamp, SetClock};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::sync::Arc;
use test_support::{backends, customer_session, events_token, load_book, most_held_stock, Session, TestApp};

async fn post(s: &Session, app: &TestApp, path: &str, v: Value) -> (u16, Value) {
    let r = s.post_json(&app.url(""), path, &v).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(s: &Session, app: &TestApp, path: &str) -> (u16, Value) {
    let r = s.get(&app.url(path)).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn rules(placed: &Value) -> Vec<String> {
    placed["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
}

async fn feed(app: &TestApp, token: &str, events: Value) -> Value {
    let r = test_support::http()
        .post(app.url("/api/v1/feeds/events"))
        .bearer_auth(token)
        .json(&events)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn snapshot(code: &str, time: &str, last: Decimal, prev: Decimal, volume: i64) -> Value {
    json!({ "type": "snapshot", "code": code, "time": time, "last": last.to_string(), "prev_close": prev.to_string(),
        "high": (prev * Decimal::new(109, 2)).round_dp(2).to_string(), "low": (prev * Decimal::new(91, 2)).round_dp(2).to_string(),
        "volume": volume })
}

#[tokio::test(flavor = "multi_thread")]
async fn tickets_are_checked_paper_filled_and_conditional_orders_fire_in_continuous_trading() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        // Monday 2 November 2026, 10:00: continuous trading.
        let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-11-02 10:00:00").unwrap()));
        let app = TestApp::spawn(t.db.clone().with_clock(clock.clone())).await;
        let advisor = app.sign_in(&t.user(Role::Advisor).login, &t.user(Role::Advisor).password).await.unwrap();
        let (code, _, _) = most_held_stock(&t).await;
        let advisor_of_1 = "(SELECT advisor_id FROM customers WHERE id = 1)";
        // An account of the advisor's that holds the stock (bought before today: sellable), given ample cash.
        let account: i64 = t
            .text(&format!(
                "SELECT CAST(MIN(p.account_id) AS TEXT) FROM positions p JOIN accounts a ON a.id = p.account_id \
                 JOIN customers c ON c.id = a.customer_id WHERE p.instrument = '{code}' AND p.quantity >= 300 \
                 AND c.advisor_id = {advisor_of_1}"
            ))
            .await
            .parse()
            .expect("an account of the advisor's holding the stock");
        t.execute(&format!("UPDATE accounts SET cash = 100000000000 WHERE id = {account}")).await;
        let held: i64 = t
            .text(&format!(
                "SELECT CAST(quantity AS TEXT) FROM positions WHERE account_id = {account} AND instrument = '{code}'"
            ))
            .await
            .parse()
            .unwrap();
        let close: Decimal = Decimal::new(
            t.text(&format!("SELECT CAST(last_close AS TEXT) FROM instruments WHERE code = '{code}'"))
                .await
                .parse()
                .unwrap(),
            4,
        );

        // A tier's fee discount (issue 27): the same ticket costs 10% of its commission less for a
        // platinum customer; stamp duty and the transfer fee are not discounted.
        let price = close.round_dp(2);
        let ticket = json!({ "account_id": account, "instrument": code, "side": "sell", "price": price.to_string(),
            "quantity": 100 });
        let fee = |v: &Value| {
            v["fee"].as_str().map_or_else(|| v["fee"].to_string(), str::to_owned).parse::<Decimal>().unwrap()
        };
        let (_, plain) = post(&advisor, &app, "/api/v1/orders/check", ticket.clone()).await;
        t.execute(&format!(
            "INSERT INTO customer_tiers (customer_id, tier, since, reason, rolling_points, judged_on) \
             SELECT customer_id, 'platinum', '2026-01-01', 'rise', 9000, '2026-01-01' FROM accounts WHERE id = {account}"
        ))
        .await;
        let (_, discounted) = post(&advisor, &app, "/api/v1/orders/check", ticket).await;
        let away = rust_decimal::RoundingStrategy::MidpointAwayFromZero;
        let commission =
            (price * Decimal::from(100) * Decimal::new(25, 5)).round_dp_with_strategy(2, away).max(Decimal::from(5));
        let off = (commission * Decimal::new(1, 1)).round_dp_with_strategy(2, away);
        assert_eq!(fee(&plain) - fee(&discounted), off, "{}: {plain} {discounted}", t.name);
        t.execute(&format!(
            "DELETE FROM customer_tiers WHERE customer_id = (SELECT customer_id FROM accounts WHERE id = {account})"
        ))
        .await;

        // A STAR buy of 150 is refused by the lot rule, and counted.
        let star = t
            .text(
                "SELECT code FROM instruments WHERE board = 'star' AND kind = 'stock' AND NOT st ORDER BY code LIMIT 1",
            )
            .await;
        let star_close = Decimal::new(
            t.text(&format!("SELECT CAST(last_close AS TEXT) FROM instruments WHERE code = '{star}'"))
                .await
                .parse()
                .unwrap(),
            4,
        );
        let (status, placed) = post(
            &advisor,
            &app,
            "/api/v1/orders",
            json!({ "account_id": account, "instrument": star,
            "side": "buy", "price": star_close.round_dp(2).to_string(), "quantity": 150 }),
        )
        .await;
        assert_eq!(status, 201, "{placed}");
        assert_eq!(placed["status"], "blocked", "{placed}");
        assert!(rules(&placed).contains(&"lot_below_minimum".to_owned()), "{placed}");

        // A sell of more than is held: the T+1 rule's finding, in both languages.
        let (_, placed) = post(
            &advisor,
            &app,
            "/api/v1/orders/check",
            json!({ "account_id": account, "instrument": code,
            "side": "sell", "price": close.round_dp(2).to_string(), "quantity": held + 100 }),
        )
        .await;
        let finding = &placed["findings"][0];
        assert_eq!(
            (finding["rule"].as_str(), finding["severity"].as_str()),
            (Some("sellable_today"), Some("block")),
            "{placed}"
        );
        assert!(finding["message_zh"].as_str().unwrap().contains("T+1"), "{finding}");
        assert!(placed["id"].is_null(), "a check stores nothing");

        // A bond bought at 1 yuan against par 100: confirm first; then it works, and is cancelled.
        let bond = t.text("SELECT code FROM instruments WHERE kind = 'bond' ORDER BY code LIMIT 1").await;
        let (_, placed) = post(
            &advisor,
            &app,
            "/api/v1/orders",
            json!({ "account_id": account, "instrument": bond,
            "side": "buy", "price": "1.000", "quantity": 10 }),
        )
        .await;
        assert_eq!(placed["status"], "unconfirmed", "{placed}");
        assert_eq!(rules(&placed), vec!["far_from_reference"], "{placed}");
        let bond_order = placed["id"].as_i64().unwrap();
        let (status, confirmed) =
            post(&advisor, &app, &format!("/api/v1/orders/{bond_order}/confirm"), json!({})).await;
        assert_eq!((status, confirmed["status"].as_str()), (200, Some("working")), "{confirmed}");
        let (status, _) = post(&advisor, &app, &format!("/api/v1/orders/{bond_order}/confirm"), json!({})).await;
        assert_eq!(status, 409, "confirmed once");
        let (status, _) = post(&advisor, &app, &format!("/api/v1/orders/{bond_order}/cancel"), json!({})).await;
        assert_eq!(status, 204);

        // A limit buy at the close: working; a snapshot at the price with 60 lots traded fills it.
        let price = close.round_dp(2);
        let (_, placed) = post(
            &advisor,
            &app,
            "/api/v1/orders",
            json!({ "account_id": account, "instrument": code,
            "side": "buy", "price": price.to_string(), "quantity": 200, "source": "position" }),
        )
        .await;
        assert_eq!(placed["status"], "working", "{placed}");
        let order = placed["id"].as_i64().unwrap();
        let cash_before: i64 =
            t.text(&format!("SELECT CAST(cash AS TEXT) FROM accounts WHERE id = {account}")).await.parse().unwrap();
        let token = events_token(&t.db).await;
        let above = price + Decimal::new(5, 2);
        // Above the limit: nothing fills.
        feed(&app, &token, json!({ "events": [snapshot(&code, "2026-11-02 10:01:00", above, price, 1_000)] })).await;
        let (_, o) = get(&advisor, &app, &format!("/api/v1/orders/{order}")).await;
        assert_eq!(o["order"]["filled"], 0, "{o}");
        // At the limit, 1 more lot traded: 100 of 200 fill; 5 lots more: the rest.
        feed(&app, &token, json!({ "events": [snapshot(&code, "2026-11-02 10:02:00", price, price, 1_001)] })).await;
        let (_, o) = get(&advisor, &app, &format!("/api/v1/orders/{order}")).await;
        assert_eq!((o["order"]["filled"].as_i64(), o["order"]["status"].as_str()), (Some(100), Some("working")), "{o}");
        feed(&app, &token, json!({ "events": [snapshot(&code, "2026-11-02 10:03:00", price, price, 1_006)] })).await;
        let (_, o) = get(&advisor, &app, &format!("/api/v1/orders/{order}")).await;
        assert_eq!((o["order"]["filled"].as_i64(), o["order"]["status"].as_str()), (Some(200), Some("filled")), "{o}");
        // The fills are trades on the book: the position and the cash moved by them, fees included.
        let now_held: i64 = t
            .text(&format!(
                "SELECT CAST(quantity AS TEXT) FROM positions WHERE account_id = {account} AND instrument = '{code}'"
            ))
            .await
            .parse()
            .unwrap();
        assert_eq!(now_held, held + 200);
        let paid: i64 = t
            .text(&format!(
                "SELECT CAST(SUM(price * quantity + fee) AS TEXT) FROM trades WHERE account_id = {account} \
            AND id >= {}",
                app::orders::PAPER_TRADE_BASE
            ))
            .await
            .parse()
            .unwrap();
        let cash_after: i64 =
            t.text(&format!("SELECT CAST(cash AS TEXT) FROM accounts WHERE id = {account}")).await.parse().unwrap();
        assert_eq!(cash_before - cash_after, paid, "cash moved by the trades' amounts and fees");
        assert_eq!(
            t.text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM order_fills WHERE order_id = {order}")).await,
            "2"
        );

        // A stop-loss 3% down: a quote there in the lunch break does not fire it; in continuous trading it does,
        // and its ticket sells the held (sellable) shares through every check.
        let stop = (price * Decimal::new(97, 2)).round_dp(2);
        let (status, made) = post(
            &advisor,
            &app,
            "/api/v1/conditional-orders",
            json!({ "account_id": account, "instrument": code,
            "kind": "stop_loss", "quantity": 100, "price": stop.to_string(), "valid_until": "2026-12-31" }),
        )
        .await;
        assert_eq!(status, 201, "{made}");
        let conditional = made["id"].as_i64().unwrap();
        let (status, e) = post(
            &advisor,
            &app,
            "/api/v1/conditional-orders",
            json!({ "account_id": account, "instrument": code,
            "kind": "stop_loss", "quantity": 100, "price": stop.to_string(), "valid_until": "2028-01-01" }),
        )
        .await;
        assert_eq!((status, e["code"].as_str()), (400, Some("valid_until")), "at most a year: {e}");
        let below = stop - Decimal::new(1, 2);
        feed(&app, &token, json!({ "events": [snapshot(&code, "2026-11-02 12:00:00", below, price, 1_010)] })).await;
        let (_, c) = get(&advisor, &app, &format!("/api/v1/conditional-orders/{conditional}")).await;
        assert_eq!(c["conditional"]["status"], "active", "not in the lunch break: {c}");
        feed(&app, &token, json!({ "events": [snapshot(&code, "2026-11-02 13:05:00", below, price, 1_020)] })).await;
        let (_, c) = get(&advisor, &app, &format!("/api/v1/conditional-orders/{conditional}")).await;
        assert_eq!(c["conditional"]["status"], "fired", "{c}");
        let trigger = &c["triggers"][0];
        assert_eq!(trigger["outcome"], "placed", "{c}");
        let sold = trigger["order_id"].as_i64().unwrap();
        let (_, o) = get(&advisor, &app, &format!("/api/v1/orders/{sold}")).await;
        assert_eq!(
            (o["order"]["side"].as_str(), o["order"]["source"].as_str(), o["order"]["status"].as_str()),
            (Some("sell"), Some("conditional"), Some("filled")),
            "{o}"
        );
        let now_held: i64 = t
            .text(&format!(
                "SELECT CAST(quantity AS TEXT) FROM positions WHERE account_id = {account} AND instrument = '{code}'"
            ))
            .await
            .parse()
            .unwrap();
        assert_eq!(now_held, held + 100);

        // In its delisting-consolidation period from today, as the book says: no band on the first day.
        let (_, before) = post(
            &advisor,
            &app,
            "/api/v1/orders/check",
            json!({ "account_id": account, "instrument": code,
            "side": "buy", "price": (price * Decimal::new(115, 2)).round_dp(2).to_string(), "quantity": 100 }),
        )
        .await;
        assert!(rules(&before).contains(&"above_limit_up".to_owned()), "{before}");
        t.execute(&format!("UPDATE instruments SET delisting_from = '2026-11-02' WHERE code = '{code}'")).await;
        let (_, during) = post(
            &advisor,
            &app,
            "/api/v1/orders/check",
            json!({ "account_id": account, "instrument": code,
            "side": "buy", "price": (price * Decimal::new(115, 2)).round_dp(2).to_string(), "quantity": 100 }),
        )
        .await;
        let found = rules(&during);
        assert!(
            found.contains(&"no_band_today".to_owned()) && found.contains(&"delisting_period".to_owned()),
            "{during}"
        );
        assert!(!found.contains(&"above_limit_up".to_owned()), "{during}");
        t.execute(&format!("UPDATE instruments SET delisting_from = NULL WHERE code = '{code}'")).await;

        // The ticket opens from a position (the customer's page) and from the instrument's page.
        let customer_of_account =
            t.text(&format!("SELECT CAST(customer_id AS TEXT) FROM accounts WHERE id = {account}")).await;
        let page =
            advisor.get(&app.url(&format!("/customers/{customer_of_account}?lang=en"))).await.text().await.unwrap();
        assert!(
            page.contains(&format!("/orders/ticket?account_id={account}&amp;instrument={code}&amp;side=sell")),
            "a sell ticket from the position"
        );
        let page = advisor.get(&app.url(&format!("/instruments/{code}?lang=en"))).await.text().await.unwrap();
        assert!(page.contains(&format!("/orders/ticket?instrument={code}")), "a ticket from the instrument");

        // The errors prevented, per rule, for the advisor; a customer may not read them, nor another's orders.
        let (status, p) = get(&advisor, &app, "/api/v1/orders-prevented").await;
        assert_eq!(status, 200);
        let count = |rule: &str| {
            p["by_rule"].as_array().unwrap().iter().find(|r| r[0] == rule).map_or(0, |r| r[2].as_i64().unwrap())
        };
        assert_eq!((count("lot_below_minimum"), count("far_from_reference")), (1, 1), "{p}");
        let stranger: i64 = t
            .text(&format!("SELECT CAST(MIN(id) AS TEXT) FROM customers WHERE advisor_id <> {advisor_of_1}"))
            .await
            .parse()
            .unwrap();
        let customer = customer_session(&t, &app, stranger).await;
        assert_eq!(get(&customer, &app, &format!("/api/v1/orders/{order}")).await.0, 404);
        assert_eq!(get(&customer, &app, "/api/v1/orders-prevented").await.0, 403);
        let (status, e) = post(
            &customer,
            &app,
            "/api/v1/orders",
            json!({ "account_id": account, "instrument": code,
            "side": "buy", "price": price.to_string(), "quantity": 100 }),
        )
        .await;
        assert_eq!((status, e["code"].as_str()), (404, Some("account_not_found")), "{e}");
        // Bad input: a clear 400 naming the field.
        let (status, e) = post(
            &advisor,
            &app,
            "/api/v1/orders",
            json!({ "account_id": account, "instrument": code,
            "side": "short", "price": "1", "quantity": 100 }),
        )
        .await;
        assert_eq!((status, e["code"].as_str(), e["field"].as_str()), (400, Some("order_field"), Some("side")), "{e}");
        drop(clock);
    }
}
