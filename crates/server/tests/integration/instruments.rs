//! Market data over the API: real bars, indicators with the caller's
//! parameters, snapshots, forward adjustment and the day's rules; bad
//! requests get a 400 naming the parameter.

use access::Role;
use serde_json::Value;
use test_support::{sqlite_with_book, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn bars_indicators_snapshots_and_rules_over_the_api() {
    let book = sqlite_with_book(200).await;
    let app = TestApp::spawn(book.db.clone()).await;
    let user = book.user(Role::Customer);
    let s = app.sign_in(&user.login, &user.password).await.unwrap();
    let get = |path: &str| {
        let s = &s;
        let url = app.url(path);
        async move {
            let r = s.get(&url).await;
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };

    // The real bars of Kweichow Moutai, as committed.
    let (status, bars) = get("/api/v1/instruments/600519.SH/bars").await;
    assert_eq!(status, 200);
    let bars = bars.as_array().unwrap();
    assert_eq!(bars.len(), 363);
    assert_eq!(bars[0]["date"], "2024-01-02");
    assert_eq!(bars[0]["close"], "1594.24");
    let (_, some) = get("/api/v1/instruments/600519.SH/bars?from=2025-07-01&to=2025-07-04").await;
    assert_eq!(some.as_array().unwrap().len(), 4);

    // MACD with defaults starts on the 34th bar; other parameters are honoured.
    let (_, macd) = get("/api/v1/instruments/600519.SH/indicators?name=MACD").await;
    assert_eq!(macd["columns"], serde_json::json!(["macd", "signal", "hist", "bar"]));
    assert_eq!(macd["rows"].as_array().unwrap().len(), 363 - 33);
    let (_, fast) = get("/api/v1/instruments/600519.SH/indicators?name=macd&params=5,10,3").await;
    assert_eq!(fast["params"], serde_json::json!([5.0, 10.0, 3.0]));
    assert_eq!(fast["rows"].as_array().unwrap().len(), 363 - 11);
    let (_, boll) = get("/api/v1/instruments/600519.SH/indicators?name=BOLL&params=10,1.5").await;
    let row = &boll["rows"][0];
    assert_eq!(row[0], "2024-01-15", "the 10th bar");
    let (upper, middle, lower) =
        (row[1][0].as_f64().unwrap(), row[1][1].as_f64().unwrap(), row[1][2].as_f64().unwrap());
    assert!(upper > middle && middle > lower && ((upper - middle) - (middle - lower)).abs() < 1e-9);

    // Bad requests name the parameter; unknown instruments are 404.
    for (path, code, field) in [
        ("/api/v1/instruments/600519.SH/indicators?name=FOO", "unknown_indicator", "name"),
        ("/api/v1/instruments/600519.SH/indicators?name=SMA&params=x", "not_a_number", "params"),
        ("/api/v1/instruments/600519.SH/indicators?name=RSI&params=6,12,24,48", "too_many_parameters", "params"),
        ("/api/v1/instruments/600519.SH/bars?from=2024-13-01", "date_form", "from"),
        ("/api/v1/instruments/600519.SH/bars?adjust=backward", "not_one_of", "adjust"),
        ("/api/v1/instruments/600519/bars", "instrument_code", "code"),
        ("/api/v1/instruments/600519.SH/snapshots?limit=0", "out_of_range", "limit"),
    ] {
        let (status, body) = get(path).await;
        let got = (status, body["code"].as_str(), body["field"].as_str());
        assert_eq!(got, (400, Some(code), Some(field)), "{path}: {body}");
    }
    assert_eq!(get("/api/v1/instruments/999999.SH/bars").await.0, 404);

    // Rules: Moutai on the SSE main board, 10% from the last close, lots of 100, T+1.
    let (_, detail) = get("/api/v1/instruments/600519.SH").await;
    assert_eq!(detail["board"], "sse_main");
    assert_eq!(detail["settlement"], "T+1");
    assert_eq!(detail["lots"]["minimum"], 100);
    let close: f64 = detail["last_close"].as_str().unwrap().parse().unwrap();
    let up: f64 = detail["limits"]["up"].as_str().unwrap().parse().unwrap();
    assert!((up - (close * 1.1 * 100.0).round() / 100.0).abs() < 0.006, "{detail}");

    // A snapshot, and adjustment factors (a 2-for-1 from July 2025), written directly.
    book.execute(
        "INSERT INTO snapshots (instrument, time, last, prev_close, high, low, volume) \
         VALUES ('600519.SH', '2025-07-07T02:00:00+00:00', 14300000, 14222200, 14350000, 14200000, 12000000)",
    )
    .await;
    let (_, snaps) = get("/api/v1/instruments/600519.SH/snapshots").await;
    assert_eq!(snaps[0]["last"], "1430");
    book.execute("UPDATE daily_bars SET adj_factor = '2' WHERE instrument = '600519.SH' AND date >= '2025-07-01'")
        .await;
    book.execute("UPDATE daily_bars SET adj_factor = '1' WHERE instrument = '600519.SH' AND date < '2025-07-01'").await;
    let (_, adjusted) = get("/api/v1/instruments/600519.SH/bars?adjust=forward").await;
    let raw_first: f64 = bars[0]["close"].as_str().unwrap().parse().unwrap();
    let adjusted_first: f64 = adjusted[0]["close"].as_str().unwrap().parse().unwrap();
    assert!((adjusted_first - raw_first / 2.0).abs() < 0.0001, "halved before the factor doubled");
    assert_eq!(adjusted[362]["close"], bars[362]["close"], "the latest bar keeps its prices");

    // The pages: the list shows the real stocks first, the instrument page its rules and chart.
    let list = s.get(&app.url("/instruments?lang=en")).await.text().await.unwrap();
    assert!(list.contains("600519.SH") && list.contains("SSE main board"));
    let page = s
        .get(&app.url("/instruments/600519.SH?lang=en&oscillator=KDJ&oscillator_params=9,3,3"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-oscillator=\"KDJ\"") && page.contains("Limit up / down"));
    assert_eq!(s.get(&app.url("/instruments/nonsense")).await.status(), 404);
}
