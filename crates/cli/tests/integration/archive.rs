//! `brokerdesk archive`: an export of group chat, conversations, content with
//! its review, complaints and the audit trail verifies against its manifest;
//! a changed byte in a file, or a manifest rewritten to match, is found; a
//! customer's export holds their records only; and records younger than the
//! retention cannot be deleted.

use access::Role;
use serde_json::json;
use std::process::Command;
use test_support::{customer_session, sqlite_with_firm, TestApp};

fn brokerdesk(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk")).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_verifies_against_its_manifest_and_a_changed_byte_is_found() {
    let book = sqlite_with_firm(200, 100).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let adv = book.user(Role::Advisor);
    let advisor = app.sign_in(&adv.login, &adv.password).await.unwrap();
    let base = app.url("");
    // Records of each kind: a group message, a conversation, content, two customers' complaints.
    let group: serde_json::Value =
        advisor.post_json(&base, "/api/v1/groups", &json!({ "name": "存档群" })).await.json().await.unwrap();
    let group = group["id"].as_i64().unwrap();
    advisor
        .post_json(&base, &format!("/api/v1/groups/{group}/messages"), &json!({ "text": "今日复盘：<b>注意仓位</b>" }))
        .await;
    let opened: serde_json::Value =
        advisor.post_json(&base, "/api/v1/conversations", &json!({ "customer_id": 3 })).await.json().await.unwrap();
    let conversation = opened["id"].as_i64().unwrap();
    advisor
        .post_json(&base, &format!("/api/v1/conversations/{conversation}/messages"), &json!({ "text": "一对一回访" }))
        .await;
    advisor
        .post_json(&base, "/api/v1/content", &json!({ "kind": "article", "title": "周报", "body": "本周市场回顾" }))
        .await;
    for (customer, subject) in [(3, "客户三的投诉"), (4, "客户四的投诉")] {
        let s = customer_session(&book, &app, customer).await;
        let r = s
            .post_json(
                &base,
                "/api/v1/tickets",
                &json!({ "kind": "complaint", "category": "fees", "subject": subject, "body": "x" }),
            )
            .await;
        assert_eq!(r.status(), 201);
    }

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all");
    let out_s = out.to_str().unwrap();
    let (ok, said) = brokerdesk(&[
        "archive",
        "export",
        "--db",
        &book.url,
        "--from",
        "2020-01-01",
        "--to",
        "2099-12-31",
        "--out",
        out_s,
    ]);
    assert!(ok, "{said}");
    assert!(said.contains("recorded in the audit trail") && said.contains("retention: 20 years"), "{said}");
    for name in [
        "group_messages.csv",
        "conversations.csv",
        "content.csv",
        "complaints.csv",
        "complaint_steps.csv",
        "audit.csv",
        "archive.html",
        "manifest.json",
    ] {
        assert!(out.join(name).exists(), "{name}");
    }
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert!(read("group_messages.csv").contains("今日复盘"));
    assert!(read("conversations.csv").contains("一对一回访"));
    assert!(read("content.csv").contains("本周市场回顾"));
    assert!(read("complaints.csv").contains("客户三的投诉") && read("complaints.csv").contains("客户四的投诉"));
    assert!(read("audit.csv").contains("file_ticket"));
    let html = read("archive.html");
    assert!(html.contains("今日复盘：&lt;b&gt;注意仓位&lt;/b&gt;"), "escaped, self-contained");
    assert!(!html.contains("<script") && !html.contains("src=\"http"), "nothing fetched");

    // Intact; then one changed byte is found and named.
    let (ok, said) = brokerdesk(&["archive", "verify", "--dir", out_s, "--db", &book.url]);
    assert!(ok, "{said}");
    let path = out.join("complaints.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let (ok, said) = brokerdesk(&["archive", "verify", "--dir", out_s]);
    assert!(!ok && said.contains("complaints.csv: changed"), "{said}");
    // Rewriting the manifest to match the change still shows against the audit trail.
    let mut manifest: serde_json::Value = serde_json::from_str(&read("manifest.json")).unwrap();
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    for f in manifest["files"].as_array_mut().unwrap() {
        if f["name"] == "complaints.csv" {
            f["sha256"] = json!(digest);
        }
    }
    std::fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    assert!(brokerdesk(&["archive", "verify", "--dir", out_s]).0, "the files now match the forged manifest");
    let (ok, said) = brokerdesk(&["archive", "verify", "--dir", out_s, "--db", &book.url]);
    assert!(!ok && said.contains("manifest.json: its SHA-256"), "{said}");

    // One customer's export holds their complaint, not the other's.
    let mine = dir.path().join("customer3");
    let (ok, said) = brokerdesk(&[
        "archive",
        "export",
        "--db",
        &book.url,
        "--from",
        "2020-01-01",
        "--to",
        "2099-12-31",
        "--customer",
        "3",
        "--out",
        mine.to_str().unwrap(),
    ]);
    assert!(ok, "{said}");
    let complaints = std::fs::read_to_string(mine.join("complaints.csv")).unwrap();
    assert!(complaints.contains("客户三的投诉") && !complaints.contains("客户四的投诉"), "{complaints}");
    let (ok, said) = brokerdesk(&[
        "archive",
        "export",
        "--db",
        &book.url,
        "--from",
        "2026-02-01",
        "--to",
        "2026-01-01",
        "--out",
        out_s,
    ]);
    assert!(!ok && said.contains("--from 2026-02-01 is after --to 2026-01-01"), "{said}");

    // Nothing younger than the retention may be deleted, whoever asks the database.
    let store::Pool::Sqlite(pool) = book.db.pool() else { unreachable!("a SQLite book") };
    for table in
        ["tickets", "ticket_events", "group_messages", "conversation_messages", "content_versions", "audit_log"]
    {
        let refused = sqlx::query(&format!("DELETE FROM {table}")).execute(pool).await;
        let err = refused.expect_err(table).to_string();
        assert!(err.contains("retention"), "{table}: {err}");
    }
}
