//! The JSON API and pages over a real generated book, served on 127.0.0.1:0.

use access::Role;
use serde_json::Value;
use test_support::{sqlite_with_book, unmasked_pii, Session, TestApp};

async fn get(app: &(TestApp, Session), path: &str) -> (u16, String) {
    let response = app.1.get(&app.0.url(path)).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn json(app: &(TestApp, Session), path: &str) -> (u16, Value) {
    let (status, body) = get(app, path).await;
    (status, serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path} answered non-JSON: {body}")))
}

#[tokio::test]
async fn api_pages_and_errors() {
    let book = sqlite_with_book(2_500).await;
    let server = TestApp::spawn(book.db.clone()).await;
    let compliance = book.user(Role::Compliance);
    let session = server.sign_in(&compliance.login, &compliance.password).await.expect("signed in");
    let app = (server, session);
    let mut responses = Vec::new();

    let (status, overview) = json(&app, "/api/v1/overview").await;
    assert_eq!(status, 200);
    assert_eq!(overview["customers"], 2500);
    assert_eq!(overview["advisors"], 1);
    let auc: f64 = overview["assets_under_custody"].as_str().unwrap().parse().unwrap();
    let cash: f64 = overview["cash"].as_str().unwrap().parse().unwrap();
    let mv: f64 = overview["market_value"].as_str().unwrap().parse().unwrap();
    assert!((auc - cash - mv).abs() < 0.01 && mv > 0.0);
    responses.push(overview.to_string());

    let (status, page) = json(&app, "/api/v1/customers?page=2&per_page=20").await;
    assert_eq!(status, 200);
    let ids: Vec<i64> = page["customers"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (21..=40).collect::<Vec<_>>());
    assert_eq!((page["total"].as_i64(), page["pages"].as_i64()), (Some(2500), Some(125)));
    let phone = page["customers"][0]["phone"].as_str().unwrap();
    assert!(phone.contains("****") && phone.len() == 11, "masked phone: {phone}");
    responses.push(page.to_string());

    let (_, search) = json(&app, "/api/v1/customers?q=%E7%8E%8B&per_page=200").await;
    let found = search["customers"].as_array().unwrap();
    assert!(!found.is_empty() && found.iter().all(|c| c["name"].as_str().unwrap().contains('王')));
    let (_, by_id) = json(&app, "/api/v1/customers?q=77").await;
    assert_eq!(by_id["customers"][0]["id"], 77);

    let (status, one) = json(&app, "/api/v1/customers/77").await;
    assert_eq!(status, 200);
    assert!(one["national_id"].as_str().unwrap().contains("********"));
    assert!(!one["positions"].as_array().unwrap().is_empty());
    responses.push(one.to_string());

    // Bad input: a 4xx naming the parameter, never a 500.
    for (path, status, field) in [
        ("/api/v1/customers?page=abc", 400, Some("page")),
        ("/api/v1/customers?page=0", 400, Some("page")),
        ("/api/v1/customers?per_page=500", 400, Some("per_page")),
        ("/api/v1/customers?advisor=-3", 400, Some("advisor")),
        ("/api/v1/customers/abc", 400, Some("id")),
        ("/api/v1/customers/99999999", 404, None),
    ] {
        let (got, body) = json(&app, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
        assert_eq!(body["field"].as_str(), field, "{path}");
    }

    // Every path in the OpenAPI document answers, without a server error.
    let (status, doc) = json(&app, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let paths: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    for p in ["/overview", "/customers", "/customers/{id}"] {
        assert!(paths.iter().any(|x| x == p), "{p} documented");
    }
    for p in &paths {
        let (status, body) = get(&app, &format!("/api/v1{}", p.replace("{id}", "5"))).await;
        assert!(status < 500, "{p} answered {status}");
        responses.push(body);
    }

    // Pages in both languages.
    for (path, must_contain) in [
        ("/?lang=zh", "托管资产"),
        ("/?lang=en", "Assets under custody"),
        ("/customers?lang=zh&page=3", "第 3 页"),
        ("/customers?lang=en&q=%E7%8E%8B", "customers"),
        ("/customers/77?lang=en", "National ID"),
    ] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(must_contain), "{path} shows {must_contain}");
        responses.push(body);
    }
    let (status, _) = get(&app, "/customers/99999999").await;
    assert_eq!(status, 404);
    let (status, body) = get(&app, "/customers?page=-1").await;
    assert_eq!(status, 400);
    assert!(body.contains("page"));

    for body in &responses {
        assert_eq!(unmasked_pii(body), None, "unmasked personal data in a response");
    }
}
