//! A snapshot sent again, or arriving after a newer one, moves nothing: the
//! watch keeps the latest price it took for each instrument.

use serde_json::{json, Value};
use test_support::{events_token, http, most_held_stock, sqlite_with_book, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn a_late_or_repeated_snapshot_moves_nothing() {
    let book = sqlite_with_book(300).await;
    let (code, day, prev) = most_held_stock(&book).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let token = events_token(&book.db).await;
    let text = |v: i64| format!("{}.{:04}", v / 10_000, v % 10_000);
    let snapshot = |clock: &str, fall_permille: i64| {
        let last = prev * (1000 - fall_permille) / 1000 / 100 * 100;
        json!({ "type": "snapshot", "code": code, "time": format!("{day}T{clock}+08:00"), "last": text(last),
                "prev_close": text(prev), "high": text(prev), "low": text(last), "volume": "1000" })
    };
    let send = |events: Value| {
        let (url, token, app) = (app.url("/api/v1/feeds/events"), token.clone(), &app);
        async move {
            let r = http().post(url).bearer_auth(token).json(&json!({ "events": events })).send().await.unwrap();
            assert_eq!(r.status(), 200);
            app.settled().await;
        }
    };
    let drops = || async {
        book.text(&format!(
            "SELECT CAST(COUNT(*) AS TEXT) || ' ' || CAST(COALESCE(MAX(step), 0) AS TEXT) FROM reminders \
             WHERE rule = 'stock_drop' AND instrument = '{code}' AND trading_day = '{day}'"
        ))
        .await
    };
    send(json!([snapshot("10:00:00", 0)])).await;
    send(json!([snapshot("10:05:00", 60)])).await; // down 6%: the first step
    let after_the_fall = drops().await;
    assert!(after_the_fall.ends_with(" 1"), "one step so far: {after_the_fall}");
    // An older snapshot 9% down arrives late, and the 6% one again: neither moves the price.
    send(json!([snapshot("10:01:00", 90)])).await;
    send(json!([snapshot("10:05:00", 60)])).await;
    assert_eq!(drops().await, after_the_fall, "a late or repeated snapshot makes no reminder");
    // A newer one 9% down does.
    send(json!([snapshot("10:10:00", 90)])).await;
    assert_ne!(drops().await, after_the_fall);
}
