//! `brokerdesk demo` on a fresh directory: generates, loads, serves, prints the URL.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn demo_serves_the_generated_brokerage() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["demo", "--customers", "3000", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        printed.push(line.clone());
        if line.contains("serving on") {
            break;
        }
    }
    let url_line = printed.last().cloned().unwrap_or_default();
    assert!(url_line.contains(&format!("http://127.0.0.1:{port}/")), "demo prints its URL: {printed:?}");
    assert!(dir.path().join("brokerdesk-demo.db").exists());

    // The demo prints one sign-in per role; use compliance's.
    for role in ["admin", "compliance", "manager", "advisor", "customer"] {
        assert!(printed.iter().any(|l| l.trim_start().starts_with(role)), "{role} sign-in printed: {printed:?}");
    }
    let line = printed.iter().find(|l| l.trim_start().starts_with("compliance")).expect("compliance sign-in");
    let words: Vec<&str> = line.split_whitespace().collect();
    let (login, password) = (words[2], words[4]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body = rt.block_on(async {
        let base = format!("http://127.0.0.1:{port}");
        let session = test_support::sign_in_at(&base, login, password).await.expect("the printed sign-in works");
        session.get(&format!("{base}/api/v1/overview")).await.json::<serde_json::Value>().await.unwrap()
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(body["customers"], 3000, "{body}");
    assert!(body["assets_under_custody"].as_str().unwrap().parse::<f64>().unwrap() > 0.0);
}
