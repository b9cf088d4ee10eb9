//! Red envelopes through the real server on both backends: 200 members open
//! one 10-share envelope at once and exactly 10 are paid, their shares
//! summing to its points; a member opens once; a member's envelope comes
//! from their own points and what is left returns after a day; every
//! movement is in the ledger, whose books balance.

use app::community::Communities;
use chrono::{Duration, Utc};
use domain::{CustomerId, SetClock};
use growth::{Account, FirmAccount, Kind, Operation, Transfer};
use serde_json::{json, Value};
use std::sync::Arc;
use test_support::{backends, load_book, TestApp};

/// A member's session made straight in the database (no password hashing
/// for each of 200): the cookie and the CSRF token.
async fn member_session(t: &test_db::TestDb, customer: i64, hash: &str) -> (String, String) {
    let user =
        t.db.create_user(&store::NewUser {
            login: domain::LoginName::parse(&format!("member{customer}")).unwrap(),
            password_hash: hash.to_owned(),
            role: access::Role::Customer,
            staff_id: None,
            customer_id: Some(CustomerId(customer)),
        })
        .await
        .unwrap();
    let (token, csrf) = (access::new_secret(), access::new_secret());
    t.db.create_session(&access::secret_digest(&token), user, &csrf, Utc::now() + Duration::days(3)).await.unwrap();
    (format!("bd_session={token}"), csrf)
}

