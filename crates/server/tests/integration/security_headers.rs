//! Every route of the router's tables (behind a session, the feeds, and the
//! open ones), and a path that is none of them, answers with the headers a
//! security review checks first: the Content-Security-Policy, nosniff, the
//! referrer policy, no caching of anything but static assets, and HSTS
//! exactly when a TLS proxy says the request came over https.

use access::Role;
use test_support::{http, sqlite_with_firm, TestApp};

/// The placeholders of every route, filled with ids that exist in the book
/// or at least parse (a 404 must carry the headers as well as a 200).
fn fill(path: &str) -> String {
    let mut url = path.replace("{code}", "600519.SH").replace("{file}", "logins");
    for placeholder in ["{id}", "{group}", "{message}", "{action}", "{report}", "{item}", "{application}"] {
        url = url.replace(placeholder, "2");
    }
    url.replace("{token}", "none").replace("{customer}", "2").replace("{question}", "1")
}

/// Checks the headers of one answer; `asset` answers may be cached, no other may.
fn check(what: &str, response: &reqwest::Response, asset: bool, tls: bool) {
    let h = response.headers();
    let header = |name: &str| h.get(name).map(|v| v.to_str().unwrap().to_owned());
    let csp = header("content-security-policy").unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: {directive} missing from {csp}");
    }
    assert!(csp.contains("style-src 'self' 'sha256-"), "{what}: styles from the server (and the chart's logo)");
    assert!(!csp.contains("unsafe"), "{what}: {csp}");
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{what}");
    assert_eq!(header("referrer-policy").as_deref(), Some("same-origin"), "{what}");
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{what}");
    let cache = header("cache-control").unwrap_or_default();
    if asset {
        assert!(cache.starts_with("public"), "{what}: a static asset is cached: {cache}");
    } else {
        assert_eq!(cache, "no-store", "{what}");
    }
    let hsts = header("strict-transport-security");
    if tls {
        assert_eq!(hsts.as_deref(), Some("max-age=31536000"), "{what} behind TLS");
    } else {
        assert_eq!(hsts, None, "{what}: HSTS only over https");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_answers_with_the_security_headers() {
    let book = sqlite_with_firm(200, 100).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let admin = book.user(Role::Admin);
    let session = app.sign_in(&admin.login, &admin.password).await.unwrap();
    let csrf: serde_json::Value = session.get(&app.url("/api/v1/session")).await.json().await.unwrap();
    let csrf = csrf["csrf"].as_str().unwrap().to_owned();
    let client = http();

    let protected = server::protected_paths();
    let feeds = server::feed_paths();
    let public: Vec<String> = server::public_paths().into_iter().map(str::to_owned).collect();
    assert!(public.iter().any(|p| p.ends_with(".css")) && public.contains(&"/signin".to_owned()), "{public:?}");
    let mut checked = 0;
    for tls in [false, true] {
        let proto = if tls { "https" } else { "http" };
        let nowhere = ["/no/such/page".to_owned()];
        for path in protected.iter().chain(&feeds).chain(&public).chain(&nowhere) {
            let url = app.url(&fill(path));
            let asset = path.starts_with("/assets/");
            let feed = feeds.contains(path);
            // Signed in (feeds: with no token, a 401), and signed out (a 401 or a redirect).
            let get = |signed_in: bool| {
                let request = if feed { client.post(&url).body("id\n") } else { client.get(&url) };
                let request = request.header("x-forwarded-proto", proto);
                if signed_in {
                    request.header("cookie", &session.cookie)
                } else {
                    request
                }
            };
            for signed_in in [true, false] {
                let response = get(signed_in).send().await.unwrap();
                let status = response.status().as_u16();
                assert!(status < 500, "{path}: {status}");
                check(&format!("GET {url} (signed in: {signed_in})"), &response, asset, tls);
                checked += 1;
                // (Signing out would end the session the rest is read with.)
                if status == 405 && signed_in && path != "/signout" {
                    // A POST route: its refusal of an empty body carries the headers too.
                    let response = client
                        .post(&url)
                        .header("cookie", &session.cookie)
                        .header("x-csrf-token", &csrf)
                        .header("x-forwarded-proto", proto)
                        .json(&serde_json::json!({}))
                        .send()
                        .await
                        .unwrap();
                    assert!(response.status().as_u16() < 500, "POST {path}: {}", response.status());
                    check(&format!("POST {url}"), &response, false, tls);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 4 * (protected.len() + feeds.len() + public.len()), "{checked} answers checked");
}
