//! Every route the router serves (read from the router's own table, so a new
//! route is covered the day it is added), called as every role with ids from
//! another advisor's, another branch's and another customer's scope: no row
//! leaks, and no response carries an unmasked national ID or phone number
//! (except a reveal's answer). Without a session every route answers 401 or
//! redirects to sign-in.

use access::Role;
use test_support::{http, sqlite_with_firm, unmasked_pii, TestApp};

/// Customers of the book below: 100 per advisor, six advisors a branch.
/// The demo advisor serves 1-100 in branch 1; the demo customer is 1.
const SAME_ADVISOR: i64 = 2;
const OTHER_ADVISOR_SAME_BRANCH: i64 = 150;
const OTHER_BRANCH: i64 = 700;

fn visible(role: Role, id: i64) -> bool {
    match role {
        Role::Compliance | Role::Admin => true,
        Role::Manager => id <= 600,
        Role::Advisor => id <= 100,
        Role::Customer => id == 1,
    }
}

/// Does a response body show this customer as a row? Rows that belong to a
/// customer (reminders, tasks) name them as `customer_id`, their own `id`
/// being something else (a reminder's id 150 is not customer 150).
fn shows(body: &str, id: i64) -> bool {
    let own_rows = if body.contains("\"customer_id\"") {
        body.contains(&format!("\"customer_id\":{id},"))
    } else {
        body.contains(&format!("\"id\":{id},"))
    };
    own_rows || body.contains(&format!("href=\"/customers/{id}?"))
}

