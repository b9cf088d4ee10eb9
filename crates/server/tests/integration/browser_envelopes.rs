//! A red envelope between two headless Chromium sessions: the advisor sends
//! one from the group's chat page, the member sees it arrive live, opens it
//! and is told what they got; the advisor's page shows it opened, live.

use super::browser_chat::{advisor_group_with_member, open_chat, PASSWORD};
use fantoccini::Locator;
use test_support::{eventually, sqlite_with_firm, Browser, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn an_advisors_red_envelope_is_opened_by_a_member_in_another_browser() {
    let Some(advisor_browser) = Browser::start().await else { return };
    let Some(member_browser) = Browser::start().await else { return };
    let book = sqlite_with_firm(200, 100).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let advisor = book.user(access::Role::Advisor);
    let group = advisor_group_with_member(&book, &app).await;
    open_chat(&advisor_browser, &app, group, &advisor.login, &advisor.password).await;
    open_chat(&member_browser, &app, group, "member2", PASSWORD).await;

    // The advisor sends 90 points in 3 equal shares from the page.
    let points = advisor_browser.client.find(Locator::Css("#envelope-points")).await.unwrap();
    points.clear().await.unwrap();
    points.send_keys("90").await.unwrap();
    let shares = advisor_browser.client.find(Locator::Css("#envelope-shares")).await.unwrap();
    shares.clear().await.unwrap();
    shares.send_keys("3").await.unwrap();
    advisor_browser
        .client
        .find(Locator::Css("#envelope-split option[value=equal]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    advisor_browser
        .client
        .find(Locator::Css("#envelope-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // It arrives in the member's page over the socket; they open it.
    eventually("the envelope in the member's page", 15, || async {
        member_browser.client.find(Locator::Css("#messages button.envelope")).await.is_ok()
    })
    .await;
    member_browser.client.find(Locator::Css("#messages button.envelope")).await.unwrap().click().await.unwrap();
    eventually("the member told what they got", 15, || async {
        member_browser.text("#chat-notice").await.contains("You got 30 points")
    })
    .await;
    eventually("the advisor's page shows it opened", 15, || async {
        advisor_browser.text("#messages").await.contains("1 of 3 opened")
    })
    .await;
    assert_eq!(
        book.db.points_balance(growth::Account::Customer(domain::CustomerId(2))).await.unwrap().net(),
        30,
        "the share is the member's in the ledger"
    );
    assert_eq!(advisor_browser.policy_violations().await, Vec::<String>::new());
    assert_eq!(member_browser.policy_violations().await, Vec::<String>::new());
    advisor_browser.close().await;
    member_browser.close().await;
}
