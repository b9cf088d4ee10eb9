//! One book (issue 22): trades and cash flows through the events feed move
//! the positions table, the cash, the position watch and the pages together.
//! A random two days of trades and quotes (some sells refused by T+1, some
//! calls sent twice) are replayed through the real server, then the table,
//! the API's record and the watch's live view are each compared with a
//! recomputation from the trades, on SQLite and PostgreSQL.

use access::Role;
use chrono::{NaiveDate, TimeZone};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use test_support::{backends, events_token, http, load_book, TestApp, TestDb};

/// A holding as the test recomputes it: quantity, sellable today, the day that is for, cost (0.0001 CNY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Held {
    quantity: i64,
    sellable: i64,
    day: Option<NaiveDate>,
    cost: i64,
}

type Table = BTreeMap<(i64, String), (i64, i64, i64)>;

async fn positions_table(t: &TestDb, accounts: &[i64]) -> Table {
    let list = accounts.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT account_id, instrument, quantity, sellable_quantity, cost_price FROM positions \
         WHERE account_id IN ({list})"
    );
    type Row = (i64, String, i64, i64, i64);
    let rows: Vec<Row> = match t.db.pool() {
        store::Pool::Sqlite(p) => sqlx::query_as(&sql).fetch_all(p).await.unwrap(),
        store::Pool::Postgres(p) => sqlx::query_as(&sql).fetch_all(p).await.unwrap(),
    };
    rows.into_iter().map(|(a, c, q, s, cost)| ((a, c), (q, s, cost))).collect()
}

