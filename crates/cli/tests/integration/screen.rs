//! `brokerdesk screen`: the committed corpus scored on content and chat
//! (issue 29's goals), a bad line reported without losing the rest, and a
//! lexicon given on the command line used instead of the shipped one.

use std::process::Command;

fn screen(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_brokerdesk")).arg("screen").args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_corpus_meets_recall_and_false_positive_goals_on_content_and_chat() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/screening/corpus.tsv");
    let (ok, out, err) = screen(&["--corpus", corpus, "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["banned"].as_u64().unwrap() >= 300 && v["harmless"].as_u64().unwrap() >= 300, "{v}");
    assert!(v["recall"].as_f64().unwrap() >= 0.95, "{}", v["chat"]["missed"]);
    assert!(v["false_positive_rate"].as_f64().unwrap() <= 0.01, "{}", v["chat"]["flagged"]);
    for path in ["content", "chat"] {
        assert!(v[path]["recall"].as_f64().unwrap() >= 0.95, "{path}");
    }
}

#[test]
fn a_bad_line_is_reported_and_another_lexicon_can_be_given() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.tsv");
    std::fs::write(&corpus, "banned\tstock_pushing\t三个月番 倍\nharmless\t-\t今天收涨1%\noops\n").unwrap();
    let lexicon = dir.path().join("lexicon.json");
    std::fs::write(
        &lexicon,
        r#"{"version":"test-1","entries":[{"phrase":"翻倍","category":"stock_pushing"}],"homophones":[{"written":"番倍","means":"翻倍"}]}"#,
    )
    .unwrap();
    let (ok, out, err) =
        screen(&["--corpus", corpus.to_str().unwrap(), "--lexicon", lexicon.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    assert!(err.contains("c.tsv:3: expected three tab-separated columns"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["lexicon"].as_str(), v["recall"].as_f64()), (Some("test-1"), Some(1.0)), "{v}");
    // The shipped lexicon does not know 翻倍 on its own.
    let (_, out, _) = screen(&["--corpus", corpus.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["recall"].as_f64(), Some(0.0), "{v}");
    let (ok, _, err) = screen(&["--text", "x", "--lexicon", "/nonexistent.json"]);
    assert!(!ok && err.contains("reading the lexicon /nonexistent.json"), "{err}");
}

#[test]
fn one_text_says_what_it_matched_and_how() {
    let (ok, out, _) = screen(&["--text", "私聊领牛股，加 V：stock888"]);
    assert!(ok);
    assert!(out.contains("illegal_tip_service: \"领牛股\" matched 领牛股"), "{out}");
    assert!(
        out.contains("off_platform_contact: \"V：stock888\" matched wechat or qq id (letter_case, separators)"),
        "{out}"
    );
}
