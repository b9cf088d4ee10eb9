//! The suitability gate in headless Chromium: a customer takes the risk
//! questionnaire on its page, is refused a product above their match with
//! the reason in place; another is warned, confirms, and buys; the refusal
//! is on the customer's trail as staff see it.

use fantoccini::Locator;
use test_support::{customer_session, eventually, sqlite_with_firm, Browser, TestApp};

const PASSWORD: &str = "a long enough password";

/// Opens `path`, signing in as `login` on the way.
async fn open_signed_in(b: &Browser, app: &TestApp, path: &str, login: &str, password: &str) {
    b.client.goto(&app.url(path)).await.unwrap();
    // The redirect to the sign-in form may land after goto returns.
    eventually("the sign-in form", 10, || async { b.client.find(Locator::Css("input[name=login]")).await.is_ok() })
        .await;
    b.client.find(Locator::Css("input[name=login]")).await.unwrap().send_keys(login).await.unwrap();
    b.client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(password).await.unwrap();
    b.client.find(Locator::Css("form.signin button")).await.unwrap().click().await.unwrap();
    eventually("the page after signing in", 10, || async {
        b.client.current_url().await.is_ok_and(|u| !u.path().starts_with("/signin"))
    })
    .await;
}

async fn sign_out(b: &Browser) {
    b.client.find(Locator::Css("form[action='/signout'] button")).await.unwrap().click().await.unwrap();
    eventually("signed out", 10, || async { b.client.find(Locator::Css("input[name=login]")).await.is_ok() }).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsuitable_purchase_is_refused_and_one_above_the_match_is_confirmed_in_a_real_browser() {
    let Some(browser) = Browser::start().await else { return };
    let book = sqlite_with_firm(200, 100).await;
    let app = TestApp::spawn(book.db.clone()).await;
    for p in app::advice::demo_catalogue() {
        app::advice::add_product_as(&book.db, "test", &p).await.unwrap();
    }
    let id_of = |code: &str| {
        let code = code.to_owned();
        let db = book.db.clone();
        async move { db.products(false).await.unwrap().into_iter().find(|p| p.code == code).unwrap().id }
    };
    let (start, pro) = (id_of("ADV-START").await, id_of("ADV-PRO").await);
    // Users for two customers (the sessions the helper opens are not used).
    customer_session(&book, &app, 3).await;
    customer_session(&book, &app, 4).await;

    // Customer 3 answers the questionnaire on its page: no loss can be borne.
    open_signed_in(&browser, &app, "/questionnaire?lang=en", "customer3", PASSWORD).await;
    for fieldset in browser.client.find_all(Locator::Css("form.questionnaire fieldset")).await.unwrap() {
        fieldset.find(Locator::Css("input")).await.unwrap().click().await.unwrap();
    }
    browser.client.find(Locator::Css("form.questionnaire button[type=submit]")).await.unwrap().click().await.unwrap();
    eventually("the result", 10, || async { !browser.text("p.assessed").await.is_empty() }).await;
    let assessed = browser.client.find(Locator::Css("p.assessed")).await.unwrap();
    assert_eq!(
        assessed.attr("data-class").await.unwrap().as_deref(),
        Some("C1-lowest"),
        "{}",
        browser.text("p.assessed").await
    );

    // The beginner product (R2) is refused, with the reason, on the page.
    browser.client.goto(&app.url(&format!("/products/{start}?lang=en"))).await.unwrap();
    let verdict = browser.client.find(Locator::Css("p.verdict")).await.unwrap();
    assert_eq!(verdict.attr("data-verdict").await.unwrap().as_deref(), Some("refused"));
    browser.client.find(Locator::Css("form.purchase button.buy")).await.unwrap().click().await.unwrap();
    eventually("the refusal", 10, || async { !browser.text("#purchase-result div.refused").await.is_empty() }).await;
    let said = browser.text("#purchase-result div.refused").await;
    assert!(said.contains("C1-lowest") && said.contains("never buy above R1"), "{said}");
    assert_eq!(book.db.purchases(domain::CustomerId(3)).await.unwrap().len(), 0, "nothing bought");
    sign_out(&browser).await;

    // Customer 4 is a steady C3 investor; the professional product (R4) is above them.
    let answers = [
        ("income_source", "c"),
        ("income", "b"),
        ("share_invested", "b"),
        ("experience", "c"),
        ("knowledge", "b"),
        ("goal", "c"),
        ("loss_borne", "b"),
        ("drawdown", "c"),
        ("horizon", "c"),
    ];
    let mut map: advice::Answers = answers.iter().map(|(q, o)| (q.to_string(), vec![o.to_string()])).collect();
    map.insert("varieties".into(), vec!["b".into(), "c".into()]);
    app::advice::record_answers(&book.db, "test", domain::CustomerId(4), &map).await.unwrap();
    open_signed_in(&browser, &app, &format!("/products/{pro}?lang=en"), "customer4", PASSWORD).await;
    let verdict = browser.client.find(Locator::Css("p.verdict")).await.unwrap();
    assert_eq!(verdict.attr("data-verdict").await.unwrap().as_deref(), Some("needs_confirmation"));
    browser.client.find(Locator::Css("form.purchase button.buy")).await.unwrap().click().await.unwrap();
    eventually("the warning", 10, || async { !browser.text("#purchase-result div.warning").await.is_empty() }).await;
    let warning = browser.text("#purchase-result div.warning").await;
    assert!(warning.contains("R4") && warning.contains("C3"), "{warning}");
    assert!(book.db.purchases(domain::CustomerId(4)).await.unwrap().is_empty(), "not before the confirmation");
    browser.client.find(Locator::Css("div.warning input[name=confirmed]")).await.unwrap().click().await.unwrap();
    browser.client.find(Locator::Css("div.warning button.confirm")).await.unwrap().click().await.unwrap();
    eventually("the purchase", 10, || async { !browser.text("#purchase-result p.bought").await.is_empty() }).await;
    let bought = book.db.purchases(domain::CustomerId(4)).await.unwrap();
    assert_eq!((bought.len(), bought[0].confirmed, bought[0].product_id), (1, true, pro));
    // Their page lists the purchase and recommends only what suits them.
    browser.client.goto(&app.url("/customers/4?lang=en")).await.unwrap();
    assert!(browser.text("table.purchases").await.contains("Professional advisory"));
    for li in browser.client.find_all(Locator::Css("li.recommendation")).await.unwrap() {
        let product: i64 = li.attr("data-product").await.unwrap().unwrap().parse().unwrap();
        let p = book.db.product(domain::ProductId(product)).await.unwrap().unwrap();
        assert!(p.risk.rank() <= 3, "{} is above C3", p.code);
    }
    sign_out(&browser).await;

    // Compliance sees the refusal and the confirmation on the customers' trails.
    let compliance = book.user(access::Role::Compliance);
    open_signed_in(&browser, &app, "/customers/3?lang=en", &compliance.login, &compliance.password).await;
    let step = browser.client.find(Locator::Css("table.trail tr.step")).await.unwrap();
    assert_eq!(step.attr("data-step").await.unwrap().as_deref(), Some("refused"));
    assert!(step.text().await.unwrap().contains("C1-lowest"));
    browser.client.goto(&app.url("/customers/4?lang=en")).await.unwrap();
    let steps: Vec<String> = {
        let mut out = Vec::new();
        for s in browser.client.find_all(Locator::Css("table.trail tr.step")).await.unwrap() {
            out.push(s.attr("data-step").await.unwrap().unwrap());
        }
        out
    };
    assert_eq!(steps, ["confirmed", "warned"]);
    sign_out(&browser).await;

    // The advisor names the beginner product in a group: warned first, with the count, the text
    // kept; sending it again confirms, and it goes out.
    let advisor = book.user(access::Role::Advisor);
    let session = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let made: serde_json::Value = session
        .post_json(&app.url(""), "/api/v1/groups", &serde_json::json!({ "name": "Starter group" }))
        .await
        .json()
        .await
        .unwrap();
    let group = domain::GroupId(made["id"].as_i64().unwrap());
    let members: Vec<domain::CustomerId> = (1..=30).map(domain::CustomerId).collect();
    book.db.add_members(group, &members, book.db.now()).await.unwrap();
    open_signed_in(&browser, &app, &format!("/groups/{group}?lang=en"), &advisor.login, &advisor.password).await;
    eventually("the chat to go live", 15, || async {
        browser.client.find(Locator::Css("#chat-status.on")).await.is_ok()
    })
    .await;
    let words = "本周关注 启航投顾 Starter advisory";
    browser.client.find(Locator::Css("#chat-text")).await.unwrap().send_keys(words).await.unwrap();
    browser.client.find(Locator::Css("#chat-form button[type=submit]")).await.unwrap().click().await.unwrap();
    eventually("the warning", 10, || async {
        {
            let n = browser.text("#chat-notice").await;
            n.contains("30") && (n.contains("members") || n.contains("成员"))
        }
    })
    .await;
    let kept = browser.client.find(Locator::Css("#chat-text")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some(words), "the text comes back to be sent again");
    assert!(!browser.text("#messages").await.contains("Starter advisory"), "not sent yet");
    browser.client.find(Locator::Css("#chat-form button[type=submit]")).await.unwrap().click().await.unwrap();
    eventually("the message", 10, || async { browser.text("#messages").await.contains("Starter advisory") }).await;
    assert_eq!(browser.policy_violations().await, Vec::<String>::new());
    browser.close().await;
}
