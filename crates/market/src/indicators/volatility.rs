//! Volatility: Bollinger bands and ATR.

use super::{Indicator, Ohlcv};
use serde::Serialize;
use std::collections::VecDeque;

/// One bar of Bollinger bands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bands {
    /// Middle plus k standard deviations.
    pub upper: f64,
    /// The simple moving average.
    pub middle: f64,
    /// Middle minus k standard deviations.
    pub lower: f64,
}

/// Bollinger bands (20, 2 by default) as TA-Lib's BBANDS with a simple
/// average: the population standard deviation, from rolling sums of values
/// and of squares; or, as some Chinese software and most statistics
/// packages, the sample standard deviation (n - 1).
#[derive(Debug, Clone)]
pub struct Bollinger {
    period: usize,
    k: f64,
    /// n / (n - 1) for the sample deviation, 1 for the population's.
    correction: f64,
    window: VecDeque<f64>,
    total: f64,
    total_squares: f64,
}

impl Bollinger {
    /// Bands over `period` bars (at least 2), `k` population standard deviations wide (TA-Lib).
    pub fn new(period: usize, k: f64) -> Bollinger {
        let period = period.max(2);
        Bollinger {
            period,
            k,
            correction: 1.0,
            window: VecDeque::with_capacity(period + 1),
            total: 0.0,
            total_squares: 0.0,
        }
    }

    /// Bands `k` sample standard deviations wide (divided by n - 1).
    pub fn sample(period: usize, k: f64) -> Bollinger {
        let b = Bollinger::new(period, k);
        let n = b.period as f64;
        Bollinger { correction: n / (n - 1.0), ..b }
    }
}

impl Indicator for Bollinger {
    type Output = Bands;
    fn update(&mut self, bar: &Ohlcv) -> Option<Bands> {
        let x = bar.close;
        self.total += x;
        self.total_squares += x * x;
        self.window.push_back(x);
        if self.window.len() < self.period {
            return None;
        }
        let n = self.period as f64;
        let oldest = self.window.pop_front().expect("window is full");
        let middle = self.total / n;
        self.total -= oldest;
        let mut variance = self.total_squares / n;
        self.total_squares -= oldest * oldest;
        variance -= middle * middle;
        // TA-Lib treats a variance under 1e-8 as zero (rounding can make it negative).
        let sd = if variance < 0.000_000_01 { 0.0 } else { (variance * self.correction).sqrt() };
        let width = sd * self.k;
        Some(Bands { upper: middle + width, middle, lower: middle - width })
    }
}

/// Wilder's average true range over `period` bars (14 by default), as TA-Lib:
/// the first value is the simple average of the first `period` true ranges
/// (from the second bar on, since a true range needs the previous close).
#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    previous_close: Option<f64>,
    ranges: usize,
    value: f64,
}

impl Atr {
    /// An ATR over `period` bars (at least 1).
    pub fn new(period: usize) -> Atr {
        Atr { period: period.max(1), previous_close: None, ranges: 0, value: 0.0 }
    }
}

/// The true range: the widest of high - low and the gaps from the previous close.
pub fn true_range(bar: &Ohlcv, previous_close: f64) -> f64 {
    let mut greatest = bar.high - bar.low;
    let gap_up = (previous_close - bar.high).abs();
    if gap_up > greatest {
        greatest = gap_up;
    }
    let gap_down = (bar.low - previous_close).abs();
    if gap_down > greatest {
        greatest = gap_down;
    }
    greatest
}

impl Indicator for Atr {
    type Output = f64;
    fn update(&mut self, bar: &Ohlcv) -> Option<f64> {
        let previous = self.previous_close.replace(bar.close)?;
        let tr = true_range(bar, previous);
        let n = self.period as f64;
        self.ranges += 1;
        if self.ranges <= self.period {
            self.value += tr;
            if self.ranges < self.period {
                return None;
            }
            self.value /= n;
            return Some(self.value);
        }
        self.value *= n - 1.0;
        self.value += tr;
        self.value /= n;
        Some(self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{batch, closes};

    #[test]
    fn bollinger_by_hand() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population standard deviation 2.
        let out = batch(Bollinger::new(8, 2.0), &closes(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]));
        let b = out[7].unwrap();
        assert!((b.middle - 5.0).abs() < 1e-12 && (b.upper - 9.0).abs() < 1e-12 && (b.lower - 1.0).abs() < 1e-12);
        let flat = batch(Bollinger::new(3, 2.0), &closes(&[3.0; 4]));
        assert_eq!(flat[3], Some(Bands { upper: 3.0, middle: 3.0, lower: 3.0 }));
    }

    #[test]
    fn true_range_takes_gaps_into_account() {
        let bar = Ohlcv { open: 12.0, high: 12.5, low: 11.8, close: 12.2, volume: 1.0 };
        assert!((true_range(&bar, 10.0) - 2.5).abs() < 1e-12, "gap up from 10");
        assert!((true_range(&bar, 12.0) - 0.7).abs() < 1e-12, "inside the day's range");
        let atr = batch(Atr::new(2), &closes(&[1.0, 2.0, 4.0, 4.0]));
        // True ranges 1, 2, 0: seed (1 + 2) / 2 = 1.5, then (1.5 x 1 + 0) / 2.
        assert_eq!(atr, vec![None, None, Some(1.5), Some(0.75)]);
    }
}
