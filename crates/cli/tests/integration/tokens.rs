//! `brokerdesk tokens add / list / revoke`: the operator's way to give a
//! back-office system a feed, and to take it away.

use std::process::Command;

fn tokens(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk")).arg("tokens").args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_made_on_the_command_line_opens_its_feed_until_revoked() {
    let t = test_support::sqlite_with_book(50).await;
    let app = test_support::TestApp::spawn(t.db.clone()).await;
    let (ok, out) = tokens(&["add", "--db", &t.url, "--name", "crm sync", "--scope", "events"]);
    assert!(ok, "{out}");
    let token = out.split_whitespace().find(|w| w.starts_with("bdt_")).expect("the token is printed").to_owned();
    let (ok, listed) = tokens(&["list", "--db", &t.url]);
    assert!(ok && listed.contains("crm sync") && listed.contains("live") && !listed.contains(&token), "{listed}");

    let send = || {
        test_support::http()
            .post(app.url("/api/v1/feeds/events"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "events": [
                { "type": "login", "id": 800000001, "customer_id": 1, "time": "2026-11-21T08:00:00+08:00", "channel": "app" }
            ]}))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    let (ok, out) = tokens(&["revoke", "--db", &t.url, "--id", "1"]);
    assert!(ok, "{out}");
    assert_eq!(send().await.unwrap().status(), 401);
    let (ok, out) = tokens(&["revoke", "--db", &t.url, "--id", "1"]);
    assert!(!ok && out.contains("no live token 1"), "{out}");
    let (ok, out) = tokens(&["add", "--db", &t.url, "--name", "x", "--scope", "everything"]);
    assert!(!ok && out.contains("import, events or points"), "{out}");
}
