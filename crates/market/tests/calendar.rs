//! The trading calendar agrees with the real bars: every day with a bar is a
//! trading day, and every trading day in the period has bars.

use chrono::NaiveDate;
use market::TradingCalendar;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dates_in(dir: &Path) -> BTreeSet<NaiveDate> {
    let mut dates = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") && path.file_name().is_some_and(|n| n != "names.csv") {
            let text = std::fs::read(&path).unwrap();
            dates.extend(market::read_ohlcv(&text[..]).unwrap().into_iter().map(|(d, _)| d));
        }
    }
    dates
}

fn check(dir: &Path) {
    let calendar = TradingCalendar::current();
    let dates = dates_in(dir);
    let (first, last) = (*dates.first().unwrap(), *dates.last().unwrap());
    for d in &dates {
        assert!(calendar.is_trading_day(*d), "{d} has bars but the calendar says closed");
    }
    let open: BTreeSet<NaiveDate> =
        first.iter_days().take_while(|d| *d <= last).filter(|d| calendar.is_trading_day(*d)).collect();
    assert_eq!(open, dates, "trading days of the calendar vs days with bars in {}", dir.display());
    assert_eq!(calendar.trading_days_between(first, last) as usize, dates.len());
}

#[test]
fn the_committed_bars_trade_exactly_on_the_calendars_days() {
    check(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/ashare-daily"));
}

#[test]
fn the_full_data_set_trades_exactly_on_the_calendars_days() {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ashare-daily");
    if !full.is_dir() {
        println!("skipped: {} is absent (CI has it)", full.display());
        return;
    }
    check(&full);
}
