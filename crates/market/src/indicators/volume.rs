//! Volume: on-balance volume and the volume ratio.

use super::{Indicator, Ohlcv};
use std::collections::VecDeque;

/// On-balance volume, as TA-Lib: starts at the first bar's volume, then adds
/// the volume of an up close and subtracts that of a down close.
#[derive(Debug, Clone, Default)]
pub struct Obv {
    previous_close: Option<f64>,
    value: f64,
}

impl Obv {
    /// A new OBV.
    pub fn new() -> Obv {
        Obv::default()
    }
}

impl Indicator for Obv {
    type Output = f64;
    fn update(&mut self, bar: &Ohlcv) -> Option<f64> {
        match self.previous_close.replace(bar.close) {
            None => self.value = bar.volume,
            Some(p) if bar.close > p => self.value += bar.volume,
            Some(p) if bar.close < p => self.value -= bar.volume,
            Some(_) => {}
        }
        Some(self.value)
    }
}

/// Volume ratio (量比) on daily bars: the day's volume over the average
/// volume of the `days` bars before it (5 by default). No value while the
/// average is zero.
#[derive(Debug, Clone)]
pub struct VolumeRatio {
    days: usize,
    window: VecDeque<f64>,
    total: f64,
}

impl VolumeRatio {
    /// A volume ratio against the previous `days` bars (at least 1).
    pub fn new(days: usize) -> VolumeRatio {
        let days = days.max(1);
        VolumeRatio { days, window: VecDeque::with_capacity(days + 1), total: 0.0 }
    }
}

impl Indicator for VolumeRatio {
    type Output = f64;
    fn update(&mut self, bar: &Ohlcv) -> Option<f64> {
        let ratio =
            (self.window.len() == self.days && self.total > 0.0).then(|| bar.volume / (self.total / self.days as f64));
        self.window.push_back(bar.volume);
        self.total += bar.volume;
        if self.window.len() > self.days {
            self.total -= self.window.pop_front().expect("window is over-full");
        }
        ratio
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::batch;

    fn bars(v: &[(f64, f64)]) -> Vec<Ohlcv> {
        v.iter().map(|&(close, volume)| Ohlcv { open: close, high: close, low: close, close, volume }).collect()
    }

    #[test]
    fn obv_adds_up_days_and_subtracts_down_days() {
        let out = batch(Obv::new(), &bars(&[(10.0, 100.0), (11.0, 50.0), (11.0, 70.0), (10.5, 30.0)]));
        assert_eq!(out, vec![Some(100.0), Some(150.0), Some(150.0), Some(120.0)]);
    }

    #[test]
    fn volume_ratio_against_the_days_before() {
        let out = batch(VolumeRatio::new(2), &bars(&[(1.0, 100.0), (1.0, 300.0), (1.0, 400.0), (1.0, 175.0)]));
        // 400 / ((100 + 300) / 2) = 2; 175 / ((300 + 400) / 2) = 0.5.
        assert_eq!(out, vec![None, None, Some(2.0), Some(0.5)]);
    }
}
