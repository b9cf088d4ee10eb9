//! `serve --holidays FILE`: next year's closures without a rebuild. A bad
//! file stops the server before it serves, naming the line; a file that
//! covers the coming month silences the calendar warning.

use chrono::{Datelike, Weekday};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn serve(dir: &std::path::Path, holidays: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.join("brokerdesk.db"))
        .arg("--holidays")
        .arg(holidays)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap()
}

#[test]
fn a_holidays_file_is_read_at_start_and_a_bad_one_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "date,name\n2027-01-01,New Year\n2027-01-02,a Saturday\n").unwrap();
    let out = serve(dir.path(), &bad).wait_with_output().unwrap();
    assert!(!out.status.success(), "a bad holidays file stops serve");
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(log.contains("line 3") && log.contains("weekend"), "{log}");

    // Next year's first weekday closed: the calendar covers the coming month.
    let next_year = chrono::Utc::now().year() + 1;
    let closed = (1..8)
        .map(|d| chrono::NaiveDate::from_ymd_opt(next_year, 1, d).unwrap())
        .find(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .unwrap();
    let good = dir.path().join("holidays.csv");
    std::fs::write(&good, format!("date,name\n{closed},New Year\n")).unwrap();
    let mut child = serve(dir.path(), &good);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let serving = lines.by_ref().map_while(Result::ok).any(|l| l.contains("serving on"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(serving, "serve starts with a good holidays file");
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(!log.contains("trading calendar ends"), "the file covers the coming month: {log}");
}
