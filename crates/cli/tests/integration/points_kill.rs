//! The points ledger against its model with the real process killed (kill
//! -9) at random points: `brokerdesk points import` runs a random workload
//! (earn, spend, holds, envelopes, referrals, time-outs, expiry, repeats),
//! is killed, and started again until it finishes. At every restart the
//! database holds exactly the model's books after the steps it says it has
//! done: nothing lost, nothing applied twice, the balances summing to zero.

use chrono::{TimeZone, Utc};
use domain::CustomerId;
use growth::workload::{Step, Work, Workload};
use growth::Ledger;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::io::Write;
use std::process::Command;
use store::Db;

const CUSTOMERS: i64 = 150;

async fn progress(db: &Db) -> i64 {
    let mut tx = db.begin().await.unwrap();
    tx.import_progress("kill").await.unwrap()
}

async fn assert_books(db: &Db, model: &Ledger, at: i64) {
    let t = db.ledger_totals().await.unwrap();
    assert_eq!((t.net, t.pending), (0, 0), "after step {at}: the books balance");
    assert!(t.lowest_available >= 0, "after step {at}: {t:?}");
    let nonzero = |b: &growth::Balance| *b != growth::Balance::default();
    let stored: BTreeMap<i64, _> = db
        .points_accounts()
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, b)| nonzero(b))
        .map(|(a, b)| (a.code(), b))
        .collect();
    let expected: BTreeMap<i64, _> =
        model.balances().filter(|(_, b)| nonzero(b)).map(|(a, b)| (a.code(), *b)).collect();
    assert_eq!(stored, expected, "after step {at}: every balance is the model's");
    for c in 1..=CUSTOMERS {
        assert_eq!(
            db.points_lots(CustomerId(c)).await.unwrap(),
            model.lots(CustomerId(c)),
            "after step {at}: lots of {c}"
        );
    }
}

fn advance(model: &mut Ledger, steps: &[Step], from: usize, to: usize) {
    for s in &steps[from..to] {
        match &s.work {
            Work::Run(op) => {
                let _ = model.run(op, s.at);
            }
            Work::VoidTimedOut => {
                model.void_timed_out(s.at);
            }
            Work::ExpireLots => {
                model.expire_lots(s.at);
            }
        }
    }
}

#[tokio::test]
async fn killed_anywhere_and_restarted_the_ledger_loses_nothing_and_applies_nothing_twice() {
    let t = test_support::sqlite_with_book(CUSTOMERS as u64).await;
    let steps_n: usize = std::env::var("BROKERDESK_KILL_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(40_000);
    let mut work = Workload::new(5, CUSTOMERS, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
    let steps: Vec<Step> = (0..steps_n).map(|_| work.next_step()).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("steps.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    for s in &steps {
        serde_json::to_writer(&mut out, s).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
    drop(out);

    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(9);
    let mut model = Ledger::new();
    let (mut modelled, mut kills) = (0usize, 0);
    loop {
        let mut child = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
            .args(["points", "import", "--db", &t.url, "--name", "kill", "--batch", "150"])
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let wait = std::time::Duration::from_millis(rng.gen_range(150..900));
        let finished = tokio::time::timeout(wait, async {
            loop {
                if let Some(status) = child.try_wait().unwrap() {
                    return status;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await;
        match finished {
            Ok(status) => {
                assert!(status.success(), "the import ends well");
                break;
            }
            Err(_) => {
                child.kill().unwrap(); // SIGKILL: no chance to tidy up
                child.wait().unwrap();
                kills += 1;
            }
        }
        let done = progress(&t.db).await as usize;
        assert!(done >= modelled, "progress never goes back");
        advance(&mut model, &steps, modelled, done);
        modelled = done;
        assert_books(&t.db, &model, done as i64).await;
        assert!(kills < 200 + steps_n / 200, "the import makes progress between kills");
    }
    let done = progress(&t.db).await as usize;
    assert_eq!(done, steps_n, "every step done");
    advance(&mut model, &steps, modelled, done);
    assert_books(&t.db, &model, done as i64).await;
    assert!(kills >= 2, "killed at least twice ({kills})");
    eprintln!("{steps_n} steps, killed {kills} times");
    // Running it again finds it done and changes nothing.
    let again = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["points", "import", "--db", &t.url, "--name", "kill"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains(&format!("resumed after {steps_n} steps; 0 applied")));
    assert_books(&t.db, &model, done as i64).await;
}