async fn post(app: &TestApp, who: &(String, String), path: &str, body: Value) -> (u16, Value) {
    let r = test_support::http()
        .post(app.url(path))
        .header("cookie", &who.0)
        .header("x-csrf-token", &who.1)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn balance(t: &test_db::TestDb, customer: i64) -> i64 {
    t.db.points_balance(Account::Customer(CustomerId(customer))).await.unwrap().net()
}

#[tokio::test(flavor = "multi_thread")]
async fn of_200_members_opening_a_10_share_envelope_at_once_exactly_10_are_paid() {
    for mut t in backends().await {
        load_book(&mut t, 260, 300).await;
        let clock = Arc::new(SetClock::at(Utc::now()));
        let db = t.db.clone().with_clock(clock.clone());
        let app = TestApp::spawn(db.clone()).await;
        let advisor =
            app.sign_in(&t.user(access::Role::Advisor).login, &t.user(access::Role::Advisor).password).await.unwrap();
        let made: Value =
            advisor.post_json(&app.url(""), "/api/v1/groups", &json!({ "name": "红包群" })).await.json().await.unwrap();
        let group = domain::GroupId(made["id"].as_i64().unwrap());
        let members: Vec<CustomerId> = (1..=220).map(CustomerId).collect();
        t.db.add_members(group, &members, Utc::now()).await.unwrap();
        let hash = access::hash_password("a long enough password").unwrap();
        let mut sessions = Vec::new();
        for c in 1..=201 {
            sessions.push(member_session(&t, c, &hash).await);
        }

        // Refused as asked: shares out of range, fewer points than shares.
        let path = format!("/api/v1/groups/{group}/red-envelopes");
        let r = advisor.post_json(&app.url(""), &path, &json!({ "points": 10, "shares": 0, "split": "equal" })).await;
        assert_eq!(r.status(), 400, "{}", t.name);
        let r = advisor.post_json(&app.url(""), &path, &json!({ "points": 5, "shares": 10, "split": "random" })).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "envelope_points", "{}: {body}", t.name);

        // The advisor's envelope, from the firm's budget.
        let r =
            advisor.post_json(&app.url(""), &path, &json!({ "points": 1000, "shares": 10, "split": "random" })).await;
        assert_eq!(r.status(), 201, "{}", t.name);
        let sent: Value = r.json().await.unwrap();
        let id = sent["id"].as_i64().unwrap();
        let open_path = format!("/api/v1/red-envelopes/{id}/open");
        let opens = sessions.iter().take(200).cloned().map(|s| {
            let app_url = app.url(&open_path);
            tokio::spawn(async move {
                let r = test_support::http()
                    .post(app_url)
                    .header("cookie", &s.0)
                    .header("x-csrf-token", &s.1)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
            })
        });
        let mut paid = Vec::new();
        for o in opens.collect::<Vec<_>>() {
            let (status, body) = o.await.unwrap();
            match status {
                200 => paid.push(body["points"].as_i64().unwrap()),
                409 => assert_eq!(body["code"], "envelope_empty", "{}: {body}", t.name),
                other => panic!("{}: {other} {body}", t.name),
            }
        }
        assert_eq!(paid.len(), 10, "{}: exactly ten shares paid", t.name);
        assert_eq!(paid.iter().sum::<i64>(), 1000, "{}: the shares sum to the points", t.name);
        let e = t.db.envelope(id).await.unwrap().unwrap();
        assert_eq!((e.opened, e.opened_points), (10, 1000), "{}", t.name);
        let paid_in_ledger: i64 = futures_sum(&t, 1..=200).await;
        assert_eq!(paid_in_ledger, 1000, "{}: every share is a transfer to its member", t.name);
        assert_eq!(
            t.db.points_balance(Account::Firm(FirmAccount::EnvelopeEscrow)).await.unwrap().net(),
            0,
            "{}",
            t.name
        );

        // A member who opened it opens it again: the same share, nothing moves.
        let view: Value = test_support::http()
            .get(app.url(&format!("/api/v1/red-envelopes/{id}")))
            .header("cookie", &sessions[0].0)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(view["opened"].as_array().unwrap().len(), 10, "{}: {view}", t.name);
        let first = view["opened"][0]["customer_id"].as_i64().unwrap();
        let (status, again) = post(&app, &sessions[first as usize - 1], &open_path, json!({})).await;
        assert_eq!((status, again["again"].as_bool()), (200, Some(true)), "{}: {again}", t.name);
        assert_eq!(again["points"], view["opened"][0]["points"], "{}", t.name);

        // Staff do not open envelopes; nor does a customer outside the group.
        let r = advisor.post_json(&app.url(""), &open_path, &json!({})).await;
        assert_eq!(r.status(), 403, "{}", t.name);
        let outsider = member_session(&t, 250, &hash).await;
        assert_eq!(post(&app, &outsider, &open_path, json!({})).await.0, 404, "{}", t.name);

        // A member's envelope comes from their own points.
        let sender = &sessions[200]; // customer 201
        let (status, body) = post(&app, sender, &path, json!({ "points": 30, "shares": 3, "split": "equal" })).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("points_insufficient")), "{}: {body}", t.name);
        let earn = Operation::Apply(Transfer {
            id: "earn:201".into(),
            debit: Account::Firm(FirmAccount::Issuance),
            credit: Account::Customer(CustomerId(201)),
            amount: 50,
            reason: "daily_login".into(),
            kind: Kind::Single,
            corrects: None,
        });
        t.db.ledger_run(&[earn], Utc::now()).await.unwrap();
        let (status, body) = post(&app, sender, &path, json!({ "points": 30, "shares": 3, "split": "equal" })).await;
        assert_eq!(status, 201, "{}: {body}", t.name);
        let own = body["id"].as_i64().unwrap();
        assert_eq!(balance(&t, 201).await, 20, "{}", t.name);
        let (status, got) = post(&app, &sessions[5], &format!("/api/v1/red-envelopes/{own}/open"), json!({})).await;
        assert_eq!((status, got["points"].as_i64()), (200, Some(10)), "{}", t.name);
        // A day on, what is left goes back to the sender, once.
        clock.set(Utc::now() + Duration::hours(25));
        let community = Communities::new(db.clone());
        assert!(community.return_due_envelopes(db.now()).await.unwrap() >= 2, "{}", t.name);
        assert_eq!(community.return_due_envelopes(db.now()).await.unwrap(), 0, "{}: once", t.name);
        assert_eq!(balance(&t, 201).await, 40, "{}: 20 kept, 20 back", t.name);
        let (status, late) = post(&app, &sessions[6], &format!("/api/v1/red-envelopes/{own}/open"), json!({})).await;
        assert_eq!((status, late["code"].as_str()), (409, Some("envelope_expired")), "{}", t.name);
        let totals = t.db.ledger_totals().await.unwrap();
        assert_eq!((totals.net, totals.pending), (0, 0), "{}", t.name);
        assert_eq!(
            t.db.points_balance(Account::Firm(FirmAccount::EnvelopeEscrow)).await.unwrap().net(),
            0,
            "{}",
            t.name
        );
    }
}

/// The points the given customers hold, summed.
async fn futures_sum(t: &test_db::TestDb, customers: std::ops::RangeInclusive<i64>) -> i64 {
    let mut sum = 0;
    for c in customers {
        sum += balance(t, c).await;
    }
    sum
}
