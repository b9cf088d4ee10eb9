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
    assert!(mine.contains("<h2>Trades</h2>"));
    assert!(
        !mine.contains("class=\"label\"") && !mine.contains("Service guidance") && !mine.contains("Service history")
    );
}

/// Every page of one history through the API, by `older`, as line ids.
async fn walk_history(app: &TestApp, s: &test_support::Session, id: i64, kind: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut before = String::new();
    loop {
        let url = app.url(&format!("/api/v1/customers/{id}/history/{kind}?per_page=7{before}"));
        let r = s.get(&url).await;
        assert_eq!(r.status(), 200, "{url}");
        let page: serde_json::Value = r.json().await.unwrap();
        assert_eq!(page["kind"], kind);
        ids.extend(page["lines"].as_array().unwrap().iter().map(|l| l["id"].as_i64().unwrap()));
        match page["older"].as_str() {
            Some(c) => before = format!("&before={c}"),
            None => return ids,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_history_pages_newest_first_to_the_oldest_and_the_page_links_to_it_on_both_backends() {
    for mut t in test_support::backends().await {
        test_support::load_book(&mut t, 200, 100).await;
        // Times as the store writes them (RFC 3339, +00:00), which SQLite
        // compares as text. The customer with the most trades, sixty more logins (two pages of
        // the history page after the customer page's twenty), ten dividends, and a contact and a call at the same instant.
        let id: i64 = t
            .text(
                "SELECT CAST(a.customer_id AS TEXT) FROM trades x JOIN accounts a ON a.id = x.account_id \
                 GROUP BY a.customer_id ORDER BY COUNT(*) DESC, a.customer_id LIMIT 1",
            )
            .await
            .parse()
            .unwrap();
        for k in 0..10 {
            t.execute(&format!(
                "INSERT INTO cash_flows (id, account_id, kind, amount, time) \
                 SELECT {}, MIN(id), 'dividend', 12500, '2026-10-{:02}T02:00:00+00:00' FROM accounts WHERE customer_id = {id}",
                770_000 + k,
                1 + k % 5
            ))
            .await;
        }
        for k in 0..60 {
            t.execute(&format!(
                "INSERT INTO logins (id, customer_id, time, channel) VALUES ({}, {id}, '2026-10-{:02}T0{}:00:00+00:00', 'web')",
                880_000 + k,
                1 + k % 30,
                k % 2
            ))
            .await;
        }
        let advisor = t.text(&format!("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = {id}")).await;
        for (n, time) in
            [(1, "2026-11-20T02:00:00+00:00"), (2, "2026-11-21T02:00:00+00:00"), (3, "2026-11-22T02:00:00+00:00")]
        {
            t.execute(&format!(
                "INSERT INTO service_events (id, customer_id, staff_id, kind, time) VALUES ({}, {id}, {advisor}, 'call', '{time}')",
                990_000 + n
            ))
            .await;
        }
        t.execute(&format!(
            "INSERT INTO service_plan (advisor_id, week_start, customer_id, bucket, rank, triggers, done_at, outcome) \
             VALUES ({advisor}, '2026-11-16', {id}, 'core', 1, '[]', '2026-11-21T02:00:00+00:00', 'bought the fund')"
        ))
        .await;

        let ordered = |from_where: &str| {
            let sql = if t.name == "sqlite" {
                format!("SELECT COALESCE(group_concat(id, ','), '') FROM (SELECT x.id FROM {from_where} ORDER BY x.time DESC, x.id DESC)")
            } else {
                format!("SELECT COALESCE(string_agg(CAST(x.id AS TEXT), ',' ORDER BY x.time DESC, x.id DESC), '') FROM {from_where}")
            };
            let t = &t;
            async move {
                t.text(&sql)
                    .await
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().unwrap())
                    .collect::<Vec<i64>>()
            }
        };
        let app = TestApp::spawn(t.db.clone()).await;
        let staff = t.user(Role::Admin);
        let s = app.sign_in(&staff.login, &staff.password).await.unwrap();
        let accounts = format!("JOIN accounts a ON a.id = x.account_id WHERE a.customer_id = {id}");
        let trades = ordered(&format!("trades x {accounts}")).await;
        let flows = ordered(&format!("cash_flows x {accounts}")).await;
        let logins = ordered(&format!("logins x WHERE x.customer_id = {id}")).await;
        assert!(
            logins.len() > 60 && flows.len() > 7 && trades.len() > 7,
            "{}: histories of several pages: {} logins, {} flows, {} trades",
            t.name,
            logins.len(),
            flows.len(),
            trades.len()
        );
        assert_eq!(walk_history(&app, &s, id, "trades").await, trades, "{}", t.name);
        assert_eq!(walk_history(&app, &s, id, "cash_flows").await, flows, "{}", t.name);
        assert_eq!(walk_history(&app, &s, id, "logins").await, logins, "{}", t.name);
        // Contacts: the calls newest first, the planned contact (id 0) after the call of its instant.
        let mut service = ordered(&format!("service_events x WHERE x.customer_id = {id}")).await;
        let at = service.iter().position(|&e| e == 990_002).unwrap();
        service.insert(at + 1, 0);
        assert_eq!(walk_history(&app, &s, id, "service").await, service, "{}", t.name);

        // Bad parameters name their field; contacts are staff's; others' histories are not found.
        for (query, field) in [("trades?before=x", "before"), ("orders", "kind"), ("logins?per_page=0", "per_page")] {
            let r = s.get(&app.url(&format!("/api/v1/customers/{id}/history/{query}"))).await;
            assert_eq!(r.status(), 400, "{query}");
            assert_eq!(r.json::<serde_json::Value>().await.unwrap()["field"], field, "{query}");
        }
        let own = test_support::customer_session(&t, &app, id).await;
        assert_eq!(walk_history(&app, &own, id, "logins").await, logins, "{}: their own logins", t.name);
        assert_eq!(own.get(&app.url(&format!("/api/v1/customers/{id}/history/service"))).await.status(), 403);
        let other = if id == 1 { 2 } else { 1 };
        assert_eq!(own.get(&app.url(&format!("/api/v1/customers/{other}/history/trades"))).await.status(), 404);

        // The customer page shows the newest of each and links to the older ones.
        let html = s.get(&app.url(&format!("/customers/{id}?lang=en"))).await.text().await.unwrap();
        for heading in ["Trades", "Cash flows", "Logins", "Service history"] {
            assert!(html.contains(&format!("<h2>{heading}</h2>")), "{heading}");
        }
        assert_eq!(html.matches("<tr class=\"login\"").count(), logins.len().min(20), "{}", t.name);
        assert!(html.contains("Planned contact") && html.contains("bought the fund"));
        {
            let link = html.split(&format!("href=\"/customers/{id}/history/logins?")).nth(1).unwrap();
            let link = link.split('"').next().unwrap().replace("&amp;", "&");
            let older = s.get(&app.url(&format!("/customers/{id}/history/logins?{link}"))).await.text().await.unwrap();
            let shown = older.matches("<tr class=\"login\"").count();
            assert_eq!(shown, (logins.len() - 20).min(50), "{}: the next 50 after the first 20", t.name);
            assert!(older.contains(&format!("data-id=\"{}\"", logins[20])), "{}", t.name);
            assert!(older.contains("Newest"));
        }
    }
}
