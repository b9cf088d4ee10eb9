//! A real `brokerdesk import` killed with SIGKILL at many moments, then run
//! again, ends in exactly the state of one clean run, on every backend.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_brokerdesk");

fn import(db: &test_support::TestDb, book: &std::path::Path, rejects: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["import", "--db", &db.url, "--batch-rows", "700", "--rejects"])
        .env("BROKERDESK_KEYS_FILE", &db.keys_file)
        .arg(rejects)
        .arg(book)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// What an import keeps after the rows (each customer's figures, the analytics
/// counts), as one line: a kill during that last stretch leaves it short.
async fn kept_counts(db: &test_support::TestDb) -> String {
    db.text(
        "SELECT CAST((SELECT COUNT(*) FROM customer_figures) AS TEXT) || ' ' || \
         CAST((SELECT COUNT(*) FROM customer_months) AS TEXT) || ' ' || \
         CAST((SELECT COALESCE(SUM(active + paying + returned), 0) FROM team_months) AS TEXT)",
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_at_any_moment_and_rerun_equals_one_clean_run() {
    let book = tempfile::tempdir().unwrap();
    let status = Command::new(BIN)
        .args(["gen", "--customers", "6000", "--seed", "9", "--out"])
        .arg(book.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let rejects = book.path().join("rejects.csv");

    for clean in test_support::backends().await {
        // The reference: one uninterrupted run.
        assert!(import(&clean, book.path(), &rejects).status().unwrap().success());
        let reference = clean.db.stats().await.unwrap();
        let reference_counts = kept_counts(&clean).await;
        let clean_run = {
            let started = Instant::now();
            let other = match clean.name {
                "sqlite" => test_support::sqlite().await,
                _ => test_support::postgres().await.unwrap(),
            };
            assert!(import(&other, book.path(), &rejects).status().unwrap().success());
            assert_eq!(other.db.stats().await.unwrap(), reference, "two clean runs agree");
            started.elapsed()
        };

        // The victim: killed again and again at moments spread over a run.
        let victim = match clean.name {
            "sqlite" => test_support::sqlite().await,
            _ => test_support::postgres().await.unwrap(),
        };
        let mut kills_mid_run = 0;
        for step in 1..=8u32 {
            let delay = clean_run * step / 10;
            let mut child = import(&victim, book.path(), &rejects).spawn().unwrap();
            std::thread::sleep(delay.max(Duration::from_millis(20)));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL on Unix
                let _ = child.wait();
                // Each re-run carries on where the last stopped, so later kills
                // may find little left to do; count those that left work undone.
                // Unfinished: the rows, or the counts kept after them (figures, analytics).
                if victim.db.stats().await.unwrap() != reference || kept_counts(&victim).await != reference_counts {
                    kills_mid_run += 1;
                }
            }
            let _ = child.wait();
        }
        assert!(kills_mid_run >= 3, "{}: only {kills_mid_run} kills left the import unfinished", clean.name);

        assert!(import(&victim, book.path(), &rejects).status().unwrap().success());
        assert_eq!(victim.db.stats().await.unwrap(), reference, "{}: re-run after kills", clean.name);
        assert_eq!(kept_counts(&victim).await, reference_counts, "{}: the counts kept after the rows", clean.name);
        // The figures the overview reads were brought up to date by the last run.
        for scope in [access::Scope::Firm, access::Scope::Branch(domain::BranchId(1))] {
            assert_eq!(
                victim.db.firm_overview(scope).await.unwrap(),
                clean.db.firm_overview(scope).await.unwrap(),
                "{}: {scope:?} after kills",
                clean.name
            );
        }
    }
}
