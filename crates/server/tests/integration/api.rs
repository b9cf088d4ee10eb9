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

    let (_, first) = json(&app, "/api/v1/customers?per_page=20").await;
    let next = first["next"].as_str().expect("a next page").to_owned();
    let (status, page) = json(&app, &format!("/api/v1/customers?per_page=20&after={next}")).await;
    assert_eq!(status, 200);
    let ids: Vec<i64> = page["customers"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (21..=40).collect::<Vec<_>>());
    assert_eq!((page["total"].as_i64(), page["total_exact"].as_bool()), (Some(2500), Some(true)));
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
    for (path, status, code, field) in [
        ("/api/v1/customers?after=abc", 400, "not_a_number", Some("after")),
        ("/api/v1/customers?sort=name", 400, "not_one_of", Some("sort")),
        ("/api/v1/customers?per_page=500", 400, "out_of_range", Some("per_page")),
        ("/api/v1/customers?advisor=-3", 400, "out_of_range", Some("advisor")),
        ("/api/v1/customers/abc", 400, "not_a_number", Some("id")),
        ("/api/v1/customers/99999999", 404, "customer_not_found", None),
    ] {
        let (got, body) = json(&app, path).await;
        assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{path}: {body}");
        assert!(body["message"].as_str().is_some_and(|e| !e.is_empty()));
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
        ("/customers?lang=zh&after=100.100&sort=id", "下一页"),
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
    let (status, body) = get(&app, "/customers?dir=sideways").await;
    assert_eq!(status, 400);
    assert!(body.contains("dir"));
    // A typed parameter of the wrong type is a page in the reader's language, not plain text.
    let (status, body) = get(&app, "/reminders/volume?days=many&lang=en").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("<html lang=\"en\"") && body.contains("days"), "{body}");

    for body in &responses {
        assert_eq!(unmasked_pii(body), None, "unmasked personal data in a response");
    }
}

/// The statuses the OpenAPI document lists for one operation.
fn documented(doc: &Value, path: &str, method: &str) -> Vec<String> {
    doc["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} documented"))
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_unreadable_body_or_query_gets_the_api_json_error_it_is_documented_to() {
    let book = sqlite_with_book(200).await;
    let server = TestApp::spawn(book.db.clone()).await;
    let advisor = book.user(Role::Advisor);
    let session = server.sign_in(&advisor.login, &advisor.password).await.expect("signed in");
    let app = (server, session);
    let (base, session) = (app.0.url(""), &app.1);
    let (_, doc) = json(&app, "/api/v1/openapi.json").await;
    let create = documented(&doc, "/groups", "post");

    // (content type, body, status, code, words the message must hold)
    for (content_type, body, status, code, words) in [
        ("application/x-www-form-urlencoded", "name=Morning", 415, "json_required", "application/json"),
        ("application/json", "{\"name\": ", 400, "body_unreadable", "EOF"),
        ("application/json", "{\"description\": \"no name\"}", 400, "body_unreadable", "missing field `name`"),
        ("application/json", "{\"name\": \"Morning\", \"capacity\": \"many\"}", 400, "body_unreadable", "capacity"),
    ] {
        let response = session.post_raw(&base, "/api/v1/groups", content_type, body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("application/json"), "{body}: answered {kind}");
        let error: Value = response.json().await.unwrap();
        assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some(code), Some("body")), "{error}");
        assert!(error["message"].as_str().unwrap().contains(words), "{body}: {error}");
        assert!(create.contains(&status.to_string()), "{status} is documented for POST /groups: {create:?}");
    }
    // A good body still makes the group.
    let made = session.post_raw(&base, "/api/v1/groups", "application/json", "{\"name\": \"Morning\"}").await;
    assert_eq!(made.status().as_u16(), 201);

    for (path, words) in
        [("/api/v1/tasks?done=maybe", "done"), ("/api/v1/reminders?limit=99999999999999999999", "limit")]
    {
        let (status, error) = json(&app, path).await;
        assert_eq!(
            (status, error["code"].as_str(), error["field"].as_str()),
            (400, Some("query_unreadable"), Some("query")),
            "{path}: {error}"
        );
        assert!(error["message"].as_str().unwrap().contains(words), "{path}: {error}");
    }
}

#[tokio::test]
async fn the_openapi_document_declares_every_parameter_and_error() {
    let book = sqlite_with_book(50).await;
    let server = TestApp::spawn(book.db.clone()).await;
    let admin = book.user(Role::Admin);
    let session = server.sign_in(&admin.login, &admin.password).await.expect("signed in");
    let (_, doc) = json(&(server, session), "/api/v1/openapi.json").await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let in_path: Vec<&str> =
            path.split('{').skip(1).filter_map(|p| p.split_once('}')).map(|(name, _)| name).collect();
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let declared: Vec<&str> = operation["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for name in &in_path {
                assert!(declared.contains(name), "{method} {path} declares its path parameter {name}");
            }
            let statuses = documented(&doc, path, method);
            // No session (or token), the CSRF check of a POST, an id that does not parse.
            let mut owed = vec!["401"];
            if method == "post" && !path.starts_with("/feeds") {
                owed.push("403");
            }
            if !in_path.is_empty() {
                owed.push("400");
            }
            if operation["requestBody"]["content"]["application/json"].is_object() {
                owed.extend(["400", "415"]);
            }
            for status in owed {
                assert!(statuses.iter().any(|s| s == status), "{method} {path} documents {status}: {statuses:?}");
            }
            // Every schema an answer names is in the document.
            for reference in operation.to_string().split("\"$ref\":\"#/components/schemas/").skip(1) {
                let name = reference.split('"').next().unwrap();
                assert!(schemas.contains_key(name), "{method} {path} names the schema {name}");
            }
        }
    }
    assert!(operations > 50, "{operations} operations");
    // Constraints the server enforces are stated, so that a client can check before it sends.
    let text = &schemas["SendMessage"]["properties"]["text"];
    assert_eq!((text["minLength"].as_i64(), text["maxLength"].as_i64()), (Some(1), Some(2000)), "{text}");
    let code = doc["paths"]["/instruments/{code}"]["get"]["parameters"][0]["schema"]["pattern"].as_str();
    assert!(code.is_some_and(|p| p.contains("[0-9]{6}")), "{code:?}");
}
