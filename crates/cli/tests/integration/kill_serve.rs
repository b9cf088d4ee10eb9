//! A real `brokerdesk serve` killed with SIGKILL in the middle of a replay,
//! restarted, and the day replayed again, ends with exactly the reminders of
//! one uninterrupted run: none lost, none stored (or sent) twice.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use test_support::{events_token, sqlite_with_book, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_brokerdesk");
/// Moments of the replayed day: enough calls that a kill lands in the middle.
const POINTS: &str = "301";

/// Starts serve over the test database; answers the child and its address.
fn serve(t: &TestDb, log: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--db", &t.url])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.by_ref().map_while(Result::ok).find(|l| l.contains("serving on")).expect("serve starts");
    let url = line.split("serving on ").nth(1).unwrap().trim_end_matches('/').to_owned();
    // Keep reading so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

fn replay(url: &str, token: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["replay", "--speed", "0", "--points", POINTS, "--url", url, "--token", token])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

type Stored = BTreeSet<(i64, String, String, i64, String)>;

async fn reminders(t: &TestDb) -> (Stored, usize) {
    let sql = "SELECT account_id, rule, COALESCE(instrument, ''), step, CAST(trading_day AS TEXT) FROM reminders";
    let rows: Vec<(i64, String, String, i64, String)> = match t.db.pool() {
        store::Pool::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        store::Pool::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    };
    let n = rows.len();
    (rows.into_iter().collect(), n)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_mid_replay_and_restarted_stores_every_reminder_once() {
    let dir = tempfile::tempdir().unwrap();
    // The reference: the same book, one server, one replay.
    let reference = sqlite_with_book(400).await;
    let token = events_token(&reference.db).await;
    let (mut server, url) = serve(&reference, &dir.path().join("reference.log"));
    assert!(replay(&url, &token).status().unwrap().success());
    server.kill().unwrap();
    server.wait().unwrap();
    let (expected, n) = reminders(&reference).await;
    assert_eq!(expected.len(), n);
    assert!(expected.iter().any(|r| r.4 == "2025-07-04"), "the replayed day makes reminders");

    // The victim: killed as soon as the replay has stored some of the day's reminders.
    let victim = sqlite_with_book(400).await;
    let token = events_token(&victim.db).await;
    let (mut server, url) = serve(&victim, &dir.path().join("victim-1.log"));
    let mut sender = replay(&url, &token).spawn().unwrap();
    let started = Instant::now();
    let killed_mid_replay = loop {
        let (stored, _) = reminders(&victim).await;
        let today = stored.iter().filter(|r| r.4 == "2025-07-04").count();
        if today > 0 {
            let still_sending = sender.try_wait().unwrap().is_none();
            server.kill().unwrap(); // SIGKILL on Unix
            server.wait().unwrap();
            break still_sending && today < expected.iter().filter(|r| r.4 == "2025-07-04").count();
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no reminder within 2 minutes");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let _ = sender.wait();
    assert!(killed_mid_replay, "the kill landed in the middle of the replay");
    let (mut server, url) = serve(&victim, &dir.path().join("victim-2.log"));
    assert!(replay(&url, &token).status().unwrap().success(), "the replay again, into the restarted server");
    server.kill().unwrap();
    server.wait().unwrap();
    let (got, n) = reminders(&victim).await;
    assert_eq!(got.len(), n, "no reminder stored twice");
    assert_eq!(got, expected, "every reminder of one clean run, and no other");
}
