//! Every page in both languages: read as every role in Chinese, no page
//! shows English words (an untranslated message, a catalogue key, a word
//! hard-coded in a template, an error in English), and in English every
//! page shows its words from the English catalogue. The words a page may
//! carry in Latin letters are data and names: instrument codes, indicator
//! names, logins, identifiers of settings, numbers.

use access::Role;
use regex::Regex;
use test_support::{customer_session, sqlite_with_firm, TestApp};

/// Visible text of a page: its text, and the words it shows in titles and
/// placeholders, without its scripts and styles.
fn visible_text(html: &str) -> String {
    // Scripts and styles are not read; quotations are data (a member's words, a banned phrase),
    // and so is what an editor holds (a group's rules as JSON).
    let scripts =
        Regex::new(r"(?s)<script.*?</script>|<style.*?</style>|<q[ >].*?</q>|<textarea[ >].*?</textarea>").unwrap();
    let html = scripts.replace_all(html, " ");
    let shown_attributes = Regex::new(r#"(?:title|placeholder)="([^"]*)""#).unwrap();
    let mut text: String = shown_attributes.captures_iter(&html).map(|c| format!(" {} ", &c[1])).collect();
    let tags = Regex::new(r"(?s)<[^>]*>").unwrap();
    text.push_str(&tags.replace_all(&html, " "));
    text.replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
}

/// Runs of two or more English words left after the data a page may show
/// in Latin letters is taken out.
fn english_runs(text: &str, logins: &[&str]) -> Vec<String> {
    let allowed = Regex::new(concat!(
        r"\b\d{6}\.(?:SH|SZ|BJ)\b|(?-u:\b)(?:SMA|EMA|BOLL|MACD|RSI|KDJ|ATR|OBV|LB|VR|ST|ETF|CNY|CSV|API|TUV|ARPU|T\+[01]|C[1-5])(?-u:\b)",
        // (ASCII word bounds: a term may touch Chinese, as in 重仓股MACD死叉.)
        r"|\b[a-z]+(?:[_-][a-z0-9]+)+\b", // an identifier: a setting (newcomer_below_years), a version (firm-default)
        r"|https?://\S+|\S+@\S+",
        r"|\bEnglish\b", // the switch to English names the language in its own words
        r"|\b[2-9A-HJKMNP-Z]{8}\b", // an invite code (growth::referral), read aloud letter by letter
    ))
    .unwrap();
    let mut text = allowed.replace_all(text, " ").into_owned();
    for login in logins {
        text = text.replace(login, " ");
    }
    let run = Regex::new(r"[A-Za-z]{3,}(?:[ \t,.:;'-]+[A-Za-z]{2,})*").unwrap();
    run.find_iter(&text).map(|m| m.as_str().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_reads_in_chinese_with_no_english_left_and_in_english_from_its_catalogue() {
    let book = sqlite_with_firm(200, 100).await;
    let as_of = app::classify::book_day(&book.db).await.unwrap().unwrap();
    app::classify::classify_all(&book.db, &classify::LabelConfig::default(), as_of, false).await.unwrap();
    let app = TestApp::spawn(book.db.clone()).await;

    // A group with a conversation, a stopped message and content, so that the pages have something to show.
    let advisor = book.user(Role::Advisor);
    let a = app.sign_in(&advisor.login, &advisor.password).await.unwrap();
    let base = app.url("");
    let made: serde_json::Value = a
        .post_json(&base, "/api/v1/groups", &serde_json::json!({ "name": "价值投资交流群", "description": "每日复盘" }))
        .await
        .json()
        .await
        .unwrap();
    let group = made["id"].as_i64().unwrap();
    book.db.add_members(domain::GroupId(group), &[1, 2].map(domain::CustomerId), book.db.now()).await.unwrap();
    let say = |s: &test_support::Session, text: &str| {
        let (s, url, body) =
            (s.clone(), format!("/api/v1/groups/{group}/messages"), serde_json::json!({ "text": text }));
        let base = base.clone();
        async move { s.post_json(&base, &url, &body).await.status() }
    };
    say(&a, "早上好，今天关注成交量").await;
    let member = customer_session(&book, &app, 2).await;
    say(&member, "明天还能买吗？").await;
    say(&member, "这只票保本稳赚").await;
    let item: serde_json::Value = a
        .post_json(
            &base,
            "/api/v1/content",
            &serde_json::json!({ "kind": "pre_market", "title": "早评", "body": "关注量能。" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let item = item["id"].as_i64().unwrap();

    let logins: Vec<String> = Role::ALL.iter().map(|r| book.user(*r).login.clone()).collect();
    let logins: Vec<&str> = logins.iter().map(String::as_str).collect();
    let english: Vec<String> = messages::Locale::En
        .keys()
        .iter()
        .map(|k| messages::Locale::En.t(k))
        .filter(|t| t.split_whitespace().count() >= 3 && !t.contains('{'))
        .collect();
    let pages: Vec<String> = server::protected_paths()
        .into_iter()
        .filter(|p| !p.starts_with("/api/") && p != "/signout" && !p.ends_with("/live") && !p.ends_with(".csv"))
        .collect();

    let mut read = 0;
    for role in Role::ALL {
        let user = book.user(role);
        let session = app.sign_in(&user.login, &user.password).await.unwrap();
        for path in &pages {
            let url = path
                .replace("{id}", "2")
                .replace("{code}", "600519.SH")
                .replace("{group}", &group.to_string())
                .replace("{item}", &item.to_string())
                .replace("{token}", "none");
            if url.contains('{') {
                continue; // a form's target, answered only to a POST
            }
            for lang in ["zh", "en"] {
                let sep = if url.contains('?') { '&' } else { '?' };
                let response = session.get(&app.url(&format!("{url}{sep}lang={lang}"))).await;
                if response.status().as_u16() == 405 {
                    continue;
                }
                let html = response.text().await.unwrap();
                let text = visible_text(&html);
                // A message missing from the catalogue shows its key.
                let words: std::collections::HashSet<&str> = text.split_whitespace().collect();
                let keys = messages::Locale::En.keys();
                let shown: Vec<&String> =
                    keys.iter().filter(|k| k.contains('-') && words.contains(k.as_str())).collect();
                assert!(shown.is_empty(), "{role} {url} ({lang}) shows catalogue keys: {shown:?}");
                if lang == "zh" {
                    let left = english_runs(&text, &logins);
                    assert!(left.is_empty(), "{role} {url} in Chinese shows English: {left:?}");
                    for words in &english {
                        assert!(!text.contains(words.as_str()), "{role} {url} in Chinese shows \"{words}\"");
                    }
                } else {
                    assert!(html.contains("<html lang=\"en\""), "{role} {url}");
                }
                read += 1;
            }
        }
    }
    assert!(read > 60, "{read} pages read");
}

#[test]
fn the_reader_finds_english_where_it_is_and_only_there() {
    let text = visible_text(
        r#"<h1 title="Not sent">客户 600519.SH MACD</h1><p>years_in_market 12</p><script>var a = "b c";</script>"#,
    );
    assert_eq!(english_runs(&text, &[]), vec!["Not sent".to_owned()]);
    assert!(english_runs("登录 advisor · 投资顾问", &["advisor"]).is_empty());
    assert_eq!(english_runs("风险等级 C3，Age this year", &[]), vec!["Age this year".to_owned()]);
}
