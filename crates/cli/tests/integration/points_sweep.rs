//! `brokerdesk points sweep`: what `serve` runs hourly and nightly, run now
//! under the firm's growth rules from a file (refused when they do not hold).

use std::process::Command;

fn sweep(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk")).args(["points", "sweep"]).args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sweep_judges_tiers_under_the_rules_file_and_refuses_rules_that_do_not_hold() {
    let t = test_support::sqlite_with_book(30).await;
    let dir = tempfile::tempdir().unwrap();
    // Two days' first sign-ins: 10 points, a silver customer under these rules.
    let days = ["2026-12-01", "2026-12-02"].map(|d| d.parse().unwrap());
    let logins: Vec<_> = days
        .iter()
        .map(|day| growth::earning::Activity::Login { customer: domain::CustomerId(3), day: *day })
        .collect();
    let earned = app::growth::earn(&t.db, &growth::earning::EarningRules::default(), &logins).await.unwrap();
    assert_eq!(earned, 2);
    let rules = dir.path().join("growth.json");
    std::fs::write(
        &rules,
        // Tenure earns nothing here: a book customer's anniversary falling on the day the test
        // runs would earn points and move a second tier.
        r#"{"earning": {"tenure_year": 0}, "tiers": {"grace_days": 5, "tiers": [{"name": "standard", "min_points": 0}, {"name": "silver", "min_points": 10}]}}"#,
    )
    .unwrap();
    let (ok, out) = sweep(&["--db", &t.url, "--growth-rules", rules.to_str().unwrap()]);
    assert!(ok, "{out}");
    let report: serde_json::Value =
        serde_json::from_str(out.lines().find(|l| l.starts_with('{')).expect("a JSON report")).unwrap();
    assert_eq!(report["tiers"]["changes"], 1, "{report}");
    assert_eq!(t.text("SELECT tier FROM customer_tiers WHERE customer_id = 3").await, "silver");

    std::fs::write(&rules, r#"{"tiers": {"tiers": [{"name": "silver", "min_points": 10}]}}"#).unwrap();
    let (ok, out) = sweep(&["--db", &t.url, "--growth-rules", rules.to_str().unwrap()]);
    assert!(!ok && out.contains("tiers: the first tier must start at 0 points"), "{out}");
    std::fs::write(&rules, r#"{"tier": {}}"#).unwrap();
    let (ok, out) = sweep(&["--db", &t.url, "--growth-rules", rules.to_str().unwrap()]);
    assert!(!ok && out.contains("not growth rules"), "{out}");
}