/// A state-changing route called for a row outside the role's scope answers
/// 403 or 404, never 200 or a server error. The body asks for nothing that
/// changes state when it is allowed (a handover to the same advisor is refused,
/// and the book has no tasks to complete).
async fn check_post(session: &test_support::Session, app: &TestApp, role: Role, path: &str, id: i64) {
    let route = format!("{}?field=phone", path.replace("{id}", &id.to_string()));
    let body = serde_json::json!({ "field": "phone", "to": id, "outcome": "called" });
    let response = if path.starts_with("/api/") {
        session.post_json(&app.url(""), &route, &body).await
    } else {
        session.post_form(&app.url(""), &route, &[("outcome", "called")]).await
    };
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(status < 500, "{role} POST {route}: {status} {text}");
    if !visible(role, id) {
        assert!(matches!(status, 403 | 404), "{role} POST {route} outside the scope: {status} {text}");
    }
    if !path.ends_with("/reveal") {
        assert_eq!(unmasked_pii(&text), None, "{role} POST {route} shows unmasked personal data");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_route_leaks_rows_outside_a_roles_scope() {
    let book = sqlite_with_firm(1_300, 100).await;
    // Labels exist, so that the label routes answer for customers in scope.
    let as_of = app::classify::book_day(&book.db).await.unwrap().unwrap();
    app::classify::classify_all(&book.db, &classify::LabelConfig::default(), as_of, false).await.unwrap();
    let app = TestApp::spawn(book.db.clone()).await;
    let community = community_ids(&book, &app).await;
    // A product, open to every role, for the routes that name one.
    let product = app::advice::add_product_as(&book.db, "test", &app::advice::demo_catalogue()[0]).await.unwrap();
    let paths = server::protected_paths();
    assert!(paths.len() >= 8, "the table lists every route: {paths:?}");
    // A segment the demo advisor saved over all their customers, for the routes that name one.
    let login = &book.user(Role::Advisor).login;
    let row = book
        .text(&format!("SELECT CAST(id AS TEXT) || ' ' || CAST(staff_id AS TEXT) FROM users WHERE login = '{login}'"))
        .await;
    let (user, staff) = row.split_once(' ').unwrap();
    let advisor = access::Principal {
        user_id: domain::UserId(user.parse().unwrap()),
        login: login.clone(),
        role: Role::Advisor,
        staff_id: Some(domain::StaffId(staff.parse().unwrap())),
        branch_id: None,
        customer_id: None,
    };
    let everything = analytics::Region::new(-1e18, 1e18, -1e18, 1e18).unwrap();
    let segment = app::segments::save_segment(
        &book.db,
        &advisor,
        "all",
        analytics::MapFeature::Assets,
        analytics::MapFeature::Assets,
        everything,
    )
    .await
    .unwrap()
    .id;

    // Unauthenticated.
    let client = http();
    for path in &paths {
        let url = app.url(&community_url(path, &[]).unwrap_or_else(|| path.replace("{id}", "1")));
        let r = if *path == "/signout" { client.post(&url).send().await } else { client.get(&url).send().await };
        let r = r.unwrap();
        if path.starts_with("/api/") {
            assert_eq!(r.status(), 401, "{path}");
        } else {
            assert_eq!(r.status(), 303, "{path}");
            assert!(r.headers()["location"].to_str().unwrap().starts_with("/signin"), "{path}");
        }
    }

    // Machine feeds take an API token, never a session: every role gets 401.
    let feeds = server::feed_paths();
    assert!(!feeds.is_empty());
    for path in &feeds {
        let url = app.url(&path.replace("{file}", "logins"));
        assert_eq!(client.post(&url).body("id\n").send().await.unwrap().status(), 401, "{path}");
    }

    let mut checked = 0;
    let mut answered = std::collections::HashSet::new();
    for role in Role::ALL {
        let user = book.user(role);
        let session = app.sign_in(&user.login, &user.password).await.expect("sign in");
        for path in &feeds {
            let url = path.replace("{file}", "logins");
            let r = session.post_json(&app.url(""), &url, &serde_json::json!({ "events": [] })).await;
            assert_eq!(r.status(), 401, "{role} POST {url} with a session");
        }
        for path in &paths {
            if path.contains("{segment}") {
                // Staff read the advisor's segment (its owner, and managers and above); customers may not.
                let url = path.replace("{segment}", &segment.to_string());
                let r = session.get(&app.url(&url)).await;
                let status = r.status().as_u16();
                let expected = if role == Role::Customer { 403 } else { 200 };
                if status != 405 {
                    assert_eq!(status, expected, "{role} GET {url}");
                    assert_eq!(unmasked_pii(&r.text().await.unwrap()), None, "{role} GET {url}");
                }
                answered.insert(path.clone());
                checked += 1;
                continue;
            }
            if let Some(url) = community_url(path, &community) {
                check_community_route(&session, &app, role, path, &url).await;
                checked += 1;
                continue;
            }
            for id in [SAME_ADVISOR, OTHER_ADVISOR_SAME_BRANCH, OTHER_BRANCH] {
                // Market data is open to all: any real instrument will do for {code}.
                let path = &path
                    .replace("{code}", "600519.SH")
                    .replace("{kind}", "trades")
                    .replace("{product}", &product.to_string());
                let url = if path.contains("{id}") {
                    app.url(&path.replace("{id}", &id.to_string()))
                } else {
                    let sep = if path.contains('?') { '&' } else { '?' };
                    app.url(&format!("{path}{sep}q={id}"))
                };
                let response = session.get(&url).await;
                let status = response.status().as_u16();
                if path.ends_with("/live") {
                    // A WebSocket: a plain GET is refused; what it pushes is filtered by the same scope
                    // (unit-tested beside it, and pushed live in the browser test).
                    assert_eq!(status, 400, "{role} GET {url} without an upgrade");
                    continue;
                }
                if status == 405 {
                    if path.contains("{id}") {
                        check_post(&session, &app, role, path, id).await;
                        checked += 1;
                    } else if path != "/signout" {
                        // A write that names no customer in its path (a purchase names one in its
                        // body, and is refused there by the same scope): no server error, no personal data.
                        let body = serde_json::json!({ "customer_id": id, "product_id": product.0, "amount": "1" });
                        let r = if path.starts_with("/api/") {
                            session.post_json(&app.url(""), path, &body).await
                        } else {
                            let customer = id.to_string();
                            session.post_form(&app.url(""), path, &[("customer", &customer), ("amount", "1")]).await
                        };
                        let status = r.status().as_u16();
                        let text = r.text().await.unwrap();
                        assert!(status < 500, "{role} POST {path}: {status} {text}");
                        assert_eq!(unmasked_pii(&text), None, "{role} POST {path} shows unmasked personal data");
                        if !visible(role, id) && (path.ends_with("/purchase") || path.ends_with("/purchases")) {
                            assert!(
                                matches!(status, 403 | 404),
                                "{role} POST {path} for customer {id}: {status} {text}"
                            );
                        }
                        answered.insert(path.clone());
                        checked += 1;
                    }
                    continue; // sign-out is covered by the CSRF tests
                }
                let body = response.text().await.unwrap();
                assert_eq!(unmasked_pii(&body), None, "{role} GET {url} shows unmasked personal data");
                if path.contains("{id}") {
                    let expected = if visible(role, id) { 200 } else { 404 };
                    assert_eq!(status, expected, "{role} GET {url}");
                } else {
                    // A list is open to a role (200) or closed to it as a whole (403: admin-only tools).
                    assert!(status == 200 || status == 403, "{role} GET {url}: {status}");
                    if status == 200 {
                        answered.insert(path.clone());
                    }
                    assert!(visible(role, id) || !shows(&body, id), "{role} GET {url} shows customer {id}");
                    if path.ends_with("/customers") && visible(role, id) {
                        // The detector finds rows that are there, so its silence means something.
                        assert!(shows(&body, id), "{role} GET {url} should list customer {id}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 5 * 7 * 3, "checked {checked} calls");
    let plain = |p: &&String| !p.contains("{id}") && community_url(p, &[]).is_none();
    for path in paths.iter().filter(plain).filter(|p| **p != "/signout" && !p.ends_with("/live")) {
        let path = path.replace("{code}", "600519.SH").replace("{product}", &product.to_string());
        assert!(answered.contains(&path), "{path} answered no role at all");
    }
}

/// Placeholders of the community and outreach routes, which name groups,
/// messages, content, ideas and sends rather than customers.
const COMMUNITY_PLACEHOLDERS: [&str; 21] = [
    "{group}",
    "{message}",
    "{action}",
    "{report}",
    "{item}",
    "{application}",
    "{token}",
    "{customer}",
    "{question}",
    "{idea}",
    "{send}",
    "{portfolio}",
    "{advisor}",
    "{order}",
    "{conditional}",
    "{account}",
    "{envelope}",
    "{ticket}",
    "{attachment}",
    "{incident}",
    "{conversation}",
];

/// A group of the demo advisor's with customer 2 (not the demo customer) in
/// it, a message, a moderation action, a report, a content item and an
/// application: the ids the community routes are called with.
async fn community_ids(book: &test_support::TestDb, app: &TestApp) -> Vec<(&'static str, String)> {
    let advisor = book.user(Role::Advisor);
    let s = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let created: serde_json::Value = s
        .post_json(&app.url(""), "/api/v1/groups", &serde_json::json!({ "name": "Route check" }))
        .await
        .json()
        .await
        .unwrap();
    let group = domain::GroupId(created["id"].as_i64().unwrap());
    let member = domain::CustomerId(SAME_ADVISOR);
    book.db.add_member(group, member, chrono::Utc::now()).await.unwrap();
    let message = s
        .post_json(&app.url(""), &format!("/api/v1/groups/{group}/messages"), &serde_json::json!({ "text": "hello" }))
        .await;
    let message = domain::MessageId(message.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap());
    let action = book
        .db
        .record_action(&store::NewAction {
            group_id: group,
            customer_id: member,
            violation: "flood".into(),
            excerpt: "x".into(),
            sanction: "warn",
            decided_by: "rules".into(),
        })
        .await
        .unwrap();
    let report = book.db.report_message(group, message, member, &domain::Note::parse("spam").unwrap()).await.unwrap();
    let item = book
        .db
        .create_content(
            advisor_staff(book).await,
            domain::ContentKind::Article,
            &domain::ContentTitle::parse("t").unwrap(),
            &domain::ContentBody::parse("b").unwrap(),
        )
        .await
        .unwrap();
    let application = book.db.apply_to_group(group, domain::CustomerId(3), "").await.unwrap();
    // An idea under review (its author's alone to see), and a published one sent to customer 2.
    let (code, _, prev) = test_support::most_held_stock(book).await;
    let close = rust_decimal::Decimal::new(prev, 4);
    let at = |f: i64| (close * rust_decimal::Decimal::new(f, 2)).round_dp(2).to_string();
    let idea = serde_json::json!({ "instrument": code, "direction": "long", "entry_low": at(98), "entry_high": at(102),
        "target": at(120), "stop": at(90), "horizon_days": 20, "rationale": "route check" });
    let propose = || async {
        let made: serde_json::Value = s.post_json(&app.url(""), "/api/v1/ideas", &idea).await.json().await.unwrap();
        (made["id"].as_i64().unwrap(), made["content_id"].as_i64().unwrap())
    };
    let (published, content) = propose().await;
    let compliance = book.user(Role::Compliance);
    let c = app.sign_in(&compliance.login, &compliance.password).await.unwrap();
    let review = serde_json::json!({ "version": 1, "approve": true });
    assert_eq!(c.post_json(&app.url(""), &format!("/api/v1/content/{content}/review"), &review).await.status(), 204);
    let send = serde_json::json!({ "item": { "idea": published }, "segment": { "customers": [SAME_ADVISOR] } });
    let sent: serde_json::Value = s.post_json(&app.url(""), "/api/v1/sends", &send).await.json().await.unwrap();
    let send = sent["send_id"].as_i64().expect("sent");
    let (under_review, _) = propose().await;
    // A model portfolio under review: its advisor's to see, no customer's.
    let portfolio = serde_json::json!({ "name": "Route check", "description": "x",
        "weights": [{ "instrument": code, "percent": "50" }] });
    let made: serde_json::Value =
        s.post_json(&app.url(""), "/api/v1/portfolios", &portfolio).await.json().await.unwrap();
    let portfolio = made["id"].as_i64().unwrap_or_else(|| panic!("a portfolio: {made}"));
    let advisor_id = advisor_staff(book).await.0;
    // An order and a conditional order for customer 2's account, sent by their advisor.
    let account: i64 = book
        .text(&format!("SELECT CAST(MIN(id) AS TEXT) FROM accounts WHERE customer_id = {SAME_ADVISOR}"))
        .await
        .parse()
        .unwrap();
    let ticket = serde_json::json!({ "account_id": account, "instrument": code, "side": "buy", "price": at(100), "quantity": 100 });
    let sent: serde_json::Value = s.post_json(&app.url(""), "/api/v1/orders", &ticket).await.json().await.unwrap();
    let order = sent["id"].as_i64().unwrap_or_else(|| panic!("an order: {sent}"));
    let until = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let stop = serde_json::json!({ "account_id": account, "instrument": code, "kind": "stop_loss", "quantity": 100,
        "price": at(90), "valid_until": until });
    let made: serde_json::Value =
        s.post_json(&app.url(""), "/api/v1/conditional-orders", &stop).await.json().await.unwrap();
    let conditional = made["id"].as_i64().unwrap_or_else(|| panic!("a conditional order: {made}"));
    // A red envelope in the group, from the advisor's budget.
    let envelope: serde_json::Value = s
        .post_json(
            &app.url(""),
            &format!("/api/v1/groups/{group}/red-envelopes"),
            &serde_json::json!({ "points": 30, "shares": 3, "split": "equal" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let envelope = envelope["id"].as_i64().unwrap_or_else(|| panic!("an envelope: {envelope}"));
    // A complaint the advisor took by phone for customer 2, with a file; an incident.
    let complaint = serde_json::json!({ "kind": "complaint", "category": "product", "subject": "s", "body": "b",
        "customer_id": SAME_ADVISOR, "channel": "phone" });
    let filed: serde_json::Value = s.post_json(&app.url(""), "/api/v1/tickets", &complaint).await.json().await.unwrap();
    let ticket = filed["id"].as_i64().unwrap_or_else(|| panic!("a ticket: {filed}"));
    let file =
        s.post_bytes(&app.url(""), &format!("/api/v1/tickets/{ticket}/attachments?name=a.txt"), b"note".to_vec()).await;
    let attachment = file.json::<serde_json::Value>().await.unwrap()["id"].as_i64().expect("an attachment");
    let mut unit = book.db.begin().await.unwrap();
    let incident = unit.insert_incident("login", chrono::Utc::now(), "general", "route check", "test").await.unwrap();
    unit.commit().await.unwrap();
    // A conversation of the advisor's with customer 2, with a message in it.
    let opened: serde_json::Value = s
        .post_json(&app.url(""), "/api/v1/conversations", &serde_json::json!({ "customer_id": SAME_ADVISOR }))
        .await
        .json()
        .await
        .unwrap();
    let conversation = opened["id"].as_i64().unwrap_or_else(|| panic!("a conversation: {opened}"));
    let said = serde_json::json!({ "text": "hello" });
    s.post_json(&app.url(""), &format!("/api/v1/conversations/{conversation}/messages"), &said).await;
    let ids = [
        group.0,
        message.0,
        action.0,
        report.0,
        item.0,
        application.0,
        0,
        SAME_ADVISOR,
        message.0,
        under_review,
        send,
        portfolio,
        advisor_id,
        order,
        conditional,
        account,
        envelope,
        ticket,
        attachment,
        incident,
        conversation,
    ];
    COMMUNITY_PLACEHOLDERS.iter().copied().zip(ids.iter().map(|i| i.to_string())).collect()
}

async fn advisor_staff(book: &test_support::TestDb) -> domain::StaffId {
    book.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 1").await.parse().unwrap()
}

/// The path with its community ids filled in (unknown ids as 1); none for other routes.
fn community_url(path: &str, ids: &[(&'static str, String)]) -> Option<String> {
    if !COMMUNITY_PLACEHOLDERS.iter().any(|p| path.contains(p)) {
        return None;
    }
    let mut url = path.to_owned();
    for p in COMMUNITY_PLACEHOLDERS {
        let id = ids.iter().find(|(k, _)| *k == p).map_or("1", |(_, v)| v.as_str());
        url = url.replace(p, id);
    }
    Some(url)
}

/// A community route answers every role without a server error or unmasked
/// personal data; the demo customer, who is not in the group, sees none of it.
async fn check_community_route(session: &test_support::Session, app: &TestApp, role: Role, path: &str, url: &str) {
    let response = session.get(&app.url(url)).await;
    let mut status = response.status().as_u16();
    let mut text = response.text().await.unwrap();
    if path.ends_with("/live") {
        assert!(matches!(status, 400 | 404), "{role} GET {url} without an upgrade: {status}");
        return;
    }
    if role == Role::Advisor && status != 405 && !url.starts_with("/join/") {
        assert_eq!(status, 200, "the group's own advisor reads {url}: {text}");
    }
    if status == 405 {
        let body = serde_json::json!({ "text": "x", "reason": "x", "note": "x" });
        let r = if url.starts_with("/api/") {
            session.post_json(&app.url(""), url, &body).await
        } else {
            session.post_form(&app.url(""), url, &[("text", "x"), ("reason", "x"), ("note", "x")]).await
        };
        status = r.status().as_u16();
        text = r.text().await.unwrap();
    }
    assert!(status < 500, "{role} {url}: {status} {text}");
    assert_eq!(unmasked_pii(&text), None, "{role} {url} shows unmasked personal data");
    // Applying is what a customer outside a group may do; an advisor's profile is open to every user.
    let applies = url.ends_with("/applications")
        || url.ends_with("/apply")
        || (url.starts_with("/advisors/") || url.starts_with("/api/v1/advisors/")) && !url.ends_with("/introduction");
    if role == Role::Customer && !applies {
        assert!(matches!(status, 403 | 404 | 400 | 422), "{role} {url} outside their groups: {status} {text}");
    }
}
