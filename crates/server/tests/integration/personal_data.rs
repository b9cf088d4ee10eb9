//! What each role can learn of a customer's national ID and phone number
//! without an audited reveal, counted.
//!
//! Every role signs in and reads every route of the router's table: pages in
//! both languages, the API, the CSV export, the WebSockets' frames, lists
//! paged through to their end, for customers inside and outside its scope.
//! Everything it read becomes what it knows of each customer: the digits of
//! any masked or full number consistent with the customer's, and any birth
//! date or birthday in a response about the customer. On top of that the
//! reader is assumed to know, whatever the responses say, each customer's
//! gender, birth year and birth month (lists show gender and this year's age;
//! the plan names birthdays by month). The national IDs still consistent with
//! all that are counted (region codes among the book's, the days of the birth
//! month, the sequence's parity by gender, the check character), and the
//! phone numbers likewise: every customer keeps at least 10,000 of each, the
//! customer looking at themselves aside.

use access::Role;
use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use test_support::{book_people, customer_session, BookPerson, Session, TestApp, TestDb};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// What no role may narrow a number to.
const MIN_CANDIDATES: u64 = 10_000;
/// The book: 100 customers an advisor, six advisors a branch, so 1-600 are
/// branch 1 (the demo advisor serves 1-100) and 601-700 branch 2.
const CUSTOMERS: u64 = 700;
const PER_ADVISOR: u64 = 100;
/// The customer the demo customer's sign-in is (the demo advisor's first).
const DEMO_CUSTOMER: i64 = 1;
/// Customers whose own pages every role asks for: the demo customer, two more
/// of the demo advisor's, another advisor's, and another branch's.
const ASKED_ABOUT: [i64; 5] = [1, 2, 3, 150, 650];

/// What a reader knows of one customer from what they read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Known {
    /// National ID characters seen, by position.
    national_id: [Option<u8>; 18],
    /// Phone digits seen, by position.
    phone: [Option<u8>; 11],
    /// The birth date (or its day and month) appeared in a response about them.
    birthday: bool,
}

/// Merges a shown number into what is known, if it is consistent with the
/// true one (a masked number of someone else's that happens to fit is taken
/// as knowledge too: counting it only makes the test stricter).
fn learn<const N: usize>(known: &mut [Option<u8>; N], truth: &str, shown: &str) {
    let (truth, shown) = (truth.as_bytes(), shown.as_bytes());
    if shown.len() != N || truth.len() != N || shown.iter().zip(truth).any(|(s, t)| *s != b'*' && s != t) {
        return;
    }
    for (k, s) in known.iter_mut().zip(shown) {
        if *s != b'*' {
            *k = Some(*s);
        }
    }
}

/// National IDs consistent with what is known of `p`, with region codes from `regions`.
fn national_id_candidates(p: &BookPerson, k: &Known, regions: &[String]) -> u64 {
    let fits =
        |text: &str, from: usize| text.bytes().enumerate().all(|(i, b)| k.national_id[from + i].is_none_or(|c| c == b));
    let regions: Vec<&String> = regions.iter().filter(|r| fits(r, 0)).collect();
    let (year, month) = (p.birth_date.year(), p.birth_date.month());
    let days: Vec<String> = if k.birthday {
        vec![p.birth_date.format("%Y%m%d").to_string()]
    } else {
        (1..=31)
            .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
            .map(|d| d.format("%Y%m%d").to_string())
            .collect()
    };
    let days: Vec<String> = days.into_iter().filter(|d| fits(d, 6)).collect();
    // The 17th digit is odd for men, even for women.
    let parity = u32::from(p.gender == "M");
    let sequences: Vec<String> =
        (0..1000u32).filter(|s| s % 2 == parity).map(|s| format!("{s:03}")).filter(|s| fits(s, 14)).collect();
    match k.national_id[17] {
        None => (regions.len() * days.len() * sequences.len()) as u64,
        Some(check) => {
            let mut n = 0;
            for r in &regions {
                for d in &days {
                    for s in &sequences {
                        n += u64::from(domain::NationalId::check_char(&format!("{r}{d}{s}")) as u8 == check);
                    }
                }
            }
            n
        }
    }
}

