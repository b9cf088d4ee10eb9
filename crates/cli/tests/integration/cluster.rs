//! Past one machine (issue 30), on loopback with real processes: a
//! nats-server with JetStream, PostgreSQL, two `serve --nats` and three
//! `worker watch`. A real day is replayed into one server while a worker
//! is killed with SIGKILL mid-stream: every reminder the day makes is
//! stored as one process alone stores it, and reaches a firm-wide page on
//! either server exactly once. A chat member who moves from one server to
//! the other misses nothing and sees nothing twice.

use bench::{ServeChild, WorkerChild};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};
use test_support::{customer_session_at, events_token, load_book, Session, TestApp};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Customers in the book: as many as the live page's browser test replays over.
const CUSTOMERS: u64 = 600;
/// The customer who moves between servers in the chat.
const MEMBER: i64 = 2;

/// A reminder's identity, whichever process made it.
type Key = (i64, String, String, i64, String);

async fn reminder_keys(t: &test_support::TestDb, after: i64) -> BTreeSet<Key> {
    let sql = format!(
        "SELECT CAST(account_id AS TEXT) || '|' || rule || '|' || COALESCE(instrument, '') || '|' || \
         CAST(step AS TEXT) || '|' || CAST(trading_day AS TEXT) FROM reminders WHERE id > {after}"
    );
    t.texts(&sql)
        .await
        .into_iter()
        .map(|line| {
            let p: Vec<&str> = line.split('|').collect();
            (p[0].parse().unwrap(), p[1].into(), p[2].into(), p[3].parse().unwrap(), p[4].into())
        })
        .collect()
}

async fn newest_reminder(t: &test_support::TestDb) -> i64 {
    t.text("SELECT CAST(COALESCE(MAX(id), 0) AS TEXT) FROM reminders").await.parse().unwrap()
}

fn replay(url: &str, token: &str, speed: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["replay", "--speed", speed, "--points", "13", "--url", url, "--token", token])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("replay starts")
}

async fn socket(base: &str, path: &str, s: &Session) -> Socket {
    let mut request = format!("ws://{base}{path}").into_client_request().unwrap();
    request.headers_mut().insert("cookie", s.cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request).await.expect("the socket opens").0
}

/// Everything a firm-wide reminder socket is pushed until `quiet` passes with nothing new.
async fn reminder_ids(socket: &mut Socket, quiet: Duration) -> Vec<i64> {
    let mut ids = Vec::new();
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(quiet, socket.next()).await {
        if let Message::Text(text) = frame {
            let line: Value = serde_json::from_str(&text).unwrap();
            assert!(line.get("reload").is_none(), "the page fell behind: {line}");
            ids.push(line["id"].as_i64().unwrap());
        }
    }
    ids
}

async fn get_ok(url: &str) -> bool {
    test_support::http().get(url).send().await.is_ok_and(|r| r.status().is_success())
}

/// The message ids a chat socket sends: its history until `ready` (with
/// `count` 0), or the next `count` messages.
async fn chat_ids(socket: &mut Socket, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    loop {
        if count > 0 && ids.len() >= count {
            break;
        }
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a chat event in time")
            .expect("the socket stays open")
            .unwrap();
        if let Message::Text(text) = frame {
            let event: Value = serde_json::from_str(&text).unwrap();
            match event["type"].as_str() {
                Some("message") => ids.push(event["id"].as_i64().unwrap()),
                Some("ready") if count == 0 => break,
                _ => {}
            }
        }
    }
    ids
}

