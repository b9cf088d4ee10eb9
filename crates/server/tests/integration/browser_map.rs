//! The customer map in headless Chromium (issue 28): an advisor's customers
//! are drawn by assets (a log axis) and trades per month; a drag across the
//! plot fills the region; saving it opens the customer list filtered to the
//! new segment, which holds exactly the customers inside the region; and the
//! advisor can make a follow-up for each of them.

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Locator;
use serde_json::Value;
use test_support::{eventually, sqlite_with_firm, Browser, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn a_region_dragged_on_the_customer_map_becomes_a_segment_that_filters_the_list() {
    let Some(b) = Browser::start().await else { return };
    let book = sqlite_with_firm(200, 100).await;
    let as_of = app::classify::book_day(&book.db).await.unwrap().unwrap();
    app::classify::classify_all(&book.db, &classify::LabelConfig::default(), as_of, false).await.unwrap();
    let app = TestApp::spawn(book.db.clone()).await;
    let advisor = book.user(access::Role::Advisor);

    b.client.goto(&app.url("/map?lang=zh&x=assets&y=trades_per_month")).await.unwrap();
    b.wait_for("input[name=login]").await;
    b.client.find(Locator::Css("input[name=login]")).await.unwrap().send_keys(&advisor.login).await.unwrap();
    b.client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(&advisor.password).await.unwrap();
    b.client.find(Locator::Css("form.signin button")).await.unwrap().click().await.unwrap();
    b.wait_for("svg#customer-map circle").await;
    let drawn = b.client.find_all(Locator::Css("svg#customer-map circle[data-id]")).await.unwrap().len();
    assert!(drawn >= 50, "the advisor's customers are drawn: {drawn}");

    // Drag across the middle of the plot, from lower left to upper right.
    let plot = b.client.find(Locator::Css("svg#customer-map")).await.unwrap();
    let (_, _, w, h) = plot.rectangle().await.unwrap();
    let (dx, dy) = ((w * 0.3) as i64, (h * 0.3) as i64);
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: plot.clone(), duration: None, x: -dx, y: dy })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveToElement {
            element: plot.clone(),
            duration: Some(std::time::Duration::from_millis(200)),
            x: dx / 2,
            y: -dy,
        })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    b.client.perform_actions(drag).await.unwrap();
    let chosen = b.client.find_all(Locator::Css("svg#customer-map circle.chosen")).await.unwrap().len();
    assert!(chosen > 0 && chosen < drawn, "the drag chose some of the points: {chosen} of {drawn}");
    assert_eq!(b.text("#map-selected").await, chosen.to_string(), "the page counts what it chose");

    b.client
        .find(Locator::Css("#segment-form input[name=name]"))
        .await
        .unwrap()
        .send_keys("中等资产活跃客户")
        .await
        .unwrap();
    b.client.find(Locator::Css("#segment-form button[type=submit]")).await.unwrap().click().await.unwrap();
    eventually("the list of the new segment", 10, || async {
        b.client.current_url().await.map(|u| u.as_str().contains("segment=")).unwrap_or(false)
    })
    .await;
    let url = b.client.current_url().await.unwrap();
    let segment: i64 =
        url.query_pairs().find(|(k, _)| k == "segment").map(|(_, v)| v.parse().unwrap()).expect("a segment id");

    // The segment holds exactly the advisor's customers inside the region (all
    // are drawn at this size), and the list shows them and only them.
    let session = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let saved: Value = session.get(&app.url(&format!("/api/v1/segments/{segment}"))).await.json().await.unwrap();
    let r = &saved["definition"]["region"];
    let (x0, x1, y0, y1) = (
        r["x_min"].as_f64().unwrap(),
        r["x_max"].as_f64().unwrap(),
        r["y_min"].as_f64().unwrap(),
        r["y_max"].as_f64().unwrap(),
    );
    let map: Value =
        session.get(&app.url("/api/v1/analytics/map?x=assets&y=trades_per_month")).await.json().await.unwrap();
    assert_eq!(map["stride"], 1, "every customer is drawn at this size");
    let mut inside: Vec<i64> = map["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            let (x, y) = (p["x"].as_f64().unwrap(), p["y"].as_f64().unwrap());
            (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
        })
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    inside.sort_unstable();
    assert_eq!(inside.len(), chosen, "what the page chose is what the region holds");
    assert_eq!(saved["members"], inside.len() as i64);
    let listed: Value =
        session.get(&app.url(&format!("/api/v1/customers?segment={segment}&per_page=200"))).await.json().await.unwrap();
    let listed: Vec<i64> = listed["customers"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, inside, "the customer list filters by the segment");
    let rows = b.client.find_all(Locator::Css("#customer-table tbody tr")).await.unwrap().len();
    assert_eq!(rows, inside.len(), "the page lists the segment's customers");

    // A follow-up for each of them, from the map page.
    b.client.goto(&app.url("/map?lang=zh")).await.unwrap();
    b.wait_for("table.segments button.follow-up").await;
    b.client.find(Locator::Css("table.segments button.follow-up")).await.unwrap().click().await.unwrap();
    eventually("the tasks to be made", 10, || async {
        b.text("table.segments .result").await.contains(&inside.len().to_string())
    })
    .await;
    let tasks = book.text("SELECT CAST(COUNT(*) AS TEXT) FROM tasks WHERE title LIKE '%中等资产活跃客户%'").await;
    assert_eq!(tasks, inside.len().to_string());
    assert!(b.policy_violations().await.is_empty(), "the page keeps to its content policy");

    // An invitation to one of the advisor's groups: a task with the group's link for each.
    let made: Value = session
        .post_json(&app.url(""), "/api/v1/groups", &serde_json::json!({ "name": "价值投资交流群" }))
        .await
        .json()
        .await
        .unwrap();
    let group = made["id"].as_i64().unwrap();
    let acted: Value = session
        .post_json(
            &app.url(""),
            &format!("/api/v1/segments/{segment}/invitations"),
            &serde_json::json!({ "group_id": group }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(acted["tasks"], inside.len() as i64, "{acted}");
    let invited =
        book.text("SELECT CAST(COUNT(*) AS TEXT) FROM tasks WHERE title LIKE '%价值投资交流群%/join/%'").await;
    assert_eq!(invited, inside.len().to_string());
    // The link the tasks carry is the one stored with them.
    let token = book.text("SELECT token FROM group_invites").await;
    let with_token =
        book.text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM tasks WHERE title LIKE '%/join/{token}'")).await;
    assert_eq!(with_token, inside.len().to_string());
    // Not the advisor's group to invite to: refused, nothing made.
    let other = session
        .post_json(
            &app.url(""),
            &format!("/api/v1/segments/{segment}/invitations"),
            &serde_json::json!({ "group_id": 999 }),
        )
        .await;
    assert_eq!(other.status(), 404);
    assert_eq!(book.text("SELECT CAST(COUNT(*) AS TEXT) FROM group_invites").await, "1", "no link made for it");
    b.close().await;
}
