//! Trend: moving averages and MACD.

use super::{Indicator, Ohlcv};
use serde::Serialize;
use std::collections::VecDeque;

/// Simple moving average of closes over `period` bars.
#[derive(Debug, Clone)]
pub struct Sma {
    period: usize,
    window: VecDeque<f64>,
    total: f64,
}

impl Sma {
    /// An SMA over `period` bars (at least 1).
    pub fn new(period: usize) -> Sma {
        let period = period.max(1);
        Sma { period, window: VecDeque::with_capacity(period + 1), total: 0.0 }
    }

    /// Takes the next value.
    pub fn push(&mut self, x: f64) -> Option<f64> {
        // TA-Lib's order: add the new value, divide, then drop the oldest.
        self.total += x;
        self.window.push_back(x);
        if self.window.len() < self.period {
            return None;
        }
        let mean = self.total / self.period as f64;
        self.total -= self.window.pop_front().expect("window is full");
        Some(mean)
    }
}

impl Indicator for Sma {
    type Output = f64;
    fn update(&mut self, bar: &Ohlcv) -> Option<f64> {
        self.push(bar.close)
    }
}

/// Exponential moving average with k = 2 / (period + 1), seeded (as TA-Lib
/// does) with the simple average of the first `period` values.
#[derive(Debug, Clone)]
pub struct Ema {
    period: usize,
    k: f64,
    seen: usize,
    seed_total: f64,
    value: f64,
}

impl Ema {
    /// An EMA over `period` bars (at least 1).
    pub fn new(period: usize) -> Ema {
        let period = period.max(1);
        Ema { period, k: 2.0 / (period as f64 + 1.0), seen: 0, seed_total: 0.0, value: 0.0 }
    }

    /// Takes the next value.
    pub fn push(&mut self, x: f64) -> Option<f64> {
        if self.seen < self.period {
            self.seen += 1;
            self.seed_total += x;
            if self.seen < self.period {
                return None;
            }
            self.value = self.seed_total / self.period as f64;
            return Some(self.value);
        }
        self.value = ((x - self.value) * self.k) + self.value;
        Some(self.value)
    }
}

impl Indicator for Ema {
    type Output = f64;
    fn update(&mut self, bar: &Ohlcv) -> Option<f64> {
        self.push(bar.close)
    }
}

/// One bar of MACD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MacdValue {
    /// Fast EMA minus slow EMA (DIF).
    pub macd: f64,
    /// EMA of the MACD line (DEA).
    pub signal: f64,
    /// MACD minus signal, TA-Lib's histogram.
    pub hist: f64,
    /// The MACD bar as Chinese trading software draws it (its "MACD" column): 2 x (DIF - DEA).
    pub bar: f64,
}

/// MACD (12, 26, 9 by default) as TA-Lib computes it: both EMAs first
/// answer on the slow period's last bar, the fast one seeded with the average
/// of the `fast` bars ending there; the signal is an EMA of the MACD line.
#[derive(Debug, Clone)]
pub struct Macd {
    fast_period: usize,
    slow_period: usize,
    seen: usize,
    fast: Ema,
    slow: Ema,
    signal: Ema,
}

impl Macd {
    /// A MACD; if `fast` is longer than `slow` the two are swapped, as in TA-Lib.
    pub fn new(fast: usize, slow: usize, signal: usize) -> Macd {
        let (fast, slow) = if slow < fast { (slow, fast) } else { (fast, slow) };
        Macd {
            fast_period: fast,
            slow_period: slow,
            seen: 0,
            fast: Ema::new(fast),
            slow: Ema::new(slow),
            signal: Ema::new(signal),
        }
    }
}

impl Indicator for Macd {
    type Output = MacdValue;
    fn update(&mut self, bar: &Ohlcv) -> Option<MacdValue> {
        let i = self.seen;
        self.seen += 1;
        let slow = self.slow.push(bar.close);
        // The fast EMA starts late, so that its seed ends on the same bar as the slow one's.
        let fast = if i + self.fast_period >= self.slow_period { self.fast.push(bar.close) } else { None };
        let (Some(fast), Some(slow)) = (fast, slow) else { return None };
        let macd = fast - slow;
        let signal = self.signal.push(macd)?;
        Some(MacdValue { macd, signal, hist: macd - signal, bar: 2.0 * (macd - signal) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{batch, closes};

    #[test]
    fn sma_and_ema_by_hand() {
        let bars = closes(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(batch(Sma::new(3), &bars), vec![None, None, Some(2.0), Some(3.0), Some(4.0)]);
        // Seed 2 (the mean of 1, 2, 3), then k = 0.5: 3, 4.
        assert_eq!(batch(Ema::new(3), &bars), vec![None, None, Some(2.0), Some(3.0), Some(4.0)]);
        let ema = batch(Ema::new(2), &closes(&[2.0, 4.0, 10.0]));
        assert_eq!(ema, vec![None, Some(3.0), Some(3.0 + (10.0 - 3.0) * (2.0 / 3.0))]);
    }

    #[test]
    fn macd_answers_from_slow_plus_signal_minus_two() {
        let values: Vec<f64> = (0..60).map(|i| 10.0 + (i as f64 * 0.7).sin()).collect();
        let out = batch(Macd::new(12, 26, 9), &closes(&values));
        assert!(out[..33].iter().all(Option::is_none));
        assert!(out[33..].iter().all(Option::is_some));
        let v = out[40].unwrap();
        assert_eq!(v.hist, v.macd - v.signal);
    }
}
