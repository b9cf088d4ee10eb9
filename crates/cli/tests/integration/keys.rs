//! Personal data is sealed at rest, found by exact lookup, and re-sealed by
//! `brokerdesk keys rotate` while the server keeps answering.

use access::Role;
use std::process::Command;
use test_support::{load_book, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_brokerdesk");

fn rotate(t: &test_support::TestDb, extra: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["keys", "rotate", "--db", &t.url, "--keys"])
        .arg(&t.keys_file)
        .args(extra)
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Every stored national ID and phone, as raw text.
async fn stored_values(t: &test_support::TestDb) -> String {
    let sql = match t.db.backend() {
        store::Backend::Sqlite => "SELECT group_concat(national_id || ' ' || phone, char(10)) FROM customers",
        store::Backend::Postgres => "SELECT string_agg(national_id || ' ' || phone, E'\\n') FROM customers",
    };
    t.text(sql).await
}

#[tokio::test(flavor = "multi_thread")]
async fn personal_data_is_sealed_searchable_and_rotated_without_downtime() {
    for mut t in test_support::backends().await {
        load_book(&mut t, 300, 100).await;
        let name = t.name;
        let stored = stored_values(&t).await;
        assert_eq!(stored.lines().count(), 300, "{name}");
        assert!(stored.split_whitespace().all(|v| v.starts_with("v1.k1.")), "{name}: all sealed under k1");
        assert_eq!(test_support::unmasked_pii(&stored), None, "{name}: no plaintext at rest");

        let app = TestApp::spawn(t.db.clone()).await;
        let base = app.url("");
        let compliance = t.user(Role::Compliance);
        let session = app.sign_in(&compliance.login, &compliance.password).await.unwrap();
        let reveal = |id: i64, field: &'static str| {
            let session = &session;
            let base = &base;
            async move {
                let r = session
                    .post_json(base, &format!("/api/v1/customers/{id}/reveal"), &serde_json::json!({ "field": field }))
                    .await;
                assert_eq!(r.status(), 200, "{name}: reveal {field} of {id}");
                r.json::<serde_json::Value>().await.unwrap()["value"].as_str().unwrap().to_owned()
            }
        };
        let phone = reveal(42, "phone").await;
        let national_id = reveal(42, "national_id").await;
        assert!(domain::Phone::parse(&phone).is_ok() && domain::NationalId::parse(&national_id).is_ok(), "{name}");
        assert!(!stored.contains(&phone) && !stored.contains(&national_id), "{name}");

        // Exact search by phone or national ID finds the customer through the lookup hash.
        for search in [&phone, &national_id] {
            let list: serde_json::Value =
                session.get(&app.url(&format!("/api/v1/customers?q={search}"))).await.json().await.unwrap();
            let ids: Vec<i64> =
                list["customers"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
            assert_eq!(ids, vec![42], "{name}: search by {}", domain::mask_phone(search));
        }

        // A customer still holding plaintext from before encryption at rest is sealed by the rotation.
        t.execute(&format!("UPDATE customers SET national_id = '{national_id}' WHERE id = 42")).await;

        // Rotate while the server runs: it has only k1 in memory, and picks up
        // k2 from the file when it first meets a value sealed under it.
        let (ok, out) = rotate(&t, &[]);
        assert!(ok, "{name}: {out}");
        assert!(out.contains("key k2 added") && out.contains("300 customers re-sealed"), "{name}: {out}");
        let stored = stored_values(&t).await;
        assert!(stored.split_whitespace().all(|v| v.starts_with("v1.k2.")), "{name}: all under k2");
        assert_eq!(reveal(42, "phone").await, phone, "{name}: the running server reads the new key");
        assert_eq!(reveal(42, "national_id").await, national_id, "{name}");
        let list: serde_json::Value =
            session.get(&app.url(&format!("/api/v1/customers?q={phone}"))).await.json().await.unwrap();
        assert_eq!(list["total"], 1, "{name}: lookups survive the rotation");

        // Once every row is under k2, k1 may be retired; a fresh process still reads everything.
        let ring = std::fs::read_to_string(&t.keys_file).unwrap();
        let retired: String = ring.lines().filter(|l| !l.starts_with("key k1 ")).map(|l| format!("{l}\n")).collect();
        std::fs::write(&t.keys_file, retired).unwrap();
        let (ok, out) = rotate(&t, &["--reseal-only"]);
        assert!(ok && out.contains("0 customers re-sealed"), "{name}: {out}");

        let rotations = t.db.audit_records().await.unwrap().into_iter().filter(|r| r.entry.action == "rotate_keys");
        assert_eq!(rotations.count(), 2, "{name}: each rotation is audited");
    }
}

#[tokio::test]
async fn commands_that_touch_personal_data_refuse_to_run_without_a_keyring() {
    let t = test_support::sqlite().await;
    let book = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["import", "--db", &t.url])
        .arg(book.path())
        .env_remove("BROKERDESK_KEYS_FILE")
        .env_remove("BROKERDESK_KEYS")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs a keyring"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // `keys new` never overwrites a keyring: its keys open the data.
    let out = Command::new(BIN).args(["keys", "new", "--out"]).arg(&t.keys_file).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("never overwritten"));
    let fresh = book.path().join("new.keys");
    let out = Command::new(BIN).args(["keys", "new", "--out"]).arg(&fresh).output().unwrap();
    assert!(out.status.success());
    assert!(access::Keyring::parse(&std::fs::read_to_string(&fresh).unwrap()).is_ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
