//! Products and suitability through the real server on both backends: the
//! catalogue, the questionnaire (taken by the customer or on their behalf,
//! and expiring), the gate at sale (refused, warned, confirmed, allowed,
//! each audited with the questionnaire it relied on), enhanced care for
//! the elderly, the warning before a group message names an unsuitable
//! product, and the funnel from content to purchase.

use access::Role;
use chrono::{Datelike, NaiveDate};
use domain::{parse_timestamp, SetClock};
use serde_json::{json, Value};
use std::sync::Arc;
use test_support::{backends, book_people, customer_session, load_book, Session, TestApp};

/// Answers: every scored question `pick`, the horizon and varieties as given.
fn answers(pick: &str, horizon: &str, varieties: &[&str]) -> Value {
    let q = app::advice::questionnaire();
    let mut a = serde_json::Map::new();
    for question in &q.questions {
        let chosen: Vec<&str> = match question.id.as_str() {
            "horizon" => vec![horizon],
            "varieties" => varieties.to_vec(),
            _ => vec![pick],
        };
        a.insert(question.id.clone(), json!(chosen));
    }
    json!({ "answers": a })
}

/// Signs in as the book's user of a role.
async fn staff(t: &test_support::TestDb, app: &TestApp, role: Role) -> Session {
    let u = t.user(role);
    app.sign_in(&u.login, &u.password).await.unwrap()
}

