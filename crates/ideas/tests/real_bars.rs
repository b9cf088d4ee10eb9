//! Ideas tracked on the committed real bars (`data/ashare-daily`, forward
//! adjusted), against the equal-weighted benchmark of all 30 stocks there,
//! to the cent. The expected figures were worked out from the CSV files
//! by hand (a separate script), not by this crate.

use chrono::NaiveDate;
use ideas::benchmark::equal_weighted;
use ideas::{track, Direction, IdeaTerms, Outcome};
use rust_decimal::Decimal;
use std::path::PathBuf;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/ashare-daily")
}

fn bars(code: &str) -> Vec<market::Candle> {
    market::read_daily_bars(std::fs::File::open(data().join(format!("{code}.csv"))).unwrap()).unwrap()
}

fn all_stocks() -> Vec<Vec<market::Candle>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().chars().next().unwrap().is_ascii_digit())
        .collect();
    files.sort();
    files.iter().map(|p| market::read_daily_bars(std::fs::File::open(p).unwrap()).unwrap()).collect()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn ideas_on_real_bars_to_the_cent() {
    let benchmark = equal_weighted(&all_stocks());
    assert_eq!(benchmark.first().unwrap().1, Decimal::from(1000));

    // Kweichow Moutai bought at the first close of 2024, target 1,750, stop 1,500:
    // the low of 17 January (1,492.05) reached the stop.
    let moutai = IdeaTerms {
        direction: Direction::Long,
        target: Decimal::from(1750),
        stop: Decimal::from(1500),
        horizon_days: 60,
    };
    let t = track(&moutai, day("2024-01-02"), &bars("600519"), &benchmark).unwrap();
    assert_eq!(t.entry, (day("2024-01-02"), "1594.24".parse().unwrap()));
    assert_eq!(t.outcome, Outcome::StopHit { on: day("2024-01-17") });
    assert_eq!(t.last, (day("2024-01-17"), Decimal::from(1500)));
    assert_eq!(t.return_pct, "-5.91".parse().unwrap());
    assert_eq!(t.max_drawdown_pct, "6.41".parse().unwrap());
    assert_eq!(t.benchmark_pct, Some("-5.73".parse().unwrap()), "the 30 stocks fell too");
    assert_eq!(t.excess_pct, Some("-0.18".parse().unwrap()));

    // CATL bought at the close of 20 September 2024 (181.09), target +30%, stop -10%:
    // the rally of late September reached the target on the 30th.
    let catl = IdeaTerms {
        direction: Direction::Long,
        target: "235.42".parse().unwrap(),
        stop: "162.98".parse().unwrap(),
        horizon_days: 60,
    };
    let t = track(&catl, day("2024-09-20"), &bars("300750"), &benchmark).unwrap();
    assert_eq!(t.entry, (day("2024-09-20"), "181.09".parse().unwrap()));
    assert_eq!(t.outcome, Outcome::TargetHit { on: day("2024-09-30") });
    assert_eq!((t.return_pct, t.max_drawdown_pct), ("30.00".parse().unwrap(), Decimal::ZERO));
    assert_eq!(t.benchmark_pct, Some("29.19".parse().unwrap()));
    assert_eq!(t.excess_pct, Some("0.81".parse().unwrap()));
}
