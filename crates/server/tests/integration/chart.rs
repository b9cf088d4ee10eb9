//! The instrument page draws its chart in headless Chromium: a screenshot
//! shows candlesticks in both colours, volume, and the chosen indicators.

use fantoccini::Locator;
use std::time::Duration;
use test_support::{sqlite_with_book, Browser, TestApp};

/// Pixels of exactly this colour in a PNG screenshot.
fn count_colour(png_bytes: &[u8], rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    buf[..info.buffer_size()].chunks(channels).filter(|px| px[..3] == rgb).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_instrument_page_draws_candles_volume_and_indicators() {
    let Some(browser) = Browser::start().await else { return };
    let book = sqlite_with_book(200).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let customer = book.user(access::Role::Customer);
    browser.client.goto(&app.url("/instruments/600519.SH?lang=en")).await.unwrap();
    browser.wait_for("input[name=login]").await;
    browser.client.find(Locator::Css("input[name=login]")).await.unwrap().send_keys(&customer.login).await.unwrap();
    browser
        .client
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(&customer.password)
        .await
        .unwrap();
    browser.client.find(Locator::Css("form.signin button")).await.unwrap().click().await.unwrap();

    // The script marks the chart drawn (or says why not).
    let mut state = String::new();
    for _ in 0..100 {
        if let Ok(chart) = browser.client.find(Locator::Css("#chart")).await {
            let drawn = chart.attr("data-drawn").await.unwrap_or_default();
            let error = chart.attr("data-error").await.unwrap_or_default();
            if let Some(e) = error {
                panic!("the chart failed: {e}");
            }
            if drawn.as_deref() == Some("true") {
                state = "drawn".into();
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, "drawn", "the chart script finished");
    let page = browser.client.source().await.unwrap();
    assert!(page.contains("贵州茅台") || page.contains("600519.SH"), "the page names the instrument");
    tokio::time::sleep(Duration::from_millis(300)).await; // let the canvas paint

    let shot = browser.client.screenshot().await.unwrap();
    std::fs::write(std::env::temp_dir().join("brokerdesk-chart-600519.png"), &shot).unwrap();
    let red = count_colour(&shot, [0xe0, 0x31, 0x31]);
    let green = count_colour(&shot, [0x2f, 0x9e, 0x44]);
    let bollinger = count_colour(&shot, [0xf0, 0x8c, 0x00]) + count_colour(&shot, [0x19, 0x71, 0xc2]);
    assert!(red > 300 && green > 300, "rising and falling candles drew: {red} red, {green} green pixels");
    assert!(bollinger > 100, "the Bollinger lines drew: {bollinger} pixels");
    assert!(browser.client.find(Locator::Css("#oscillator canvas")).await.is_ok(), "the MACD pane drew");
    // The chart library's attribution logo is the one inline style the policy allows (by its hash).
    assert!(browser.client.find(Locator::Css("#tv-attr-logo")).await.is_ok(), "the chart's attribution");
    assert_eq!(browser.policy_violations().await, Vec::<String>::new(), "the chart drew under the policy");
    browser.close().await;
}
