//! Ideas, outreach and notices through the real server on both backends:
//! an idea proposed, reviewed by compliance, published and tracked on the
//! stored bars exactly as on the committed files; sent to a segment of
//! mixed suitability, reaching exactly the suitable members, read and
//! followed through; a notice on the event path reaching every holder of
//! its instrument and, through their reminders, their advisors.

use access::Role;
use chrono::NaiveDate;
use domain::{parse_timestamp, SetClock};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;
use test_support::{backends, customer_session, events_token, load_book, most_held_stock, Session, TestApp};

pub(crate) async fn staff(t: &test_support::TestDb, app: &TestApp, role: Role) -> Session {
    let u = t.user(role);
    app.sign_in(&u.login, &u.password).await.unwrap()
}

async fn body(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn post(s: &Session, app: &TestApp, path: &str, v: Value) -> (u16, Value) {
    body(s.post_json(&app.url(""), path, &v).await).await
}

async fn get(s: &Session, app: &TestApp, path: &str) -> (u16, Value) {
    body(s.get(&app.url(path)).await).await
}

/// Answers: every scored question `pick`, the horizon long and these varieties.
fn answers(pick: &str, varieties: &[&str]) -> Value {
    let q = app::advice::questionnaire();
    let mut a = serde_json::Map::new();
    for question in &q.questions {
        let chosen: Vec<&str> = match question.id.as_str() {
            "horizon" => vec!["c"],
            "varieties" => varieties.to_vec(),
            _ => vec![pick],
        };
        a.insert(question.id.clone(), json!(chosen));
    }
    json!({ "answers": a })
}

/// A long idea on `code` around `close` (CNY): entry ±2%, target +20%, stop -10%.
pub(crate) fn long_idea(code: &str, close: Decimal, horizon_days: i64) -> Value {
    let at = |f: &str| (close * f.parse::<Decimal>().unwrap()).round_dp(2).to_string();
    json!({ "instrument": code, "direction": "long", "entry_low": at("0.98"), "entry_high": at("1.02"),
            "target": at("1.20"), "stop": at("0.90"), "horizon_days": horizon_days,
            "rationale": "估值回到历史低位，业绩稳定。Valuation back near its lows; steady earnings." })
}

/// Proposes an idea as the advisor and has compliance approve it; its id.
pub(crate) async fn published_idea(app: &TestApp, advisor: &Session, compliance: &Session, idea: Value) -> i64 {
    let (status, made) = post(advisor, app, "/api/v1/ideas", idea).await;
    assert_eq!(status, 201, "{made}");
    let (id, content) = (made["id"].as_i64().unwrap(), made["content_id"].as_i64().unwrap());
    // Under review: no customer sees it, and it cannot be sent.
    let review = json!({ "version": 1, "approve": true });
    let (status, e) = post(compliance, app, &format!("/api/v1/content/{content}/review"), review).await;
    assert_eq!(status, 204, "{e}");
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idea_is_reviewed_published_and_tracked_on_stored_bars_as_on_the_files() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        // Published on 2024-01-02 10:00, within the committed bars.
        let clock = Arc::new(SetClock::at(parse_timestamp("at", "2024-01-02 10:00:00").unwrap()));
        let app = TestApp::spawn(t.db.clone().with_clock(clock.clone())).await;
        let (advisor, compliance) = (staff(&t, &app, Role::Advisor).await, staff(&t, &app, Role::Compliance).await);
        let (code, _, _) = most_held_stock(&t).await;
        let close: Decimal = t
            .text(&format!(
                "SELECT CAST(close AS TEXT) FROM daily_bars WHERE instrument = '{code}' AND date = '2024-01-02'"
            ))
            .await
            .parse::<Decimal>()
            .unwrap()
            / Decimal::from(10_000);

        // A bad idea is refused with its field: the stop above the entry of a long idea.
        let mut bad = long_idea(&code, close, 20);
        bad["stop"] = json!((close * Decimal::from(2)).round_dp(2).to_string());
        let (status, e) = post(&advisor, &app, "/api/v1/ideas", bad).await;
        assert_eq!((status, e["code"].as_str(), e["field"].as_str()), (400, Some("idea_prices"), Some("stop")), "{e}");

        let (status, made) = post(&advisor, &app, "/api/v1/ideas", long_idea(&code, close, 60)).await;
        assert_eq!(status, 201, "{made}");
        let (id, content) = (made["id"].as_i64().unwrap(), made["content_id"].as_i64().unwrap());
        // The text compliance reviews carries the terms, the licence and the disclaimer.
        let (_, queue) = get(&compliance, &app, "/api/v1/content/review-queue").await;
        let text = queue["versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["item_id"] == content)
            .expect("in the queue")
            .clone();
        let body_text = text["body"].as_str().unwrap();
        assert!(body_text.contains("Licence No. S") && body_text.contains("不构成投资建议"), "{body_text}");
        // Not yet published: a customer does not see it.
        let customer = customer_session(&t, &app, 3).await;
        let (status, _) = get(&customer, &app, &format!("/api/v1/ideas/{id}")).await;
        assert_eq!(status, 404);
        let (status, _) = post(
            &compliance,
            &app,
            &format!("/api/v1/content/{content}/review"),
            json!({ "version": 1, "approve": true }),
        )
        .await;
        assert_eq!(status, 204);

        // Published: tracked from 2024-01-02 on the stored bars; now is much later.
        clock.set(parse_timestamp("at", "2026-11-02 10:00:00").unwrap());
        // Two years on, everyone signs in again.
        let customer = app.sign_in("customer3", "a long enough password").await.unwrap();
        let advisor = staff(&t, &app, Role::Advisor).await;
        let (status, seen) = get(&customer, &app, &format!("/api/v1/ideas/{id}")).await;
        assert_eq!(status, 200, "{seen}");
        let terms = ideas::IdeaTerms {
            direction: ideas::Direction::Long,
            target: (close * Decimal::new(120, 2)).round_dp(2),
            stop: (close * Decimal::new(90, 2)).round_dp(2),
            horizon_days: 60,
        };
        let on_files = app::ideas::track_on_dir(
            &test_support::repo_root().join("data/ashare-daily"),
            &code,
            NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
            &terms,
        )
        .unwrap();
        let track = seen["track"].clone();
        assert_eq!(
            track,
            serde_json::to_value(&on_files).unwrap(),
            "{}: the stored bars track as the files do",
            t.name
        );
        assert_eq!(seen["band"], "medium");

        // Re-recommended in one call: linked to the first, under review again.
        let (status, again) = post(&advisor, &app, &format!("/api/v1/ideas/{id}/again"), json!({})).await;
        assert_eq!(status, 201, "{again}");
        let (_, second) = get(&advisor, &app, &format!("/api/v1/ideas/{}", again["id"])).await;
        assert_eq!((second["again_of"].as_i64(), second["published_at"].is_null()), (Some(id), true), "{second}");

        // The ranking names the advisor with this idea's record.
        let (status, ranking) = get(&customer, &app, "/api/v1/ideas/ranking").await;
        assert_eq!(status, 200);
        let top = &ranking["overall"][0];
        assert_eq!((top["kind"].as_str(), top["ideas"].as_i64()), (None, Some(1)), "{ranking}");
        assert_eq!(top["from"]["kind"], "advisor");
        assert_eq!(top["average_return_pct"].as_str(), Some(on_files.return_pct.to_string().as_str()), "{ranking}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_to_a_segment_reaches_exactly_the_suitable_members_on_both_backends() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        // A Monday morning: a trading day, outside quiet hours.
        let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-11-02 10:00:00").unwrap()));
        let app = TestApp::spawn(t.db.clone().with_clock(clock.clone())).await;
        let (advisor, compliance) = (staff(&t, &app, Role::Advisor).await, staff(&t, &app, Role::Compliance).await);
        let (code, _, prev) = most_held_stock(&t).await;
        let close = Decimal::from(prev) / Decimal::from(10_000);

        // The advisor's customers, with the book's risk levels.
        let (_, list) = get(&advisor, &app, "/api/v1/customers?per_page=200").await;
        let mine: Vec<(i64, String)> = list["customers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_i64().unwrap(), c["risk_level"].as_str().unwrap().to_owned()))
            .collect();
        assert!(mine.len() >= 50, "the advisor has a book");
        // Three take the questionnaire: a C4 investor in stocks, a C2, and a C4 in funds only.
        let high: Vec<i64> = mine.iter().filter(|(_, r)| r == "C4" || r == "C5").map(|(id, _)| *id).take(3).collect();
        let (a, b, c) = (high[0], high[1], high[2]);
        let mut classes = Vec::new();
        for (customer, pick, varieties) in [(a, "c", vec!["c"]), (b, "b", vec!["c"]), (c, "c", vec!["b"])] {
            let path = format!("/api/v1/customers/{customer}/questionnaire");
            let (status, taken) = post(&advisor, &app, &path, answers(pick, &varieties)).await;
            assert_eq!(status, 201, "{taken}");
            classes.push(taken["class"].as_str().unwrap().to_owned());
        }
        assert_eq!(classes, ["C4", "C2", "C4"], "{}", t.name);

        // An R3 idea on a main-board stock, reviewed and published.
        let idea = published_idea(&app, &advisor, &compliance, long_idea(&code, close, 20)).await;

        // Hand-picked: only the C4 stock investor may receive it.
        let send =
            |segment: Value, preview: bool| json!({ "item": { "idea": idea }, "segment": segment, "preview": preview });
        let (status, counted) =
            post(&advisor, &app, "/api/v1/sends", send(json!({ "customers": [a, b, c] }), true)).await;
        assert_eq!(status, 200, "{counted}");
        assert_eq!(
            (counted["matched"].as_i64(), counted["withheld"].as_i64(), counted["recipients"].as_i64()),
            (Some(3), Some(2), Some(1)),
            "{counted}"
        );
        assert!(counted["send_id"].is_null(), "a preview sends nothing");

        // The whole book, by a filter of the list: R3 suits C3 and above by the book, the questionnaires where taken.
        let (status, sent) =
            post(&advisor, &app, "/api/v1/sends", send(json!({ "filter": "sort=assets" }), false)).await;
        assert_eq!(status, 201, "{sent}");
        let expected: BTreeSet<i64> = mine
            .iter()
            .filter(|(id, level)| match *id {
                x if x == a => true,
                x if x == b || x == c => false,
                _ => level.as_str() >= "C3",
            })
            .map(|(id, _)| *id)
            .collect();
        let send_id = sent["send_id"].as_i64().unwrap();
        let reached: BTreeSet<i64> =
            t.db.send_recipients(domain::SendId(send_id)).await.unwrap().into_iter().map(|c| c.0).collect();
        assert_eq!(reached, expected, "{}: exactly the suitable members", t.name);
        assert_eq!(sent["matched"].as_u64(), Some(mine.len() as u64));
        assert_eq!(sent["withheld"].as_u64(), Some((mine.len() - expected.len()) as u64));
        assert_eq!(sent["held_for_quiet_hours"], 0);

        // In a's inbox at once, not in b's.
        let (session_a, session_b) = (customer_session(&t, &app, a).await, customer_session(&t, &app, b).await);
        let (_, inbox_a) = get(&session_a, &app, "/api/v1/inbox").await;
        let message = inbox_a.as_array().unwrap().iter().find(|m| m["send_id"] == send_id).expect("delivered").clone();
        assert!(message["title"].as_str().unwrap().contains(&code) && message["read_at"].is_null(), "{message}");
        let (_, inbox_b) = get(&session_b, &app, "/api/v1/inbox").await;
        assert!(inbox_b.as_array().unwrap().iter().all(|m| m["send_id"] != send_id), "{inbox_b}");
        let (status, _) = post(&session_b, &app, &format!("/api/v1/inbox/{send_id}/read"), json!({})).await;
        assert_eq!(status, 404, "not b's to read");

        // a reads it (once) and buys the stock the same day: read and followed through.
        for _ in 0..2 {
            let (status, _) = post(&session_a, &app, &format!("/api/v1/inbox/{send_id}/read"), json!({})).await;
            assert_eq!(status, 200);
        }
        // Reading it earned content-read points once (issue 27).
        let key = format!("earn:read:{a}:send:{send_id}");
        let sql = format!("SELECT CAST(COUNT(*) AS TEXT) FROM points_transfers WHERE id = '{key}' AND amount = 2");
        assert_eq!(t.text(&sql).await, "1", "{}", t.name);
        let account = t.text(&format!("SELECT CAST(MIN(id) AS TEXT) FROM accounts WHERE customer_id = {a}")).await;
        let token = events_token(&t.db).await;
        let trade = json!({ "events": [{ "type": "trade", "id": 900_000_001i64, "account_id": account, "instrument": code,
            "side": "buy", "quantity": 100, "price": close.round_dp(2).to_string(), "fee": "5", "time": "2026-11-02 10:30:00" }] });
        let fed = test_support::http()
            .post(app.url("/api/v1/feeds/events"))
            .bearer_auth(&token)
            .json(&trade)
            .send()
            .await
            .unwrap();
        let fed: Value = fed.json().await.unwrap();
        assert_eq!(fed["files"][0]["loaded"], 1, "{fed}");
        let (_, report) = get(&advisor, &app, &format!("/api/v1/sends/{send_id}")).await;
        assert_eq!((report["reads"].as_i64(), report["followed_through"].as_i64()), (Some(1), Some(1)), "{report}");
        assert_eq!(report["follow_through_until"], "2026-11-06");

        // At 23:00 a send waits for quiet hours to end: counted, not yet in the inbox.
        clock.set(parse_timestamp("at", "2026-11-02 23:00:00").unwrap());
        let advisor = staff(&t, &app, Role::Advisor).await;
        let session_a = app.sign_in(&format!("customer{a}"), "a long enough password").await.unwrap();
        let (status, late) = post(&advisor, &app, "/api/v1/sends", send(json!({ "customers": [a] }), false)).await;
        assert_eq!(status, 201, "{late}");
        assert_eq!(late["held_for_quiet_hours"], 1);
        let (_, inbox_a) = get(&session_a, &app, "/api/v1/inbox").await;
        assert!(inbox_a.as_array().unwrap().iter().all(|m| m["send_id"] != late["send_id"]), "held: {inbox_a}");

        // Nobody suitable: refused, with the counts.
        let (status, e) = post(&advisor, &app, "/api/v1/sends", send(json!({ "customers": [b, c] }), false)).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("no_recipients")), "{e}");
        // A customer cannot send; a segment must be one thing.
        let (status, _) = post(&session_a, &app, "/api/v1/sends", send(json!({ "customers": [a] }), false)).await;
        assert_eq!(status, 403);
        let (status, e) =
            post(&advisor, &app, "/api/v1/sends", send(json!({ "label": "engagement:low", "tier": "core" }), true))
                .await;
        assert_eq!((status, e["code"].as_str()), (400, Some("one_segment")), "{e}");
        // A saved filter is a segment too.
        let (status, saved) =
            post(&advisor, &app, "/api/v1/saved-filters", json!({ "name": "C5 book", "query": "risk=C5" })).await;
        assert_eq!(status, 201, "{saved}");
        let (status, counted) =
            post(&advisor, &app, "/api/v1/sends", send(json!({ "saved_filter": saved["id"] }), true)).await;
        assert_eq!(status, 200, "{counted}");
        let c5 = mine.iter().filter(|(id, r)| r == "C5" && ![a, b, c].contains(id)).count() as i64;
        assert_eq!(counted["matched"].as_i64(), Some(c5), "{counted}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_notice_reaches_every_holder_and_their_advisors_once() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        let clock = Arc::new(SetClock::at(parse_timestamp("at", "2026-11-02 10:00:00").unwrap()));
        let app = TestApp::spawn(t.db.clone().with_clock(clock.clone())).await;
        let (code, _, _) = most_held_stock(&t).await;
        let holding_accounts: BTreeSet<i64> =
            t.db.holders_of(std::slice::from_ref(&code))
                .await
                .unwrap()
                .into_iter()
                .map(|(account, _, _)| account)
                .collect();
        assert!(holding_accounts.len() > 3, "a stock many hold");
        let token = events_token(&t.db).await;
        let notice = json!({ "events": [{ "type": "notice", "id": "SSE-2026-11-02-001", "kind": "rights_payment",
            "title": "配股缴款提示", "body": "配股缴款起止日为11月3日至11月9日。", "source": "SSE",
            "time": "2026-11-02 08:30:00", "deadline": "2026-11-09", "instruments": code }] });
        for round in 0..2 {
            let fed = test_support::http()
                .post(app.url("/api/v1/feeds/events"))
                .bearer_auth(&token)
                .json(&notice)
                .send()
                .await
                .unwrap();
            let fed: Value = fed.json().await.unwrap();
            let file = fed["files"]
                .as_array()
                .unwrap_or_else(|| panic!("{fed}"))
                .iter()
                .find(|f| f["file"] == "notices")
                .expect("notices")
                .clone();
            // The second time, the same event has no second effect.
            assert_eq!(
                (file["loaded"].as_i64(), file["already_present"].as_i64()),
                (Some(1 - round), Some(round)),
                "{fed}"
            );
        }
        // One reminder per holding account, saying what to do by the deadline.
        let (reminded, advisors): (BTreeSet<i64>, Vec<i64>) = {
            let rows =
                t.db.reminders(&store::ReminderQuery {
                    scope: access::Scope::Firm,
                    delivered_only: false,
                    after: None,
                    limit: 10_000,
                })
                .await
                .unwrap();
            let notices: Vec<_> = rows.iter().filter(|r| r.rule == "notice").collect();
            assert!(notices
                .iter()
                .all(|r| r.text_en.contains("due by 2026-11-09") && r.instrument.as_deref() == Some(code.as_str())));
            (notices.iter().map(|r| r.account_id.0).collect(), notices.iter().map(|r| r.advisor_id.0).collect())
        };
        assert_eq!(reminded, holding_accounts, "{}: every holder, once", t.name);
        // Each holder's advisor sees it in their queue.
        let advisor = staff(&t, &app, Role::Advisor).await;
        let (_, queue) = get(&advisor, &app, "/api/v1/reminders").await;
        let theirs = queue.as_array().unwrap().iter().filter(|r| r["rule"] == "notice").count();
        let login = &t.user(Role::Advisor).login;
        let me: i64 =
            t.text(&format!("SELECT CAST(staff_id AS TEXT) FROM users WHERE login = '{login}'")).await.parse().unwrap();
        let expected = advisors.iter().filter(|a| **a == me).count();
        assert!(expected > 0 && theirs == expected, "{}: {theirs} of {expected} in the advisor's queue", t.name);
        // Listed on the instrument's page and API.
        let (_, listed) = get(&advisor, &app, &format!("/api/v1/instruments/{code}/notices")).await;
        assert_eq!(listed[0]["title"], "配股缴款提示", "{listed}");
        // Staff send it on to a segment like any item: a notice is not a product, so nobody is withheld.
        let send = json!({ "item": { "notice": listed[0]["id"] }, "segment": { "customers": [1, 2, 3] } });
        let (status, sent) = post(&advisor, &app, "/api/v1/sends", send).await;
        assert_eq!((status, sent["recipients"].as_i64(), sent["withheld"].as_i64()), (201, Some(3), Some(0)), "{sent}");
        let (_, inbox) = get(&customer_session(&t, &app, 2).await, &app, "/api/v1/inbox").await;
        assert_eq!(inbox[0]["item_kind"], "notice", "{inbox}");
        assert!(inbox[0]["body"].as_str().unwrap().contains("due by 2026-11-09"), "{inbox}");
        // As the deadline comes (Friday before it, and the Monday itself), every holder is reminded again, once a day.
        let clocked = t.db.clone().with_clock(clock.clone());
        let desk = app::risk_desk::RiskDesk::new(clocked.clone(), Default::default());
        for (day, expected) in [
            ("2026-11-04", 0),
            ("2026-11-06", holding_accounts.len()),
            ("2026-11-09", holding_accounts.len()),
            ("2026-11-10", 0),
        ] {
            clock.set(parse_timestamp("at", &format!("{day} 09:00:00")).unwrap());
            assert_eq!(app::notices::remind_deadlines(&clocked, &desk).await.unwrap(), expected, "{}: {day}", t.name);
            assert_eq!(app::notices::remind_deadlines(&clocked, &desk).await.unwrap(), 0, "once a day");
        }
        clock.set(parse_timestamp("at", "2026-11-02 10:00:00").unwrap());
        // A bad notice is rejected with its field; the good one beside it is stored.
        let mixed = json!({ "events": [
            { "type": "notice", "id": "x-1", "kind": "forced_redemption", "title": "赎回", "body": "b", "source": "SSE",
              "time": "2026-11-02 08:30:00", "instruments": code },
            { "type": "notice", "id": "x-2", "title": "业绩预告", "link": "https://example.invalid/n", "source": "issuer",
              "time": "2026-11-02 08:30:00", "instruments": [code] } ] });
        let fed = test_support::http()
            .post(app.url("/api/v1/feeds/events"))
            .bearer_auth(&token)
            .json(&mixed)
            .send()
            .await
            .unwrap();
        let fed: Value = fed.json().await.unwrap();
        let file = fed["files"].as_array().unwrap().iter().find(|f| f["file"] == "notices").unwrap().clone();
        assert_eq!((file["loaded"].as_i64(), file["rejected"].as_i64()), (Some(1), Some(1)), "{fed}");
        assert_eq!(
            (file["rejects"][0]["at"].as_i64(), file["rejects"][0]["column"].as_str()),
            (Some(0), Some("deadline"))
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_portfolio_is_reviewed_followed_through_the_gate_and_rebalanced_to_its_followers() {
    for mut t in backends().await {
        load_book(&mut t, 200, 100).await;
        let clock = Arc::new(SetClock::at(parse_timestamp("at", "2024-01-02 10:00:00").unwrap()));
        let app = TestApp::spawn(t.db.clone().with_clock(clock.clone())).await;
        let (advisor, compliance) = (staff(&t, &app, Role::Advisor).await, staff(&t, &app, Role::Compliance).await);
        let approve = |content: i64, version: i64| {
            let compliance = compliance.clone();
            let app = &app;
            async move {
                let path = format!("/api/v1/content/{content}/review");
                post(&compliance, app, &path, json!({ "version": version, "approve": true })).await.0
            }
        };
        let weights =
            json!([{ "instrument": "600519.SH", "percent": "30" }, { "instrument": "300750.SZ", "percent": "20" }]);
        let (status, made) = post(&advisor, &app, "/api/v1/portfolios",
            json!({ "name": "稳健价值 Steady value", "description": "龙头蓝筹长期持有。Blue chips held long.", "weights": weights })).await;
        assert_eq!(status, 201, "{made}");
        let (id, content) = (made["id"].as_i64().unwrap(), made["content_id"].as_i64().unwrap());
        // ChiNext in it: rated R4. Weights over 100% are refused with their field.
        let (status, e) = post(&advisor, &app, "/api/v1/portfolios", json!({ "name": "x", "description": "x",
            "weights": [{ "instrument": "600519.SH", "percent": "70" }, { "instrument": "000001.SZ", "percent": "40" }] })).await;
        assert_eq!((status, e["field"].as_str()), (400, Some("weights")), "{e}");
        let (a, b) = (3i64, 4i64);
        let session_a = customer_session(&t, &app, a).await;
        let (status, _) = get(&session_a, &app, &format!("/api/v1/portfolios/{id}")).await;
        assert_eq!(status, 404, "under review: not a customer's to see");
        assert_eq!(approve(content, 1).await, 204);
        let (_, seen) = get(&session_a, &app, &format!("/api/v1/portfolios/{id}")).await;
        assert_eq!((seen["risk"].as_str(), seen["performance"].is_null()), (Some("R4"), true), "{seen}");

        // a is a C5 investor in stocks: follows. b is C2: refused above what they may hold? R4 needs C4.
        for (customer, pick) in [(a, "d"), (b, "b")] {
            let path = format!("/api/v1/customers/{customer}/questionnaire");
            let (status, _) = post(&advisor, &app, &path, answers(pick, &["c"])).await;
            assert_eq!(status, 201);
        }
        let follow = |customer: i64, confirmed: bool| json!({ "customer_id": customer, "confirmed": confirmed });
        let (status, e) = post(&session_a, &app, &format!("/api/v1/portfolios/{id}/followers"), follow(a, false)).await;
        assert_eq!(status, 204, "{e}");
        let (status, e) = post(&session_a, &app, &format!("/api/v1/portfolios/{id}/followers"), follow(b, false)).await;
        assert_eq!(status, 403, "a customer follows for themself only: {e}");
        let (status, e) = post(&advisor, &app, &format!("/api/v1/portfolios/{id}/followers"), follow(b, false)).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("confirmation_required")), "{e}");
        let (status, _) = post(&advisor, &app, &format!("/api/v1/portfolios/{id}/followers"), follow(b, true)).await;
        assert_eq!(status, 204, "confirmed after the warning");
        assert_eq!(
            t.db.followers(domain::PortfolioId(id)).await.unwrap(),
            [domain::CustomerId(a), domain::CustomerId(b)]
        );

        // A rebalance in June: followers hear of it once compliance approves, not before.
        clock.set(parse_timestamp("at", "2024-06-03 10:00:00").unwrap());
        let advisor = staff(&t, &app, Role::Advisor).await;
        let compliance2 = staff(&t, &app, Role::Compliance).await;
        let (status, r) = post(&advisor, &app, &format!("/api/v1/portfolios/{id}/rebalances"), json!({
            "weights": [{ "instrument": "600519.SH", "percent": "50" }], "note": "减持宁德，加仓茅台。Less CATL, more Moutai." })).await;
        assert_eq!(status, 201, "{r}");
        let session_a = app.sign_in(&format!("customer{a}"), "a long enough password").await.unwrap();
        let inbox = |s: Session| {
            let app = &app;
            async move { get(&s, app, "/api/v1/inbox").await.1.as_array().unwrap().len() }
        };
        assert_eq!(inbox(session_a.clone()).await, 0);
        let path = format!("/api/v1/content/{}/review", r["content_id"]);
        assert_eq!(post(&compliance2, &app, &path, json!({ "version": 1, "approve": true })).await.0, 204);
        let (_, messages) = get(&session_a, &app, "/api/v1/inbox").await;
        assert_eq!(messages[0]["item_kind"], "rebalance", "{messages}");
        assert!(messages[0]["body"].as_str().unwrap().contains("600519.SH"), "{messages}");

        // Its performance, for a follower, is the files' own over the same rebalances.
        clock.set(parse_timestamp("at", "2026-11-02 10:00:00").unwrap());
        let session_a = app.sign_in(&format!("customer{a}"), "a long enough password").await.unwrap();
        let (_, seen) = get(&session_a, &app, &format!("/api/v1/portfolios/{id}")).await;
        let bars = app::ideas::bars_of_dir(&test_support::repo_root().join("data/ashare-daily")).unwrap();
        let benchmark = ideas::benchmark::equal_weighted(&bars.values().cloned().collect::<Vec<_>>());
        let held: std::collections::BTreeMap<String, Vec<market::Candle>> = bars
            .into_iter()
            .filter(|(c, _)| c == "600519" || c == "300750")
            .map(|(c, b)| (if c == "600519" { "600519.SH".to_owned() } else { "300750.SZ".to_owned() }, b))
            .collect();
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let expected = ideas::portfolio::perform(
            &[
                ideas::portfolio::Rebalance {
                    on: day("2024-01-02"),
                    weights: vec![("300750.SZ".into(), 2_000), ("600519.SH".into(), 3_000)],
                },
                ideas::portfolio::Rebalance { on: day("2024-06-03"), weights: vec![("600519.SH".into(), 5_000)] },
            ],
            &held,
            &benchmark,
        )
        .unwrap();
        assert_eq!(seen["performance"]["return_pct"], json!(expected.return_pct.to_string()), "{}", t.name);
        assert_eq!(seen["performance"]["excess_pct"], json!(expected.excess_pct.unwrap().to_string()), "{}", t.name);
        assert_eq!(seen["followers"], 2);
    }
}
