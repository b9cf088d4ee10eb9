//! `brokerdesk demo` on a fresh directory: generates, loads, serves, prints the URL.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn demo_serves_the_generated_brokerage() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["demo", "--customers", "3000", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        // The most talkative level: even then, no personal data in the logs.
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("demo.log")).unwrap())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        printed.push(line.clone());
        if line.contains("serving on") {
            break;
        }
    }
    let url_line = printed.last().cloned().unwrap_or_default();
    assert!(url_line.contains(&format!("http://127.0.0.1:{port}/")), "demo prints its URL: {printed:?}");
    assert!(dir.path().join("brokerdesk-demo.db").exists());

    // This week's plan for the demo advisor, split 60/30/10 to within one contact.
    let plan = printed.iter().find(|l| l.starts_with("Weekly plan of")).expect("the demo prints a weekly plan");
    let numbers: Vec<u32> = plan
        .split(": ")
        .nth(1)
        .into_iter()
        .chain(plan.split(": ").nth(2))
        .flat_map(|part| part.split([' ', ',']).filter_map(|w| w.parse().ok()).collect::<Vec<u32>>())
        .collect();
    let [contacts, core, maintaining, precipitating] = numbers[..] else { panic!("{plan}: {numbers:?}") };
    assert_eq!(contacts, 80, "20 contact hours at 15 minutes: {plan}");
    assert_eq!(core + maintaining + precipitating, contacts, "{plan}");
    for (planned, percent) in [(core, 60), (maintaining, 30), (precipitating, 10)] {
        assert!((f64::from(planned) - f64::from(contacts * percent) / 100.0).abs() <= 1.0, "{plan}");
    }

    // The demo prints one sign-in per role; use compliance's.
    for role in ["admin", "compliance", "manager", "advisor", "customer"] {
        assert!(printed.iter().any(|l| l.trim_start().starts_with(role)), "{role} sign-in printed: {printed:?}");
    }
    let line = printed.iter().find(|l| l.trim_start().starts_with("compliance")).expect("compliance sign-in");
    let words: Vec<&str> = line.split_whitespace().collect();
    let (login, password) = (words[2], words[4]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (body, revealed) = rt.block_on(async {
        let base = format!("http://127.0.0.1:{port}");
        let session = test_support::sign_in_at(&base, login, password).await.expect("the printed sign-in works");
        let body = session.get(&format!("{base}/api/v1/overview")).await.json::<serde_json::Value>().await.unwrap();
        // The demo's group: a pinned welcome, a breach in the moderation log, published content.
        let chat =
            printed.iter().find(|l| l.starts_with("Group chat of the advisor")).expect("the demo prints its group");
        let group = chat.split("/groups/").nth(1).unwrap().split(' ').next().unwrap();
        let get = |path: String| {
            let session = session.clone();
            async move { session.get(&path).await.json::<serde_json::Value>().await.unwrap() }
        };
        assert_eq!(get(format!("{base}/api/v1/groups/{group}")).await["pinned"].as_array().unwrap().len(), 1);
        let log = get(format!("{base}/api/v1/groups/{group}/moderation")).await;
        assert_eq!(log["actions"][0]["violation"], "guaranteed_returns", "{log}");
        let history = get(format!("{base}/api/v1/groups/{group}/messages")).await.to_string();
        assert!(history.contains("Licence No.") && history.contains("不构成投资建议"), "{history}");
        assert!(!history.contains("保本稳赚"), "the breach never reached the group");
        // Both rungs of the advisory ladder are on sale; the demo customer has taken the
        // questionnaire and their page recommends suitable products.
        let products = get(format!("{base}/api/v1/products")).await;
        let ladders: Vec<&str> = products.as_array().unwrap().iter().filter_map(|p| p["ladder"].as_str()).collect();
        assert!(ladders.contains(&"beginner") && ladders.contains(&"professional"), "{products}");
        let line = printed.iter().find(|l| l.trim_start().starts_with("customer")).expect("customer sign-in");
        let words: Vec<&str> = line.split_whitespace().collect();
        let customer = test_support::sign_in_at(&base, words[2], words[4]).await.expect("the customer signs in");
        let own = customer.get(&format!("{base}/api/v1/customers")).await.json::<serde_json::Value>().await.unwrap();
        let me = own["customers"][0]["id"].as_i64().expect("the customer's own row");
        let suitability = customer
            .get(&format!("{base}/api/v1/customers/{me}/suitability"))
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(suitability["profile"]["assessment"]["class"], "C3", "{suitability}");
        assert!(!suitability["recommendations"].as_array().unwrap().is_empty(), "{suitability}");
        let page = customer.get(&format!("{base}/customers/{me}")).await.text().await.unwrap();
        assert!(page.contains("class=\"recommendation\""), "recommendations on the customer page");
        // Ideas with track records, ranked by source; a model portfolio the customer follows.
        let ideas = customer.get(&format!("{base}/api/v1/ideas")).await.json::<serde_json::Value>().await.unwrap();
        let tracked = ideas.as_array().unwrap().iter().filter(|i| !i["track"].is_null()).count();
        assert!(tracked >= 10, "ideas with track records: {ideas}");
        let ranking =
            customer.get(&format!("{base}/api/v1/ideas/ranking")).await.json::<serde_json::Value>().await.unwrap();
        let kinds: Vec<&str> =
            ranking["overall"].as_array().unwrap().iter().filter_map(|r| r["from"]["kind"].as_str()).collect();
        assert!(kinds.contains(&"research") && kinds.contains(&"advisor") && kinds.len() >= 3, "{ranking}");
        let portfolios =
            customer.get(&format!("{base}/api/v1/portfolios")).await.json::<serde_json::Value>().await.unwrap();
        let portfolio = &portfolios[0];
        assert!(portfolio["followers"].as_i64().unwrap() >= 5, "{portfolios}");
        let view = customer
            .get(&format!("{base}/api/v1/portfolios/{}", portfolio["id"]))
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(view["following"], true, "the demo customer follows it");
        assert!(!view["performance"]["excess_pct"].is_null(), "its record against the benchmark: {view}");
        assert_eq!(view["rebalances"].as_array().unwrap().len(), 2);
        assert!(view["product_id"].is_i64(), "it backs the professional advisory product: {view}");
        // The customer's orders: a STAR ticket the lot rule blocked, a working buy, a stop-loss waiting.
        let orders = customer.get(&format!("{base}/api/v1/orders")).await.json::<serde_json::Value>().await.unwrap();
        let statuses: Vec<&str> = orders.as_array().unwrap().iter().filter_map(|o| o["status"].as_str()).collect();
        assert!(statuses.contains(&"blocked") && statuses.contains(&"working"), "{orders}");
        let waiting =
            customer.get(&format!("{base}/api/v1/conditional-orders")).await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(waiting[0]["kind"], "stop_loss", "{waiting}");
        // Points (issue 27): a history earned from the book, a tier, an invite link, a red envelope to open.
        let points = customer
            .get(&format!("{base}/api/v1/customers/{me}/points"))
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap();
        assert!(points["balance"].as_i64().unwrap() > 0, "{points}");
        let page = customer.get(&format!("{base}/points?lang=en")).await.text().await.unwrap();
        assert!(
            page.contains("id=\"tier-name\"") && page.contains("/invite/"),
            "the points page shows tier and invite"
        );
        let envelope = printed.iter().find(|l| l.contains("a red envelope of")).expect("the demo prints its envelope");
        let id = envelope.rsplit("open envelope ").next().unwrap().trim_end_matches(')');
        let opened =
            customer.post_json(&base, &format!("/api/v1/red-envelopes/{id}/open"), &serde_json::json!({})).await;
        assert_eq!(opened.status(), 200, "the customer opens the group's envelope");
        // Analytics (issue 28): the book's month's TUV printed, the page drawn for staff.
        let tuv = printed.iter().find(|l| l.starts_with("Analytics: TUV of")).expect("the demo prints its TUV");
        assert!(tuv.contains("/analytics") && tuv.contains("/map"), "{tuv}");
        let page = session.get(&format!("{base}/analytics?lang=zh")).await.text().await.unwrap();
        assert!(
            page.contains("id=\"tuv-waterfall\"") && page.contains("table class=\"advisors\""),
            "the analytics page"
        );
        // Service (issue 29): the customer's answered complaint, their conversation, the suggestions board.
        let service = printed.iter().find(|l| l.starts_with("Service:")).expect("the demo prints its service records");
        let ticket = service.split("/service/tickets/").nth(1).unwrap().split(' ').next().unwrap();
        let seen =
            customer.get(&format!("{base}/api/v1/tickets/{ticket}")).await.json::<serde_json::Value>().await.unwrap();
        let kinds: Vec<&str> = seen["events"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
        assert_eq!(kinds, ["filed", "reply"], "answered by the advisor: {seen}");
        let board = customer.get(&format!("{base}/api/v1/feedback")).await.json::<serde_json::Value>().await.unwrap();
        assert!(board[0]["votes"].as_i64().unwrap() >= 1, "{board}");
        let talks =
            customer.get(&format!("{base}/api/v1/conversations")).await.json::<serde_json::Value>().await.unwrap();
        assert_eq!(talks.as_array().unwrap().len(), 1, "{talks}");
        // Reveal personal data and search by it: the work most likely to leak into logs.
        let mut revealed = Vec::new();
        for field in ["phone", "national_id"] {
            let r =
                session.post_json(&base, "/api/v1/customers/5/reveal", &serde_json::json!({ "field": field })).await;
            let value = r.json::<serde_json::Value>().await.unwrap()["value"].as_str().unwrap().to_owned();
            let found = session.get(&format!("{base}/api/v1/customers?q={value}")).await.text().await.unwrap();
            assert!(found.contains("\"id\":5"), "exact search by {field}: {found}");
            session.get(&format!("{base}/customers?q={value}")).await;
            session.get(&format!("{base}/customers/5")).await;
            revealed.push(value);
        }
        (body, revealed)
    });
    // The demo prints a replay command with a feed token; it works.
    let replay = printed.iter().find(|l| l.contains("replay --url")).expect("a replay command is printed");
    let token = replay.split_whitespace().skip_while(|w| *w != "--token").nth(1).expect("its token");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args([
            "replay",
            "--speed",
            "0",
            "--points",
            "4",
            "--url",
            &format!("http://127.0.0.1:{port}"),
            "--token",
            token,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The replayed day went through the position watch: reminders were made and stored.
    let made = {
        let path = dir.path().join("brokerdesk-demo.db");
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let db = store::Db::open(path.to_str().unwrap()).await.unwrap();
            let q = store::ReminderQuery { scope: access::Scope::Firm, delivered_only: false, after: None, limit: 10 };
            db.reminders(&q).await.unwrap().len()
        })
    };
    assert!(made > 0, "the replay made reminders");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(body["customers"], 3000, "{body}");
    assert!(body["assets_under_custody"].as_str().unwrap().parse::<f64>().unwrap() > 0.0);

    let log = std::fs::read_to_string(dir.path().join("demo.log")).unwrap();
    assert!(
        log.contains("route=\"/api/v1/customers/{id}/reveal\""),
        "requests are logged: {}",
        &log[log.len().saturating_sub(2000)..]
    );
    for value in &revealed {
        assert!(!log.contains(value.as_str()), "a revealed value reached the log");
    }
    assert_eq!(test_support::unmasked_pii(&log), None, "the log carries no national ID or phone number");
}
