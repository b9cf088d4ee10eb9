//! The repository API behaves the same on SQLite and PostgreSQL.

use domain::{
    AccountId, Branch, BranchId, CashAccount, Customer, CustomerId, Gender, Horizon, InstrumentCode, Money, NationalId,
    PersonName, Phone, Position, RiskLevel, Staff, StaffId, StaffRole,
};
use store::{Db, Rows, StoreError};

/// A branch, its advisor, three customers and two cash accounts each.
async fn small_book(db: &Db) {
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let branch = Branch { id: BranchId(1), name: "上海人民路营业部".into(), city: "上海".into() };
    let advisor = Staff {
        id: StaffId(1),
        branch_id: BranchId(1),
        role: StaffRole::Advisor,
        name: PersonName::parse("李娜").unwrap(),
        licence_no: Some("S0010120010001".into()),
    };
    let customer = |id: i64, first17: &str| {
        let national_id = NationalId::parse(&format!("{first17}{}", NationalId::check_char(first17))).unwrap();
        Customer {
            id: CustomerId(id),
            name: PersonName::parse("王伟").unwrap(),
            birth_date: national_id.birth_date(),
            national_id,
            phone: Phone::parse(&format!("1381234567{id}")).unwrap(),
            gender: Gender::Male,
            market_entry_date: day("2007-05-01"),
            branch_id: BranchId(1),
            advisor_id: StaffId(1),
            risk_level: "C3".parse::<RiskLevel>().unwrap(),
            horizon: Horizon::Medium,
            real_name_verified: true,
            professional: false,
            opened_at: "2015-06-01T02:00:00Z".parse().unwrap(),
        }
    };
    let customers =
        vec![customer(1, "11010519800101001"), customer(2, "31011519751231003"), customer(3, "61011319810326005")];
    let accounts = (1..=6)
        .map(|id| CashAccount { id: AccountId(id), customer_id: CustomerId((id + 1) / 2), cash: Money::ONE })
        .collect();
    for rows in
        [Rows::Branches(vec![branch]), Rows::Staff(vec![advisor]), Rows::Customers(customers), Rows::Accounts(accounts)]
    {
        db.insert(&rows).await.unwrap();
    }
}

#[tokio::test]
async fn writes_are_idempotent_and_constraints_have_one_name_on_both_backends() {
    for t in test_db::backends().await {
        let branches = Rows::Branches(vec![
            Branch { id: BranchId(1), name: "上海人民路营业部".into(), city: "上海".into() },
            Branch { id: BranchId(2), name: "北京金融路营业部".into(), city: "北京".into() },
        ]);
        assert_eq!(t.db.insert(&branches).await.unwrap(), 2, "{}", t.name);
        assert_eq!(t.db.insert(&branches).await.unwrap(), 0, "{}: a second write adds nothing", t.name);

        // A position past the domain's checks still meets the schema's.
        let bad = Rows::Positions(vec![Position {
            account_id: AccountId(1),
            instrument: InstrumentCode::parse("600519.SH").unwrap(),
            quantity: -100,
            sellable_quantity: 0,
            cost_price: Money::ONE,
        }]);
        match t.db.insert(&bad).await {
            Err(StoreError::Constraint { constraint }) => {
                assert_eq!(constraint, "positions_quantity_check", "{}", t.name)
            }
            other => panic!("{}: expected a constraint error, got {other:?}", t.name),
        }
        let stats = t.db.stats().await.unwrap();
        assert_eq!(stats.counts[0], ("branches", 2));
        assert!(stats.counts.contains(&("positions", 0)), "{}: the failed batch left nothing", t.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_audit_appends_form_one_unbroken_chain() {
    for t in test_db::backends().await {
        let writers: Vec<_> = (0..16)
            .map(|i| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    let entry = access::AuditEntry {
                        actor: format!("staff:{i}"),
                        action: "reveal".into(),
                        entity: "customers".into(),
                        entity_id: i.to_string(),
                        detail: "{\"field\":\"phone\"}".into(),
                    };
                    db.append_audit(&entry).await.unwrap()
                })
            })
            .collect();
        for w in writers {
            w.await.unwrap();
        }
        let records = t.db.audit_records().await.unwrap();
        assert_eq!(access::verify_chain(records.clone()), Ok(16), "{}", t.name);
        let mut actors: Vec<_> = records.iter().map(|r| r.entry.actor.clone()).collect();
        actors.sort();
        actors.dedup();
        assert_eq!(actors.len(), 16, "{}: every append landed once", t.name);
    }
}

