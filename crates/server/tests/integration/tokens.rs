//! API tokens for machine feeds: made by an admin and shown once, stored as a
//! digest, limited to one scope, revocable; feeds reject bad rows and load good ones.

use access::Role;
use serde_json::{json, Value};
use test_support::{http, sqlite_with_book, TestApp};

/// Ids above any the generated book uses.
const NEW_ID: i64 = 900_000_000;

async fn feed(app: &TestApp, path: &str, token: Option<&str>, body: reqwest::Body) -> reqwest::Response {
    let mut request = http().post(app.url(path)).body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_shown_once_scoped_revocable_and_feed_the_book() {
    let book = sqlite_with_book(300).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let base = app.url("");
    let admin_user = book.user(Role::Admin);
    let admin = app.sign_in(&admin_user.login, &admin_user.password).await.unwrap();
    let advisor_user = book.user(Role::Advisor);
    let advisor = app.sign_in(&advisor_user.login, &advisor_user.password).await.unwrap();

    // Only an admin makes tokens; a bad name or scope is a 4xx, not a token.
    let r = advisor.post_json(&base, "/api/v1/tokens", &json!({ "name": "x", "scope": "import" })).await;
    assert_eq!(r.status(), 403);
    assert_eq!(advisor.get(&app.url("/api/v1/tokens")).await.status(), 403);
    let r = admin.post_json(&base, "/api/v1/tokens", &json!({ "name": " ", "scope": "import" })).await;
    assert_eq!(r.status(), 400);
    let r = admin.post_json(&base, "/api/v1/tokens", &json!({ "name": "x", "scope": "admin" })).await;
    assert!(r.status().is_client_error());

    let make = |name: &'static str, scope: &'static str| {
        let admin = &admin;
        let base = &base;
        async move {
            let r = admin.post_json(base, "/api/v1/tokens", &json!({ "name": name, "scope": scope })).await;
            assert_eq!(r.status(), 201);
            let created: Value = r.json().await.unwrap();
            (created["id"].as_i64().unwrap(), created["token"].as_str().unwrap().to_owned())
        }
    };
    let (import_id, import_token) = make("back office book", "import").await;
    let (_, events_token) = make("login events", "events").await;
    assert!(import_token.starts_with("bdt_"));

    // Listed without the secret; stored only as a digest.
    let listed = admin.get(&app.url("/api/v1/tokens")).await.text().await.unwrap();
    assert!(listed.contains("back office book") && !listed.contains(&import_token), "{listed}");
    let stored = book.text("SELECT group_concat(token_digest || name || scope, ' ') FROM api_tokens").await;
    assert!(!stored.contains(&import_token[4..]), "the token itself is not stored");
    assert!(stored.contains(&access::secret_digest(&import_token)));

    // No token, a session, a made-up token, or the wrong scope: refused.
    let csv = |text: &str| reqwest::Body::from(text.to_owned());
    let logins = format!(
        "id,customer_id,time,channel\n{a},1,2026-11-20T09:31:00+08:00,app\n{b},2,2026-11-20 09:32:00,web\n{c},999999,2026-11-20T09:33:00+08:00,app\n",
        a = NEW_ID,
        b = NEW_ID + 1,
        c = NEW_ID + 2
    );
    assert_eq!(feed(&app, "/api/v1/feeds/import/logins", None, csv(&logins)).await.status(), 401);
    let with_session = http()
        .post(app.url("/api/v1/feeds/import/logins"))
        .header("cookie", &admin.cookie)
        .body(logins.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(with_session.status(), 401, "a session does not open a feed");
    let made_up = format!("bdt_{}", "0".repeat(64));
    assert_eq!(feed(&app, "/api/v1/feeds/import/logins", Some(&made_up), csv(&logins)).await.status(), 401);
    let r = feed(&app, "/api/v1/feeds/import/logins", Some(&events_token), csv(&logins)).await;
    assert_eq!(r.status(), 403);
    // A token opens no page or API call meant for people.
    let r = http().get(app.url("/api/v1/overview")).bearer_auth(&import_token).send().await.unwrap();
    assert_eq!(r.status(), 401);

    // The import feed: good rows load, the bad one is reported by line and column.
    let r = feed(&app, "/api/v1/feeds/import/logins", Some(&import_token), csv(&logins)).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    let file = &report["files"][0];
    assert_eq!(
        (file["file"].as_str(), file["loaded"].as_u64(), file["rejected"].as_u64()),
        (Some("logins.csv"), Some(2), Some(1))
    );
    assert_eq!(file["rejects"][0]["at"], 4);
    assert_eq!(file["rejects"][0]["column"], "customer_id");
    // Sent again: nothing loads twice.
    let again: Value =
        feed(&app, "/api/v1/feeds/import/logins.csv", Some(&import_token), csv(&logins)).await.json().await.unwrap();
    assert_eq!(
        (again["files"][0]["loaded"].as_u64(), again["files"][0]["already_present"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(feed(&app, "/api/v1/feeds/import/passwords", Some(&import_token), csv("x")).await.status(), 404);

    // The events feed: each event checked like a row, rejects named by index.
    let account: i64 = book.text("SELECT CAST(MIN(id) AS TEXT) FROM accounts").await.parse().unwrap();
    let events = json!({ "events": [
        { "type": "login", "id": NEW_ID + 10, "customer_id": 3, "time": "2026-11-21T08:00:00+08:00", "channel": "pc" },
        { "type": "trade", "id": NEW_ID + 11, "account_id": account, "instrument": "999999.SH", "side": "buy",
          "quantity": 100, "price": "10.00", "fee": "5", "time": "2026-11-21 10:00:00" },
        { "type": "quote", "code": "600519.SH" },
        { "type": "login", "id": NEW_ID + 12, "customer_id": 3, "time": "2026-11-21T08:00:00+08:00", "channel": "app", "phone": "x" },
        { "type": "service_event", "id": NEW_ID + 13, "customer_id": 3, "staff_id": null, "kind": "call", "time": "2026-11-21T08:05:00+08:00" },
        "not an object"
    ]});
    let r = http().post(app.url("/api/v1/feeds/events")).bearer_auth(&events_token).json(&events).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    let rejected: Vec<(u64, String)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["rejects"].as_array().unwrap().clone())
        .chain(report["rejects"].as_array().unwrap().clone())
        .map(|r| (r["at"].as_u64().unwrap(), r["column"].as_str().unwrap().to_owned()))
        .collect();
    let mut rejected = rejected;
    rejected.sort();
    assert_eq!(
        rejected,
        vec![(1, "instrument".into()), (2, "type".into()), (3, "phone".into()), (5, String::new())],
        "{report}"
    );
    let loaded: u64 = report["files"].as_array().unwrap().iter().map(|f| f["loaded"].as_u64().unwrap()).sum();
    assert_eq!(loaded, 2, "the login and the service event are stored: {report}");
    let r = http().post(app.url("/api/v1/feeds/events")).bearer_auth(&import_token).json(&events).send().await.unwrap();
    assert_eq!(r.status(), 403, "an import token sends no events");

    // Revoked: refused at once; revoking twice finds nothing.
    let revoke = format!("/api/v1/tokens/{import_id}/revoke");
    assert_eq!(advisor.post_json(&base, &revoke, &json!({})).await.status(), 403);
    assert_eq!(admin.post_json(&base, &revoke, &json!({})).await.status(), 204);
    assert_eq!(feed(&app, "/api/v1/feeds/import/logins", Some(&import_token), csv(&logins)).await.status(), 401);
    assert_eq!(admin.post_json(&base, &revoke, &json!({})).await.status(), 404);

    // Every step is in the audit trail, feeds under the token's name.
    let records = book.db.audit_records().await.unwrap();
    let actions: Vec<(&str, &str)> =
        records.iter().map(|r| (r.entry.action.as_str(), r.entry.actor.as_str())).collect();
    assert_eq!(actions.iter().filter(|a| a.0 == "create_api_token").count(), 2);
    assert_eq!(actions.iter().filter(|a| a.0 == "revoke_api_token").count(), 1);
    assert!(actions.contains(&("import", &format!("token:{import_id}:back office book"))), "{actions:?}");
}
