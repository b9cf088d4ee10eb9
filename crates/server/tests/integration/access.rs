//! Sign-in, sessions, CSRF, lockout and row-level scope, through the real
//! server and its real forms.

use access::Role;
use test_support::{http, set_cookie, sqlite_with_book, TestApp};

async fn total(app: &TestApp, session: &test_support::Session) -> i64 {
    let body: serde_json::Value = session.get(&app.url("/api/v1/customers")).await.json().await.unwrap();
    body["total"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_see_their_own_rows_and_nothing_else() {
    // 5,200 customers: advisor A serves 1-5000, advisor B 5001-5200, one branch.
    let book = sqlite_with_book(5_200).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let session = |role| {
        let u = book.user(role).clone();
        let app = &app;
        async move { app.sign_in(&u.login, &u.password).await.expect("signed in") }
    };
    let compliance = session(Role::Compliance).await;
    let admin = session(Role::Admin).await;
    let manager = session(Role::Manager).await;
    let advisor = session(Role::Advisor).await;
    let customer = session(Role::Customer).await;

    assert_eq!(total(&app, &compliance).await, 5_200);
    assert_eq!(total(&app, &admin).await, 5_200);
    assert_eq!(total(&app, &manager).await, 5_200, "one branch holds them all");
    assert_eq!(total(&app, &advisor).await, 5_000);
    assert_eq!(total(&app, &customer).await, 1);

    // Out of scope answers 404, as if the row did not exist.
    for (who, path) in [
        (&advisor, "/api/v1/customers/5100"),
        (&advisor, "/customers/5100"),
        (&customer, "/api/v1/customers/2"),
        (&customer, "/customers/2"),
    ] {
        assert_eq!(who.get(&app.url(path)).await.status(), 404, "{path}");
    }
    assert_eq!(advisor.get(&app.url("/api/v1/customers/4999")).await.status(), 200);
    assert_eq!(customer.get(&app.url("/api/v1/customers/1")).await.status(), 200);
    // Searching by id cannot reach past the scope either.
    let found: serde_json::Value = advisor.get(&app.url("/api/v1/customers?q=5100")).await.json().await.unwrap();
    assert_eq!(found["total"], 0);
    let overview: serde_json::Value = customer.get(&app.url("/api/v1/overview")).await.json().await.unwrap();
    assert_eq!(overview["customers"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_guards_every_route_and_sessions_end() {
    let book = sqlite_with_book(300).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let client = http();

    // Without a session: 401 for the API, a redirect to sign-in for pages.
    for path in ["/api/v1/overview", "/api/v1/customers", "/api/v1/customers/1", "/api/v1/openapi.json"] {
        assert_eq!(client.get(app.url(path)).send().await.unwrap().status(), 401, "{path}");
    }
    for path in ["/", "/customers", "/customers/1"] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/signin?next="));
    }

    // A forged session cookie is no session.
    let forged = client.get(app.url("/api/v1/overview")).header("cookie", "bd_session=00ff").send().await.unwrap();
    assert_eq!(forged.status(), 401);

    // Expiry: a session past its end is refused.
    let advisor = book.user(Role::Advisor);
    let s = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    assert_eq!(s.get(&app.url("/api/v1/overview")).await.status(), 200);
    let expire = "UPDATE sessions SET expires_at = '2000-01-01T00:00:00+00:00'";
    book.execute(expire).await;
    assert_eq!(s.get(&app.url("/api/v1/overview")).await.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn csrf_is_required_on_every_form_and_state_change() {
    let book = sqlite_with_book(300).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let client = http();
    let admin = book.user(Role::Admin);

    // Sign-in without the CSRF cookie matching the field.
    let r = client
        .post(app.url("/signin"))
        .header("cookie", "bd_csrf=aaaa")
        .form(&[("login", admin.login.as_str()), ("password", &admin.password), ("csrf", "bbbb")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(set_cookie(&r, "bd_session").is_none());

    let s = app.sign_in(&admin.login, &admin.password).await.unwrap();
    // Sign-out without the session's token does nothing.
    let r =
        client.post(app.url("/signout")).header("cookie", &s.cookie).form(&[("csrf", "wrong")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(s.get(&app.url("/api/v1/overview")).await.status(), 200, "still signed in");
    // Any other state-changing request without X-CSRF-Token is refused.
    let r = client.post(app.url("/api/v1/customers")).header("cookie", &s.cookie).send().await.unwrap();
    assert_eq!(r.status(), 403);

    // With the token from the page, sign-out ends the session.
    let page = s.get(&app.url("/")).await.text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = client.post(app.url("/signout")).header("cookie", &s.cookie).form(&[("csrf", csrf)]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(s.get(&app.url("/api/v1/overview")).await.status(), 401, "signed out");
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_failures_lock_the_login_for_a_while() {
    let book = sqlite_with_book(300).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let advisor = book.user(Role::Advisor);
    for attempt in 1..=access::MAX_FAILED_SIGN_INS {
        assert!(app.sign_in(&advisor.login, "wrong password!").await.is_none(), "attempt {attempt}");
    }
    // Locked: even the right password is refused now.
    assert!(app.sign_in(&advisor.login, &advisor.password).await.is_none());
    book.execute("UPDATE users SET locked_until = '2000-01-01T00:00:00+00:00'").await;
    assert!(app.sign_in(&advisor.login, &advisor.password).await.is_some(), "unlocked after the period");
    // Unknown logins get the same answer as wrong passwords.
    assert!(app.sign_in("nobody", "whatever password").await.is_none());
    let records = book.db.audit_records().await.unwrap();
    assert!(records.iter().any(|r| r.entry.action == "lockout"));
    assert!(records.iter().any(|r| r.entry.action == "sign_in"));
}

#[tokio::test(flavor = "multi_thread")]
async fn revealing_personal_data_is_explicit_allowed_per_role_and_audited() {
    let book = sqlite_with_book(5_200).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let base = app.url("");
    let sign_in = |role| {
        let u = book.user(role).clone();
        let app = &app;
        async move { app.sign_in(&u.login, &u.password).await.expect("signed in") }
    };
    let advisor = sign_in(Role::Advisor).await;
    let phone = serde_json::json!({ "field": "phone" });

    // The record shows the masked phone; revealing gives the full one, once audited.
    let record: serde_json::Value = advisor.get(&app.url("/api/v1/customers/7")).await.json().await.unwrap();
    let masked = record["phone"].as_str().unwrap().to_owned();
    let r = advisor.post_json(&base, "/api/v1/customers/7/reveal", &phone).await;
    assert_eq!(r.status(), 200);
    let revealed: serde_json::Value = r.json().await.unwrap();
    let full = revealed["value"].as_str().unwrap();
    assert_eq!(full.len(), 11);
    assert_eq!((&full[..3], &full[7..]), (&masked[..3], &masked[7..]));
    let reveals: Vec<_> =
        book.db.audit_records().await.unwrap().into_iter().filter(|r| r.entry.action == "reveal").collect();
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0].entry.entity_id, "7");
    assert!(reveals[0].entry.detail.contains("phone"));

    // Outside the scope: 404, and nothing recorded.
    let r = advisor.post_json(&base, "/api/v1/customers/5100/reveal", &phone).await;
    assert_eq!(r.status(), 404);
    // Roles that run the firm do not need it.
    let manager = sign_in(Role::Manager).await;
    assert_eq!(manager.post_json(&base, "/api/v1/customers/7/reveal", &phone).await.status(), 403);
    // The customer may see their own.
    let customer = sign_in(Role::Customer).await;
    let own = serde_json::json!({ "field": "national_id" });
    assert_eq!(customer.post_json(&base, "/api/v1/customers/1/reveal", &own).await.status(), 200);
    // Without the CSRF header the request is refused.
    let r = http()
        .post(app.url("/api/v1/customers/7/reveal"))
        .header("cookie", &advisor.cookie)
        .json(&phone)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let reveals = book.db.audit_records().await.unwrap().into_iter().filter(|r| r.entry.action == "reveal").count();
    assert_eq!(reveals, 2, "one per reveal that happened");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_advisors_book_moves_in_one_audited_step() {
    let book = sqlite_with_book(5_200).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let base = app.url("");
    let advisor_user = book.user(Role::Advisor).clone();
    let advisor = app.sign_in(&advisor_user.login, &advisor_user.password).await.unwrap();
    let manager_user = book.user(Role::Manager).clone();
    let manager = app.sign_in(&manager_user.login, &manager_user.password).await.unwrap();
    let first: serde_json::Value = advisor.get(&app.url("/api/v1/customers?per_page=1")).await.json().await.unwrap();
    let from = first["customers"][0]["advisor_id"].as_i64().unwrap();
    let to = from + 1; // the second advisor, same branch

    // The advisor's work queue: two tasks, one done.
    let first_customer = first["customers"][0]["id"].as_i64().unwrap();
    let mut task_ids = Vec::new();
    for title in ["Call about the drawdown", "Send the quarterly review"] {
        let task = serde_json::json!({ "customer_id": first_customer, "kind": "follow_up", "title": title,
            "due_at": "2026-11-25 10:00:00" });
        let r = advisor.post_json(&base, "/api/v1/tasks", &task).await;
        assert_eq!(r.status(), 201);
        task_ids.push(r.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let done = serde_json::json!({ "outcome": "sent by mail" });
    let r = advisor.post_json(&base, &format!("/api/v1/tasks/{}/done", task_ids[1]), &done).await;
    assert_eq!(r.status(), 204);

    // A reminder about the customer: it belongs to whoever serves them.
    let account: i64 = book
        .text(&format!("SELECT CAST(MIN(id) AS TEXT) FROM accounts WHERE customer_id = {first_customer}"))
        .await
        .parse()
        .unwrap();
    let made = book.db.now();
    let reminder = store::NewReminder {
        account_id: domain::AccountId(account),
        rule: "day_loss".into(),
        instrument: None,
        step: 1,
        measure: -500,
        figures: "{}".into(),
        text_zh: "当日亏损".into(),
        text_en: "Day loss".into(),
        rule_version: "test".into(),
        trading_day: made.date_naive(),
        created_at: made,
        deliver_at: made,
        care_task: None,
    };
    let ours = book.db.insert_reminders(&[reminder]).await.unwrap()[0].id;
    let reminders_of = |scope| {
        let db = book.db.clone();
        async move {
            let query = store::ReminderQuery { scope, delivered_only: false, after: None, limit: 100_000 };
            db.reminders(&query).await.unwrap().into_iter().any(|r| r.id == ours)
        }
    };
    let branch: i64 =
        book.text(&format!("SELECT CAST(branch_id AS TEXT) FROM staff WHERE id = {to}")).await.parse().unwrap();
    assert!(reminders_of(access::Scope::Advisor(domain::StaffId(from))).await);
    assert!(!reminders_of(access::Scope::Advisor(domain::StaffId(to))).await);

    // An advisor may not move books.
    let r =
        advisor.post_json(&base, &format!("/api/v1/advisors/{from}/handover"), &serde_json::json!({ "to": to })).await;
    assert_eq!(r.status(), 404);
    assert_eq!(total(&app, &advisor).await, 5_000);

    let r =
        manager.post_json(&base, &format!("/api/v1/advisors/{from}/handover"), &serde_json::json!({ "to": to })).await;
    assert_eq!(r.status(), 200);
    let moved: serde_json::Value = r.json().await.unwrap();
    assert_eq!(moved["customers"], 5_000);
    assert_eq!(moved["open_tasks"], 1, "the open task moves; the done one keeps who did it");
    assert_eq!(total(&app, &advisor).await, 0, "the old advisor's book is empty");
    let queue = book.db.tasks(access::Scope::Advisor(domain::StaffId(to)), true).await.unwrap();
    let owners: Vec<(i64, i64)> = queue.iter().map(|t| (t.id.0, t.advisor_id.0)).collect();
    assert_eq!(owners, vec![(task_ids[0], to), (task_ids[1], from)]);
    // The customer's reminder moved with them: the new advisor (and their branch) reads it, the old one not.
    assert!(!reminders_of(access::Scope::Advisor(domain::StaffId(from))).await);
    assert!(reminders_of(access::Scope::Advisor(domain::StaffId(to))).await);
    assert!(reminders_of(access::Scope::Branch(domain::BranchId(branch))).await);
    let handovers: Vec<_> =
        book.db.audit_records().await.unwrap().into_iter().filter(|r| r.entry.action == "handover").collect();
    assert_eq!(handovers.len(), 1);
    assert_eq!(handovers[0].entry.entity_id, from.to_string());
    assert_eq!(access::verify_chain(book.db.audit_records().await.unwrap()).map(|n| n > 0), Ok(true));

    let same =
        manager.post_json(&base, &format!("/api/v1/advisors/{to}/handover"), &serde_json::json!({ "to": to })).await;
    assert_eq!(same.status(), 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_work_queue_is_staff_only_and_scoped_to_the_customers_one_serves() {
    let book = sqlite_with_book(5_200).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let base = app.url("");
    let sign_in = |role| {
        let u = book.user(role).clone();
        let app = &app;
        async move { app.sign_in(&u.login, &u.password).await.expect("signed in") }
    };
    let advisor = sign_in(Role::Advisor).await;
    let task = |customer: i64| serde_json::json!({ "customer_id": customer, "kind": "care", "title": "Check in after the loss" });

    // Only for one's own customers; another advisor's customer is not found.
    assert_eq!(advisor.post_json(&base, "/api/v1/tasks", &task(7)).await.status(), 201);
    assert_eq!(advisor.post_json(&base, "/api/v1/tasks", &task(5_100)).await.status(), 404);
    let bad = serde_json::json!({ "customer_id": 7, "kind": "gossip", "title": "x" });
    let r = advisor.post_json(&base, "/api/v1/tasks", &bad).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("kind"));
    let compliance = sign_in(Role::Compliance).await;
    let r = compliance.post_json(&base, "/api/v1/tasks", &task(5_100)).await;
    assert_eq!(r.status(), 201);
    let other_id = r.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();

    // Each sees the tasks of the customers they serve.
    let mine: serde_json::Value = advisor.get(&app.url("/api/v1/tasks")).await.json().await.unwrap();
    let ids: Vec<i64> = mine.as_array().unwrap().iter().map(|t| t["customer_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![7]);
    let all: serde_json::Value = compliance.get(&app.url("/api/v1/tasks")).await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    // Another advisor's task cannot be completed: it is not there.
    let r = advisor
        .post_json(&base, &format!("/api/v1/tasks/{other_id}/done"), &serde_json::json!({ "outcome": "x" }))
        .await;
    assert_eq!(r.status(), 404);

    // Customers have no work queue.
    let customer = sign_in(Role::Customer).await;
    assert_eq!(customer.get(&app.url("/api/v1/tasks")).await.status(), 403);
    assert_eq!(customer.get(&app.url("/tasks")).await.status(), 403);

    // The page lists the advisor's task and completes it in place.
    let page = advisor.get(&app.url("/tasks?lang=en")).await.text().await.unwrap();
    assert!(page.contains("Check in after the loss") && !page.contains("task-2\""), "{page}");
    let row = advisor.post_form(&base, "/tasks/1/done?lang=en", &[("outcome", "called, calm now")]).await;
    assert_eq!(row.status(), 200);
    assert!(row.text().await.unwrap().contains("called, calm now"));
    let open: serde_json::Value = advisor.get(&app.url("/api/v1/tasks")).await.json().await.unwrap();
    assert_eq!(open.as_array().unwrap().len(), 0);
    let audited = book.db.audit_records().await.unwrap();
    assert_eq!(audited.iter().filter(|r| r.entry.action == "create_task").count(), 2);
    assert_eq!(audited.iter().filter(|r| r.entry.action == "complete_task").count(), 1);
}