#[tokio::test]
async fn api_tokens_are_found_by_digest_until_revoked_on_both_backends() {
    for t in test_db::backends().await {
        let digest = access::secret_digest("bdt_example");
        let name = domain::TokenName::parse("feed").unwrap();
        let id = t.db.create_api_token("user:1:admin", &name, access::FeedScope::Import, &digest).await.unwrap();
        let caller = t.db.feed_caller(&digest).await.unwrap().expect("live token");
        assert_eq!((caller.token_id, caller.scope), (id, access::FeedScope::Import), "{}", t.name);
        assert!(t.db.feed_caller(&access::secret_digest("bdt_other")).await.unwrap().is_none());
        let listed = t.db.api_tokens().await.unwrap();
        assert!(listed[0].last_used_at.is_some(), "{}: use is noted", t.name);
        assert!(t.db.revoke_api_token("user:1:admin", id).await.unwrap(), "{}", t.name);
        assert!(t.db.feed_caller(&digest).await.unwrap().is_none(), "{}: revoked", t.name);
        assert!(!t.db.revoke_api_token("user:1:admin", id).await.unwrap(), "{}: only once", t.name);
        assert!(t.db.api_tokens().await.unwrap()[0].revoked_at.is_some());
    }
}

#[tokio::test]
async fn a_corrected_bar_replaces_the_stored_one_and_an_identical_one_changes_nothing() {
    use domain::{Board, DailyBar, Instrument, InstrumentKind};
    use std::str::FromStr;
    for t in test_db::backends().await {
        let code = InstrumentCode::parse("600519.SH").unwrap();
        let m = |s: &str| Money::from_str(s).unwrap();
        let instrument = Instrument {
            code: code.clone(),
            name: "贵州茅台".into(),
            board: Board::SseMain,
            kind: InstrumentKind::Stock,
            lot: 100,
            tick: m("0.01"),
            limit_pct: m("0.10"),
            st: false,
            list_date: chrono::NaiveDate::from_ymd_opt(2001, 8, 27).unwrap(),
            face_value: None,
            outstanding_shares: 1_256_197_800,
            last_close: m("1422.22"),
            fund_class: None,
            delisting_from: None,
        };
        t.db.insert(&Rows::Instruments(vec![instrument])).await.unwrap();
        let bar = |close: &str| DailyBar {
            instrument: code.clone(),
            date: chrono::NaiveDate::from_ymd_opt(2025, 7, 4).unwrap(),
            open: m("1420"),
            high: m("1430"),
            low: m("1400"),
            close: m(close),
            volume: m("28000.5"),
            amount: None,
            prev_close: Some(m("1425")),
            adj_factor: Some(rust_decimal::Decimal::from_str("1.234567891").unwrap()),
        };
        assert_eq!(t.db.insert(&Rows::DailyBars(vec![bar("1422.22")])).await.unwrap(), 1, "{}", t.name);
        assert_eq!(t.db.insert(&Rows::DailyBars(vec![bar("1422.22")])).await.unwrap(), 0, "{}: identical", t.name);
        assert_eq!(t.db.insert(&Rows::DailyBars(vec![bar("1421.00")])).await.unwrap(), 1, "{}: corrected", t.name);
        let stored = t.db.daily_bars(&code, None, None).await.unwrap();
        assert_eq!(stored, vec![bar("1421.00")], "{}: read back exactly", t.name);
    }
}

