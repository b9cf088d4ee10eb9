//! A group's chat in two headless Chromium sessions, an advisor and a
//! customer in the same group: what one types appears in the other's page
//! over the WebSocket; a message the rules stop reaches nobody and its
//! sender is told why.

use fantoccini::Locator;
use std::time::Duration;
use test_support::{eventually, sqlite_with_firm, Browser, TestApp};

/// The password of the member [`advisor_group_with_member`] makes.
pub(crate) const PASSWORD: &str = "a long enough password";

/// Opens the group's page, signing in on the way, and waits for the socket.
pub(crate) async fn open_chat(b: &Browser, app: &TestApp, group: domain::GroupId, login: &str, password: &str) {
    b.client.goto(&app.url(&format!("/groups/{group}?lang=en"))).await.unwrap();
    b.wait_for("input[name=login]").await;
    b.client.find(Locator::Css("input[name=login]")).await.unwrap().send_keys(login).await.unwrap();
    b.client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(password).await.unwrap();
    b.client.find(Locator::Css("form.signin button")).await.unwrap().click().await.unwrap();
    eventually("the chat to go live", 15, || async { b.client.find(Locator::Css("#chat-status.on")).await.is_ok() })
        .await;
}

/// A group the advisor makes through the API, with customer 2 as a member
/// who signs in as `member2` with [`PASSWORD`].
pub(crate) async fn advisor_group_with_member(book: &test_db::TestDb, app: &TestApp) -> domain::GroupId {
    let advisor = book.user(access::Role::Advisor);
    let session = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let made: serde_json::Value = session
        .post_json(&app.url(""), "/api/v1/groups", &serde_json::json!({ "name": "Morning briefing" }))
        .await
        .json()
        .await
        .unwrap();
    let group = domain::GroupId(made["id"].as_i64().unwrap());
    book.db.add_member(group, domain::CustomerId(2), chrono::Utc::now()).await.unwrap();
    book.db
        .create_user(&store::NewUser {
            login: domain::LoginName::parse("member2").unwrap(),
            password_hash: access::hash_password(PASSWORD).unwrap(),
            role: access::Role::Customer,
            staff_id: None,
            customer_id: Some(domain::CustomerId(2)),
        })
        .await
        .unwrap();
    group
}

async fn type_and_send(b: &Browser, words: &str) {
    b.client.find(Locator::Css("#chat-text")).await.unwrap().send_keys(words).await.unwrap();
    b.client.find(Locator::Css("#chat-form button[type=submit]")).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn two_browsers_in_one_group_see_each_others_messages() {
    let Some(advisor_browser) = Browser::start().await else { return };
    let Some(customer_browser) = Browser::start().await else { return };
    let book = sqlite_with_firm(200, 100).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let advisor = book.user(access::Role::Advisor);
    let group = advisor_group_with_member(&book, &app).await;

    open_chat(&advisor_browser, &app, group, &advisor.login, &advisor.password).await;
    open_chat(&customer_browser, &app, group, "member2", PASSWORD).await;

    type_and_send(&advisor_browser, "Good morning, watch the volume today").await;
    eventually("the advisor's message in the customer's page", 15, || async {
        customer_browser.text("#messages").await.contains("Good morning, watch the volume today")
    })
    .await;

    type_and_send(&customer_browser, "Can I still buy tomorrow?").await;
    eventually("the customer's message in the advisor's page", 15, || async {
        advisor_browser.text("#messages").await.contains("Can I still buy tomorrow?")
    })
    .await;
    assert!(book.db.question(book.db.messages_before(group, None, 1).await.unwrap()[0].id).await.unwrap().is_some());

    // A breach is stopped: the sender sees why, the other page never sees it.
    type_and_send(&customer_browser, "guaranteed return, add me on wechat abc123").await;
    eventually("the sender told why", 15, || async {
        customer_browser.text("#chat-notice").await.contains("not sent")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!advisor_browser.text("#messages").await.contains("guaranteed return"));
    assert!(!customer_browser.text("#messages").await.contains("guaranteed return"));

    // Reloading shows the same conversation from history, each message once.
    customer_browser.client.refresh().await.unwrap();
    eventually("the chat live again", 15, || async {
        customer_browser.client.find(Locator::Css("#chat-status.on")).await.is_ok()
    })
    .await;
    let page = customer_browser.text("#messages").await;
    assert_eq!(page.matches("Good morning, watch the volume today").count(), 1, "{page}");
    // The chat's socket and forms worked under the pages' security policy.
    assert_eq!(advisor_browser.policy_violations().await, Vec::<String>::new());
    assert_eq!(customer_browser.policy_violations().await, Vec::<String>::new());
    advisor_browser.close().await;
    customer_browser.close().await;
}
