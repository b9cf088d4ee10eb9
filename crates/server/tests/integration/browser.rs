//! The customer list in headless Chromium: rows, paging and search as a user
//! sees them, htmx and all.

use fantoccini::Locator;
use test_support::{eventually, sqlite_with_book, Browser, TestApp};

async fn rows(b: &Browser) -> Vec<String> {
    column(b, 1).await
}

/// The text of one column (from 1) of the customer table, read in one
/// script so that an htmx swap cannot change it halfway.
async fn column(b: &Browser, n: usize) -> Vec<String> {
    let script = format!(
        "return Array.from(document.querySelectorAll('tr.customer td:nth-child({n})')).map(e => e.textContent.trim());"
    );
    let value = b.client.execute(&script, vec![]).await.unwrap();
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_list_pages_and_searches_in_a_real_browser() {
    let Some(browser) = Browser::start().await else { return };
    let book = sqlite_with_book(1_200).await;
    let app = TestApp::spawn(book.db.clone()).await;

    // Asking for the list leads to the sign-in form, and back after it.
    browser.client.goto(&app.url("/customers?lang=en")).await.unwrap();
    browser.wait_for("input[name=login]").await;
    assert!(browser.client.current_url().await.unwrap().path().starts_with("/signin"));
    let compliance = book.user(access::Role::Compliance);
    browser.client.find(Locator::Css("input[name=login]")).await.unwrap().send_keys(&compliance.login).await.unwrap();
    let password = browser.client.find(Locator::Css("input[name=password]")).await.unwrap();
    password.send_keys(&compliance.password).await.unwrap();
    browser.client.find(Locator::Css("form.signin button")).await.unwrap().click().await.unwrap();
    eventually("the customer list", 5, || async { browser.client.find(Locator::Css("#total")).await.is_ok() }).await;
    assert_eq!(browser.text("#total").await, "1200");
    let first_page = rows(&browser).await;
    assert_eq!(first_page.len(), 50);
    assert_eq!(first_page[0], "1");
    assert!(browser.client.find(Locator::Css("a[rel=prev]")).await.is_err(), "no page before the first");

    // Next page, swapped in by htmx, with the address bar following.
    browser.client.find(Locator::Css("a[rel=next]")).await.unwrap().click().await.unwrap();
    eventually("page 2", 5, || async { rows(&browser).await.first().map(String::as_str) == Some("51") }).await;
    assert_eq!(rows(&browser).await.len(), 50);
    assert!(browser.client.current_url().await.unwrap().as_str().contains("after="));

    // Back to page 1 through the previous link; then straight to the last page.
    browser.client.find(Locator::Css("a[rel=prev]")).await.unwrap().click().await.unwrap();
    eventually("page 1", 5, || async { rows(&browser).await.first().map(String::as_str) == Some("1") }).await;
    browser.client.find(Locator::Css("a[rel=last]")).await.unwrap().click().await.unwrap();
    eventually("the last page", 5, || async { rows(&browser).await.last().map(String::as_str) == Some("1200") }).await;
    assert!(browser.client.find(Locator::Css("a[rel=next]")).await.is_err(), "no page after the last");

    // Sorting by assets from the column's head: largest first, as the store sorts them.
    browser.client.find(Locator::Css("a.sort[data-sort=assets]")).await.unwrap().click().await.unwrap();
    let by_assets = book
        .db
        .customers(&store::CustomerQuery {
            scope: access::Scope::Firm,
            sort: store::CustomerSort::Assets,
            descending: true,
            ..Default::default()
        })
        .await
        .unwrap();
    let want: Vec<String> = by_assets.rows.iter().map(|r| r.id.to_string()).collect();
    eventually("sorted by assets", 5, || async { rows(&browser).await == want }).await;
    assert!(browser.client.current_url().await.unwrap().as_str().contains("sort=assets"));

    // A filter chosen in the form narrows the list at once, and the address
    // bar carries it: the bookmarked list comes back the same.
    let risk = browser.client.find(Locator::Css("select[name=risk]")).await.unwrap();
    risk.select_by_value("C4").await.unwrap();
    eventually("risk C4 only", 5, || async {
        let risks = column(&browser, 6).await;
        !risks.is_empty() && risks.iter().all(|r| r == "C4")
    })
    .await;
    let filtered = rows(&browser).await;
    let url = browser.client.current_url().await.unwrap();
    assert!(url.as_str().contains("risk=C4") && url.as_str().contains("sort=assets"), "{url}");
    let export = browser.client.find(Locator::Css("a.export")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(export.starts_with("/customers.csv?") && export.contains("risk=C4"), "{export}");
    browser.client.goto(url.as_str()).await.unwrap();
    eventually("the bookmarked list", 5, || async { rows(&browser).await == filtered }).await;
    let chosen = browser.client.find(Locator::Css("select[name=risk]")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(chosen.as_deref(), Some("C4"));
    browser.client.goto(&app.url("/customers?lang=en")).await.unwrap();
    eventually("the whole list again", 5, || async { browser.text("#total").await == "1200" }).await;

    // Searching by name narrows the list as the user types.
    let search = browser.client.find(Locator::Css("input[type=search]")).await.unwrap();
    search.send_keys("王").await.unwrap();
    eventually("search results", 5, || async { browser.text("#total").await != "1200" }).await;
    let total: usize = browser.text("#total").await.parse().unwrap();
    assert!(total > 0 && total < 1200);
    for name in browser.client.find_all(Locator::Css("tr.customer td:nth-child(2)")).await.unwrap() {
        assert!(name.text().await.unwrap().contains('王'));
    }

    // On a customer's page the phone is masked until "Reveal" is pressed;
    // htmx posts with the session's CSRF header and swaps the value in.
    browser.client.goto(&app.url("/customers/7?lang=en")).await.unwrap();
    let masked = browser.client.find(Locator::Css("dd")).await.unwrap().text().await.unwrap();
    assert!(masked.contains("****"), "{masked}");
    assert_eq!(book.db.audit_records().await.unwrap().iter().filter(|r| r.entry.action == "reveal").count(), 0);
    browser.client.find(Locator::Css("button.reveal")).await.unwrap().click().await.unwrap();
    eventually("the revealed phone", 5, || async { !browser.text("strong.revealed").await.is_empty() }).await;
    let phone = browser.text("strong.revealed").await;
    assert!(domain::Phone::parse(&phone).is_ok(), "{phone}");
    assert_eq!((&phone[..3], &phone[7..]), (&masked[..3], &masked[7..11]));
    let reveals: Vec<_> =
        book.db.audit_records().await.unwrap().into_iter().filter(|r| r.entry.action == "reveal").collect();
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0].entry.entity_id, "7");

    // All of it under the pages' security policy: the stylesheet came from the
    // server (no inline style), and nothing was blocked on the way.
    let header = "return getComputedStyle(document.querySelector('header')).backgroundColor;";
    let colour = browser.client.execute(header, vec![]).await.unwrap();
    assert_eq!(colour, serde_json::json!("rgb(15, 48, 87)"), "the stylesheet applies");
    assert_eq!(browser.policy_violations().await, Vec::<String>::new());
    browser.close().await;
}
