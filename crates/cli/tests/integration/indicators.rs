//! `brokerdesk indicators`: any analyst can check a number against TA-Lib.

use std::collections::HashMap;
use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .arg("indicators")
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn prints_date_and_columns_that_match_talib() {
    let root = test_support::repo_root();
    let bars = root.join("data/ashare-daily/300750.csv");
    let (ok, out, err) = run(&["--bars", bars.to_str().unwrap(), "--name", "MACD", "--params", "5,35,5"]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("date,macd,signal,hist,bar"));
    let ours: HashMap<String, Vec<f64>> = lines
        .map(|l| {
            let mut fields = l.split(',');
            let date = fields.next().unwrap().to_owned();
            (date, fields.map(|f| f.parse().unwrap()).collect())
        })
        .collect();
    assert_eq!(ours.len(), 363 - 38, "from the 39th bar on");

    let mut reference = csv::Reader::from_path(root.join("crates/market/tests/fixtures/talib/300750.csv")).unwrap();
    let headers = reference.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (m, s, h) = (col("MACD_5_35_5_macd"), col("MACD_5_35_5_signal"), col("MACD_5_35_5_hist"));
    let mut compared = 0;
    for record in reference.records() {
        let r = record.unwrap();
        let Some(row) = ours.get(&r[0]) else { continue };
        for (ours, theirs) in row.iter().zip([&r[m], &r[s], &r[h]]) {
            let theirs: f64 = theirs.parse().unwrap();
            assert!(
                (ours - theirs).abs() <= 1e-9 * ours.abs().max(theirs.abs()).max(1e-3),
                "{}: {ours} vs {theirs}",
                &r[0]
            );
        }
        compared += 1;
    }
    assert_eq!(compared, ours.len());
}

#[test]
fn bad_parameters_and_files_are_named() {
    let bars = test_support::repo_root().join("data/ashare-daily/600519.csv");
    let (ok, _, err) = run(&["--bars", bars.to_str().unwrap(), "--name", "BOLL", "--params", "20,x"]);
    assert!(!ok && err.contains("--params: 'x' is not a number"), "{err}");
    let (ok, _, err) = run(&["--bars", bars.to_str().unwrap(), "--name", "KDJ", "--params", "0"]);
    assert!(!ok && err.contains("KDJ parameter 1 (n)"), "{err}");
    let (ok, _, err) = run(&["--bars", "no/such.csv", "--name", "SMA"]);
    assert!(!ok && err.contains("no/such.csv"), "{err}");
}
