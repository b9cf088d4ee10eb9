//! The weekly service plan page: an advisor's contacts in the 60/30/10
//! split, most pressing first; a contact marked done in place; adherence
//! measured; the CSV export; managers choose the advisor, customers are refused.

use access::Role;
use test_support::{sqlite_with_firm, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn an_advisor_works_through_the_weeks_plan() {
    // Two advisors of 800 customers each; the demo advisor serves customers 1-800.
    let book = sqlite_with_firm(1_600, 800).await;
    let as_of = app::classify::book_day(&book.db).await.unwrap().unwrap();
    app::classify::classify_all(&book.db, &classify::LabelConfig::default(), as_of, false).await.unwrap();
    let app = TestApp::spawn(book.db.clone()).await;
    let advisor = book.user(Role::Advisor);
    let s = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let week = "2026-11-16";

    let page = s.get(&app.url("/plan?week=2026-11-18&lang=en")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("Weekly service plan · {week}")), "the week starts on Monday");
    // 20 contact hours at 15 minutes: 80 contacts, 48 / 24 / 8.
    assert_eq!(html.matches("<tr class=\"contact\"").count(), 80, "{html}");
    for (part, n) in [("Core and dormant", 48), ("Maintaining", 24), ("Precipitating", 8)] {
        assert!(html.contains(&format!("<td>{part}</td><td>{}% · {n}</td><td>{n}</td>", n * 100 / 80)), "{part}");
    }

    // The CSV lists the same contacts in rank order.
    let csv = s.get(&app.url(&format!("/plan.csv?week={week}"))).await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "rank,customer_id,customer,bucket,triggers,done_at,outcome");
    assert_eq!(lines.len(), 81);
    assert!(lines[1].starts_with("1,") && lines[1].contains(",core_and_dormant,"), "{}", lines[1]);
    let first: i64 = lines[1].split(',').nth(1).unwrap().parse().unwrap();
    let last_precipitating: i64 = lines[80].split(',').nth(1).unwrap().parse().unwrap();
    assert!(lines[80].contains(",precipitating,"));

    // The same plan over the API.
    let api: serde_json::Value = s.get(&app.url(&format!("/api/v1/plan?week={week}"))).await.json().await.unwrap();
    assert_eq!(api["capacity"], 80);
    assert_eq!(api["contacts"].as_array().unwrap().len(), 80);
    assert_eq!(api["contacts"][0]["customer_id"], first);
    assert_eq!(api["split"][0]["target"], 48);
    assert_eq!(api["split"][2]["bucket"], "precipitating");
    assert_eq!(s.get(&app.url("/api/v1/plan?week=soon")).await.status(), 400);

    // Marked done in place; adherence counts it.
    let done = s
        .post_form(&app.url(""), &format!("/plan/{first}/done?week={week}&lang=en"), &[("outcome", "called, fine")])
        .await;
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("called, fine"));
    let again = s.post_form(&app.url(""), &format!("/plan/{first}/done?week={week}"), &[("outcome", "twice")]).await;
    assert_eq!(again.status(), 404, "a contact is done once");
    let empty =
        s.post_form(&app.url(""), &format!("/plan/{last_precipitating}/done?week={week}"), &[("outcome", " ")]).await;
    assert_eq!(empty.status(), 400, "an outcome is required");
    let html = s.get(&app.url(&format!("/plan?week={week}&lang=en"))).await.text().await.unwrap();
    assert!(html.contains("<td>Core and dormant</td><td>60% · 48</td><td>48</td><td>1</td><td>100%</td>"), "{html}");
    assert!(html.contains("Largest gap from the split: 40 percentage points"), "one core contact: 100% against 60%");
    assert!(s.get(&app.url(&format!("/plan.csv?week={week}"))).await.text().await.unwrap().contains("called, fine"));

    // A bad week is a 400 with its field; the plan does not change once made.
    assert_eq!(s.get(&app.url("/plan?week=next")).await.status(), 400);
    let csv_again = s.get(&app.url(&format!("/plan.csv?week={week}"))).await.text().await.unwrap();
    assert_eq!(csv_again.lines().nth(2), lines.get(2).copied());

    // A manager picks either advisor; a customer is refused; an advisor cannot see another's plan.
    let manager = book.user(Role::Manager);
    let m = app.sign_in(&manager.login, &manager.password).await.unwrap();
    let other = book.text("SELECT CAST(MAX(advisor_id) AS TEXT) FROM customers").await;
    let theirs = m.get(&app.url(&format!("/plan.csv?advisor={other}&week={week}"))).await;
    assert_eq!(theirs.status(), 200);
    assert!(!theirs.text().await.unwrap().contains(&format!("\n1,{first},")), "the other advisor's own customers");
    let customer = book.user(Role::Customer);
    let c = app.sign_in(&customer.login, &customer.password).await.unwrap();
    assert_eq!(c.get(&app.url("/plan")).await.status(), 403);
    let mine = s.get(&app.url(&format!("/plan.csv?advisor={other}&week={week}"))).await.text().await.unwrap();
    assert!(mine.contains(&format!("\n1,{first},")), "an advisor always sees their own plan");

    // The manager gives the other advisor 10 contact hours: next week's plan has 40 contacts (24 / 12 / 4).
    let set = m.post_form(&app.url(""), &format!("/plan/{other}/hours?lang=en"), &[("hours", "10")]).await;
    assert_eq!(set.status(), 200);
    assert!(set.text().await.unwrap().contains("Saved: 10 hours a week."));
    let bad = m.post_form(&app.url(""), &format!("/plan/{other}/hours"), &[("hours", "90")]).await;
    assert_eq!(bad.status(), 400);
    let by_advisor = s.post_form(&app.url(""), &format!("/plan/{other}/hours"), &[("hours", "30")]).await;
    assert_eq!(by_advisor.status(), 403, "an advisor does not set hours");
    let next = m.get(&app.url(&format!("/plan.csv?advisor={other}&week=2026-11-23"))).await.text().await.unwrap();
    assert_eq!(next.lines().count(), 41);
    let this = m.get(&app.url(&format!("/plan.csv?advisor={other}&week={week}"))).await.text().await.unwrap();
    assert_eq!(this.lines().count(), 81, "a plan once made stays");
}
