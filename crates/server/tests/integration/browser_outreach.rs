//! Outreach in headless Chromium: a customer with their inbox open sees an
//! idea their advisor sends arrive live, without reloading; opening it
//! counts as read on the advisor's send.

use access::Role;
use domain::{parse_timestamp, SetClock};
use fantoccini::Locator;
use serde_json::{json, Value};
use std::sync::Arc;
use test_support::{customer_session, eventually, most_held_stock, sqlite_with_firm, Browser, TestApp};

const PASSWORD: &str = "a long enough password";

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_sees_a_send_arrive_live_in_a_real_browser() {
    let Some(browser) = Browser::start().await else { return };
    let book = sqlite_with_firm(200, 100).await;
    // A Monday morning, outside quiet hours, whenever the test runs.
    let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-11-02 10:00:00").unwrap()));
    let app = TestApp::spawn(book.db.clone().with_clock(clock)).await;
    // A customer of the demo advisor for whom an R3 stock idea is suitable (C3 or above by the book).
    let customer: i64 = book
        .text(
            "SELECT CAST(MIN(id) AS TEXT) FROM customers WHERE risk_level >= 3 AND id > 1 \
             AND advisor_id = (SELECT advisor_id FROM customers WHERE id = 1)",
        )
        .await
        .parse()
        .unwrap();
    customer_session(&book, &app, customer).await;

    // The advisor's idea, approved by compliance.
    let (advisor, compliance) = (book.user(Role::Advisor), book.user(Role::Compliance));
    let advisor = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let compliance = app.sign_in(&compliance.login, &compliance.password).await.unwrap();
    let (code, _, prev) = most_held_stock(&book).await;
    let close = rust_decimal::Decimal::new(prev, 4);
    let at = |f: i64| (close * rust_decimal::Decimal::new(f, 2)).round_dp(2).to_string();
    let idea = json!({ "instrument": code, "direction": "long", "entry_low": at(98), "entry_high": at(102),
        "target": at(120), "stop": at(90), "horizon_days": 60, "rationale": "长线布局 A long-term pick near the lows" });
    let made: Value = advisor.post_json(&app.url(""), "/api/v1/ideas", &idea).await.json().await.unwrap();
    let (idea, content) = (made["id"].as_i64().unwrap(), made["content_id"].as_i64().unwrap());
    let review = json!({ "version": 1, "approve": true });
    let r = compliance.post_json(&app.url(""), &format!("/api/v1/content/{content}/review"), &review).await;
    assert_eq!(r.status(), 204);

    // The customer opens their inbox: empty, and live.
    browser.client.goto(&app.url("/inbox?lang=en")).await.unwrap();
    // The redirect to the sign-in form may land after goto returns.
    eventually("the sign-in form", 10, || async {
        browser.client.find(Locator::Css("input[name=login]")).await.is_ok()
    })
    .await;
    browser
        .client
        .find(Locator::Css("input[name=login]"))
        .await
        .unwrap()
        .send_keys(&format!("customer{customer}"))
        .await
        .unwrap();
    browser.client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    browser.client.find(Locator::Css("form.signin button")).await.unwrap().click().await.unwrap();
    eventually("the inbox, live", 10, || async { browser.text("#inbox-status").await == "live" }).await;
    assert!(browser.client.find_all(Locator::Css("#inbox li.message")).await.unwrap().is_empty());

    // The advisor sends the idea to them by hand; it arrives without a reload.
    let send = json!({ "item": { "idea": idea }, "segment": { "customers": [customer] } });
    let sent: Value = advisor.post_json(&app.url(""), "/api/v1/sends", &send).await.json().await.unwrap();
    assert_eq!(sent["recipients"], 1, "{sent}");
    let send_id = sent["send_id"].as_i64().unwrap();
    eventually("the message, live", 10, || async { browser.text("#inbox li.message").await.contains(&code) }).await;
    assert!(browser.text("#inbox li.message").await.contains("Idea"));
    assert!(browser.client.find(Locator::Css("#inbox-none")).await.unwrap().attr("hidden").await.unwrap().is_some());

    // Opening it counts it read.
    browser.client.find(Locator::Css("#inbox li.message summary")).await.unwrap().click().await.unwrap();
    eventually("the read", 10, || async {
        let report: Value =
            advisor.get(&app.url(&format!("/api/v1/sends/{send_id}"))).await.json().await.unwrap_or(Value::Null);
        report["reads"] == 1
    })
    .await;
    assert!(browser.text("#inbox li.message pre.body").await.contains("Licence No."));
    assert!(browser.policy_violations().await.is_empty(), "{:?}", browser.policy_violations().await);
    browser.close().await;
}
