//! Features and labels follow trades and logins as they arrive through the
//! events feed: once `brokerdesk classify` has run, a customer's stored
//! features after new events equal a fresh batch computation over the whole
//! history; before any run, events label nobody.

use serde_json::{json, Value};
use test_support::{events_token, http, sqlite_with_book, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn a_trade_and_a_login_update_the_customers_features_and_labels() {
    let book = sqlite_with_book(200).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let token = events_token(&book.db).await;
    let send = |events: Value| {
        let (url, token) = (app.url("/api/v1/feeds/events"), token.clone());
        async move {
            let r = http().post(url).bearer_auth(token).json(&json!({ "events": events })).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let report = r.json::<Value>().await.unwrap();
            assert!(report["rejects"].as_array().unwrap().is_empty(), "{report}");
            report
        }
    };
    let day = app::classify::book_day(&book.db).await.unwrap().unwrap();
    let next = day + chrono::Duration::days(1);
    let (customer, account): (i64, i64) = {
        let row = book
            .text("SELECT CAST(customer_id AS TEXT) || ',' || CAST(id AS TEXT) FROM accounts ORDER BY id LIMIT 1")
            .await;
        let (c, a) = row.split_once(',').unwrap();
        (c.parse().unwrap(), a.parse().unwrap())
    };
    let code = book.text("SELECT code FROM instruments WHERE kind = 'stock' ORDER BY code LIMIT 1").await;
    let events = |n: i64| {
        json!([
            { "type": "trade", "id": 900_000 + n, "account_id": account, "instrument": code, "side": "buy",
              "quantity": 100, "price": "10.00", "fee": "5.00", "time": format!("{next}T10:0{n}:00+08:00") },
            { "type": "login", "id": 900_000 + n, "customer_id": customer, "time": format!("{next}T09:0{n}:00+08:00"), "channel": "app" },
        ])
    };
    let labelled = || book.text("SELECT CAST(COUNT(*) AS TEXT) FROM customer_labels");

    // Before any classify run there are no thresholds to label with.
    send(events(1)).await;
    assert_eq!(labelled().await, "0");

    app::classify::classify_all(&book.db, &classify::LabelConfig::default(), day, false).await.unwrap();
    let before = book.text(&format!("SELECT features FROM customer_labels WHERE customer_id = {customer}")).await;
    send(events(2)).await;
    let after = book.text(&format!("SELECT features FROM customer_labels WHERE customer_id = {customer}")).await;
    let as_of = book.text(&format!("SELECT as_of FROM customer_labels WHERE customer_id = {customer}")).await;
    assert_eq!(as_of, next.to_string(), "labelled as of the events' day");
    assert_ne!(before, after);
    let after: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["days_since_last_trade"], 0);
    assert_eq!(after["days_since_last_login"], 0);

    // Exactly what a batch over the whole history computes for that day.
    let history = book.db.customer_histories(domain::CustomerId(customer), domain::CustomerId(customer)).await.unwrap();
    let mut batch = app::classify::features_of(&history[0], next, &mut Vec::new());
    // The revenue of the last three months comes from the analytics counts, which the events moved too.
    let month = analytics::Month::of(next);
    let revenue = book.db.revenue_of(customer, customer, month.plus(-2), month).await.unwrap();
    batch.revenue_3m = revenue.get(&customer).copied().unwrap_or(0);
    assert!(batch.revenue_3m > 0, "the day's trades brought commission");
    assert_eq!(after, serde_json::to_value(batch).unwrap());
    // Customers the events did not touch keep their earlier labelling.
    let untouched =
        book.text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM customer_labels WHERE as_of = '{day}'")).await;
    assert_eq!(untouched, "199");
}
