//! `brokerdesk replay` plays a real day into a running server's events feed.

use std::process::Command;

#[tokio::test(flavor = "multi_thread")]
async fn a_real_day_arrives_as_snapshots_through_the_events_feed() {
    let book = test_support::sqlite_with_book(100).await;
    let app = test_support::TestApp::spawn(book.db.clone()).await;
    let token = access::new_api_token();
    book.db
        .create_api_token(
            "test",
            &domain::TokenName::parse("replay").unwrap(),
            access::FeedScope::Events,
            &access::secret_digest(&token),
        )
        .await
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["replay", "--speed", "0", "--points", "7", "--url", &app.url(""), "--token", &token])
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("replaying 2025-07-04: 7 moments of 30 stocks"), "{text}");

    let user = book.user(access::Role::Customer);
    let s = app.sign_in(&user.login, &user.password).await.unwrap();
    let snaps: serde_json::Value =
        s.get(&app.url("/api/v1/instruments/600519.SH/snapshots")).await.json().await.unwrap();
    let snaps = snaps.as_array().unwrap();
    assert_eq!(snaps.len(), 7);
    assert_eq!(snaps[0]["time"], "2025-07-04T07:00:00+00:00", "15:00 in Shanghai, newest first");
    assert_eq!(snaps[0]["last"], "1422.22", "the day closes on its real close");
    assert_eq!(snaps[6]["time"], "2025-07-04T01:30:00+00:00", "09:30 in Shanghai");

    // Neither a server nor a database: a clear refusal.
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk")).args(["replay", "--speed", "0"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--url and --token"));
}

/// Take-profit reminders for the class that watches the market little: a
/// real day replayed through the feed finds a low-engagement customer's
/// Moutai far over its cost and tells them once; a customer of another
/// class holding the same at the same cost hears nothing of it.
#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_day_raises_a_take_profit_reminder_for_those_who_watch_little() {
    let book = test_support::sqlite_with_book(300).await;
    let as_of = app::classify::book_day(&book.db).await.unwrap().unwrap();
    app::classify::classify_all(&book.db, &classify::LabelConfig::default(), as_of, false).await.unwrap();
    let customer_with = |pattern: &str| {
        let sql = format!(
            "SELECT CAST(MIN(l.customer_id) AS TEXT) FROM customer_labels l WHERE l.label_set LIKE '{pattern}' \
             AND EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = l.customer_id)"
        );
        let book = &book;
        async move { book.text(&sql).await.parse::<i64>().unwrap() }
    };
    let (watches_little, watches_closely) =
        (customer_with("% engagement:low %").await, customer_with("% engagement:high %").await);
    // Both hold 100 Moutai bought at 1,000 CNY (it closed near 1,422 on 2025-07-04).
    for customer in [watches_little, watches_closely] {
        book.execute(&format!(
            "DELETE FROM positions WHERE instrument = '600519.SH' AND account_id IN \
             (SELECT id FROM accounts WHERE customer_id = {customer})"
        ))
        .await;
        book.execute(&format!(
            "INSERT INTO positions (account_id, instrument, quantity, sellable_quantity, cost_price) \
             SELECT MIN(id), '600519.SH', 100, 100, 10000000 FROM accounts WHERE customer_id = {customer}"
        ))
        .await;
    }
    let app = test_support::TestApp::spawn(book.db.clone()).await;
    let token = access::new_api_token();
    book.db
        .create_api_token(
            "test",
            &domain::TokenName::parse("replay").unwrap(),
            access::FeedScope::Events,
            &access::secret_digest(&token),
        )
        .await
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["replay", "--speed", "0", "--points", "7", "--url", &app.url(""), "--token", &token])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let count = |customer: i64, day: &str| {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM reminders WHERE rule = 'take_profit' AND instrument = '600519.SH' \
             AND customer_id = {customer} AND trading_day LIKE '{day}%'"
        );
        let book = &book;
        async move { book.text(&sql).await.parse::<i64>().unwrap() }
    };
    assert_eq!(count(watches_little, "2025-07-04").await, 1, "once on the replayed day");
    assert_eq!(count(watches_closely, "").await, 0, "not for a class the rule is not for");
    let text = book
        .text(&format!(
            "SELECT text_en FROM reminders WHERE rule = 'take_profit' AND customer_id = {watches_little} \
             AND trading_day = '2025-07-04'"
        ))
        .await;
    assert!(text.contains("over your cost") && text.contains("600519.SH"), "{text}");
}
