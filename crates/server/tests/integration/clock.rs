//! One clock: the time every use case reads is the database's clock, so a
//! test sets it and the pages and the API follow (the plan's week, the
//! stamps on what is written), whatever the server's own time zone.

use access::Role;
use domain::{parse_timestamp, SetClock};
use std::sync::Arc;
use test_support::{sqlite_with_firm, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn the_plans_week_and_the_stamps_follow_the_injected_clock() {
    let book = sqlite_with_firm(200, 100).await;
    // 23:30 on Sunday 1 March in Beijing is still Sunday there, though Monday is near.
    let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-03-01 23:30:00").unwrap()));
    let app = TestApp::spawn(book.db.clone().with_clock(clock.clone())).await;
    let advisor = book.user(Role::Advisor);
    let s = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let week = |s: test_support::Session| {
        let url = app.url("/api/v1/plan");
        async move { s.get(&url).await.json::<serde_json::Value>().await.unwrap()["week_start"].clone() }
    };
    assert_eq!(week(s.clone()).await, "2026-02-23", "the week of Sunday 1 March");
    clock.set(parse_timestamp("at", "2026-03-02 00:10:00").unwrap());
    assert_eq!(week(s.clone()).await, "2026-03-02", "past midnight in Beijing, a new week");

    let task = serde_json::json!({ "customer_id": 2, "kind": "follow_up", "title": "Call back" });
    assert_eq!(s.post_json(&app.url(""), "/api/v1/tasks", &task).await.status(), 201);
    let tasks: serde_json::Value = s.get(&app.url("/api/v1/tasks")).await.json().await.unwrap();
    let made = tasks.as_array().unwrap().iter().find(|t| t["title"] == "Call back").unwrap();
    assert_eq!(made["created_at"], "2026-03-01T16:10:00+00:00", "stamped by the clock");
}
