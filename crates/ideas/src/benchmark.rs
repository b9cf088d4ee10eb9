//! The benchmark an idea is held against: a market index such as CSI 300
//! when its daily bars are loaded; without one, the equal-weighted average
//! of every stock with bars. That average is an index chained day by day:
//! it starts at 1,000 and each day moves by the mean of the day's
//! close-to-close returns of the stocks with a bar on that day and the day
//! before (a stock's first day, or a day it did not trade, adds nothing).

use chrono::NaiveDate;
use market::Candle;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Where the equal-weighted index starts.
pub const BASE: i64 = 1_000;

/// The equal-weighted index of these stocks' bars (each in date order), by day.
pub fn equal_weighted(stocks: &[Vec<Candle>]) -> Vec<(NaiveDate, Decimal)> {
    // Per day: the sum of the day's returns and how many stocks had one.
    let mut days: BTreeMap<NaiveDate, (Decimal, u32)> = BTreeMap::new();
    for bars in stocks {
        for pair in bars.windows(2) {
            let (before, day) = (&pair[0], &pair[1]);
            let entry = days.entry(day.date).or_insert((Decimal::ZERO, 0));
            if !before.close.is_zero() {
                entry.0 += (day.close - before.close) / before.close;
                entry.1 += 1;
            }
        }
        if let Some(first) = bars.first() {
            days.entry(first.date).or_insert((Decimal::ZERO, 0));
        }
    }
    let mut level = Decimal::from(BASE);
    days.into_iter()
        .map(|(day, (sum, n))| {
            if n > 0 {
                level *= Decimal::ONE + sum / Decimal::from(n);
            }
            (day, level.round_dp(6))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(closes: &[(u32, i64)]) -> Vec<Candle> {
        closes
            .iter()
            .map(|(day, c)| {
                let c = Decimal::from(*c);
                Candle {
                    date: NaiveDate::from_ymd_opt(2024, 3, *day).unwrap(),
                    open: c,
                    high: c,
                    low: c,
                    close: c,
                    volume: c,
                }
            })
            .collect()
    }

    #[test]
    fn each_day_moves_by_the_mean_return_of_the_stocks_that_traded() {
        let a = bars(&[(1, 10), (4, 11), (5, 11)]);
        let b = bars(&[(1, 20), (4, 18), (5, 27)]);
        let c = bars(&[(4, 50), (5, 50)]); // listed on the 4th: counts from the 5th
        let index = equal_weighted(&[a, b, c]);
        let day = |d: u32| NaiveDate::from_ymd_opt(2024, 3, d).unwrap();
        assert_eq!(index[0], (day(1), Decimal::from(1000)));
        // 4th: +10% and -10%, mean 0.
        assert_eq!(index[1], (day(4), Decimal::from(1000)));
        // 5th: 0%, +50%, 0%: mean 16.666...%.
        assert_eq!(index[2].1, Decimal::new(1_166_666_667, 6).round_dp(6));
    }
}
