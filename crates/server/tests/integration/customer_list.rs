//! The customer list an advisor works from (issue 23): every filter and sort
//! of the API, walked page by page by keyset forwards and backwards, gives
//! the list worked out here from the whole book; the CSV export carries the
//! same rows; bad parameters get a 400 naming the field; an advisor sees
//! only their own book. On both backends.

use access::{Principal, Role};
use chrono::{DateTime, Duration, Utc};
use domain::{AccountId, CustomerId, StaffId, UserId};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::HashSet;
use test_support::{events_token, http, Session, TestApp, TestDb};

/// Every row of the list the query asks for, page after page by `next`;
/// checked against the same list read backwards from its last page by `prev`.
async fn walk(app: &TestApp, session: &Session, query: &str) -> Vec<Value> {
    let get = |extra: String| async move {
        let url = app.url(&format!("/api/v1/customers?{query}&per_page=37{extra}"));
        let r = session.get(&url).await;
        assert_eq!(r.status(), 200, "{url}");
        r.json::<Value>().await.unwrap()
    };
    let mut rows: Vec<Value> = Vec::new();
    let mut page = get(String::new()).await;
    let total = page["total"].as_i64().unwrap();
    assert_eq!(page["total_exact"], true, "{query}");
    loop {
        rows.extend(page["customers"].as_array().unwrap().iter().cloned());
        let Some(next) = page["next"].as_str() else { break };
        page = get(format!("&after={next}")).await;
    }
    assert_eq!(rows.len() as i64, total, "{query}: the pages hold every match once");
    let mut backwards: Vec<Value> = Vec::new();
    let mut page = get("&at=last".into()).await;
    loop {
        let mut these = page["customers"].as_array().unwrap().clone();
        these.extend(backwards);
        backwards = these;
        let Some(prev) = page["prev"].as_str() else { break };
        page = get(format!("&before={prev}")).await;
    }
    assert_eq!(ids(&backwards), ids(&rows), "{query}: the same list read from its end");
    rows
}

fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().map_or(DateTime::UNIX_EPOCH, |t| t.parse().unwrap())
}

fn assets(r: &Value) -> Decimal {
    r["assets"].as_str().unwrap().parse().unwrap()
}