/// Mobile numbers consistent with what is known: 1, then 3-9, then any digits.
fn phone_candidates(k: &Known) -> u64 {
    let choices = |i: usize| match i {
        0 => 1,
        1 => 7,
        _ => 10,
    };
    (0..11).map(|i| if k.phone[i].is_some() { 1 } else { choices(i) }).product()
}

/// Everything one role read, taken apart.
struct Reading {
    /// 18-character runs of digits, X and * (national IDs, masked or not).
    national_ids: HashSet<String>,
    /// 11-character runs of digits and * starting with 1 (phone numbers).
    phones: HashSet<String>,
    /// Per customer a response was about: the full dates and the days and months in it.
    dates: HashMap<i64, HashSet<NaiveDate>>,
    birthdays: HashMap<i64, HashSet<(u32, u32)>>,
}

/// The patterns a response is read with.
struct Patterns {
    about: Regex,
    full_date: Regex,
    compact_date: Regex,
    day_and_month: Regex,
}

impl Patterns {
    fn new() -> Self {
        Patterns {
            // A response is about the customers it names by id.
            about: Regex::new(r#""(?:customer_)?id":(\d+)[,}]|/customers/(\d+)(?:[^\d]|$)"#).unwrap(),
            full_date: Regex::new(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})").unwrap(),
            compact_date: Regex::new(r"\d{8}").unwrap(),
            day_and_month: Regex::new(r"(\d{1,2})月(\d{1,2})日|(\d{2})-(\d{2})").unwrap(),
        }
    }
}

impl Reading {
    fn new() -> Self {
        Reading {
            national_ids: HashSet::new(),
            phones: HashSet::new(),
            dates: HashMap::new(),
            birthdays: HashMap::new(),
        }
    }

    fn read(&mut self, patterns: &Patterns, text: &str) {
        let mut run = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() || c == '*' || c == 'X' || c == 'x' {
                run.push(c.to_ascii_uppercase());
                continue;
            }
            if run.len() == 18 && run.bytes().any(|b| b.is_ascii_digit()) {
                self.national_ids.insert(run.clone());
            } else if run.len() == 11 && run.starts_with('1') {
                self.phones.insert(run.clone());
            }
            run.clear();
        }
        let about: HashSet<i64> = patterns
            .about
            .captures_iter(text)
            .filter_map(|c| c.get(1).or_else(|| c.get(2))?.as_str().parse().ok())
            .collect();
        if about.is_empty() {
            return;
        }
        let digit_at = |i: usize| text.as_bytes().get(i).is_some_and(u8::is_ascii_digit);
        let before = |i: usize| i > 0 && (digit_at(i - 1) || text.as_bytes()[i - 1] == b'-');
        let mut dates = HashSet::new();
        let mut spans = Vec::new();
        for c in patterns.full_date.captures_iter(text) {
            let whole = c.get(0).unwrap();
            let n = |k: usize| c[k].parse::<u32>().unwrap_or(0);
            if let Some(d) = NaiveDate::from_ymd_opt(n(1) as i32, n(2), n(3)).filter(|_| !digit_at(whole.end())) {
                dates.insert(d);
                spans.push(whole.range());
            }
        }
        for m in patterns.compact_date.find_iter(text) {
            let inside_a_number = digit_at(m.end()) || (m.start() > 0 && digit_at(m.start() - 1));
            if !inside_a_number {
                if let Ok(d) = NaiveDate::parse_from_str(m.as_str(), "%Y%m%d") {
                    dates.insert(d);
                }
            }
        }
        let mut days = HashSet::new();
        for c in patterns.day_and_month.captures_iter(text) {
            let whole = c.get(0).unwrap();
            // A day and month inside a full date (2025-03-26) is that date's.
            if spans.iter().any(|s| s.contains(&whole.start())) || before(whole.start()) || digit_at(whole.end()) {
                continue;
            }
            let n = |k: usize| c.get(k).and_then(|m| m.as_str().parse::<u32>().ok());
            if let (Some(m), Some(d)) = (n(1).or(n(3)), n(2).or(n(4))) {
                days.insert((m, d));
            }
        }
        for id in about {
            self.dates.entry(id).or_default().extend(&dates);
            self.birthdays.entry(id).or_default().extend(&days);
        }
    }

    /// What this reading tells of one customer.
    fn known(&self, p: &BookPerson) -> Known {
        let mut k = Known::default();
        for shown in &self.national_ids {
            learn(&mut k.national_id, &p.national_id, shown);
        }
        for shown in &self.phones {
            learn(&mut k.phone, &p.phone, shown);
        }
        let birthday = (p.birth_date.month(), p.birth_date.day());
        k.birthday = self.dates.get(&p.id).is_some_and(|d| d.contains(&p.birth_date))
            || self.birthdays.get(&p.id).is_some_and(|d| d.contains(&birthday));
        k
    }
}

