//! A complaint in headless Chromium (issue 29): a customer files it on the
//! service page, it reaches their advisor's queue, the advisor replies, and
//! the customer sees the reply on the ticket's page, then closes it with
//! their satisfaction.

use access::Role;
use fantoccini::Locator;
use serde_json::{json, Value};
use test_support::{customer_session, eventually, sqlite_with_firm, Browser, TestApp};

const PASSWORD: &str = "a long enough password";
/// A customer of the demo advisor.
const CUSTOMER: i64 = 5;

#[tokio::test(flavor = "multi_thread")]
async fn a_complaint_filed_in_a_browser_reaches_the_advisor_and_the_reply_comes_back() {
    let Some(browser) = Browser::start().await else { return };
    let book = sqlite_with_firm(200, 100).await;
    let app = TestApp::spawn(book.db.clone()).await;
    customer_session(&book, &app, CUSTOMER).await;
    let advisor = book.user(Role::Advisor);
    let advisor = app.sign_in(&advisor.login, &advisor.password).await.unwrap();

    browser.client.goto(&app.url("/service?lang=en")).await.unwrap();
    eventually("the sign-in form", 10, || async {
        browser.client.find(Locator::Css("input[name=login]")).await.is_ok()
    })
    .await;
    let field = |css: &'static str| browser.client.find(Locator::Css(css));
    field("input[name=login]").await.unwrap().send_keys(&format!("customer{CUSTOMER}")).await.unwrap();
    field("input[name=password]").await.unwrap().send_keys(PASSWORD).await.unwrap();
    field("form.signin button").await.unwrap().click().await.unwrap();
    browser.wait_for("#file-ticket").await;

    // The form: a complaint about a product, which goes to the advisor.
    field("#file-ticket select[name=kind]").await.unwrap().select_by_value("complaint").await.unwrap();
    field("#file-ticket select[name=category]").await.unwrap().select_by_value("product").await.unwrap();
    field("#file-ticket input[name=subject]").await.unwrap().send_keys("基金赎回款未到账").await.unwrap();
    field("#file-ticket textarea[name=body]").await.unwrap().send_keys("周一赎回，今天还没到账").await.unwrap();
    field("#file-ticket button").await.unwrap().click().await.unwrap();
    eventually("the ticket's page", 10, || async { browser.text("h1").await.contains("基金赎回款未到账") }).await;
    let url = browser.client.current_url().await.unwrap();
    let ticket: i64 = url.path().rsplit('/').next().unwrap().parse().unwrap();
    assert!(browser.text("#ticket-status").await.contains("Waiting for us"));

    // A file attached from the page: a screenshot's note is kept; a program is refused, said in place.
    let dir = tempfile::tempdir().unwrap();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "赎回确认单号 20261102-001").unwrap();
    field("#attach input[type=file]").await.unwrap().send_keys(note.to_str().unwrap()).await.unwrap();
    field("#attach button").await.unwrap().click().await.unwrap();
    eventually("the attachment listed", 10, || async { browser.text("ul.attachments").await.contains("note.txt") })
        .await;
    let program = dir.path().join("setup.exe");
    std::fs::write(&program, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00").unwrap();
    field("#attach input[type=file]").await.unwrap().send_keys(program.to_str().unwrap()).await.unwrap();
    field("#attach button").await.unwrap().click().await.unwrap();
    eventually("the refusal", 10, || async { browser.text("#attach-result").await.contains("not attached") }).await;

    // In the advisor's queue, and answered there.
    let queue: Value = advisor.get(&app.url("/api/v1/tickets")).await.json().await.unwrap();
    let row = queue.as_array().unwrap().iter().find(|t| t["id"] == ticket).cloned().expect("in the advisor's queue");
    assert_eq!((row["queue"].as_str(), row["channel"].as_str()), (Some("advisor"), Some("online")));
    let queue_page = advisor.get(&app.url("/service?lang=en")).await.text().await.unwrap();
    assert!(queue_page.contains("基金赎回款未到账"), "the advisor's queue page lists it");
    let reply = json!({ "text": "已联系基金公司，款项明日到账" });
    let r = advisor.post_json(&app.url(""), &format!("/api/v1/tickets/{ticket}/replies"), &reply).await;
    assert_eq!(r.status(), 204);

    // The customer sees the reply, and closes the ticket satisfied.
    browser.client.refresh().await.unwrap();
    eventually("the reply", 10, || async {
        browser.text("ol.ticket-events").await.contains("已联系基金公司，款项明日到账")
    })
    .await;
    assert!(browser.text("#ticket-status").await.contains("Answered"));
    field("#close select[name=satisfaction]").await.unwrap().select_by_value("5").await.unwrap();
    field("#close button").await.unwrap().click().await.unwrap();
    eventually("closed", 10, || async { browser.text("#ticket-status").await.contains("Closed") }).await;
    assert_eq!(browser.text("#satisfaction").await, "5 / 5");
    assert!(browser.policy_violations().await.is_empty(), "no script or style the policy forbids");
    browser.close().await;
}
