//! Momentum: RSI and KDJ.

use super::{Indicator, Ohlcv};
use serde::Serialize;
use std::collections::VecDeque;

/// True when a sum is too small to divide by (TA-Lib's `TA_IS_ZERO`).
fn is_zero(v: f64) -> bool {
    -0.000_000_01 < v && v < 0.000_000_01
}

/// Wilder's RSI over `period` bars (14 by default), as TA-Lib computes it:
/// average gain and loss seeded by the simple average of the first `period`
/// changes, then smoothed by (previous x (period - 1) + change) / period.
#[derive(Debug, Clone)]
pub struct Rsi {
    period: usize,
    previous_close: Option<f64>,
    changes: usize,
    gain: f64,
    loss: f64,
}

impl Rsi {
    /// An RSI over `period` changes (at least 2).
    pub fn new(period: usize) -> Rsi {
        Rsi { period: period.max(2), previous_close: None, changes: 0, gain: 0.0, loss: 0.0 }
    }

    fn value(&self) -> f64 {
        let total = self.gain + self.loss;
        if is_zero(total) {
            0.0
        } else {
            100.0 * (self.gain / total)
        }
    }
}

impl Indicator for Rsi {
    type Output = f64;
    fn update(&mut self, bar: &Ohlcv) -> Option<f64> {
        let previous = self.previous_close.replace(bar.close)?;
        let change = bar.close - previous;
        let n = self.period as f64;
        self.changes += 1;
        if self.changes <= self.period {
            if change < 0.0 {
                self.loss -= change;
            } else {
                self.gain += change;
            }
            if self.changes < self.period {
                return None;
            }
            self.loss /= n;
            self.gain /= n;
            return Some(self.value());
        }
        self.loss *= n - 1.0;
        self.gain *= n - 1.0;
        if change < 0.0 {
            self.loss -= change;
        } else {
            self.gain += change;
        }
        self.loss /= n;
        self.gain /= n;
        Some(self.value())
    }
}

/// One bar of KDJ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KdjValue {
    /// K.
    pub k: f64,
    /// D.
    pub d: f64,
    /// J = 3K - 2D.
    pub j: f64,
}

/// KDJ (9, 3, 3 by default), the Chinese convention (同花顺, 通达信):
///
/// - RSV = (close - lowest low of n bars) / (highest high - lowest low) x 100,
///   and 50 when the n bars' range is zero;
/// - K = ((m1 - 1) x previous K + RSV) / m1, D = ((m2 - 1) x previous D + K) / m2,
///   with previous K and D seeded at 50;
/// - J = 3K - 2D.
///
/// The first value is on the n-th bar, when the window is full. TA-Lib has no
/// KDJ (its STOCH smooths differently), so these are checked against worked
/// examples instead.
#[derive(Debug, Clone)]
pub struct Kdj {
    n: usize,
    m1: f64,
    m2: f64,
    seen: usize,
    // Monotonic deques of (bar index, value): O(1) amortised window max and min.
    highs: VecDeque<(usize, f64)>,
    lows: VecDeque<(usize, f64)>,
    k: f64,
    d: f64,
}

impl Kdj {
    /// A KDJ over `n` bars with smoothing `m1` (K) and `m2` (D).
    pub fn new(n: usize, m1: usize, m2: usize) -> Kdj {
        Kdj {
            n: n.max(1),
            m1: m1.max(1) as f64,
            m2: m2.max(1) as f64,
            seen: 0,
            highs: VecDeque::new(),
            lows: VecDeque::new(),
            k: 50.0,
            d: 50.0,
        }
    }
}

impl Indicator for Kdj {
    type Output = KdjValue;
    fn update(&mut self, bar: &Ohlcv) -> Option<KdjValue> {
        let i = self.seen;
        self.seen += 1;
        while self.highs.back().is_some_and(|&(_, h)| h <= bar.high) {
            self.highs.pop_back();
        }
        self.highs.push_back((i, bar.high));
        while self.lows.back().is_some_and(|&(_, l)| l >= bar.low) {
            self.lows.pop_back();
        }
        self.lows.push_back((i, bar.low));
        while self.highs.front().is_some_and(|&(j, _)| j + self.n <= i) {
            self.highs.pop_front();
        }
        while self.lows.front().is_some_and(|&(j, _)| j + self.n <= i) {
            self.lows.pop_front();
        }
        if self.seen < self.n {
            return None;
        }
        let highest = self.highs.front().expect("the current bar is in the window").1;
        let lowest = self.lows.front().expect("the current bar is in the window").1;
        let range = highest - lowest;
        let rsv = if range > 0.0 { (bar.close - lowest) / range * 100.0 } else { 50.0 };
        self.k = ((self.m1 - 1.0) * self.k + rsv) / self.m1;
        self.d = ((self.m2 - 1.0) * self.d + self.k) / self.m2;
        Some(KdjValue { k: self.k, d: self.d, j: 3.0 * self.k - 2.0 * self.d })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{batch, closes};

    #[test]
    fn rsi_of_steady_rises_is_100_and_of_a_flat_line_0() {
        let up: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(batch(Rsi::new(14), &closes(&up))[14], Some(100.0));
        assert_eq!(batch(Rsi::new(14), &closes(&[5.0; 20]))[19], Some(0.0));
        assert!(batch(Rsi::new(14), &closes(&up))[13].is_none());
    }

    #[test]
    fn kdj_worked_example() {
        // n = 3: bars (high, low, close).
        let bars: Vec<Ohlcv> = [(10.0, 8.0, 9.0), (11.0, 9.0, 10.0), (12.0, 10.0, 11.5), (11.0, 9.5, 10.0)]
            .iter()
            .map(|&(high, low, close)| Ohlcv { open: close, high, low, close, volume: 1.0 })
            .collect();
        let out = batch(Kdj::new(3, 3, 3), &bars);
        assert!(out[0].is_none() && out[1].is_none());
        // Bar 3: window high 12, low 8, RSV = (11.5 - 8) / 4 x 100 = 87.5.
        // K = (2 x 50 + 87.5) / 3 = 62.5; D = (2 x 50 + 62.5) / 3 = 54.1666...; J = 3K - 2D.
        let v = out[2].unwrap();
        assert!((v.k - 62.5).abs() < 1e-12);
        assert!((v.d - 162.5 / 3.0).abs() < 1e-12);
        assert!((v.j - (3.0 * 62.5 - 2.0 * 162.5 / 3.0)).abs() < 1e-12);
        // Bar 4: window bars 2-4: high 12, low 9, RSV = (10 - 9) / 3 x 100 = 33.33...
        let rsv = 100.0 / 3.0;
        let k = (2.0 * 62.5 + rsv) / 3.0;
        let v = out[3].unwrap();
        assert!((v.k - k).abs() < 1e-12);
        assert!((v.d - (2.0 * (162.5 / 3.0) + k) / 3.0).abs() < 1e-12);
        // A flat window gives RSV 50, so K and D stay at 50.
        let flat = batch(Kdj::new(3, 3, 3), &closes(&[7.0; 5]));
        assert_eq!(flat[4], Some(KdjValue { k: 50.0, d: 50.0, j: 50.0 }));
    }
}