#[tokio::test]
async fn a_batch_of_reminders_is_stored_whole_in_order_with_its_customers_on_both_backends() {
    for t in test_db::backends().await {
        small_book(&t.db).await;
        let instrument = |code: &str| domain::Instrument {
            code: InstrumentCode::parse(code).unwrap(),
            name: "测试".into(),
            board: domain::Board::SseMain,
            kind: domain::InstrumentKind::Stock,
            lot: 100,
            tick: <Money as std::str::FromStr>::from_str("0.01").unwrap(),
            limit_pct: <Money as std::str::FromStr>::from_str("0.10").unwrap(),
            st: false,
            list_date: chrono::NaiveDate::from_ymd_opt(2001, 8, 27).unwrap(),
            face_value: None,
            outstanding_shares: 1_000_000_000,
            last_close: <Money as std::str::FromStr>::from_str("10").unwrap(),
            fund_class: None,
            delisting_from: None,
        };
        let codes = ["601318.SH", "600519.SH", "000001.SZ"];
        t.db.insert(&Rows::Instruments(codes.iter().map(|c| instrument(c)).collect())).await.unwrap();
        let holding = |account: i64, code: &str, quantity: i64| Position {
            account_id: AccountId(account),
            instrument: InstrumentCode::parse(code).unwrap(),
            quantity,
            sellable_quantity: quantity,
            cost_price: <Money as std::str::FromStr>::from_str("12.3456").unwrap(),
        };
        let held = vec![holding(1, codes[0], 300), holding(1, codes[1], 100), holding(1, codes[2], 200)];
        let held = held.into_iter().chain([holding(4, codes[2], 500)]).collect();
        t.db.insert(&Rows::Positions(held)).await.unwrap();
        let book = t.db.watch_book().await.unwrap();
        // The watch's book, read one row per account, is every position, in account and instrument order.
        let expected = t
            .text(
                "SELECT CAST(COUNT(*) AS TEXT) || ' ' || CAST(SUM(quantity) AS TEXT) || ' ' || CAST(SUM(cost_price) AS TEXT) \
                 FROM positions",
            )
            .await;
        let (q, c): (i64, i64) = (book.positions.iter().map(|p| p.2).sum(), book.positions.iter().map(|p| p.3).sum());
        assert_eq!(format!("{} {q} {c}", book.positions.len()), expected, "{}", t.name);
        assert!(book.positions.windows(2).all(|w| (w[0].0, &w[0].1) < (w[1].0, &w[1].1)), "{}: in order", t.name);
        let accounts = book.accounts;
        let at = chrono::DateTime::parse_from_rfc3339("2025-07-04T02:00:00Z").unwrap().to_utc();
        let reminder = |k: usize, account_id: i64| store::NewReminder {
            account_id: domain::AccountId(account_id),
            rule: "stock_drop".into(),
            instrument: None,
            // One step per reminder: a reminder is stored once per account, rule, instrument, step and day.
            step: 1 + k as i32,
            measure: 500 + k as i64,
            figures: "{}".into(),
            text_zh: format!("提醒 {k}"),
            text_en: format!("reminder {k}"),
            rule_version: "test".into(),
            trading_day: at.date_naive(),
            created_at: at,
            deliver_at: at,
            care_task: (k == 7).then(|| "call about the month's loss".to_owned()),
        };
        // More than one INSERT statement's worth, spread over every account.
        let batch: Vec<_> = (0..2_345).map(|k| reminder(k, accounts[k % accounts.len()])).collect();
        let stored = t.db.insert_reminders(&batch).await.unwrap();
        assert_eq!(stored.len(), batch.len(), "{}", t.name);
        for (k, (row, sent)) in stored.iter().zip(&batch).enumerate() {
            assert_eq!(row.id.0, stored[0].id.0 + k as i64, "{}: ids in the batch's order", t.name);
            assert_eq!((row.account_id, &row.text_en), (sent.account_id, &sent.text_en), "{}", t.name);
            let customer: i64 = t
                .text(&format!("SELECT CAST(customer_id AS TEXT) FROM accounts WHERE id = {}", row.account_id.0))
                .await
                .parse()
                .unwrap();
            assert_eq!(row.customer_id, domain::CustomerId(customer), "{}: the account's customer", t.name);
        }
        assert_eq!(t.text("SELECT CAST(COUNT(*) AS TEXT) FROM tasks WHERE kind = 'care'").await, "1", "{}", t.name);

        // A reminder for an account that does not exist refuses the batch, leaving nothing.
        let bad = vec![reminder(0, accounts[0]), reminder(1, 999_999)];
        assert!(t.db.insert_reminders(&bad).await.is_err(), "{}", t.name);
        assert_eq!(t.text("SELECT CAST(COUNT(*) AS TEXT) FROM reminders").await, "2345", "{}", t.name);

        // The same batch again (a restarted watch judging everyone anew): nothing stored or answered
        // twice, no second care task; a new step beside the repeats is stored.
        let mut again = batch.clone();
        again.push(reminder(2_345, accounts[0]));
        let stored = t.db.insert_reminders(&again).await.unwrap();
        assert_eq!(stored.len(), 1, "{}: only the new step", t.name);
        assert_eq!(stored[0].text_en, "reminder 2345", "{}", t.name);
        assert_eq!(t.text("SELECT CAST(COUNT(*) AS TEXT) FROM reminders").await, "2346", "{}", t.name);
        assert_eq!(t.text("SELECT CAST(COUNT(*) AS TEXT) FROM tasks WHERE kind = 'care'").await, "1", "{}", t.name);
        // A care task later in the same month is not asked for again.
        let mut later = reminder(7, accounts[7 % accounts.len()]);
        later.step = 99;
        later.trading_day = later.trading_day.succ_opt().unwrap();
        assert_eq!(t.db.insert_reminders(&[later]).await.unwrap().len(), 0, "{}: care once a month", t.name);

        // A flood is delivered in bounded rounds, oldest first, none lost and none twice.
        let total = store::DELIVERIES_PER_ROUND + 100;
        let flood: Vec<_> = (2_346..total).map(|k| reminder(k, accounts[k % accounts.len()])).collect();
        t.db.insert_reminders(&flood).await.unwrap();
        let first = t.db.deliver_due_reminders(at).await.unwrap();
        assert_eq!(first.len(), store::DELIVERIES_PER_ROUND, "{}: one round", t.name);
        assert!(first.windows(2).all(|w| w[0].id < w[1].id), "{}: oldest first", t.name);
        let rest = t.db.deliver_due_reminders(at).await.unwrap();
        assert_eq!(rest.len(), 100, "{}: the rest in the next round", t.name);
        assert!(rest[0].id > first[first.len() - 1].id, "{}", t.name);
        assert!(t.db.deliver_due_reminders(at).await.unwrap().is_empty(), "{}: none twice", t.name);
    }
}
