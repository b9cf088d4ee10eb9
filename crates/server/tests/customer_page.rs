//! The customer page (customer 360): profile, positions with P&L, labels
//! with their reasons and the service guidance they call for (staff only),
//! recent trades, reminders, group activity and service history.

use access::Role;
use test_support::{sqlite_with_book, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn staff_see_the_whole_customer_and_the_customer_sees_their_own_part() {
    let book = sqlite_with_book(200).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let advisor = book.user(Role::Advisor);
    let s = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    // The customer with the most trades (the demo advisor serves them all).
    let id: i64 = book
        .text(
            "SELECT CAST(a.customer_id AS TEXT) FROM trades t JOIN accounts a ON a.id = t.account_id \
             GROUP BY a.customer_id ORDER BY COUNT(*) DESC, a.customer_id LIMIT 1",
        )
        .await
        .parse()
        .unwrap();

    let before = s.get(&app.url(&format!("/customers/{id}?lang=en"))).await.text().await.unwrap();
    assert!(before.contains("Not classified yet"), "labels appear once classify has run");

    let as_of = app::classify::book_day(&book.db).await.unwrap().unwrap();
    app::classify::classify_all(&book.db, &classify::LabelConfig::default(), as_of, false).await.unwrap();
    book.execute(&format!("INSERT INTO service_events (id, customer_id, staff_id, kind, time) SELECT 999999, {id}, advisor_id, 'visit', '2026-11-20T02:00:00Z' FROM customers WHERE id = {id}")).await;

    let html = s.get(&app.url(&format!("/customers/{id}?lang=en"))).await.text().await.unwrap();
    assert_eq!(html.matches("<tr class=\"label\"").count(), 10, "every dimension: {html}");
    assert!(html.contains("data-dimension=\"experience\""));
    // The reason names the feature, its value, and the threshold from the configuration.
    let years = book.text(&format!("SELECT features FROM customer_labels WHERE customer_id = {id}")).await;
    let years: serde_json::Value = serde_json::from_str(&years).unwrap();
    let years = years["years_in_market"].as_u64().unwrap();
    assert!(html.contains(&format!("Years in the market {years} ")), "{html}");
    assert!(html.contains("(veteran_from_years)") || html.contains("(newcomer_below_years)"));
    let guidance = html.split("<ul class=\"guidance\">").nth(1).unwrap().split("</ul>").next().unwrap();
    assert!(guidance.matches("<li>").count() >= 2, "at least the tier's and one more: {guidance}");
    let trades = book.text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM trades t JOIN accounts a ON a.id = t.account_id WHERE a.customer_id = {id}")).await;
    let expected = trades.parse::<usize>().unwrap().min(20);
    assert_eq!(html.matches("<tr class=\"trade\"").count(), expected);
    assert!(html.contains("<td>Visit</td>"), "service history");
    assert!(html.contains("<th class=\"num\">P&amp;L</th>"));
    assert!(html.contains("Group activity") && !html.contains("class=\"group-activity\""), "in no group yet");

    // Group activity: the groups they are in, what they said there, and what moderation did.
    let made: serde_json::Value = s
        .post_json(&app.url(""), "/api/v1/groups", &serde_json::json!({ "name": "Dividend club" }))
        .await
        .json()
        .await
        .unwrap();
    let group = made["id"].as_i64().unwrap();
    book.db.add_member(domain::GroupId(group), domain::CustomerId(id), chrono::Utc::now()).await.unwrap();
    let member = test_support::customer_session(&book, &app, id).await;
    let path = format!("/api/v1/groups/{group}/messages");
    let sent = member
        .post_json(&app.url(""), &path, &serde_json::json!({ "text": "Which dividend stocks do you like" }))
        .await;
    assert_eq!(sent.status(), 201);
    let stopped = member.post_json(&app.url(""), &path, &serde_json::json!({ "text": "insider tip: buy now" })).await;
    assert_eq!(stopped.status(), 422);
    let html = s.get(&app.url(&format!("/customers/{id}?lang=en"))).await.text().await.unwrap();
    let activity = html.split("Group activity").nth(1).unwrap();
    assert!(activity.contains("Dividend club") && activity.contains("Which dividend stocks do you like"), "{activity}");
    assert!(activity.contains("<strong>Warning</strong> · Insider-tip claim: <q>insider tip</q>"), "{activity}");
    assert!(!activity.contains("buy now"), "a stopped message was never said in the group");

    // The same labels over the API, with their reasons and every feature.
    let api: serde_json::Value = s.get(&app.url(&format!("/api/v1/customers/{id}/labels"))).await.json().await.unwrap();
    assert_eq!(api["labels"].as_array().unwrap().len(), 10);
    assert_eq!(api["labels"][0]["dimension"], "experience");
    assert!(api["labels"][0]["reasons"][0].as_str().unwrap().starts_with(&format!("years_in_market {years} ")));
    assert_eq!(api["features"]["years_in_market"], years);

    // The customer sees their trades, not the advisor's labels of them.
    let customer = book.user(Role::Customer);
    let c = app.sign_in(&customer.login, &customer.password).await.unwrap();
    let mine = c.get(&app.url("/customers/1?lang=en")).await.text().await.unwrap();
    assert!(mine.contains("Recent trades"));
    assert!(
        !mine.contains("class=\"label\"") && !mine.contains("Service guidance") && !mine.contains("Service history")
    );
}
