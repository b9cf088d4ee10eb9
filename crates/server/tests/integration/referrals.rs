//! Referrals and tiers through the real server on both backends: new
//! customers arrive on the import feed with `referred_by` (an invite code or
//! a customer id); each referral is rewarded pending or refused with the
//! reason the inviter reads; a friend's verification and first deposit (on
//! the events feed) post the reward, a friend who never qualifies has it
//! voided after the window; an inviter's many referrals in a day wait for a
//! reviewer; tiers follow the rolling points with a grace before a fall.

use access::Role;
use chrono::{DateTime, Days, Utc};
use serde_json::{json, Value};
use test_support::{backends, book_people, customer_session, http, load_book, TestApp};

async fn token(t: &test_db::TestDb, scope: access::FeedScope) -> String {
    let token = access::new_api_token();
    let name = domain::TokenName::parse("core system").unwrap();
    t.db.create_api_token("test", &name, scope, &access::secret_digest(&token)).await.unwrap();
    token
}

/// A valid national ID for a birth date and a serial.
fn national_id(serial: u32) -> String {
    let first17 = format!("11010119900101{serial:03}");
    format!("{first17}{}", domain::NationalId::check_char(&first17))
}

/// A customers.csv row of a new customer opened on 2026-12-01.
fn row(id: i64, phone: &str, branch: &str, advisor: &str, verified: bool, referred_by: &str) -> String {
    format!(
        "{id},新客{id},{},{phone},M,1990-01-01,2020-01-01,{branch},{advisor},C3,medium,{verified},false,2026-12-01T10:{:02}:00+08:00,{referred_by}\n",
        national_id(id as u32 % 1000),
        id % 60
    )
}

const HEADER: &str = "id,name,national_id,phone,gender,birth_date,market_entry_date,branch_id,advisor_id,risk_level,horizon,real_name_verified,professional,opened_at,referred_by\n";