async fn integers(t: &TestDb, sql: &str) -> Vec<(i64, i64)> {
    match t.db.pool() {
        store::Pool::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        store::Pool::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

async fn cash_of(t: &TestDb, accounts: &[i64]) -> HashMap<i64, i64> {
    let list = accounts.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(",");
    integers(t, &format!("SELECT id, cash FROM accounts WHERE id IN ({list})")).await.into_iter().collect()
}

fn fixed(text: &str) -> i64 {
    let d: rust_decimal::Decimal = text.parse().unwrap();
    (d * rust_decimal::Decimal::from(10_000)).round().try_into().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn positions_cash_the_watch_and_the_pages_agree_with_a_recomputation_from_the_trades() {
    for mut t in backends().await {
        load_book(&mut t, 120, 60).await;
        agree_on(&t).await;
    }
}

async fn agree_on(t: &TestDb) {
    let app = TestApp::spawn(t.db.clone()).await;
    let token = events_token(&t.db).await;
    let admin = t.user(Role::Admin);
    let session = app.sign_in(&admin.login, &admin.password).await.expect("admin signs in");
    // Six customers' accounts and what they hold; stocks with a price to trade.
    let owners = integers(t, "SELECT id, customer_id FROM accounts WHERE customer_id <= 6 ORDER BY id").await;
    let accounts: Vec<i64> = owners.iter().map(|o| o.0).collect();
    let stocks: Vec<(String, i64)> = match t.db.pool() {
        store::Pool::Sqlite(p) => sqlx::query_as(
            "SELECT code, last_close FROM instruments WHERE kind = 'stock' AND board IN ('sse_main', 'szse_main') AND last_close > 0 ORDER BY code LIMIT 6",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        store::Pool::Postgres(p) => sqlx::query_as(
            "SELECT code, last_close FROM instruments WHERE kind = 'stock' AND board IN ('sse_main', 'szse_main') AND last_close > 0 ORDER BY code LIMIT 6",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    let mut held: HashMap<(i64, String), Held> = positions_table(t, &accounts)
        .await
        .into_iter()
        .map(|(k, (q, s, c))| (k, Held { quantity: q, sellable: s, day: None, cost: c }))
        .collect();
    let mut cash = cash_of(t, &accounts).await;

    let calendar = market::TradingCalendar::current();
    let first = calendar.session_of(domain::to_shanghai(chrono::Utc::now()).date_naive());
    let days = [first, calendar.next_trading_day(first)];
    let mut rng = rand_pcg::Pcg64::seed_from_u64(22);
    let mut next_id = 9_000_000_000i64;
    let mut refused_expected = 0;
    for day in days {
        for call in 0..6 {
            let mut events = Vec::new();
            let mut expect_refused = Vec::new();
            for k in 0..12 {
                let minute = call * 12 + k;
                let time = chrono::FixedOffset::east_opt(8 * 3600)
                    .unwrap()
                    .from_local_datetime(&day.and_hms_opt(10 + minute as u32 / 60, minute as u32 % 60, 0).unwrap())
                    .unwrap();
                let account = accounts[rng.gen_range(0..accounts.len())];
                let (code, close) = stocks[rng.gen_range(0..stocks.len())].clone();
                let price = (close / 100 + rng.gen_range(-20..=20)).max(1) * 100; // whole fen
                let h = held.get(&(account, code.clone())).copied().unwrap_or_default();
                let sellable = if h.day.is_some_and(|d| d < day) { h.quantity } else { h.sellable };
                let sell = h.quantity > 0 && rng.gen_bool(0.5);
                let quantity = if sell {
                    // Now and then more than T+1 allows.
                    if rng.gen_bool(0.3) {
                        sellable + 100
                    } else {
                        sellable.min(100 * rng.gen_range(1..=3)).max(1)
                    }
                } else {
                    100 * rng.gen_range(1..=5)
                };
                let fee = 50_000 + price * quantity / 10_000; // 5 CNY + 1 bp
                next_id += 1;
                let price_text = format!("{}.{:04}", price / 10_000, price % 10_000);
                let fee_text = format!("{}.{:04}", fee / 10_000, fee % 10_000);
                events.push(json!({"type": "trade", "id": next_id, "account_id": account, "instrument": code,
                    "side": if sell { "sell" } else { "buy" }, "quantity": quantity, "price": price_text,
                    "fee": fee_text, "time": time.to_rfc3339()}));
                events.push(json!({"type": "snapshot", "code": code, "time": time.to_rfc3339(), "last": price_text,
                    "prev_close": format!("{}.{:04}", close / 10_000, close % 10_000), "high": price_text,
                    "low": price_text, "volume": "1000"}));
                if sell && quantity > sellable {
                    expect_refused.push(events.len() - 2);
                    continue;
                }
                // The recomputation: plain arithmetic, written apart from the product's.
                let after_quantity = if sell { h.quantity - quantity } else { h.quantity + quantity };
                let cost = if sell {
                    if after_quantity == 0 {
                        0
                    } else {
                        h.cost
                    }
                } else {
                    let total = i128::from(h.quantity) * i128::from(h.cost) + i128::from(quantity) * i128::from(price);
                    ((total * 2 + i128::from(after_quantity)) / (i128::from(after_quantity) * 2)) as i64
                };
                let after_sellable = if sell { sellable - quantity } else { sellable };
                held.insert(
                    (account, code),
                    Held { quantity: after_quantity, sellable: after_sellable, day: Some(day), cost },
                );
                *cash.get_mut(&account).unwrap() +=
                    if sell { price * quantity - fee } else { -(price * quantity + fee) };
            }
            // A deposit now and then.
            let account = accounts[rng.gen_range(0..accounts.len())];
            next_id += 1;
            events.push(json!({"type": "cash_flow", "id": next_id, "account_id": account, "kind": "deposit",
                "amount": "1000.50", "time": format!("{day}T09:00:00+08:00")}));
            *cash.get_mut(&account).unwrap() += 1000_5000;
            let send = || {
                let body = json!({ "events": events });
                let (url, token, app) = (app.url("/api/v1/feeds/events"), token.clone(), &app);
                async move {
                    let r = http().post(url).bearer_auth(token).json(&body).send().await.unwrap();
                    assert_eq!(r.status(), 200);
                    let report = r.json::<Value>().await.unwrap();
                    app.settled().await;
                    report
                }
            };
            let report = send().await;
            let trades = report["files"].as_array().unwrap().iter().find(|f| f["file"] == "trades.csv").unwrap();
            let refused: Vec<usize> =
                trades["rejects"].as_array().unwrap().iter().map(|r| r["at"].as_u64().unwrap() as usize).collect();
            assert_eq!(refused, expect_refused, "{}: refused sells: {trades}", t.name);
            for r in trades["rejects"].as_array().unwrap() {
                assert_eq!(r["column"], "quantity");
                assert!(r["reason"].as_str().unwrap().contains("T+1"), "{r}");
            }
            refused_expected += expect_refused.len();
            // The same call again: every event already stored, nothing moves twice.
            if call % 2 == 1 {
                let again = send().await;
                let trades = again["files"].as_array().unwrap().iter().find(|f| f["file"] == "trades.csv").unwrap();
                assert_eq!(trades["loaded"], 0, "{}: {again}", t.name);
            }
        }
    }
    assert!(refused_expected > 0, "the random day tried some oversells");

    // 1. The positions table.
    let table = positions_table(t, &accounts).await;
    let today = days[1];
    let expected: Table = held
        .iter()
        .filter(|(_, h)| h.quantity > 0)
        .map(|(k, h)| {
            let sellable = if h.day.is_some_and(|d| d < today) { h.quantity } else { h.sellable };
            (k.clone(), (h.quantity, sellable, h.cost))
        })
        .collect();
    let table_now: Table = table.iter().map(|(k, v)| (k.clone(), (v.0, v.1, v.2))).collect();
    assert_eq!(table_now.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "{}", t.name);
    for (k, (q, _, c)) in &expected {
        assert_eq!((table_now[k].0, table_now[k].2), (*q, *c), "{}: table {k:?}", t.name);
    }
    let stored_cash = cash_of(t, &accounts).await;
    assert_eq!(stored_cash, cash, "{}: cash", t.name);

    // 2. The pages' record and 3. the watch, customer by customer.
    let mut customers: Vec<i64> = owners.iter().map(|o| o.1).collect();
    customers.dedup();
    for customer in customers {
        let record: Value = session.get(&app.url(&format!("/api/v1/customers/{customer}"))).await.json().await.unwrap();
        let mine: Vec<&(i64, i64)> = owners.iter().filter(|o| o.1 == customer).collect();
        let record_cash: i64 = mine.iter().map(|o| cash[&o.0]).sum();
        assert_eq!(fixed(record["cash"].as_str().unwrap()), record_cash, "{}: customer {customer} cash", t.name);
        let shown: Table = record["positions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let key = (p["account_id"].as_i64().unwrap(), p["instrument"].as_str().unwrap().to_owned());
                let cost = fixed(p["cost_price"].as_str().unwrap());
                (key, (p["quantity"].as_i64().unwrap(), p["sellable_quantity"].as_i64().unwrap(), cost))
            })
            .collect();
        let theirs: Table =
            expected.iter().filter(|(k, _)| mine.iter().any(|o| o.0 == k.0)).map(|(k, v)| (k.clone(), *v)).collect();
        if domain::to_shanghai(chrono::Utc::now()).date_naive() >= today {
            assert_eq!(shown, theirs, "{}: customer {customer} page", t.name);
        } else {
            let strip = |t: &Table| t.iter().map(|(k, v)| (k.clone(), (v.0, v.2))).collect::<BTreeMap<_, _>>();
            assert_eq!(strip(&shown), strip(&theirs), "{}: customer {customer} page", t.name);
        }
        let live: Vec<Value> =
            session.get(&app.url(&format!("/api/v1/customers/{customer}/watch"))).await.json().await.unwrap();
        let watched: BTreeMap<(i64, String), (i64, i64)> = live
            .iter()
            .flat_map(|a| {
                let id = a["account_id"].as_i64().unwrap();
                a["holdings"].as_array().unwrap().iter().map(move |h| {
                    (
                        (id, h["code"].as_str().unwrap().to_owned()),
                        (h["quantity"].as_i64().unwrap(), fixed(h["cost"].as_str().unwrap())),
                    )
                })
            })
            .collect();
        // The watch keeps cost to 0.001 CNY: the book's figure rounded half up.
        let theirs_watched: BTreeMap<(i64, String), (i64, i64)> =
            theirs.iter().map(|(k, v)| (k.clone(), (v.0, (v.2 + 5).div_euclid(10) * 10))).collect();
        assert_eq!(watched, theirs_watched, "{}: customer {customer} watch", t.name);
    }
}