async fn body(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn buy(s: &Session, app: &TestApp, customer: i64, product: i64, amount: &str, confirmed: bool) -> (u16, Value) {
    let request = json!({ "customer_id": customer, "product_id": product, "amount": amount, "confirmed": confirmed });
    body(s.post_json(&app.url(""), "/api/v1/purchases", &request).await).await
}

async fn add_product(s: &Session, app: &TestApp, p: Value) -> i64 {
    let (status, created) = body(s.post_json(&app.url(""), "/api/v1/products", &p).await).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

fn product(code: &str, risk: &str, horizon: &str, variety: &str, ladder: Option<&str>, minimum: &str) -> Value {
    json!({ "code": code, "name": format!("{code} product"), "kind": if ladder.is_some() { "advisory" } else { "fund" },
            "risk": risk, "horizon": horizon, "variety": variety, "ladder": ladder, "price": "0", "term_days": 90,
            "minimum": minimum, "description": "test" })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gate_refuses_warns_confirms_and_audits_on_both_backends() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-11-02 10:00:00").unwrap()));
        let app = TestApp::spawn(t.db.clone().with_clock(clock.clone())).await;
        let (admin, advisor, compliance) = (
            staff(&t, &app, Role::Admin).await,
            staff(&t, &app, Role::Advisor).await,
            staff(&t, &app, Role::Compliance).await,
        );

        // The catalogue, by an administrator only; a bad product is refused with its field.
        let start = add_product(&admin, &app, product("START", "R2", "short", "stocks", Some("beginner"), "99")).await;
        let pro =
            add_product(&admin, &app, product("PRO", "R4", "long", "stocks", Some("professional"), "19800")).await;
        let mmf = add_product(&admin, &app, product("MMF", "R1", "short", "funds", None, "1")).await;
        let (status, e) = body(
            advisor.post_json(&app.url(""), "/api/v1/products", &product("X", "R1", "short", "funds", None, "1")).await,
        )
        .await;
        assert_eq!((status, e["code"].as_str()), (403, Some("admin_only")), "{}", t.name);
        let mut bad = product("BAD", "R1", "short", "funds", None, "1");
        bad["term_days"] = json!(0);
        let (status, e) = body(admin.post_json(&app.url(""), "/api/v1/products", &bad).await).await;
        assert_eq!((status, e["field"].as_str()), (400, Some("term_days")), "{e}");
        let (status, e) = body(
            admin.post_json(&app.url(""), "/api/v1/products", &product("MMF", "R1", "short", "funds", None, "1")).await,
        )
        .await;
        assert_eq!((status, e["code"].as_str()), (422, Some("conflicts_with_stored")), "{e}");
        let (status, e) = body(admin.post_json(&app.url(""), "/api/v1/products", &json!({ "code": "R9" })).await).await;
        assert_eq!(status, 400, "{e}");

        // The book's people by age on the clock's day: two under 60, one 60 or over, all the advisor's.
        let people = book_people(200, 100);
        let age = |b: NaiveDate| today.years_since(b).unwrap();
        let own = |id: i64| id <= 100; // the first advisor serves customers 1..100
        let young: Vec<i64> = people.iter().filter(|p| own(p.id) && age(p.birth_date) < 55).map(|p| p.id).collect();
        let old =
            people.iter().find(|p| own(p.id) && age(p.birth_date) >= 60).map(|p| p.id).expect("an elderly customer");
        let (a, b) = (young[0], young[1]);
        let customer_a = customer_session(&t, &app, a).await;

        // No questionnaire yet: it is asked first.
        let (status, e) = buy(&customer_a, &app, a, mmf, "100", false).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("questionnaire_required")), "{e}");
        let (status, e) = body(
            customer_a
                .post_json(&app.url(""), &format!("/api/v1/customers/{a}/questionnaire"), &json!({ "answers": {} }))
                .await,
        )
        .await;
        assert_eq!((status, e["code"].as_str()), (400, Some("question_unanswered")), "{e}");

        // The most conservative answers: C1-lowest, who may never buy above R1.
        let (status, taken) = body(
            customer_a
                .post_json(&app.url(""), &format!("/api/v1/customers/{a}/questionnaire"), &answers("a", "a", &["a"]))
                .await,
        )
        .await;
        assert_eq!(
            (status, taken["class"].as_str(), taken["score"].as_i64()),
            (201, Some("C1-lowest"), Some(0)),
            "{taken}"
        );
        // Completing it earned the questionnaire's points, in the same unit (issue 27); a points
        // tier never changes what is suitable: the same refusals follow whatever the points.
        let statement: Value = body(customer_a.get(&app.url(&format!("/api/v1/customers/{a}/points"))).await).await.1;
        assert_eq!(statement["balance"], 50, "{statement}");
        t.execute(&format!(
            "INSERT INTO customer_tiers (customer_id, tier, since, reason, rolling_points, judged_on) \
             VALUES ({a}, 'platinum', '2026-01-01', 'rise', 99999, '2026-01-01')"
        ))
        .await;
        for confirmed in [false, true] {
            let (status, e) = buy(&customer_a, &app, a, start, "99", confirmed).await;
            assert_eq!((status, e["code"].as_str()), (422, Some("unsuitable")), "{e}");
            assert!(e["message"].as_str().unwrap().contains("C1-lowest"), "{e}");
        }
        // R1, but funds are not among the varieties chosen (bonds): a warning, then a confirmed purchase.
        let (status, e) = buy(&customer_a, &app, a, mmf, "100", false).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("confirmation_required")), "{e}");
        assert!(e["details"]["reasons_en"].as_str().unwrap().contains("funds"), "{e}");
        let (status, bought) = buy(&customer_a, &app, a, mmf, "100", true).await;
        assert_eq!(
            (status, bought["verdict"].as_str(), bought["confirmed"].as_bool()),
            (201, Some("needs_confirmation"), Some(true)),
            "{bought}"
        );
        assert!(bought["return_visit"].is_null());
        // A customer buys only for themself; compliance buys for no one.
        let (status, e) = buy(&customer_a, &app, b, mmf, "100", false).await;
        assert_eq!((status, e["code"].as_str()), (403, Some("purchase_roles")), "{e}");
        let (status, e) = buy(&compliance, &app, a, mmf, "100", false).await;
        assert_eq!((status, e["code"].as_str()), (403, Some("purchase_roles")), "{e}");
        let q = answers("d", "c", &["c"]);
        let (status, e) =
            body(compliance.post_json(&app.url(""), &format!("/api/v1/customers/{a}/questionnaire"), &q).await).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (403, Some("questionnaire_roles")),
            "compliance answers for no one: {e}"
        );

        // The trail and the audit show every step with the questionnaire it relied on.
        let (_, s) = body(customer_a.get(&app.url(&format!("/api/v1/customers/{a}/suitability"))).await).await;
        let steps: Vec<&str> = s["trail"].as_array().unwrap().iter().map(|r| r["step"].as_str().unwrap()).collect();
        assert_eq!(steps, ["confirmed", "warned", "refused", "refused"], "{s}");
        assert!(s["trail"].as_array().unwrap().iter().all(|r| r["questionnaire_version"] == "2026-1"), "{s}");
        let audit = t.db.audit_records().await.unwrap();
        let refusals: Vec<_> = audit
            .iter()
            .filter(|r| r.entry.action == "suitability_refused" && r.entry.entity_id == a.to_string())
            .collect();
        assert_eq!(refusals.len(), 2);
        let detail: Value = serde_json::from_str(&refusals[0].entry.detail).unwrap();
        assert_eq!(
            (detail["version"].as_str(), detail["class"].as_str()),
            (Some("2026-1"), Some("C1-lowest")),
            "{detail}"
        );
        assert_eq!(detail["answers"]["loss_borne"], json!(["a"]), "the answers it relied on: {detail}");
        assert_eq!(audit.iter().filter(|r| r.entry.action == "suitability_confirmed").count(), 1);

        // The advisor takes the questionnaire on B's behalf: C3 (steady), long horizon, stocks and funds.
        let (status, taken) = body(
            advisor
                .post_json(
                    &app.url(""),
                    &format!("/api/v1/customers/{b}/questionnaire"),
                    &answers("b", "c", &["b", "c"]),
                )
                .await,
        )
        .await;
        assert_eq!((status, taken["class"].as_str()), (201, Some("C2")), "{taken}");
        let record: Value = advisor.get(&app.url(&format!("/api/v1/customers/{b}"))).await.json().await.unwrap();
        assert_eq!(record["risk_level"], "C2", "the book follows the questionnaire: {record}");
        let (_, taken) = body(
            advisor
                .post_json(
                    &app.url(""),
                    &format!("/api/v1/customers/{b}/questionnaire"),
                    &json!({ "answers": {
            "income_source": ["c"], "income": ["b"], "share_invested": ["b"], "experience": ["c"], "knowledge": ["b"],
            "goal": ["c"], "loss_borne": ["b"], "drawdown": ["c"], "horizon": ["c"], "varieties": ["b", "c"] } }),
                )
                .await,
        )
        .await;
        assert_eq!(taken["class"].as_str(), Some("C3"), "{taken}");
        let record: Value = advisor.get(&app.url(&format!("/api/v1/customers/{b}"))).await.json().await.unwrap();
        assert_eq!((record["risk_level"].as_str(), record["horizon"].as_str()), (Some("C3"), Some("long")), "{record}");
        let (status, e) = buy(&advisor, &app, b, pro, "19800", false).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("confirmation_required")), "{e}");
        assert!(e["message"].as_str().unwrap().contains("R4"), "{e}");
        let (status, bought) = buy(&advisor, &app, b, pro, "19800", true).await;
        assert_eq!(status, 201, "{bought}");
        let (status, bought) = buy(&advisor, &app, b, start, "99", false).await;
        assert_eq!((status, bought["verdict"].as_str()), (201, Some("allowed")), "within C3, short, stocks: {bought}");
        let (status, e) = buy(&advisor, &app, b, start, "10", false).await;
        assert_eq!(
            (status, e["code"].as_str(), e["field"].as_str()),
            (400, Some("below_minimum"), Some("amount")),
            "{e}"
        );
        assert_eq!(
            admin
                .post_json(&app.url(""), &format!("/api/v1/products/{start}/state"), &json!({ "state": "closed" }))
                .await
                .status(),
            204
        );
        let (status, e) = buy(&advisor, &app, b, start, "99", false).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("product_closed")), "{e}");
        // Recommendations are suitable products on sale only.
        let (_, s) = body(advisor.get(&app.url(&format!("/api/v1/customers/{b}/suitability"))).await).await;
        let recommended: Vec<i64> =
            s["recommendations"].as_array().unwrap().iter().map(|r| r["product"]["id"].as_i64().unwrap()).collect();
        assert!(!recommended.contains(&pro) && !recommended.contains(&start), "{recommended:?}");

        // Sixty or over, above R3: enhanced care, even for a C5 investor, and a return visit for the advisor.
        let (_, taken) = body(
            advisor
                .post_json(&app.url(""), &format!("/api/v1/customers/{old}/questionnaire"), &answers("d", "c", &["c"]))
                .await,
        )
        .await;
        assert_eq!(taken["class"].as_str(), Some("C5"), "{taken}");
        let (status, e) = buy(&advisor, &app, old, pro, "19800", false).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("confirmation_required")), "{e}");
        assert!(e["details"]["reasons_en"].as_str().unwrap().contains("enhanced care"), "{e}");
        let (status, bought) = buy(&advisor, &app, old, pro, "19800", true).await;
        assert_eq!(status, 201, "{bought}");
        let task = bought["return_visit"].as_i64().expect("a return visit");
        let tasks: Value = advisor.get(&app.url("/api/v1/tasks")).await.json().await.unwrap();
        let visit = tasks.as_array().unwrap().iter().find(|x| x["id"] == task).expect("the return visit in the queue");
        assert_eq!(visit["customer_id"], old);
        assert!(visit["title"].as_str().unwrap().contains("Return visit"), "{visit}");

        // Compliance reviews the exceptions (refusals, warnings, confirmations), newest first; plain sales are not among them.
        let (status, ex) = body(compliance.get(&app.url("/api/v1/suitability/exceptions")).await).await;
        assert_eq!(status, 200, "{ex}");
        let steps: Vec<(i64, &str)> = ex
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["customer_id"].as_i64().unwrap(), e["step"].as_str().unwrap()))
            .collect();
        assert_eq!(
            steps,
            [
                (old, "confirmed"),
                (old, "warned"),
                (b, "confirmed"),
                (b, "warned"),
                (a, "confirmed"),
                (a, "warned"),
                (a, "refused"),
                (a, "refused")
            ],
            "{ex}"
        );
        let (status, _) = body(customer_a.get(&app.url("/api/v1/suitability/exceptions")).await).await;
        assert_eq!(status, 403, "customers do not read the exceptions");
        let page = compliance.get(&app.url("/suitability?lang=en")).await.text().await.unwrap();
        assert_eq!(page.matches("<tr class=\"exception\"").count(), 8);

        // Two years and a day later the questionnaire has expired: it is asked again first.
        clock.set(parse_timestamp("at", "2028-11-03 10:00:00").unwrap());
        let advisor = staff(&t, &app, Role::Advisor).await; // the old session has lapsed too
        let (status, e) = buy(&advisor, &app, b, mmf, "100", false).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("questionnaire_required")), "{e}");
        assert!(e["message"].as_str().unwrap().contains("2028-11-0"), "says until when it held: {e}");
        let (_, s) = body(advisor.get(&app.url(&format!("/api/v1/customers/{b}/suitability"))).await).await;
        assert_eq!(s["profile"]["assessment_current"], false);
        assert_eq!(s["recommendations"], json!([]), "none until the customer can be judged");
        assert!(today.year() < 2028);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_product_named_to_a_group_is_judged_for_its_members_and_counted_in_the_funnel_on_both_backends() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        let app = TestApp::spawn(t.db.clone()).await;
        let (admin, advisor, compliance) = (
            staff(&t, &app, Role::Admin).await,
            staff(&t, &app, Role::Advisor).await,
            staff(&t, &app, Role::Compliance).await,
        );
        let start = add_product(&admin, &app, product("START", "R2", "short", "stocks", Some("beginner"), "99")).await;
        add_product(&admin, &app, product("PRO", "R4", "long", "stocks", Some("professional"), "19800")).await;
        let (_, made) =
            body(advisor.post_json(&app.url(""), "/api/v1/groups", &json!({ "name": "价值投资交流" })).await).await;
        let group = made["id"].as_i64().unwrap();
        let members: Vec<domain::CustomerId> = (1..=30).map(domain::CustomerId).collect();
        t.db.add_members(domain::GroupId(group), &members, t.db.now()).await.unwrap();
        // The book's C1 members (R2 is above them) are counted before the message goes.
        let c1 = t.text("SELECT CAST(COUNT(*) AS TEXT) FROM customers WHERE id <= 30 AND risk_level = 1").await;
        assert_ne!(c1, "0", "the book has C1 members in the group");
        let send = |text: &str, confirm: bool| {
            let request = json!({ "text": text, "confirm_unsuitable": confirm });
            let (advisor, app) = (&advisor, &app);
            async move {
                body(advisor.post_json(&app.url(""), &format!("/api/v1/groups/{group}/messages"), &request).await).await
            }
        };
        let (status, e) = send("本周可以关注 START product，适合入门。", false).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("unsuitable_for_members")), "{e}");
        assert_eq!(e["details"]["count"].to_string(), c1, "{e}");
        assert_eq!(e["details"]["members"], 30, "{e}");
        let (status, sent) = send("本周可以关注 START product，适合入门。", true).await;
        assert_eq!(status, 201, "sent after the warning: {sent}");
        let (status, e) = send("PRO product 名额有限", true).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (422, Some("risky_product_in_chat")),
            "R4 only in reviewed content: {e}"
        );
        let (status, _) = send("今天市场放量上涨", false).await;
        assert_eq!(status, 201, "a message naming no product goes at once");

        // Content naming the product, approved and published; a member reads it, views the product, buys it.
        let (_, item) = body(
            advisor
                .post_json(
                    &app.url(""),
                    "/api/v1/content",
                    &json!({ "kind": "article", "title": "入门之选", "body": "新手可以从 START product 开始。" }),
                )
                .await,
        )
        .await;
        let item = item["id"].as_i64().unwrap();
        assert_eq!(
            advisor.post_json(&app.url(""), &format!("/api/v1/content/{item}/submit"), &json!({})).await.status(),
            200
        );
        let review = json!({ "version": 1, "approve": true });
        assert_eq!(
            compliance.post_json(&app.url(""), &format!("/api/v1/content/{item}/review"), &review).await.status(),
            204
        );
        let (status, e) = body(
            advisor
                .post_json(&app.url(""), &format!("/api/v1/content/{item}/schedule"), &json!({ "groups": [group] }))
                .await,
        )
        .await;
        assert_eq!(status, 200, "{e}");
        let reader_id = t.text("SELECT CAST(MIN(id) AS TEXT) FROM customers WHERE id <= 30 AND risk_level >= 2").await;
        let reader_id: i64 = reader_id.parse().unwrap();
        let reader = customer_session(&t, &app, reader_id).await;
        let other = customer_session(&t, &app, if reader_id == 1 { 2 } else { 1 }).await;
        assert_eq!(reader.get(&app.url(&format!("/api/v1/content/{item}"))).await.status(), 200);
        assert_eq!(other.get(&app.url(&format!("/api/v1/content/{item}"))).await.status(), 200);
        assert_eq!(reader.get(&app.url(&format!("/api/v1/products/{start}"))).await.status(), 200);
        let q = answers("c", "c", &["b", "c"]);
        assert_eq!(
            reader.post_json(&app.url(""), &format!("/api/v1/customers/{reader_id}/questionnaire"), &q).await.status(),
            201
        );
        let (status, bought) = buy(&reader, &app, reader_id, start, "99", false).await;
        assert_eq!(status, 201, "{bought}");
        let (status, funnel) = body(advisor.get(&app.url("/api/v1/funnel")).await).await;
        assert_eq!(status, 200);
        let line =
            |by: &str| funnel.as_array().unwrap().iter().find(|r| r["by"] == by && r["product_id"] == start).cloned();
        let by_group = line("group").expect("a line for the group");
        assert_eq!(
            (by_group["read"].as_i64(), by_group["viewed"].as_i64(), by_group["purchased"].as_i64()),
            (Some(2), Some(1), Some(1)),
            "{funnel}"
        );
        assert_eq!(line("advisor").unwrap()["read"], 2);
        assert!(line("all").is_none(), "an advisor reads their own lines only");
        let (_, whole) = body(compliance.get(&app.url("/api/v1/funnel")).await).await;
        assert!(whole.as_array().unwrap().iter().any(|r| r["by"] == "all" && r["purchased"] == 1), "{whole}");
        let reader_funnel = reader.get(&app.url("/api/v1/funnel")).await;
        assert_eq!(reader_funnel.status(), 403, "customers do not read the funnel");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn board_permissions_are_checked_from_the_book_on_both_backends() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-11-02 10:00:00").unwrap()));
        let app = TestApp::spawn(t.db.clone().with_clock(clock.clone())).await;
        app.wait_until_ready().await;
        let token = test_support::events_token(&t.db).await;
        let advisor = t.user(Role::Advisor).clone();
        let advisor = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
        t.execute("UPDATE customers SET market_entry_date = '2015-01-05' WHERE id = 5").await;
        t.execute("UPDATE customers SET market_entry_date = '2025-06-01' WHERE id = 6").await;
        // 600,000 CNY deposited on 20 October, inside the 20 trading days before 2 November.
        let mut events = Vec::new();
        for (n, customer) in [(5, 5), (6, 6)] {
            let account: i64 = t
                .text(&format!("SELECT CAST(MIN(id) AS TEXT) FROM accounts WHERE customer_id = {customer}"))
                .await
                .parse()
                .unwrap();
            events.push(json!({ "type": "cash_flow", "id": 9_000_000 + n, "account_id": account, "kind": "deposit",
                "amount": "600000", "time": "2026-10-20T10:00:00+08:00" }));
        }
        let r = test_support::http()
            .post(app.url("/api/v1/feeds/events"))
            .bearer_auth(&token)
            .json(&json!({ "events": events }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        for customer in [5, 6] {
            let record: Value =
                advisor.get(&app.url(&format!("/api/v1/customers/{customer}"))).await.json().await.unwrap();
            let assets: rust_decimal::Decimal = record["assets"].as_str().unwrap().parse().unwrap();
            let (status, checks) = body(
                advisor.post_json(&app.url(""), &format!("/api/v1/customers/{customer}/permissions"), &json!({})).await,
            )
            .await;
            assert_eq!(status, 201, "{checks}");
            let checks = checks.as_array().unwrap();
            assert_eq!(checks.len(), 3);
            for check in checks {
                let days = check["days"].as_array().unwrap();
                assert_eq!(days.len(), 20, "{check}");
                let deposit = rust_decimal::Decimal::from(600_000);
                let mut total = rust_decimal::Decimal::ZERO;
                for d in days {
                    let day: NaiveDate = d[0].as_str().unwrap().parse().unwrap();
                    let value: rust_decimal::Decimal = d[1].as_str().unwrap().parse().unwrap();
                    // No trade moved in the window: the deposit is all that differs from today.
                    let want =
                        if day >= NaiveDate::from_ymd_opt(2026, 10, 20).unwrap() { assets } else { assets - deposit };
                    assert_eq!(value, want, "customer {customer} on {day}");
                    assert!(day < NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(), "the previous trading days only");
                    total += value;
                }
                let average: rust_decimal::Decimal = check["average_assets"].as_str().unwrap().parse().unwrap();
                assert_eq!(average, (total / rust_decimal::Decimal::from(20)).round_dp(2));
                let needed = if check["board"] == "chinext" { 100_000 } else { 500_000 };
                let experienced = customer == 5;
                assert_eq!(
                    check["granted"].as_bool(),
                    Some(experienced && average >= rust_decimal::Decimal::from(needed)),
                    "{check}"
                );
            }
        }
        let chinext = app::advice::may_trade_on(&t.db, domain::CustomerId(5), domain::Board::ChiNext).await.unwrap();
        assert!(chinext, "600,000 for 9 of 20 days is 270,000 on average, over ChiNext's 100,000");
        assert!(
            !app::advice::may_trade_on(&t.db, domain::CustomerId(6), domain::Board::ChiNext).await.unwrap(),
            "17 months' experience"
        );
        assert!(
            app::advice::may_trade_on(&t.db, domain::CustomerId(6), domain::Board::SseMain).await.unwrap(),
            "no permission needed"
        );
        let (_, s) = body(advisor.get(&app.url("/api/v1/customers/5/suitability")).await).await;
        assert_eq!(s["permissions"].as_array().unwrap().len(), 3, "{s}");
        assert_eq!(
            t.db.audit_records().await.unwrap().iter().filter(|r| r.entry.action == "trading_permission").count(),
            6
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_weekly_plan_recommends_a_suitable_product_with_its_reason() {
    let book = test_support::sqlite_with_firm(400, 200).await;
    let as_of = app::classify::book_day(&book.db).await.unwrap().unwrap();
    app::classify::classify_all(&book.db, &classify::LabelConfig::default(), as_of, false).await.unwrap();
    for p in app::advice::demo_catalogue() {
        app::advice::add_product_as(&book.db, "test", &p).await.unwrap();
    }
    let app = TestApp::spawn(book.db.clone()).await;
    let advisor = book.user(Role::Advisor).clone();
    let s = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let week = "2026-11-16";
    let plan: Value = s.get(&app.url(&format!("/api/v1/plan?week={week}"))).await.json().await.unwrap();
    let contacts = plan["contacts"].as_array().unwrap();
    assert!(contacts.iter().all(|c| c["recommended_product"].is_null()), "nobody has taken the questionnaire yet");
    // Two planned customers take it: a newcomer is pointed to the beginner product, with the reason.
    let ids: Vec<i64> = contacts.iter().take(2).map(|c| c["customer_id"].as_i64().unwrap()).collect();
    for id in &ids {
        let q = answers("c", "c", &["a", "b", "c"]);
        assert_eq!(s.post_json(&app.url(""), &format!("/api/v1/customers/{id}/questionnaire"), &q).await.status(), 201);
    }
    let plan: Value = s.get(&app.url(&format!("/api/v1/plan?week={week}"))).await.json().await.unwrap();
    for c in plan["contacts"].as_array().unwrap() {
        let id = c["customer_id"].as_i64().unwrap();
        if !ids.contains(&id) {
            assert!(c["recommended_product"].is_null());
            continue;
        }
        // The same first recommendation as the customer's own page gives.
        let (_, suit) = body(s.get(&app.url(&format!("/api/v1/customers/{id}/suitability"))).await).await;
        let first = &suit["recommendations"][0];
        assert_eq!(c["recommended_product"], first["product"]["id"], "{c} {suit}");
        assert_eq!(c["recommended_because"], first["because"]);
        let labels = app::classify::label_pairs(
            domain::CustomerId(id),
            &book.db.labels_of(&[domain::CustomerId(id)]).await.unwrap()[0].1,
        )
        .unwrap();
        let newcomer = labels.iter().any(|(d, l)| d == "experience" && l == "newcomer");
        assert_eq!(first["because"] == "newcomer", newcomer, "{labels:?}");
        if newcomer {
            assert_eq!(first["product"]["code"], "ADV-START");
        }
        assert!(first["product"]["risk"].as_str().unwrap() <= "R4", "C4 matches up to R4");
    }
    let page = s.get(&app.url(&format!("/plan?week={week}&lang=en"))).await.text().await.unwrap();
    assert_eq!(page.matches("<td class=\"recommend\"><a").count(), 2, "two contacts carry a recommendation");
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_test_a_professional_investor_on_the_customer_page() {
    let book = test_support::sqlite_with_firm(200, 100).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let advisor = staff(&book, &app, Role::Advisor).await;
    let page = advisor.get(&app.url("/customers/5?lang=en")).await.text().await.unwrap();
    assert!(page.contains("Professional investor test"), "staff see the form");
    let declare = |assets: &'static str| {
        let (advisor, app) = (&advisor, &app);
        async move {
            let form = [
                ("assets_elsewhere", assets),
                ("income_3y", ""),
                ("work_months", "30"),
                ("documents", "bank statement, 2026-11"),
            ];
            let r = advisor.post_form(&app.url(""), "/customers/5/professional?lang=en", &form).await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, said) = declare("100").await;
    assert_eq!(status, 200, "{said}");
    assert!(said.contains("data-qualified=\"false\"") && said.contains("Not qualified"), "{said}");
    let (status, said) = declare("six million").await;
    assert_eq!(status, 400, "{said}");
    let (status, said) = declare("6000000").await;
    assert_eq!(status, 200, "{said}");
    assert!(said.contains("data-qualified=\"true\""), "{said}");
    let (_, s) = body(advisor.get(&app.url("/api/v1/customers/5/suitability")).await).await;
    assert_eq!(s["profile"]["professional"], true, "{s}");
    let evidence: Value =
        serde_json::from_str(s["profile"]["professional_test"]["evidence"].as_str().unwrap()).unwrap();
    assert_eq!(evidence["evidence"]["documents"], "bank statement, 2026-11", "{evidence}");
    assert_eq!(evidence["evidence"]["work_months"], 30);
    // Customers neither see the form nor test themselves.
    let customer = customer_session(&book, &app, 1).await;
    let own = customer.get(&app.url("/customers/1?lang=en")).await.text().await.unwrap();
    assert!(!own.contains("Professional investor test"));
    let r = customer.post_form(&app.url(""), "/customers/1/professional", &[("documents", "mine")]).await;
    assert_eq!(r.status(), 403);
}
