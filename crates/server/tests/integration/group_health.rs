//! A group's health and rules through the real server (issue 28): the
//! weekly figures count members' and the advisor's messages, the day's
//! preview and review are called out once their time has passed, customers
//! may not read the health; an admin revises the rules with a reason, the
//! members read the history and the notice, and the new rules apply.

use access::Role;
use chrono::{TimeZone, Utc};
use domain::SetClock;
use serde_json::{json, Value};
use std::sync::Arc;
use test_support::{customer_session, sqlite_with_firm, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn a_groups_health_and_its_rules_revised_with_a_history_members_read() {
    let book = sqlite_with_firm(200, 100).await;
    // Monday 2026-11-02, 09:00 in Shanghai: a trading day, before the preview is due.
    let clock = Arc::new(SetClock::at(Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap()));
    let app = TestApp::spawn(book.db.clone().with_clock(clock.clone())).await;
    let advisor = book.user(Role::Advisor);
    let staff = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let made: Value = staff
        .post_json(&app.url(""), "/api/v1/groups", &json!({ "name": "价值投资交流群" }))
        .await
        .json()
        .await
        .unwrap();
    let group = made["id"].as_i64().unwrap();
    // Customer 2 joined five weeks ago, customer 3 today.
    let started = domain::Clock::now(&*clock);
    book.db
        .add_member(domain::GroupId(group), domain::CustomerId(2), started - chrono::Duration::weeks(5))
        .await
        .unwrap();
    book.db.add_member(domain::GroupId(group), domain::CustomerId(3), started).await.unwrap();
    let member = customer_session(&book, &app, 2).await;
    let path = format!("/api/v1/groups/{group}/messages");
    for text in ["早上好", "今天开盘怎么看"] {
        assert_eq!(member.post_json(&app.url(""), &path, &json!({ "text": text })).await.status(), 201);
    }
    assert_eq!(staff.post_json(&app.url(""), &path, &json!({ "text": "早，九点半见" })).await.status(), 201);

    let health_url = app.url(&format!("/api/v1/groups/{group}/health"));
    let h: Value = staff.get(&health_url).await.json().await.unwrap();
    assert_eq!(h["members"], 2, "{h}");
    let week = h["weeks"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&week["member_messages"], &week["active_members"], &week["staff_messages"]),
        (&json!(2), &json!(1), &json!(1)),
        "{week}"
    );
    assert_eq!(h["overdue"], json!([]), "before 09:15 nothing is due");
    // Join cohorts: customer 3 joined this week and has not written; customer 2
    // joined five weeks ago and wrote this week (age 5).
    let cohorts = h["join_cohorts"].as_array().unwrap();
    let this_week = cohorts.last().unwrap();
    assert_eq!(
        (&this_week["week"], &this_week["size"], &this_week["cells"][0]["active"]),
        (&json!("2026-11-02"), &json!(1), &json!(0)),
        "{this_week}"
    );
    let earlier = cohorts.iter().find(|c| c["week"] == "2026-09-28").unwrap();
    assert_eq!(
        (&earlier["size"], &earlier["cells"][5]["active"], &earlier["cells"][5]["retention"]),
        (&json!(1), &json!(1), &json!(1.0)),
        "{earlier}"
    );
    assert_eq!(h["cadence"][0]["day"], "2026-11-02");
    clock.set(Utc.with_ymd_and_hms(2026, 11, 2, 1, 30, 0).unwrap());
    let h: Value = staff.get(&health_url).await.json().await.unwrap();
    assert_eq!(h["overdue"], json!(["preview"]), "09:30 and no preview");
    clock.set(Utc.with_ymd_and_hms(2026, 11, 2, 8, 30, 0).unwrap());
    let h: Value = staff.get(&health_url).await.json().await.unwrap();
    assert_eq!(h["overdue"], json!(["preview", "review"]), "16:30 and neither");
    let page = staff.get(&app.url(&format!("/groups/{group}/health?lang=zh"))).await.text().await.unwrap();
    assert!(page.contains("今天的盘后复盘还没有发出"), "the advisor is prompted on the page");
    assert_eq!(member.get(&app.url(&format!("/api/v1/groups/{group}/health"))).await.status(), 403);
    let csv = staff.get(&app.url(&format!("/api/v1/groups/{group}/health.csv"))).await.text().await.unwrap();
    assert!(csv.lines().any(|l| l.starts_with("week,2026-11-02,,2,2,1,1")), "{csv}");

    // The rules: members may not change them; the admin does, with a reason.
    let mut rules: Value = serde_json::to_value(community::moderation::GroupRules::default()).unwrap();
    rules["max_stock_codes"] = json!(2);
    let revise = format!("/api/v1/groups/{group}/rules");
    let r = member.post_json(&app.url(""), &revise, &json!({ "rules": rules, "note": "x" })).await;
    assert_eq!(r.status(), 403);
    let r = staff.post_json(&app.url(""), &revise, &json!({ "rules": rules, "note": " " })).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "note");
    let r =
        staff.post_json(&app.url(""), &revise, &json!({ "rules": { "flood_messages": "many" }, "note": "x" })).await;
    assert_eq!(r.status(), 400);
    let r = staff.post_json(&app.url(""), &revise, &json!({ "rules": rules, "note": "一条消息最多提两只股票" })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let history: Value = member.get(&app.url(&revise)).await.json().await.unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1, "the members read the history: {history}");
    assert_eq!(history[0]["note"], "一条消息最多提两只股票");
    let chat: Value = member.get(&app.url(&path)).await.json().await.unwrap();
    assert!(chat.to_string().contains("修改了群规：一条消息最多提两只股票"), "a notice in the chat: {chat}");
    // The new rules apply: three codes in one message is now pushing.
    let r = member.post_json(&app.url(""), &path, &json!({ "text": "600519 000001 300750 都能买吗" })).await;
    assert_eq!(r.status(), 422, "{}", r.text().await.unwrap());
    let page = member.get(&app.url(&format!("/groups/{group}/rules?lang=zh"))).await.text().await.unwrap();
    assert!(page.contains("一条消息最多提两只股票"), "the history on the rules page");
}
