//! Every indicator TA-Lib also has agrees with TA-Lib to 1e-9 relative on
//! real daily bars, for default and other parameters. The reference values
//! come from `scripts/talib_reference.py` (Python TA-Lib), committed as
//! fixtures; the bars are the committed real subset.

use market::indicators::{batch, Atr, Bollinger, Ema, Indicator, Macd, Obv, Ohlcv, Rsi, Sma, VolumeVariation};
use std::collections::HashMap;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixture's columns by name: one optional value per bar.
fn reference(code: &str) -> (Vec<String>, HashMap<String, Vec<Option<f64>>>) {
    let path = repo().join(format!("crates/market/tests/fixtures/talib/{code}.csv"));
    let mut reader = csv::Reader::from_path(path).unwrap();
    let names: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let mut columns: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    let mut dates = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        dates.push(record[0].to_owned());
        for (name, value) in names.iter().zip(record.iter()).skip(1) {
            columns.entry(name.clone()).or_default().push((!value.is_empty()).then(|| value.parse().unwrap()));
        }
    }
    (dates, columns)
}

/// Relative agreement to 1e-9; values within 1e-12 of each other near zero
/// (a MACD histogram crossing zero) agree too.
fn assert_agrees(code: &str, column: &str, dates: &[String], ours: &[Option<f64>], theirs: &[Option<f64>]) {
    assert_eq!(ours.len(), theirs.len(), "{code} {column}: bar count");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        match (a, b) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                let tolerance = 1e-9 * a.abs().max(b.abs());
                assert!((a - b).abs() <= tolerance.max(1e-12), "{code} {column} {}: ours {a}, TA-Lib {b}", dates[i]);
            }
            _ => panic!("{code} {column} {}: ours {a:?}, TA-Lib {b:?} (warm-up differs)", dates[i]),
        }
    }
}

fn column<I: Indicator>(indicator: I, bars: &[Ohlcv], pick: impl Fn(I::Output) -> f64) -> Vec<Option<f64>> {
    batch(indicator, bars).into_iter().map(|o| o.map(&pick)).collect()
}

#[test]
fn indicators_agree_with_talib_on_real_bars() {
    let mut compared = 0;
    for code in ["600519", "300750", "688981", "000001", "601398", "301458"] {
        let text = std::fs::read(repo().join(format!("data/ashare-daily/{code}.csv"))).unwrap();
        let bars: Vec<Ohlcv> = market::read_ohlcv(&text[..]).unwrap().into_iter().map(|(_, b)| b).collect();
        let (dates, talib) = reference(code);
        let mut checked = std::collections::HashSet::new();
        let mut check = |name: &str, ours: Vec<Option<f64>>| {
            assert_agrees(code, name, &dates, &ours, &talib[name]);
            checked.insert(name.to_owned());
        };
        check("SMA_5", column(Sma::new(5), &bars, |v| v));
        check("SMA_20", column(Sma::new(20), &bars, |v| v));
        check("EMA_12", column(Ema::new(12), &bars, |v| v));
        check("EMA_30", column(Ema::new(30), &bars, |v| v));
        for (fast, slow, signal) in [(12, 26, 9), (5, 35, 5)] {
            let name = format!("MACD_{fast}_{slow}_{signal}");
            check(&format!("{name}_macd"), column(Macd::new(fast, slow, signal), &bars, |v| v.macd));
            check(&format!("{name}_signal"), column(Macd::new(fast, slow, signal), &bars, |v| v.signal));
            check(&format!("{name}_hist"), column(Macd::new(fast, slow, signal), &bars, |v| v.hist));
        }
        // The bar Chinese software draws: 2 x TA-Lib's histogram.
        check("MACD_12_26_9_bar", column(Macd::new(12, 26, 9), &bars, |v| v.bar));
        for period in [14, 6, 12, 24] {
            check(&format!("RSI_{period}"), column(Rsi::new(period), &bars, |v| v));
        }
        for (period, k, label) in [(20, 2.0, "20_2"), (10, 1.5, "10_1.5")] {
            check(&format!("BOLL_{label}_upper"), column(Bollinger::new(period, k), &bars, |v| v.upper));
            check(&format!("BOLL_{label}_middle"), column(Bollinger::new(period, k), &bars, |v| v.middle));
            check(&format!("BOLL_{label}_lower"), column(Bollinger::new(period, k), &bars, |v| v.lower));
        }
        // The sample standard deviation, against numpy's (ddof 1).
        check("BOLLS_20_2_upper", column(Bollinger::sample(20, 2.0), &bars, |v| v.upper));
        check("BOLLS_20_2_middle", column(Bollinger::sample(20, 2.0), &bars, |v| v.middle));
        check("BOLLS_20_2_lower", column(Bollinger::sample(20, 2.0), &bars, |v| v.lower));
        // VR (成交量变异率) by the formula of Chinese software, against the script's numpy.
        check("VR_26_6_vr", column(VolumeVariation::new(26, 6), &bars, |v| v.vr));
        check("VR_26_6_mavr", column(VolumeVariation::new(26, 6), &bars, |v| v.mavr));
        check("ATR_14", column(Atr::new(14), &bars, |v| v));
        check("ATR_5", column(Atr::new(5), &bars, |v| v));
        check("OBV", column(Obv::new(), &bars, |v| v));
        assert_eq!(checked.len(), talib.len(), "{code}: every fixture column was compared");
        compared += checked.len();
    }
    assert_eq!(compared, 6 * 29);
}

#[test]
fn streaming_resumed_from_a_saved_state_equals_the_batch_exactly() {
    let text = std::fs::read(repo().join("data/ashare-daily/300750.csv")).unwrap();
    let bars: Vec<Ohlcv> = market::read_ohlcv(&text[..]).unwrap().into_iter().map(|(_, b)| b).collect();
    for (name, params) in market::indicators::CATALOGUE {
        let defaults: Vec<f64> = params.iter().map(|(_, d)| *d).collect();
        let whole: Vec<_> = {
            let mut ind = market::indicators::AnyIndicator::parse(name, &defaults).unwrap();
            bars.iter().map(|b| ind.update(b)).collect()
        };
        // One bar at a time, with the state cloned part-way (as a restart from a snapshot would).
        let mut first = market::indicators::AnyIndicator::parse(name, &defaults).unwrap();
        let mut streamed: Vec<_> = bars[..150].iter().map(|b| first.update(b)).collect();
        let mut resumed = first.clone();
        streamed.extend(bars[150..].iter().map(|b| resumed.update(b)));
        assert_eq!(streamed, whole, "{name}");
        assert!(whole.iter().filter(|o| o.is_some()).count() > 300, "{name} answers on most bars");
    }
}
