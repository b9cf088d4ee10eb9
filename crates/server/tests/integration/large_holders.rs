//! The large-holder rule (issue 22): a customer's shares of a company are
//! counted over all their accounts, against its voting shares; reaching 5%
//! calls for a report and a trading freeze, each 1% step after for a notice;
//! an ETF does not count, however much of it one holds.

use serde_json::{json, Value};
use test_support::{events_token, http, sqlite_with_book, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn a_customers_accounts_cross_five_percent_together_and_each_step_is_told() {
    let book = sqlite_with_book(200).await;
    let stock = book
        .text(
            "SELECT code FROM instruments WHERE kind = 'stock' AND board = 'sse_main' AND NOT st ORDER BY code LIMIT 1",
        )
        .await;
    let etf = book.text("SELECT code FROM instruments WHERE kind = 'etf' ORDER BY code LIMIT 1").await;
    // Customer 3 has a cash account (31) and opens a margin account (32); 1,000,000 voting shares each.
    book.execute("INSERT INTO accounts (id, customer_id, cash) VALUES (32, 3, 0)").await;
    book.execute(&format!("UPDATE instruments SET outstanding_shares = 1000000 WHERE code IN ('{stock}', '{etf}')"))
        .await;
    book.execute(&format!("DELETE FROM positions WHERE instrument IN ('{stock}', '{etf}')")).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let token = events_token(&book.db).await;
    let mut id = 8_000_000_000i64;
    let mut buy = |account: i64, code: &str, quantity: i64| {
        id += 1;
        json!({ "type": "trade", "id": id, "account_id": account, "instrument": code, "side": "buy",
                "quantity": quantity, "price": "10.00", "fee": "5", "time": format!("2025-07-04T10:{:02}:00+08:00", id % 60) })
    };
    let calls = [
        vec![buy(31, &stock, 30_000)], // 3.0%: nothing yet
        vec![buy(32, &stock, 25_000)], // 5.5% together: a report and a freeze
        vec![buy(32, &stock, 10_000)], // 6.5%: a notice
        vec![buy(31, &etf, 100_000)],  // 10% of an ETF: not a company's shares
    ];
    let mut told: Vec<Vec<(i64, String)>> = Vec::new();
    for events in calls {
        let r = http()
            .post(app.url("/api/v1/feeds/events"))
            .bearer_auth(&token)
            .json(&json!({ "events": events }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let report: Value = r.json().await.unwrap();
        app.settled().await;
        assert_eq!(report["files"][0]["loaded"], 1, "{report}");
        let rows: Vec<(i64, i64, String, String)> = match book.db.pool() {
            store::Pool::Sqlite(p) => sqlx::query_as(
                "SELECT account_id, step, instrument, text_zh FROM reminders WHERE rule = 'disclosure' \
                 AND account_id IN (31, 32) ORDER BY id",
            )
            .fetch_all(p)
            .await
            .unwrap(),
            store::Pool::Postgres(_) => unreachable!("a SQLite book"),
        };
        told.push(rows.iter().map(|r| (r.1, r.3.clone())).collect());
        assert!(rows.iter().all(|r| r.0 == 31 && r.2 == stock), "on the first account, about the stock: {rows:?}");
    }
    assert!(told[0].is_empty(), "3% tells nothing: {:?}", told[0]);
    assert_eq!(told[1].len(), 1, "{:?}", told[1]);
    assert_eq!(told[1][0].0, 51, "5%, a report");
    assert!(
        told[1][0].1.contains("5.50%") && told[1][0].1.contains("3个交易日") && told[1][0].1.contains("不得再买卖")
    );
    assert_eq!(told[2].len(), 2);
    assert_eq!(told[2][1].0, 60, "6%, a notice");
    assert!(told[2][1].1.contains("6.50%") && told[2][1].1.contains("次一交易日"), "{}", told[2][1].1);
    assert_eq!(told[3].len(), 2, "an ETF does not count");
}
