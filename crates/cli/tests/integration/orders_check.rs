//! `brokerdesk orders check`: every finding of a ticket from the command
//! line, by the firm's settings when given.

use std::process::Command;

fn check(args: &[&str]) -> (bool, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk")).arg("orders").arg("check").args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.success(),
        serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rules(v: &serde_json::Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["severity"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn prints_each_finding_with_code_and_severity_by_the_settings_given() {
    let monday = ["--date", "2025-03-03", "--time", "10:00", "--json"];
    // The bond at 1 yuan against par 100.
    let bond = [
        "--instrument",
        "019547.SH",
        "--kind",
        "bond",
        "--side",
        "sell",
        "--price",
        "1",
        "--quantity",
        "100",
        "--previous-close",
        "100.5",
    ];
    let (ok, out, err) = check(&[&bond[..], &monday[..]].concat());
    assert!(ok, "{err}");
    assert_eq!(rules(&out), vec![("far_from_reference".to_owned(), "confirm".to_owned())]);
    assert!(out["findings"][0]["message_zh"].as_str().unwrap().contains("99.00%"), "{out}");
    // STAR: 150 refused, 201 allowed.
    let star = |q: &'static str| {
        ["--instrument", "688981.SH", "--side", "buy", "--price", "40", "--quantity", q, "--previous-close", "40"]
    };
    let (_, out, _) = check(&[&star("150")[..], &monday[..]].concat());
    assert_eq!(rules(&out), vec![("lot_below_minimum".to_owned(), "block".to_owned())]);
    let (_, out, _) = check(&[&star("201")[..], &monday[..]].concat());
    assert!(rules(&out).is_empty(), "{out}");

    // A firm that lets bonds trade anywhere within 100% of par: the same ticket passes.
    let dir = tempfile::tempdir().unwrap();
    let loose = dir.path().join("orders.json");
    std::fs::write(&loose, r#"{"far_bond_bp": 10000}"#).unwrap();
    let (ok, out, err) = check(&[&bond[..], &monday[..], &["--settings", loose.to_str().unwrap()][..]].concat());
    assert!(ok, "{err}");
    assert!(rules(&out).is_empty(), "{out}");
    // Settings that do not hold are refused, naming the file and why.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"concentration_bp": [0, 3000, 4000, 5000, 6000]}"#).unwrap();
    let (ok, _, err) = check(&[&bond[..], &monday[..], &["--settings", bad.to_str().unwrap()][..]].concat());
    assert!(!ok && err.contains("bad.json") && err.contains("concentration_bp"), "{err}");
    let unknown = dir.path().join("unknown.json");
    std::fs::write(&unknown, r#"{"stamp_duty": 1}"#).unwrap();
    let (ok, _, err) = check(&[&bond[..], &monday[..], &["--settings", unknown.to_str().unwrap()][..]].concat());
    assert!(!ok && err.contains("unknown field"), "{err}");
}