/// The rows `keep` keeps, by `key` then id, largest first when `desc`.
fn expected<K: Ord>(all: &[Value], keep: impl Fn(&Value) -> bool, key: impl Fn(&Value) -> K, desc: bool) -> Vec<i64> {
    let mut rows: Vec<&Value> = all.iter().filter(|r| keep(r)).collect();
    rows.sort_by(|a, b| (key(a), a["id"].as_i64()).cmp(&(key(b), b["id"].as_i64())));
    if desc {
        rows.reverse();
    }
    rows.into_iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

/// Ids, comma-separated, of a one-column query.
async fn id_set(t: &TestDb, column: &str, from_where: &str) -> HashSet<i64> {
    let agg = if t.name == "sqlite" {
        format!("group_concat({column}, ',')")
    } else {
        format!("string_agg(CAST({column} AS TEXT), ',')")
    };
    let text = t.text(&format!("SELECT COALESCE({agg}, '') FROM {from_where}")).await;
    text.split(',').filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_filter_and_sort_pages_by_keyset_to_the_list_the_book_gives_on_both_backends() {
    for mut t in test_support::backends().await {
        test_support::load_book(&mut t, 400, 100).await;
        let day = app::classify::book_day(&t.db).await.unwrap().unwrap();
        app::classify::classify_all(&t.db, &classify::LabelConfig::default(), day, false).await.unwrap();

        // Reminders for customers 5 (two), 6 and 7; then a call to 6 through the feed.
        let account = |c: i64| {
            let t = &t;
            async move {
                AccountId(
                    t.text(&format!("SELECT CAST(MIN(id) AS TEXT) FROM accounts WHERE customer_id = {c}"))
                        .await
                        .parse()
                        .unwrap(),
                )
            }
        };
        let made = t.db.now() - Duration::hours(1);
        let mut reminders = Vec::new();
        for (c, step) in [(5, 1), (5, 2), (6, 1), (7, 1)] {
            reminders.push(store::NewReminder {
                account_id: account(c).await,
                rule: "day_loss".into(),
                instrument: None,
                step,
                measure: -500,
                figures: "{}".into(),
                text_zh: "当日亏损".into(),
                text_en: "Day loss".into(),
                rule_version: "test".into(),
                trading_day: day,
                created_at: made,
                deliver_at: made,
                care_task: None,
            });
        }
        assert_eq!(t.db.insert_reminders(&reminders).await.unwrap().len(), 4);
        // Only the reminders above: no take-profit reminders from the watch's start.
        let rules = watch::rules::RuleConfig { take_profit_for: Vec::new(), ..Default::default() };
        let settings = app::risk_desk::DeskSettings { rules, threads: 2, ..Default::default() };
        let app = TestApp::spawn_with(t.db.clone(), settings).await;
        let token = events_token(&t.db).await;
        let called = t.db.now() - Duration::minutes(5);
        let contact = json!({ "events": [{ "type": "service_event", "id": 990_001, "customer_id": 6,
            "staff_id": t.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 6").await.parse::<i64>().unwrap(),
            "kind": "call", "time": called.to_rfc3339() }] });
        let r = http().post(app.url("/api/v1/feeds/events")).bearer_auth(&token).json(&contact).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        // A group of three of customer 1's advisor's customers.
        let advisor: StaffId =
            t.text("SELECT CAST(advisor_id AS TEXT) FROM customers WHERE id = 1").await.parse().unwrap();
        let owner = Principal {
            user_id: UserId(advisor.0),
            login: "owner".into(),
            role: Role::Advisor,
            staff_id: Some(advisor),
            branch_id: None,
            customer_id: None,
        };
        let group = app::community::Communities::new(t.db.clone())
            .create_group(&owner, "晨会群", "", None, None)
            .await
            .unwrap();
        let members =
            id_set(&t, "id", &format!("(SELECT id FROM customers WHERE advisor_id = {advisor} ORDER BY id LIMIT 3) q"))
                .await;
        for m in &members {
            t.db.add_member(group, CustomerId(*m), Utc::now()).await.unwrap();
        }

        let admin = t.user(Role::Admin);
        let session = app.sign_in(&admin.login, &admin.password).await.unwrap();
        let all = walk(&app, &session, "sort=id").await;
        assert_eq!(ids(&all), (1..=400).collect::<Vec<_>>(), "{}", t.name);
        let row = |id: i64| all.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(
            (row(5)["open_reminders"].as_i64(), row(6)["open_reminders"].as_i64()),
            (Some(2), Some(0)),
            "{}",
            t.name
        );
        assert_eq!(row(7)["open_reminders"], 1, "{}", t.name);
        assert_eq!(
            time(&row(6)["last_contact"]).timestamp(),
            called.timestamp(),
            "{}: the call is the last contact",
            t.name
        );

        let as_of = all.iter().map(|r| time(&r["last_trade"])).max().unwrap();
        let cutoff = domain::to_shanghai(as_of).date_naive() - Duration::days(store::DORMANT_AFTER_DAYS);
        let dormant = |r: &Value| {
            let t = time(&r["last_trade"]);
            t == DateTime::UNIX_EPOCH || domain::to_shanghai(t).date_naive() <= cutoff
        };
        let tier = all[0]["service_tier"].as_str().expect("classified").to_owned();
        let dormant_label =
            id_set(&t, "customer_id", "customer_labels WHERE labels LIKE '%[\"lifecycle\",{\"label\":\"dormant\"%'")
                .await;
        let any = |_: &Value| true;
        let cases: Vec<(String, Vec<i64>)> = vec![
            ("sort=assets".into(), expected(&all, any, assets, true)),
            ("sort=assets&dir=asc".into(), expected(&all, any, assets, false)),
            ("sort=last_trade&dir=asc".into(), expected(&all, any, |r| time(&r["last_trade"]), false)),
            ("sort=last_contact".into(), expected(&all, any, |r| time(&r["last_contact"]), true)),
            (
                "sort=open_reminders&reminders=true".into(),
                expected(&all, |r| r["open_reminders"] != 0, |r| r["open_reminders"].as_i64(), true),
            ),
            ("reminders=false".into(), expected(&all, |r| r["open_reminders"] == 0, |r| r["id"].as_i64(), false)),
            ("risk=C3&sort=assets".into(), expected(&all, |r| r["risk_level"] == "C3", assets, true)),
            (
                format!("tier={tier}"),
                expected(&all, |r| r["service_tier"] == tier.as_str(), |r| r["id"].as_i64(), false),
            ),
            (
                "label=lifecycle:dormant".into(),
                expected(&all, |r| dormant_label.contains(&r["id"].as_i64().unwrap()), |r| r["id"].as_i64(), false),
            ),
            ("dormant=true&sort=last_trade".into(), expected(&all, dormant, |r| time(&r["last_trade"]), true)),
            ("dormant=false".into(), expected(&all, |r| !dormant(r), |r| r["id"].as_i64(), false)),
            (
                format!("group={group}"),
                expected(&all, |r| members.contains(&r["id"].as_i64().unwrap()), |r| r["id"].as_i64(), false),
            ),
            (format!("advisor={advisor}&sort=assets"), expected(&all, |r| r["advisor_id"] == advisor.0, assets, true)),
            (
                "q=%E7%8E%8B&sort=last_trade".into(),
                expected(&all, |r| r["name"].as_str().unwrap().contains('王'), |r| time(&r["last_trade"]), true),
            ),
        ];
        for (query, want) in &cases {
            assert!(!want.is_empty(), "{}: {query} selects someone in this book", t.name);
            assert_eq!(ids(&walk(&app, &session, query).await), *want, "{}: {query}", t.name);
        }
        // A tier few hold is read from its index; one many hold is tested on
        // each row the walk meets (every tier is "many" with a bound of 0).
        let by_rows = TestApp::spawn(t.db.clone().with_few_names(0)).await;
        let rows_session = by_rows.sign_in(&admin.login, &admin.password).await.unwrap();
        for query in [format!("tier={tier}"), format!("tier={tier}&sort=assets"), "tier=nobody".to_owned()] {
            let want = if query == "tier=nobody" { Vec::new() } else { ids(&walk(&app, &session, &query).await) };
            assert_eq!(ids(&walk(&by_rows, &rows_session, &query).await), want, "{}: {query} tested by row", t.name);
            assert_eq!(ids(&walk(&app, &session, &query).await), want, "{}: {query} from the index", t.name);
        }

        // The export: the same filtered list, every page, masked, and audited.
        let r = session.get(&app.url("/api/v1/customers.csv?risk=C3&sort=assets")).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let body = r.text().await.unwrap();
        let mut csv = csv::Reader::from_reader(body.as_bytes());
        let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(header, app::customers::EXPORT_HEADER);
        let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        let exported: Vec<i64> = records.iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(exported, cases[6].1, "{}", t.name);
        assert!(records.iter().all(|r| r[2].contains("****") && &r[5] == "C3"));
        // The page's download link answers the same file.
        let page_csv = session.get(&app.url("/customers.csv?risk=C3&sort=assets")).await.text().await.unwrap();
        assert_eq!(page_csv, body, "{}", t.name);
        let exports = t.db.audit_records().await.unwrap().into_iter().filter(|r| r.entry.action == "export").count();
        assert_eq!(exports, 2, "{}: each export is audited", t.name);

        // Bad parameters: a 400 that names the field.
        for (query, field) in [
            ("sort=bogus", "sort"),
            ("dir=up", "dir"),
            ("after=abc", "after"),
            ("risk=C9", "risk"),
            ("dormant=maybe", "dormant"),
            ("after=1.1&before=2.2", "before"),
            ("label=a%20b", "label"),
        ] {
            let r = session.get(&app.url(&format!("/api/v1/customers?{query}"))).await;
            assert_eq!(r.status(), 400, "{query}");
            assert_eq!(r.json::<Value>().await.unwrap()["field"], field, "{query}");
        }

        // An advisor's list is their own book, sorted and filtered alike.
        let user = t.user(Role::Advisor);
        let mine = app.sign_in(&user.login, &user.password).await.unwrap();
        let own = walk(&app, &mine, "sort=assets").await;
        let theirs = own[0]["advisor_id"].clone();
        assert!(own.iter().all(|r| r["advisor_id"] == theirs));
        assert_eq!(ids(&own), expected(&all, |r| r["advisor_id"] == theirs, assets, true), "{}", t.name);
        let customer_export =
            app.sign_in(&t.user(Role::Customer).login, &t.user(Role::Customer).password).await.unwrap();
        assert_eq!(customer_export.get(&app.url("/api/v1/customers.csv")).await.status(), 403);
    }
}

/// Where a name stands for a search: the whole name, then its start, then elsewhere.
fn rank(name: &str, q: &str) -> u8 {
    if name == q {
        0
    } else if name.starts_with(q) {
        1
    } else {
        2
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_finds_every_name_holding_it_best_match_first_within_scope_on_both_backends() {
    for mut t in test_support::backends().await {
        test_support::load_book(&mut t, 400, 100).await;
        let app = TestApp::spawn(t.db.clone()).await;
        let admin = t.user(Role::Admin);
        let session = app.sign_in(&admin.login, &admin.password).await.unwrap();
        let all = walk(&app, &session, "sort=id").await;
        let by_rows = TestApp::spawn(t.db.clone().with_few_names(0)).await;
        let rows_session = by_rows.sign_in(&admin.login, &admin.password).await.unwrap();
        let name = |r: &Value| r["name"].as_str().unwrap().to_owned();
        let chars = |r: &Value| name(r).chars().collect::<Vec<char>>();
        let three = all.iter().find(|r| chars(r).len() == 3).expect("a three-character name");
        let two = all.iter().find(|r| chars(r).len() == 2).expect("a two-character name");
        let searches: Vec<String> = vec![
            chars(&all[0])[0].to_string(),                     // a surname
            chars(three)[2].to_string(),                       // one character of a given name
            chars(three)[1..].iter().collect(),                // a given name
            name(three),                                       // a whole name of three
            name(two),                                         // a whole name of two, often the start of others
            chars(three)[..2].iter().collect(),                // a surname and the first of a given name
            format!("{}{}", chars(three)[2], chars(three)[1]), // the pieces out of order
            "欧阳不存在".into(),
        ];
        // And a search whose best matches are not first by id: ranking shows.
        let best_first = |q: &str| {
            let mut found: Vec<&Value> = all.iter().filter(|r| name(r).contains(q)).collect();
            let by_id = ids(&found.iter().map(|r| (*r).clone()).collect::<Vec<_>>());
            found.sort_by_key(|r| (rank(&name(r), q), r["id"].as_i64()));
            by_id != ids(&found.iter().map(|r| (*r).clone()).collect::<Vec<_>>())
        };
        let pieces: Vec<String> = all
            .iter()
            .flat_map(|r| {
                let c = chars(r);
                let mut out = Vec::new();
                for i in 0..c.len() {
                    for j in i + 1..=c.len() {
                        out.push(c[i..j].iter().collect::<String>());
                    }
                }
                out
            })
            .collect();
        let ranked = pieces.into_iter().find(|q| best_first(q)).expect("a search where ranking changes the order");
        let mut searches = searches;
        searches.push(ranked);
        for q in &searches {
            let mut want: Vec<&Value> = all.iter().filter(|r| name(r).contains(q.as_str())).collect();
            want.sort_by_key(|r| (rank(&name(r), q), r["id"].as_i64()));
            let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("q", q).finish();
            let want: Vec<i64> = want.iter().map(|r| r["id"].as_i64().unwrap()).collect();
            assert_eq!(ids(&walk(&app, &session, &query).await), want, "{}: search {q}", t.name);
            // The same when every search counts as matching many names, and
            // each row is tested instead of reading the matches.
            assert_eq!(ids(&walk(&by_rows, &rows_session, &query).await), want, "{}: search {q}, by rows", t.name);
            let sorted = format!("{query}&sort=assets");
            assert_eq!(
                ids(&walk(&by_rows, &rows_session, &sorted).await),
                ids(&walk(&app, &session, &sorted).await),
                "{}: search {q} by assets, by rows",
                t.name
            );
        }

        // An advisor's search finds only their own customers.
        let user = t.user(Role::Advisor);
        let mine = app.sign_in(&user.login, &user.password).await.unwrap();
        let own = walk(&app, &mine, "sort=id").await;
        let theirs = own[0]["advisor_id"].clone();
        let everyone_named = |s: &str| all.iter().filter(|r| name(r).contains(s)).count();
        let surname = own.iter().map(|r| chars(r)[0].to_string()).max_by_key(|s| everyone_named(s)).unwrap();
        let found = walk(&app, &mine, &format!("q={}", urlencoding(&surname))).await;
        let mut want: Vec<&Value> = own.iter().filter(|r| name(r).contains(surname.as_str())).collect();
        want.sort_by_key(|r| (rank(&name(r), &surname), r["id"].as_i64()));
        assert_eq!(ids(&found), want.iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>(), "{}", t.name);
        assert!(found.iter().all(|r| r["advisor_id"] == theirs));
        assert!(
            everyone_named(&surname) > found.len(),
            "{}: others of that surname exist outside the advisor's book",
            t.name
        );
    }
}

fn urlencoding(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
