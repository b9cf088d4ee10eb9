//! `serve --questionnaire FILE`: the firm's own risk questionnaire without a
//! rebuild. A file that cannot be scored stops the server before it serves,
//! saying why; a good one is the questionnaire the API answers with.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn serve(dir: &std::path::Path, db: &str, questionnaire: &std::path::Path, port: u16) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--db", db])
        .arg("--questionnaire")
        .arg(questionnaire)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap()
}

#[test]
fn a_questionnaire_file_is_read_at_start_and_a_bad_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let standard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(test_support::repo_root().join("crates/advice/questionnaire.json")).unwrap(),
    )
    .unwrap();

    let mut bad = standard.clone();
    bad["cutoffs"]["C3"] = serde_json::json!(10);
    let bad_file = dir.path().join("bad.json");
    std::fs::write(&bad_file, bad.to_string()).unwrap();
    let out = serve(dir.path(), &dir.path().join("brokerdesk.db").display().to_string(), &bad_file, 0)
        .wait_with_output()
        .unwrap();
    assert!(!out.status.success(), "a questionnaire that cannot be scored stops serve");
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(log.contains("cut-offs must rise"), "{log}");

    // The firm's own: another version, valid a year.
    let mut good = standard;
    good["version"] = serde_json::json!("firm-2027");
    good["valid_days"] = serde_json::json!(365);
    let good_file = dir.path().join("questionnaire.json");
    std::fs::write(&good_file, good.to_string()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let book = rt.block_on(test_support::sqlite_with_book(50));
    let admin = book.user(access::Role::Admin).clone();
    let mut child = serve(dir.path(), &book.url, &good_file, port);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let said: Vec<String> = lines.by_ref().map_while(Result::ok).take_while(|l| !l.contains("serving on")).collect();
    assert!(said.iter().any(|l| l.contains("firm-2027")), "{said:?}");
    let body = rt.block_on(async {
        let base = format!("http://127.0.0.1:{port}");
        let session = test_support::sign_in_at(&base, &admin.login, &admin.password).await.expect("signs in");
        session.get(&format!("{base}/api/v1/questionnaire")).await.json::<serde_json::Value>().await.unwrap()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!((body["version"].as_str(), body["valid_days"].as_i64()), (Some("firm-2027"), Some(365)), "{body}");
}