async fn push(app: &TestApp, token: &str, file: &str, body: String) -> Value {
    let r = http()
        .post(app.url(&format!("/api/v1/feeds/import/{file}")))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn state_of(rows: &Value, referee: i64) -> Vec<(String, String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["referee_id"] == referee)
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_owned();
            (s("state"), s("refusal"), s("reward_state"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn referrals_are_rewarded_on_qualifying_refused_with_reasons_and_reviewed() {
    for mut t in backends().await {
        load_book(&mut t, 60, 100).await;
        let app = TestApp::spawn(t.db.clone()).await;
        let import = token(&t, access::FeedScope::Import).await;
        let events = token(&t, access::FeedScope::Events).await;
        let one = customer_session(&t, &app, 1).await;
        let invite: Value = one.get(&app.url("/api/v1/customers/1/invite")).await.json().await.unwrap();
        let code = invite["code"].as_str().unwrap().to_owned();
        assert_eq!(invite["link"], format!("/invite/{code}"), "{}", t.name);
        let again: Value = one.get(&app.url("/api/v1/customers/1/invite")).await.json().await.unwrap();
        assert_eq!(again["code"], code.as_str(), "{}: a customer keeps their code", t.name);

        // The invite link is open without signing in, and shows the inviter's name masked.
        let landing = http().get(app.url(&format!("/invite/{code}"))).send().await.unwrap();
        assert_eq!(landing.status(), 200, "{}", t.name);
        let html = landing.text().await.unwrap();
        assert!(html.contains(&code) && html.contains('*'), "{}: {html}", t.name);
        let unknown = http().get(app.url("/invite/ZZZZZZZZ")).send().await.unwrap();
        assert_eq!(unknown.status(), 404, "{}", t.name);

        let branch = t.text("SELECT CAST(branch_id AS TEXT) FROM customers WHERE id = 1").await;
        let advisor = t.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 1").await;
        let known_phone = book_people(60, 100).into_iter().find(|p| p.id == 2).unwrap().phone;
        let r = |id, phone: &str, verified, by: &str| row(id, phone, &branch, &advisor, verified, by);
        let mut csv = HEADER.to_owned();
        csv += &r(1001, "13900001001", true, &code); // by code: qualifies below
        csv += &r(1002, "13900001002", false, "1"); // by id: never verified, voided after 90 days
        csv += &r(1003, "13900001003", true, "1003"); // self
        csv += &r(1004, &known_phone, true, "1"); // the phone of customer 2, who opened before
        csv += &r(1005, "13900001005", true, "ZZZZZZZZ"); // no such code
        csv += &r(1006, "13900001006", true, "2"); // referred by 2 first ...
        for id in 1007..=1012 {
            csv += &r(id, &format!("139000{id:05}"), true, "3"); // six by one inviter in a day
        }
        csv += &r(1013, "13900001013", true, &"X".repeat(60)); // garbage: the row is rejected
        let report = push(&app, &import, "customers", csv).await;
        let file = &report["files"][0];
        assert_eq!((file["loaded"].as_u64(), file["rejected"].as_u64()), (Some(12), Some(1)), "{}: {report}", t.name);
        assert_eq!(file["rejects"][0]["column"], "referred_by", "{}: {report}", t.name);
        // ... then by 1 in a second file: already referred.
        push(&app, &import, "customers", format!("{HEADER}{}", r(1006, "13900001006", true, "1"))).await;
        let accounts: String = (1001..=1012).map(|c| format!("{},{c},0\n", c * 10 + 1)).collect();
        push(&app, &import, "accounts", format!("id,customer_id,cash\n{accounts}")).await;

        let mine: Value = one.get(&app.url("/api/v1/customers/1/referrals")).await.json().await.unwrap();
        let pending = ("rewarded".to_owned(), String::new(), "pending".to_owned());
        assert_eq!(state_of(&mine, 1001), vec![pending.clone()], "{}: {mine}", t.name);
        assert_eq!(state_of(&mine, 1002), vec![pending.clone()], "{}", t.name);
        let refused = |code: &str| ("refused".to_owned(), code.to_owned(), String::new());
        assert_eq!(state_of(&mine, 1004), vec![refused("referral_already_known")], "{}", t.name);
        assert_eq!(state_of(&mine, 1006), vec![refused("referral_already_referred")], "{}", t.name);
        let name = mine.as_array().unwrap()[0]["referee_name"].as_str().unwrap();
        assert!(name.starts_with('新') && name.ends_with('*'), "{}: a friend's name is masked: {name}", t.name);
        let own = customer_session(&t, &app, 1003).await;
        let selfish: Value = own.get(&app.url("/api/v1/customers/1003/referrals")).await.json().await.unwrap();
        assert_eq!(state_of(&selfish, 1003), vec![refused("referral_self")], "{}", t.name);
        let unknown = t.text("SELECT refusal FROM referrals WHERE referee_id = 1005").await;
        assert_eq!(unknown, "referral_unknown_inviter", "{}", t.name);
        // The inviter reads the reason in words on their page.
        let page = one.get(&app.url("/customers/1/points?lang=en")).await.text().await.unwrap();
        assert!(page.contains("the friend was already a customer"), "{}", t.name);
        assert!(page.contains(&code), "{}", t.name);

        // 1001 deposits 2,000 yuan within the window: customer 1's reward posts. 1002 deposits but is not verified.
        let balance = || async {
            let s: Value = one.get(&app.url("/api/v1/customers/1/points")).await.json().await.unwrap();
            s["balance"].as_i64().unwrap()
        };
        let before = balance().await;
        let deposit = |id: i64, account: i64| {
            json!({ "type": "cash_flow", "id": 70_000_000 + id, "account_id": account,
            "kind": "deposit", "amount": "2000", "time": "2026-12-02T10:00:00+08:00" })
        };
        let r = http()
            .post(app.url("/api/v1/feeds/events"))
            .bearer_auth(&events)
            .json(&json!({ "events": [deposit(1, 10011), deposit(2, 10021)] }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", t.name);
        let mine: Value = one.get(&app.url("/api/v1/customers/1/referrals")).await.json().await.unwrap();
        assert_eq!(state_of(&mine, 1001)[0].2, "posted", "{}: {mine}", t.name);
        assert_eq!(state_of(&mine, 1002)[0].2, "pending", "{}", t.name);
        assert_eq!(balance().await, before + 500, "{}", t.name);
        // Customers see the leaderboard, names masked.
        let page = one.get(&app.url("/points?lang=en")).await.text().await.unwrap();
        let board =
            page.split("class=\"public-leaders\"").nth(1).expect("the leaderboard").split("</ol>").next().unwrap();
        assert!(board.contains("1 friend joined") && board.contains('*'), "{}: {board}", t.name);
        assert_eq!(test_support::unmasked_pii(&page), None, "{}", t.name);

        // Customer 3's sixth referral of the day waits for a reviewer; a customer may not review.
        let three = customer_session(&t, &app, 3).await;
        assert_eq!(three.get(&app.url("/api/v1/referrals/review")).await.status(), 403, "{}", t.name);
        let compliance = t.user(Role::Compliance);
        let reviewer = app.sign_in(&compliance.login, &compliance.password).await.unwrap();
        let queue: Value = reviewer.get(&app.url("/api/v1/referrals/review")).await.json().await.unwrap();
        let held: Vec<&Value> = queue.as_array().unwrap().iter().filter(|r| r["inviter_id"] == 3).collect();
        assert_eq!(held.len(), 1, "{}: {queue}", t.name);
        assert_eq!(held[0]["review"], "many_in_a_day", "{}", t.name);
        let seq = held[0]["seq"].as_i64().unwrap();
        let path = format!("/api/v1/referrals/{seq}/review");
        let r = reviewer.post_json(&app.url(""), &path, &json!({ "approve": false })).await;
        assert_eq!(r.status(), 200, "{}", t.name);
        let done: Value = r.json().await.unwrap();
        assert_eq!(done["reward_state"], "voided", "{}: {done}", t.name);
        let r = reviewer.post_json(&app.url(""), &path, &json!({ "approve": true })).await;
        assert_eq!(r.status(), 409, "{}: decided once", t.name);
        let audited = t.text("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE entity = 'referrals'").await;
        assert_eq!(audited, "1", "{}", t.name);

        // Past the 90 days, the one who never qualified has the reward voided.
        let opened: DateTime<Utc> = "2026-12-01T02:00:00Z".parse().unwrap();
        let rules = growth::GrowthRules::default();
        app::growth::sweep(&t.db, &rules, opened + Days::new(91)).await.unwrap();
        let mine: Value = one.get(&app.url("/api/v1/customers/1/referrals")).await.json().await.unwrap();
        assert_eq!(state_of(&mine, 1002)[0].2, "voided", "{}", t.name);

        // The report: customer 3 leads with six referred; customer 1 invited again.
        let report: Value = reviewer.get(&app.url("/api/v1/referrals/report")).await.json().await.unwrap();
        let leaders = report["leaders"].as_array().unwrap();
        let three = leaders.iter().find(|l| l["inviter_id"] == 3).expect("customer 3 leads");
        assert!(three["referred"].as_i64().unwrap() >= 6, "{}: {report}", t.name);
        assert!(report["matthew"]["inviters"].as_u64().unwrap() >= 3, "{}: {report}", t.name);
        let page = reviewer.get(&app.url("/referrals?lang=en")).await.text().await.unwrap();
        assert!(page.contains("The Matthew effect"), "{}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tier_rises_with_the_points_and_falls_only_after_the_grace() {
    for mut t in backends().await {
        load_book(&mut t, 20, 100).await;
        let app = TestApp::spawn(t.db.clone()).await;
        let points = token(&t, access::FeedScope::Points).await;
        let earn = json!({ "apply": { "id": "carried:5", "debit": { "firm": "issuance" }, "credit": { "customer": 5 },
            "amount": 3_100, "reason": "tenure", "kind": { "phase": "single" } } });
        let r = http()
            .post(app.url("/api/v1/feeds/points"))
            .bearer_auth(&points)
            .json(&json!({ "operations": [earn] }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", t.name);
        let rules = growth::tier::TierRules::default(); // gold from 3,000; 30 days' grace
        let today = domain::to_shanghai(t.db.now()).date_naive();
        let run = app::growth::tiers::recompute(&t.db, &rules, today).await.unwrap();
        assert!(run.changes >= 1, "{}: {run:?}", t.name);
        let five = customer_session(&t, &app, 5).await;
        let tier: Value = five.get(&app.url("/api/v1/customers/5/tier")).await.json().await.unwrap();
        assert_eq!((tier["tier"].as_str(), tier["rolling_points"].as_i64()), (Some("gold"), Some(3_100)), "{}", t.name);
        assert_eq!(tier["next"], json!(["platinum", 4_900]), "{}", t.name);
        assert_eq!(tier["benefits"]["professional_content"], true, "{}", t.name);
        // Judged again the same day: nothing more logged.
        app::growth::tiers::recompute(&t.db, &rules, today).await.unwrap();
        let count = || t.text("SELECT CAST(COUNT(*) AS TEXT) FROM tier_changes WHERE customer_id = 5");
        assert_eq!(count().await, "1", "{}", t.name);

        // A year and more on, the points have left the window: gold is kept through the grace, then lost.
        let later = today + Days::new(400);
        app::growth::tiers::recompute(&t.db, &rules, later).await.unwrap();
        assert_eq!(t.text("SELECT tier FROM customer_tiers WHERE customer_id = 5").await, "gold", "{}", t.name);
        app::growth::tiers::recompute(&t.db, &rules, later + Days::new(29)).await.unwrap();
        assert_eq!(t.text("SELECT tier FROM customer_tiers WHERE customer_id = 5").await, "gold", "{}", t.name);
        app::growth::tiers::recompute(&t.db, &rules, later + Days::new(30)).await.unwrap();
        assert_eq!(t.text("SELECT tier FROM customer_tiers WHERE customer_id = 5").await, "standard", "{}", t.name);
        assert_eq!(count().await, "2", "{}", t.name);
        // The customer and their advisor read the change.
        let tier: Value = five.get(&app.url("/api/v1/customers/5/tier")).await.json().await.unwrap();
        assert_eq!(tier["changes"][0]["reason"], "fall_after_grace", "{}: {tier}", t.name);
        let page = five.get(&app.url("/points?lang=en")).await.text().await.unwrap();
        assert!(page.contains("below it through the grace period"), "{}", t.name);
        assert!(page.contains("never changes your risk level"), "{}", t.name);
        let advisor = t.user(Role::Advisor);
        let staff = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
        let page = staff.get(&app.url("/customers/5/points?lang=en")).await.text().await.unwrap();
        assert!(page.contains("id=\"tier-name\""), "{}", t.name);

        // Three years since customer 6 opened, this week: tenure earns once.
        use chrono::Datelike;
        let opened = today.with_year(today.year() - 3).unwrap() - Days::new(2);
        t.execute(&format!("UPDATE customers SET opened_at = '{opened}T02:00:00+00:00' WHERE id = 6")).await;
        let earning = growth::earning::EarningRules::default();
        assert!(app::growth::earn_tenure(&t.db, &earning, today).await.unwrap() >= 1, "{}", t.name);
        assert_eq!(app::growth::earn_tenure(&t.db, &earning, today).await.unwrap(), 0, "{}: once", t.name);
        let sql = "SELECT CAST(amount AS TEXT) FROM points_transfers WHERE id = 'earn:tenure:6:3'";
        assert_eq!(t.text(sql).await, "100", "{}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_a_week_into_a_group_is_prompted_once_and_the_prompt_converts() {
    for mut t in backends().await {
        load_book(&mut t, 20, 100).await;
        let app = TestApp::spawn(t.db.clone()).await;
        let advisor = t.user(Role::Advisor);
        let staff = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
        let made: Value = staff
            .post_json(&app.url(""), "/api/v1/groups", &json!({ "name": "价值投资交流群" }))
            .await
            .json()
            .await
            .unwrap();
        let group = domain::GroupId(made["id"].as_i64().unwrap());
        let now = t.db.now();
        t.db.add_member(group, domain::CustomerId(7), now - Days::new(8)).await.unwrap();
        t.db.add_member(group, domain::CustomerId(8), now - Days::new(2)).await.unwrap();
        let rules = growth::GrowthRules::default();
        let swept = app::growth::sweep(&t.db, &rules, now).await.unwrap();
        assert_eq!(swept.prompted, 1, "{}: only the member of a week", t.name);
        assert_eq!(app::growth::sweep(&t.db, &rules, now).await.unwrap().prompted, 0, "{}: once", t.name);
        // The advisor has it in the work queue; the member sees it on their page.
        let tasks: Value = staff.get(&app.url("/api/v1/tasks")).await.json().await.unwrap();
        let text = tasks.to_string();
        assert!(text.contains("入群满一周") && text.contains("\"customer_id\":7"), "{}: {text}", t.name);
        let seven = customer_session(&t, &app, 7).await;
        let page = seven.get(&app.url("/points?lang=en")).await.text().await.unwrap();
        assert!(page.contains("id=\"invite-prompt\""), "{}", t.name);

        // Customer 7 invites a friend: the prompt converted, and the page stops asking.
        let import = token(&t, access::FeedScope::Import).await;
        let branch = t.text("SELECT CAST(branch_id AS TEXT) FROM customers WHERE id = 7").await;
        let adv = t.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 7").await;
        let opened = domain::to_shanghai(now + Days::new(1)).format("%Y-%m-%dT10:00:00+08:00").to_string();
        let line = row(2001, "13900002001", &branch, &adv, true, "7").replace("2026-12-01T10:21:00+08:00", &opened);
        push(&app, &import, "customers", format!("{HEADER}{line}")).await;
        let compliance = t.user(Role::Compliance);
        let reviewer = app.sign_in(&compliance.login, &compliance.password).await.unwrap();
        let report: Value = reviewer.get(&app.url("/api/v1/referrals/report")).await.json().await.unwrap();
        assert_eq!(report["prompts"], json!({ "prompted": 1, "seen": 1, "converted": 1 }), "{}: {report}", t.name);
        let page = seven.get(&app.url("/points?lang=en")).await.text().await.unwrap();
        assert!(!page.contains("id=\"invite-prompt\""), "{}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shared_idea_opens_without_sign_in_and_an_opening_after_it_is_attributed_to_the_share() {
    use super::outreach::{long_idea, published_idea, staff};
    for mut t in backends().await {
        load_book(&mut t, 60, 100).await;
        let clock = std::sync::Arc::new(domain::SetClock::at("2024-01-02T02:00:00Z".parse().unwrap()));
        let app = TestApp::spawn(t.db.clone().with_clock(clock.clone())).await;
        let (advisor, compliance) = (staff(&t, &app, Role::Advisor).await, staff(&t, &app, Role::Compliance).await);
        let (code, _, _) = test_support::most_held_stock(&t).await;
        let sql =
            format!("SELECT CAST(close AS TEXT) FROM daily_bars WHERE instrument = '{code}' AND date = '2024-01-02'");
        let close = t.text(&sql).await.parse::<rust_decimal::Decimal>().unwrap() / rust_decimal::Decimal::from(10_000);
        let idea = published_idea(&app, &advisor, &compliance, long_idea(&code, close, 60)).await;
        // And one from a research source: its reasoning is professional content.
        let admin = staff(&t, &app, Role::Admin).await;
        let source: Value = admin
            .post_json(
                &app.url(""),
                "/api/v1/research-sources",
                &json!({ "name": "研究所", "kind": "desk", "licence_no": "S0000000000001" }),
            )
            .await
            .json()
            .await
            .unwrap();
        let mut research = long_idea(&code, close, 60);
        research["source_id"] = source["id"].clone();
        let research = published_idea(&app, &advisor, &compliance, research).await;
        clock.set("2026-12-01T01:00:00Z".parse().unwrap());
        // Years on, the staff sign in again.
        let (advisor, compliance) = (staff(&t, &app, Role::Advisor).await, staff(&t, &app, Role::Compliance).await);

        // Customer 4 shares it: a link and a QR code carrying their invite code.
        let four = customer_session(&t, &app, 4).await;
        let share: Value = four.get(&app.url(&format!("/api/v1/ideas/{idea}/share"))).await.json().await.unwrap();
        let link = share["link"].as_str().unwrap().to_owned();
        assert!(link.starts_with(&format!("/share/idea/{idea}?by=")), "{}: {share}", t.name);
        assert!(share["qr_svg"].as_str().unwrap().starts_with("<svg"), "{}", t.name);
        // The advisor's own link carries no invite code.
        let own: Value = advisor.get(&app.url(&format!("/api/v1/ideas/{idea}/share"))).await.json().await.unwrap();
        assert_eq!(own["link"], format!("/share/idea/{idea}"), "{}", t.name);
        assert_eq!(four.get(&app.url("/api/v1/ideas/999999/share")).await.status(), 404, "{}", t.name);
        let page = four.get(&app.url(&format!("/ideas/{idea}?lang=en"))).await.text().await.unwrap();
        assert!(page.contains("id=\"share-link\"") && page.contains("<svg"), "{}: the share box", t.name);

        // Professional content follows the tier: held back from customer 4 (no tier), open once gold.
        let seen: Value = four.get(&app.url(&format!("/api/v1/ideas/{research}"))).await.json().await.unwrap();
        assert_eq!(
            (seen["professional_locked"].as_bool(), seen["rationale"].as_str()),
            (Some(true), Some("")),
            "{}: {seen}",
            t.name
        );
        let own: Value = four.get(&app.url(&format!("/api/v1/ideas/{idea}"))).await.json().await.unwrap();
        assert_eq!(own["professional_locked"], false, "{}: an advisor's own idea is for everyone", t.name);
        t.execute(
            "INSERT INTO customer_tiers (customer_id, tier, since, reason, rolling_points, judged_on) \
             VALUES (4, 'gold', '2026-01-01', 'rise', 3000, '2026-01-01')",
        )
        .await;
        let seen: Value = four.get(&app.url(&format!("/api/v1/ideas/{research}"))).await.json().await.unwrap();
        assert!(seen["rationale"].as_str().unwrap().contains("估值"), "{}: {seen}", t.name);
        // Shared publicly, the research reasoning stays out of the page.
        let shared: Value = four.get(&app.url(&format!("/api/v1/ideas/{research}/share"))).await.json().await.unwrap();
        let public = http().get(app.url(shared["link"].as_str().unwrap())).send().await.unwrap().text().await.unwrap();
        assert!(!public.contains("估值"), "{}", t.name);

        // A friend opens it without signing in: the idea, who shared it (masked), the code; the open counted.
        let opened = http().get(app.url(&link)).send().await.unwrap();
        assert_eq!(opened.status(), 200, "{}", t.name);
        let html = opened.text().await.unwrap();
        let by = link.split("by=").nth(1).unwrap();
        assert!(html.contains("id=\"shared-by\"") && html.contains(by), "{}: {html}", t.name);
        assert_eq!(http().get(app.url("/share/idea/999999")).send().await.unwrap().status(), 404, "{}", t.name);

        // The friend opens an account with the code the same morning: the referral is the share's.
        let import = token(&t, access::FeedScope::Import).await;
        let branch = t.text("SELECT CAST(branch_id AS TEXT) FROM customers WHERE id = 4").await;
        let adv = t.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 4").await;
        push(&app, &import, "customers", format!("{HEADER}{}", row(3001, "13900003001", &branch, &adv, true, by)))
            .await;
        let via = t.text("SELECT via || ':' || share_kind || ':' || CAST(share_item AS TEXT) FROM referrals WHERE referee_id = 3001").await;
        assert_eq!(via, format!("share:idea:{idea}"), "{}", t.name);
        let compliance_report: Value = compliance.get(&app.url("/api/v1/referrals/report")).await.json().await.unwrap();
        let ideas =
            compliance_report["shares"].as_array().unwrap().iter().find(|s| s["kind"] == "idea").unwrap().clone();
        assert_eq!(
            (ideas["opens"].as_i64(), ideas["openings"].as_i64()),
            (Some(2), Some(1)),
            "{}: two shares opened, one opening from the last: {compliance_report}",
            t.name
        );
    }
}
