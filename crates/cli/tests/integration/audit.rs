//! `brokerdesk audit verify` over a real database: intact after imports,
//! and naming the record a direct edit of the database broke.

use std::process::Command;

fn verify(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk")).args(["audit", "verify", "--db", url]).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_names_the_first_record_edited_behind_its_back() {
    for t in test_support::backends().await {
        let book = tempfile::tempdir().unwrap();
        let mut gen = generator::GenOptions::new(200, 5, book.path());
        gen.instruments = 100;
        generator::generate(&gen).unwrap();
        let mut opts = app::ImportOptions::new(book.path());
        opts.rejects = book.path().join("rejects.csv");
        opts.progress = false;
        for _ in 0..3 {
            app::import_dir(&t.db, &opts).await.unwrap();
        }
        let (ok, out) = verify(&t.url);
        assert!(ok, "{}: {out}", t.name);
        assert!(out.contains("intact: 3 records"), "{}: {out}", t.name);

        // Someone with database access rewrites history.
        let sql = "UPDATE audit_log SET detail = '{}' WHERE seq = 2";
        t.execute(sql).await;
        let (ok, out) = verify(&t.url);
        assert!(!ok, "{}: verify must fail", t.name);
        assert!(out.contains("record 2"), "{}: {out}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn users_add_creates_a_sign_in_and_audits_it() {
    use std::io::Write;
    let t = test_support::sqlite_with_book(50).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["users", "add", "--db", &t.url, "--login", "li.na", "--role", "advisor", "--staff-id", "2"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let record = t.db.sign_in_record("li.na").await.unwrap().expect("user exists");
    assert!(access::verify_password("a long enough password", &record.password_hash));
    let records = t.db.audit_records().await.unwrap();
    let created: Vec<_> =
        records.iter().filter(|r| r.entry.action == "create_user" && r.entry.actor == "system:cli").collect();
    assert_eq!(created.len(), 1, "one record, by the command line");
    assert_eq!(created[0].entry.entity_id, record.user_id.to_string());

    // A customer user without --customer-id is refused with a clear message.
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk"))
        .args(["users", "add", "--db", &t.url, "--login", "x", "--role", "customer"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--customer-id"));
}
