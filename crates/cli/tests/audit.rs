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
        let mut gen = app::GenOptions::new(200, 5, book.path());
        gen.instruments = 100;
        app::generate(&gen).unwrap();
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
        match &t.db {
            store::Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()).unwrap(),
            store::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()).unwrap(),
        }
        let (ok, out) = verify(&t.url);
        assert!(!ok, "{}: verify must fail", t.name);
        assert!(out.contains("record 2"), "{}: {out}", t.name);
    }
}
