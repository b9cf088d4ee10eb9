//! The points ledger on both backends: it keeps the pure ledger's books
//! step for step, and concurrent spends never overdraw.

use chrono::{TimeZone, Utc};
use domain::CustomerId;
use growth::workload::{Work, Workload};
use growth::{Account, FirmAccount, Kind, Ledger, LedgerError, Operation, Transfer};
use std::collections::BTreeMap;
use store::Db;

async fn assert_same_books(db: &Db, model: &Ledger, name: &str, customers: i64) {
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
    for (a, b) in &expected {
        assert_eq!(stored.get(a), Some(b), "{name}: account {a}");
    }
    assert_eq!(stored.len(), expected.len(), "{name}: no other accounts");
    for c in 1..=customers {
        let c = CustomerId(c);
        assert_eq!(db.points_lots(c).await.unwrap(), model.lots(c), "{name}: lots of {c}");
    }
}

#[tokio::test]
async fn the_store_keeps_the_models_books_step_for_step() {
    for t in test_db::backends().await {
        let customers = 120;
        let steps = if t.name == "sqlite" { 12_000 } else { 4_000 };
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let mut work = Workload::new(11, customers, start);
        let mut model = Ledger::new();
        let mut done = 0;
        let mut batch_size = 1;
        while done < steps {
            batch_size = batch_size % 61 + 7;
            let batch: Vec<_> = (0..batch_size).map(|_| work.next_step()).collect();
            let mut tx = t.db.begin().await.unwrap();
            let outcomes = tx.run_steps(&batch).await.unwrap();
            tx.commit().await.unwrap();
            for (step, outcome) in batch.iter().zip(outcomes) {
                let expected = match &step.work {
                    Work::Run(op) => Some(model.run(op, step.at)),
                    Work::VoidTimedOut => {
                        model.void_timed_out(step.at);
                        None
                    }
                    Work::ExpireLots => {
                        model.expire_lots(step.at);
                        None
                    }
                };
                assert_eq!(outcome, expected, "{}: step {done} {:?}", t.name, step.work);
            }
            done += batch.len();
            let totals = t.db.ledger_totals().await.unwrap();
            assert_eq!((totals.net, totals.pending), (0, 0), "{}: the books balance", t.name);
            assert!(totals.lowest_available >= 0, "{}: {totals:?}", t.name);
            assert_eq!(totals.in_lots, totals.customers_net, "{}: lots hold the balances", t.name);
            if done % 1_000 < batch.len() {
                assert_same_books(&t.db, &model, t.name, customers).await;
            }
        }
        assert_same_books(&t.db, &model, t.name, customers).await;
        let statement = t.db.points_statement(CustomerId(1), None, 1_000).await.unwrap();
        let posted: i64 = statement.iter().filter(|l| l.state == "posted").map(|l| l.points).sum();
        assert_eq!(posted, model.balance(Account::Customer(CustomerId(1))).net(), "{}: the statement adds up", t.name);
    }
}

fn spend(id: String, customer: i64, amount: i64) -> Operation {
    Operation::Apply(Transfer {
        id,
        debit: Account::Customer(CustomerId(customer)),
        credit: Account::Firm(FirmAccount::Redemption),
        amount,
        reason: "redeem".into(),
        kind: Kind::Single,
        corrects: None,
    })
}

#[tokio::test]
async fn of_64_concurrent_spends_of_100_points_from_100_exactly_one_succeeds() {
    for t in test_db::backends().await {
        let earn = Operation::Apply(Transfer {
            id: "earn".into(),
            debit: Account::Firm(FirmAccount::Issuance),
            credit: Account::Customer(CustomerId(9)),
            amount: 100,
            reason: "earn".into(),
            kind: Kind::Single,
            corrects: None,
        });
        t.db.ledger_run(&[earn], t.db.now()).await.unwrap()[0].as_ref().unwrap();
        let spends = (0..64).map(|i| {
            let db = t.db.clone();
            tokio::spawn(async move { db.ledger_run(&[spend(format!("spend-{i}"), 9, 100)], db.now()).await })
        });
        let mut ok = 0;
        for s in spends {
            match s.await.unwrap().unwrap().remove(0) {
                Ok(_) => ok += 1,
                Err(LedgerError::Insufficient { available: 0, amount: 100, .. }) => {}
                Err(e) => panic!("{}: {e}", t.name),
            }
        }
        assert_eq!(ok, 1, "{}", t.name);
        assert_eq!(t.db.points_balance(Account::Customer(CustomerId(9))).await.unwrap().net(), 0, "{}", t.name);
        assert_eq!(t.db.ledger_totals().await.unwrap().net, 0, "{}", t.name);
    }
}

#[tokio::test]
async fn lots_expire_two_years_on_oldest_first_and_a_repeat_is_answered_not_applied() {
    for t in test_db::backends().await {
        let day = |d: i64| Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap() + chrono::Duration::days(d);
        let earn = |id: &str, amount| {
            Operation::Apply(Transfer {
                id: id.into(),
                debit: Account::Firm(FirmAccount::Issuance),
                credit: Account::Customer(CustomerId(5)),
                amount,
                reason: "earn".into(),
                kind: Kind::Single,
                corrects: None,
            })
        };
        t.db.ledger_run(&[earn("a", 30)], day(0)).await.unwrap();
        t.db.ledger_run(&[earn("b", 50)], day(100)).await.unwrap();
        // The same transfer again: the first result, nothing moved.
        let again = t.db.ledger_run(&[earn("b", 50)], day(101)).await.unwrap().remove(0).unwrap();
        assert_eq!(again.at, day(100), "{}", t.name);
        assert_eq!(
            t.db.ledger_run(&[earn("b", 51)], day(101)).await.unwrap().remove(0),
            Err(LedgerError::IdReused("b".into())),
            "{}",
            t.name
        );
        t.db.ledger_run(&[spend("s".into(), 5, 40)], day(200)).await.unwrap().remove(0).unwrap();
        let lots = t.db.points_lots(CustomerId(5)).await.unwrap();
        assert_eq!((lots.len(), lots[0].source.as_str(), lots[0].remaining), (1, "b", 40), "{}", t.name);
        assert_eq!(t.db.expire_lots(day(731), 100).await.unwrap(), 0, "{}: the first lot was spent", t.name);
        assert_eq!(t.db.expire_lots(day(100 + 731), 100).await.unwrap(), 1, "{}", t.name);
        assert_eq!(t.db.points_balance(Account::Firm(FirmAccount::Expiry)).await.unwrap().net(), 40, "{}", t.name);
        assert!(t.db.points_lots(CustomerId(5)).await.unwrap().is_empty(), "{}", t.name);
        let expiry = t.db.points_transfer("expiry:b:40").await.unwrap().unwrap();
        assert_eq!((expiry.transfer.amount, expiry.transfer.reason.as_str()), (40, "expiry"), "{}", t.name);
        assert_eq!(t.db.expire_lots(day(1_000), 100).await.unwrap(), 0, "{}: once", t.name);
    }
}