async fn post(s: &Session, base: &str, path: &str, body: Value) -> Value {
    let r = s.post_json(&format!("http://{base}"), path, &body).await;
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_workers_one_killed_mid_day_make_every_reminder_once_and_a_chat_member_moves_between_servers() {
    if !bus::local::available() {
        assert!(!test_db::required("BROKERDESK_REQUIRE_NATS"), "nats-server is required here");
        eprintln!("nats-server is not installed; skipping the cluster test");
        return;
    }
    let Some(mut pg) = test_support::postgres().await else { return };
    load_book(&mut pg, CUSTOMERS, 100).await;
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_brokerdesk"));
    let nats = bus::local::LocalNats::start().expect("nats-server starts");

    // Workers first, each serving its partition, then the servers.
    let mut workers: Vec<WorkerChild> = (0..3)
        .map(|k| WorkerChild::start(exe, &pg.url, &nats.url(), &format!("{k}/3")).expect("a worker starts"))
        .collect();
    for w in &workers {
        let ready = format!("http://{}/ready", w.addr);
        let started = Instant::now();
        while !get_ok(&ready).await {
            assert!(started.elapsed() < Duration::from_secs(60), "worker {} never served its partition", w.partition);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let one = ServeChild::start_with(exe, &pg.url, &["--nats", &nats.url()]).expect("server one starts");
    let two = ServeChild::start_with(exe, &pg.url, &["--nats", &nats.url()]).expect("server two starts");
    let admin = pg.user(access::Role::Admin);
    let on_one =
        test_support::sign_in_at(&format!("http://{}", one.addr), &admin.login, &admin.password).await.unwrap();
    let on_two =
        test_support::sign_in_at(&format!("http://{}", two.addr), &admin.login, &admin.password).await.unwrap();
    let mut page_one = socket(&one.addr, "/reminders/live", &on_one).await;
    let mut page_two = socket(&two.addr, "/reminders/live", &on_two).await;
    let before = newest_reminder(&pg).await;

    // The day into server one at 1440x (13 moments over about ten seconds); worker 1 killed after three.
    let token = events_token(&pg.db).await;
    let mut day = replay(&format!("http://{}", one.addr), &token, "1440");
    tokio::time::sleep(Duration::from_secs(3)).await;
    workers[1].kill();
    let killed = Instant::now();
    assert!(day.wait().unwrap().success(), "the replay went through");
    // Partition 1 served again by a survivor, and every partition's consumer caught up.
    let bus = bus::Bus::connect(&nats.url()).await.unwrap();
    loop {
        let served = {
            let mut any = false;
            for w in [&workers[0], &workers[2]] {
                let metrics = test_support::http().get(format!("http://{}/metrics", w.addr)).send().await.unwrap();
                any |= metrics.text().await.unwrap().contains("brokerdesk_partition_served{partition=\"1/3\"} 1");
            }
            any
        };
        let mut lag = 0;
        for k in 0..3 {
            lag += bus.feed_lag(&app::cluster::Partition { index: k, count: 3 }.name()).await.unwrap();
        }
        if served && lag == 0 {
            break;
        }
        assert!(killed.elapsed() < Duration::from_secs(60), "partition 1 not served again (lag {lag})");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let made = reminder_keys(&pg, before).await;
    assert!(!made.is_empty(), "the replayed day reminds someone");
    let mut stored: Vec<i64> = pg
        .texts(&format!("SELECT CAST(id AS TEXT) FROM reminders WHERE id > {before}"))
        .await
        .into_iter()
        .map(|id| id.parse().unwrap())
        .collect();
    stored.sort_unstable();
    for (name, page) in [("server one", &mut page_one), ("server two", &mut page_two)] {
        let mut pushed = reminder_ids(page, Duration::from_secs(3)).await;
        let count = pushed.len();
        pushed.sort_unstable();
        pushed.dedup();
        assert_eq!(pushed.len(), count, "{name}: a reminder pushed twice");
        assert_eq!(pushed, stored, "{name}: every reminder made, pushed once");
    }

    // The same day through one embedded server over the same book: the same reminders.
    let mut alone = test_support::sqlite().await;
    load_book(&mut alone, CUSTOMERS, 100).await;
    let app = TestApp::spawn(alone.db.clone()).await;
    let alone_before = newest_reminder(&alone).await;
    let alone_token = events_token(&alone.db).await;
    assert!(replay(&app.url(""), &alone_token, "0").wait().unwrap().success());
    assert_eq!(made, reminder_keys(&alone, alone_before).await, "the cluster judged as one process does");

    // Chat: a member on server one hears what the advisor says on server two, leaves,
    // and on server two resumes after the last message seen: nothing missed, nothing twice.
    let advisor = pg.user(access::Role::Advisor);
    let a = test_support::sign_in_at(&format!("http://{}", two.addr), &advisor.login, &advisor.password).await.unwrap();
    let group = post(&a, &two.addr, "/api/v1/groups", json!({ "name": "跨机群" })).await["id"].as_i64().unwrap();
    let invite = post(&a, &two.addr, &format!("/api/v1/groups/{group}/invites"), json!({})).await;
    let member = customer_session_at(&pg, &format!("http://{}", one.addr), MEMBER).await;
    let accept = format!("/api/v1/invites/{}/accept", invite["token"].as_str().unwrap());
    post(&member, &one.addr, &accept, json!({})).await;
    let say = |text: &'static str, on: &'static str| {
        let (a, base) = (&a, if on == "one" { one.addr.clone() } else { two.addr.clone() });
        async move {
            post(a, &base, &format!("/api/v1/groups/{group}/messages"), json!({ "text": text })).await["id"]
                .as_i64()
                .unwrap()
        }
    };
    let mut chat = socket(&one.addr, &format!("/groups/{group}/live?after=0"), &member).await;
    let history = chat_ids(&mut chat, 0).await;
    let mut said = vec![say("开盘前瞻", "two").await, say("午间复盘", "two").await];
    let mut seen = chat_ids(&mut chat, 2).await;
    assert_eq!(seen, said, "server one pushes what was said on server two (after the history {history:?})");
    chat.close(None).await.ok();
    let last = *seen.last().unwrap();
    said.push(say("离开时一", "one").await);
    said.push(say("离开时二", "two").await);
    let mut chat = socket(&two.addr, &format!("/groups/{group}/live?after={last}"), &member).await;
    seen.extend(chat_ids(&mut chat, 2).await);
    said.push(say("回来之后", "one").await);
    seen.extend(chat_ids(&mut chat, 1).await);
    assert_eq!(seen, said, "every message once, in order, across the move");
    chat.send(Message::Close(None)).await.ok();
}