/// The ids the community routes are called with: a group of the demo
/// advisor's with the demo customer and customers 2 and 3 in it, each of whom
/// has spoken, and a task for customer 2.
async fn a_group_and_a_task(t: &TestDb, app: &TestApp) -> Vec<(&'static str, String)> {
    let base = app.url("");
    let advisor = t.user(Role::Advisor);
    let advisor = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let group: serde_json::Value = advisor
        .post_json(&base, "/api/v1/groups", &serde_json::json!({ "name": "Morning desk" }))
        .await
        .json()
        .await
        .unwrap();
    let group = domain::GroupId(group["id"].as_i64().unwrap());
    t.db.add_members(group, &[1, 2, 3].map(domain::CustomerId), chrono::Utc::now()).await.unwrap();
    let demo = t.user(Role::Customer);
    let speakers = [
        (advisor.clone(), "Good morning, watch the volume today"),
        (app.sign_in(&demo.login, &demo.password).await.unwrap(), "Is the bank sector cheap now?"),
        (customer_session(t, app, 2).await, "I bought some last week"),
    ];
    let mut message = 0;
    for (session, text) in speakers {
        let path = format!("/api/v1/groups/{group}/messages");
        let r: serde_json::Value =
            session.post_json(&base, &path, &serde_json::json!({ "text": text })).await.json().await.unwrap();
        message = r["id"].as_i64().unwrap_or_else(|| panic!("posted: {r}"));
    }
    let task = serde_json::json!({ "customer_id": 2, "kind": "follow_up", "title": "Call about the bank sector",
        "due_at": "2026-11-25 10:00:00" });
    assert_eq!(advisor.post_json(&base, "/api/v1/tasks", &task).await.status(), 201);
    let ids = [("{group}", group.0), ("{message}", message), ("{question}", message), ("{customer}", 2)];
    let mut ids: Vec<(&'static str, String)> = ids.iter().map(|(k, v)| (*k, v.to_string())).collect();
    ids.extend([("{token}", "none".to_owned())]);
    ids
}

/// The URLs a route is read at: each customer asked about for `{id}`, the
/// community's ids for theirs, and lists paged to their end.
fn urls(path: &str, community: &[(&'static str, String)]) -> Vec<String> {
    let mut path = path.replace("{code}", "600519.SH");
    for (placeholder, id) in community {
        path = path.replace(placeholder, id);
    }
    // Moderation actions, reports, content items and applications: none exist, 1 will do.
    for placeholder in ["{action}", "{report}", "{item}", "{application}"] {
        path = path.replace(placeholder, "1");
    }
    if path.contains("{id}") {
        return ASKED_ABOUT.iter().map(|id| path.replace("{id}", &id.to_string())).collect();
    }
    let mut urls = vec![path.clone()];
    if path.ends_with("/customers") {
        let pages = CUSTOMERS.div_ceil(200);
        urls.extend((1..=pages).map(|page| format!("{path}?per_page=200&page={page}")));
        urls.push(format!("{path}?q=%E7%8E%8B")); // 王, a name search
    }
    urls
}

/// Every frame a WebSocket sends within a second of opening.
async fn frames(app: &TestApp, session: &Session, path: &str) -> Vec<String> {
    let url = format!("ws://{}{path}{}after=0", app.addr, if path.contains('?') { '&' } else { '?' });
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("cookie", session.cookie.parse().unwrap());
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(request).await else { return Vec::new() };
    let mut texts = Vec::new();
    use futures_util::StreamExt;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_secs(1), socket.next()).await {
        if let Message::Text(text) = frame {
            texts.push(text.to_string());
        }
    }
    texts
}

/// Everything `session` can read on every route, without a reveal.
async fn read_everything(app: &TestApp, session: &Session, community: &[(&'static str, String)]) -> Vec<String> {
    let mut read = Vec::new();
    let base = app.url("");
    for path in server::protected_paths() {
        // A reveal is the audited way to the full number; signing out ends the reading.
        if path.ends_with("/reveal") || path == "/signout" {
            continue;
        }
        for url in urls(&path, community) {
            if path.ends_with("/live") {
                read.extend(frames(app, session, &url).await);
                continue;
            }
            let page = !url.starts_with("/api/");
            let langs: &[&str] = if page { &["zh", "en"] } else { &[""] };
            for lang in langs {
                let sep = if url.contains('?') { '&' } else { '?' };
                let url = if lang.is_empty() { url.clone() } else { format!("{url}{sep}lang={lang}") };
                let response = session.get(&app.url(&url)).await;
                let status = response.status().as_u16();
                let text = response.text().await.unwrap();
                assert!(status < 500, "GET {url}: {status} {text}");
                if status != 405 {
                    read.push(text);
                    continue;
                }
                // A POST route: what it answers to a harmless body (as the route test sends).
                let response = if page {
                    session.post_form(&base, &url, &[("outcome", "called"), ("text", "x"), ("reason", "x")]).await
                } else {
                    let body =
                        serde_json::json!({ "to": 2, "outcome": "called", "text": "x", "reason": "x", "note": "x" });
                    session.post_json(&base, &url, &body).await
                };
                read.push(response.text().await.unwrap());
            }
        }
    }
    read
}

/// Region codes of the book's national IDs: what a reader knowing the book's
/// distribution would try (fewer than all the country's, so a stricter count).
fn regions(people: &[BookPerson]) -> Vec<String> {
    let set: HashSet<String> = people.iter().map(|p| p.national_id[..6].to_owned()).collect();
    set.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_role_narrows_a_customers_national_id_or_phone_below_ten_thousand() {
    let people = book_people(CUSTOMERS, PER_ADVISOR);
    let regions = regions(&people);
    let patterns = Patterns::new();
    for mut t in test_support::backends().await {
        test_support::load_book(&mut t, CUSTOMERS, PER_ADVISOR).await;
        let as_of = app::classify::book_day(&t.db).await.unwrap().unwrap();
        app::classify::classify_all(&t.db, &classify::LabelConfig::default(), as_of, false).await.unwrap();
        let app = TestApp::spawn(t.db.clone()).await;
        let community = a_group_and_a_task(&t, &app).await;
        for role in Role::ALL {
            let user = t.user(role);
            let session = app.sign_in(&user.login, &user.password).await.unwrap();
            let mut reading = Reading::new();
            for text in read_everything(&app, &session, &community).await {
                reading.read(&patterns, &text);
            }
            // The reading finds what is there, so its silence means something:
            // every role but the customer reads customer 2's masked phone and ID.
            let two = reading.known(&people[1]);
            if role != Role::Customer {
                assert_eq!(phone_candidates(&two), 10_000, "{} {role} reads the masked phone", t.name);
                assert!(two.national_id[0].is_some(), "{} {role} reads the masked national ID", t.name);
            }
            for p in people.iter().filter(|p| !(role == Role::Customer && p.id == DEMO_CUSTOMER)) {
                let known = reading.known(p);
                let ids = national_id_candidates(p, &known, &regions);
                let phones = phone_candidates(&known);
                assert!(
                    ids >= MIN_CANDIDATES && phones >= MIN_CANDIDATES,
                    "{} {role} narrows customer {} to {ids} national IDs and {phones} phone numbers: {known:?}",
                    t.name,
                    p.id
                );
            }
        }
    }
}

/// Customer 5, a woman born in Xi'an on 26 March 1981.
fn a_woman_born_in_xian() -> BookPerson {
    BookPerson {
        id: 5,
        national_id: "610113198103265085".into(),
        phone: "13812345678".into(),
        gender: "F".into(),
        birth_date: NaiveDate::from_ymd_opt(1981, 3, 26).unwrap(),
    }
}

#[test]
fn the_count_falls_with_what_a_reader_learns() {
    let p = a_woman_born_in_xian();
    assert_eq!(domain::NationalId::parse(&p.national_id).unwrap().birth_date(), p.birth_date);
    let regions: Vec<String> = ["610113", "610102", "110105"].map(String::from).to_vec();
    // Knowing nothing but gender, year and month: 3 regions x 31 days x 500 sequences.
    let mut k = Known::default();
    assert_eq!(national_id_candidates(&p, &k, &regions), 3 * 31 * 500);
    assert_eq!(phone_candidates(&k), 7 * 10u64.pow(9));
    // The province: two of the regions.
    learn(&mut k.national_id, &p.national_id, "61****************");
    assert_eq!(national_id_candidates(&p, &k, &regions), 2 * 31 * 500);
    // Someone else's mask does not fit and teaches nothing.
    learn(&mut k.national_id, &p.national_id, "11****************");
    learn(&mut k.phone, &p.phone, "139****5678");
    assert_eq!((national_id_candidates(&p, &k, &regions), phone_candidates(&k)), (2 * 31 * 500, 7 * 10u64.pow(9)));
    // The industry's phone mask leaves exactly 10,000.
    learn(&mut k.phone, &p.phone, "138****5678");
    assert_eq!(phone_candidates(&k), 10_000);
    // The old mask (region and last four) with the birth date beside it: one number.
    learn(&mut k.national_id, &p.national_id, "610113********5085");
    k.birthday = true;
    assert_eq!(national_id_candidates(&p, &k, &regions), 1);
    // The old mask alone still leaves the birth month's days, less those the check character rules out.
    k.birthday = false;
    let n = national_id_candidates(&p, &k, &regions);
    assert!((1..=31).contains(&n), "{n}");
}

#[test]
fn a_reading_ties_dates_to_the_customers_a_response_is_about() {
    let p = a_woman_born_in_xian();
    let patterns = Patterns::new();
    let knows = |texts: &[&str]| {
        let mut r = Reading::new();
        for t in texts {
            r.read(&patterns, t);
        }
        r.known(&p).birthday
    };
    assert!(knows(&[r#"{"id":5,"birth_date":"1981-03-26"}"#]));
    assert!(knows(&[r#"<a href="/customers/5?lang=zh">王</a> 生日 3月26日"#]));
    assert!(knows(&[r#"{"customer_id":5,"note":"born 19810326"}"#]));
    assert!(!knows(&[r#"{"id":6,"birth_date":"1981-03-26"}"#]), "another customer's");
    assert!(!knows(&[r#"{"id":5,"traded":"2025-03-26"}"#]), "a day and month inside another date");
    assert!(!knows(&[r#"{"id":5,"age":45}"#]));
}

#[tokio::test(flavor = "multi_thread")]
async fn exact_searches_by_phone_or_national_id_are_audited_and_limited() {
    let people = book_people(200, PER_ADVISOR);
    let (two, elsewhere) = (&people[1], &people[149]);
    for mut t in test_support::backends().await {
        test_support::load_book(&mut t, 200, PER_ADVISOR).await;
        let app = TestApp::spawn(t.db.clone()).await;
        let advisor = t.user(Role::Advisor);
        let advisor = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
        let list = |s: &Session, q: &str| {
            let url = app.url(&format!("/api/v1/customers?q={q}"));
            let s = s.clone();
            async move {
                let r = s.get(&url).await;
                let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
                (r.status().as_u16(), retry, r.json::<serde_json::Value>().await.unwrap())
            }
        };

        // Searching by name is neither audited nor limited.
        for _ in 0..25 {
            assert_eq!(list(&advisor, "%E7%8E%8B").await.0, 200);
        }
        // Twenty exact searches a minute answer; each is audited with whom it
        // found, never with the number searched.
        for i in 0..20 {
            let (number, expected) = match i {
                19 => (&elsewhere.phone, 0), // another advisor's customer: outside the scope
                i if i % 2 == 0 => (&two.phone, 1),
                _ => (&two.national_id, 1),
            };
            let (status, _, body) = list(&advisor, number).await;
            assert_eq!((status, body["total"].as_i64()), (200, Some(expected)), "{} search {i}: {body}", t.name);
        }
        // The next is refused, by the API and by the page alike, saying when to try again.
        let (status, retry, body) = list(&advisor, &two.phone).await;
        assert_eq!(
            (status, body["code"].as_str(), body["field"].as_str()),
            (429, Some("lookup_limit"), Some("q")),
            "{}: {body}",
            t.name
        );
        assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{}: Retry-After {retry:?}", t.name);
        assert!(body["message"].as_str().unwrap().contains("20"), "{body}");
        let page = advisor.get(&app.url(&format!("/customers?lang=en&q={}", two.national_id))).await;
        assert_eq!(page.status(), 429);
        assert!(page.text().await.unwrap().contains("At most 20 searches by phone number or national ID a minute"));
        // Someone else's searches are their own.
        let compliance = t.user(Role::Compliance);
        let compliance = app.sign_in(&compliance.login, &compliance.password).await.unwrap();
        assert_eq!(list(&compliance, &two.phone).await.2["total"], 1);

        let records = t.db.audit_records().await.unwrap();
        let lookups: Vec<_> = records.iter().filter(|r| r.entry.action == "lookup").collect();
        assert_eq!(lookups.len(), 21, "{}: twenty by the advisor, one by compliance", t.name);
        let found: Vec<&str> = lookups.iter().map(|r| r.entry.entity_id.as_str()).collect();
        assert_eq!(found.iter().filter(|f| **f == "2").count(), 20, "{found:?}");
        assert_eq!(found.iter().filter(|f| f.is_empty()).count(), 1, "the search outside the scope found no one");
        let refused = records.iter().filter(|r| r.entry.action == "lookup_refused").count();
        assert_eq!(refused, 2, "{}: the API's and the page's refusals are on record", t.name);
        for r in &records {
            let text = format!("{:?}", r.entry);
            assert!(!text.contains(&two.phone) && !text.contains(&two.national_id), "{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_customer_sees_their_own_birth_date() {
    let people = book_people(200, PER_ADVISOR);
    let me = &people[0];
    let mut t = test_support::sqlite().await;
    test_support::load_book(&mut t, 200, PER_ADVISOR).await;
    let app = TestApp::spawn(t.db.clone()).await;
    let this_year = domain::to_shanghai(chrono::Utc::now()).year();
    for role in Role::ALL {
        let user = t.user(role);
        let s = app.sign_in(&user.login, &user.password).await.unwrap();
        let record: serde_json::Value =
            s.get(&app.url(&format!("/api/v1/customers/{DEMO_CUSTOMER}"))).await.json().await.unwrap();
        let page = s.get(&app.url(&format!("/customers/{DEMO_CUSTOMER}?lang=en"))).await.text().await.unwrap();
        let birth = me.birth_date.to_string();
        assert_eq!(record["age"], this_year - me.birth_date.year(), "{role}: the year's age");
        assert_eq!(record["national_id"], format!("{}****************", &me.national_id[..2]), "{role}");
        if role == Role::Customer {
            assert_eq!(record["birth_date"], birth, "the customer's own record");
            assert!(page.contains(&birth), "the customer's own page");
        } else {
            assert!(record.get("birth_date").is_none(), "{role}: {record}");
            assert!(!page.contains(&birth), "{role} reads the birth date on the page");
        }
    }
}
