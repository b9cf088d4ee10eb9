//! Headless Chromium driven through chromedriver (Debian's chromium and
//! chromium-driver), for tests that check what a user actually sees.

use fantoccini::{Client, ClientBuilder};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A browser session and the chromedriver behind it; both end on drop.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn find(candidates: &[&str]) -> Option<String> {
    candidates.iter().find(|p| std::path::Path::new(p).is_file()).map(|p| p.to_string())
}

/// Polls until `check` holds, every 100 ms for up to `seconds`; panics
/// naming `what` when it never does.
pub async fn eventually<F, Fut>(what: &str, seconds: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..seconds * 10 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

impl Browser {
    /// The text of the first element `css` finds; empty while there is none
    /// (as when htmx is swapping it out).
    pub async fn text(&self, css: &str) -> String {
        match self.client.find(fantoccini::Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits up to 10 s for an element `css` finds (a page, or a redirect
    /// to the sign-in form, may land after `goto` returns).
    pub async fn wait_for(&self, css: &str) {
        eventually(css, 10, || async { self.client.find(fantoccini::Locator::Css(css)).await.is_ok() }).await;
    }

    /// Starts chromedriver and a headless Chromium, or None (with one line
    /// saying why) where they are not installed. With
    /// BROKERDESK_REQUIRE_BROWSER=1 (as in CI) their absence fails the test.
    pub async fn start() -> Option<Browser> {
        let driver_bin = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
        let chrome_bin = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]);
        let (Some(driver_bin), Some(chrome_bin)) = (driver_bin, chrome_bin) else {
            if test_db::required("BROKERDESK_REQUIRE_BROWSER") {
                panic!("BROKERDESK_REQUIRE_BROWSER=1 but chromium or chromedriver is not installed");
            }
            eprintln!(
                "chromium/chromedriver not installed: browser test skipped (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = serde_json::json!({
            // The browser's console, where it reports what the page's security policy blocked.
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": chrome_bin,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let caps: fantoccini::wd::Capabilities = caps.as_object().expect("object").clone();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        // chromedriver takes a moment to listen.
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => return Some(Browser { client, driver, _profile: profile }),
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not start a browser session: {last_error:?}");
    }

    /// What the browser blocked under the pages' Content-Security-Policy since
    /// the last call (an inline script or style, a connection elsewhere): the
    /// console's messages that name the policy. A page that works only because
    /// a test browser ignored its policy fails a check of this being empty.
    pub async fn policy_violations(&self) -> Vec<String> {
        let logs = self.client.issue_cmd(BrowserLog).await.expect("the browser's console log");
        logs.as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| entry["message"].as_str())
            .filter(|message| message.contains("Content Security Policy"))
            .map(str::to_owned)
            .collect()
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// chromedriver's console log (`POST /session/{id}/se/log`), which W3C
/// WebDriver leaves out; entries are returned once.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}
