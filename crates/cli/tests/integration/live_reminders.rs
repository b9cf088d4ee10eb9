//! The demo's promise: with an advisor's work queue open in a real browser,
//! `brokerdesk replay` plays a real day into the events feed and the
//! reminders it causes appear on the page as they are made, without a reload.

use fantoccini::Locator;
use std::process::Command;
use std::time::Duration;
use test_support::{events_token, sqlite_with_book, Browser, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn replaying_a_day_puts_reminders_on_an_open_advisor_page_live() {
    let Some(browser) = Browser::start().await else { return };
    let book = sqlite_with_book(600).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let token = events_token(&book.db).await;
    let advisor = book.user(access::Role::Advisor);

    // Asking for the work queue leads to the sign-in form and back after it; going
    // there straight after the click could race the sign-in's own navigation.
    browser.client.goto(&app.url("/tasks?lang=en")).await.unwrap();
    // The redirect to the form may still be under way when goto returns.
    test_support::eventually("the sign-in form", 10, || async {
        browser.client.find(Locator::Css("input[name=login]")).await.is_ok()
    })
    .await;
    browser.client.find(Locator::Css("input[name=login]")).await.unwrap().send_keys(&advisor.login).await.unwrap();
    let password = browser.client.find(Locator::Css("input[name=password]")).await.unwrap();
    password.send_keys(&advisor.password).await.unwrap();
    browser.client.find(Locator::Css("form.signin button")).await.unwrap().click().await.unwrap();
    let status = || async {
        match browser.client.find(Locator::Css("#reminders-status")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    };
    for _ in 0..150 {
        if status().await == "live" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status().await, "live", "the page's WebSocket is open");
    assert!(browser.client.find_all(Locator::Css("li.reminder.fresh")).await.unwrap().is_empty(), "nothing pushed yet");
    // The watch loaded at start may have found reminders due already (on a trading day): they are on
    // the page as loaded, not pushed; only what the replay causes is counted below.
    let advisors_reminders = format!(
        "SELECT CAST(COUNT(*) AS TEXT) FROM reminders r JOIN customers c ON c.id = r.customer_id \
         JOIN users u ON u.staff_id = c.advisor_id WHERE u.login = '{}'",
        advisor.login
    );
    let before: i64 = book.text(&advisors_reminders).await.parse().unwrap();
    // A mark on this page: a reload would wipe it.
    browser.client.execute("window.stayed = true;", vec![]).await.unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["replay", "--speed", "0", "--points", "13", "--url", &app.url(""), "--token", &token])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Every reminder on this advisor's customers (up to the page's 50) arrives.
    let expected = (book.text(&advisors_reminders).await.parse::<i64>().unwrap() - before).min(50);
    assert!(expected > 0, "the replayed day reminds this advisor's customers of something");
    let mut shown = 0;
    for _ in 0..100 {
        shown = browser.client.find_all(Locator::Css("li.reminder.fresh")).await.unwrap().len() as i64;
        if shown >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown >= expected, "{shown} of {expected} reminders pushed to the page");
    let stayed = browser.client.execute("return window.stayed === true;", vec![]).await.unwrap();
    assert_eq!(stayed, serde_json::Value::Bool(true), "the page was not reloaded");
    let first = browser.client.find(Locator::Css("li.reminder .text")).await.unwrap().text().await.unwrap();
    assert!(!first.is_empty());
    assert_eq!(browser.policy_violations().await, Vec::<String>::new(), "pushed live under the policy");
    browser.close().await;
}
