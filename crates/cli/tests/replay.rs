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
