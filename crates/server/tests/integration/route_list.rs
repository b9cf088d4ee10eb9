//! One list of routes: the API's router and its OpenAPI document are built
//! from the same list, so every documented operation is served, no method
//! is served that is not documented, and every error code a route answers
//! is one its document names under that status.

use access::Role;
use serde_json::Value;
use std::collections::HashSet;
use test_support::{sqlite_with_firm, TestApp};

/// A documented path with its placeholders filled: `good` with ids that
/// exist in the book (customer 2, the demo advisor's), else with junk.
fn fill(path: &str, good: bool) -> String {
    let mut url = path.replace("{code}", if good { "600519.SH" } else { "600519" }).replace("{file}", "logins");
    for placeholder in ["{id}", "{group}", "{message}", "{action}", "{report}", "{item}", "{application}", "{customer}"]
    {
        url = url.replace(placeholder, if good { "2" } else { "abc" });
    }
    url.replace("{token}", "none").replace("{question}", "1")
}

/// The codes the document names for an operation, by status.
fn documented(doc: &Value, path: &str, method: &str) -> Vec<(u16, String)> {
    let relative = path.strip_prefix(server::API_BASE).unwrap();
    let responses = doc["paths"][relative][method]["responses"].as_object().cloned().unwrap_or_default();
    let mut codes = Vec::new();
    for (status, response) in responses {
        for code in response["x-error-codes"].as_array().into_iter().flatten() {
            codes.push((status.parse().unwrap(), code.as_str().unwrap().to_owned()));
        }
    }
    codes
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_is_served_as_documented_and_answers_only_documented_codes() {
    // The API module builds its router from routes!() alone: nothing is served beside the list.
    let api_module = include_str!("../../src/api/mod.rs");
    assert!(!api_module.contains(".route("), "an API route outside the documented list");

    let book = sqlite_with_firm(200, 100).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let doc: Value = serde_json::to_value(server::openapi()).unwrap();
    let operations = server::api_operations();
    assert!(operations.len() > 50, "{}", operations.len());
    let documented_paths: HashSet<&String> = operations.iter().map(|(_, p)| p).collect();

    let mut answered = 0;
    for role in Role::ALL {
        let user = book.user(role);
        let session = app.sign_in(&user.login, &user.password).await.unwrap();
        for (method, path) in &operations {
            for good in [true, false] {
                let url = fill(path, good);
                let response = if method == "get" {
                    session.get(&app.url(&url)).await
                } else {
                    session.post_json(&app.url(""), &url, &serde_json::json!({})).await
                };
                let status = response.status().as_u16();
                assert_ne!(status, 405, "{role} {method} {url}: documented but not served");
                let body: Value = response.json().await.unwrap_or(Value::Null);
                if status < 400 {
                    continue;
                }
                let code = body["code"].as_str().unwrap_or_else(|| panic!("{role} {method} {url}: {status} {body}"));
                assert_ne!(code, "no_such_route", "{role} {method} {url}: documented but not served");
                let named = documented(&doc, path, method);
                assert!(
                    named.iter().any(|(s, c)| *s == status && c == code),
                    "{role} {method} {url} answered {status} {code}, which its document does not name: {named:?}"
                );
                answered += 1;
            }
        }
    }
    assert!(answered > 200, "{answered} error answers checked");

    // A method a path does not document is not served.
    let admin = book.user(Role::Admin);
    let session = app.sign_in(&admin.login, &admin.password).await.unwrap();
    let feeds = server::feed_paths();
    // (A feed checks its token before its method: without one it answers 401 to anything.)
    for path in documented_paths.into_iter().filter(|p| !feeds.contains(p)) {
        let methods: Vec<&str> = operations.iter().filter(|(_, p)| p == path).map(|(m, _)| m.as_str()).collect();
        let url = fill(path, true);
        if !methods.contains(&"get") {
            assert_eq!(session.get(&app.url(&url)).await.status().as_u16(), 405, "GET {url} is not documented");
        }
        if !methods.contains(&"post") {
            let r = session.post_json(&app.url(""), &url, &serde_json::json!({})).await;
            assert_eq!(r.status().as_u16(), 405, "POST {url} is not documented");
        }
    }
    // And a path that is nowhere in the list answers the one error shape.
    let nowhere: Value = session.get(&app.url("/api/v1/no-such-thing")).await.json().await.unwrap();
    assert_eq!(nowhere["code"], "no_such_route");
}
