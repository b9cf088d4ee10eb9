//! Volume: on-balance volume, the volume ratio (量比, LB) and the volume
//! variation rate (成交量变异率, VR), as Chinese trading software names them.

use super::{Indicator, Ohlcv};
use serde::Serialize;
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

/// Volume ratio (量比, LB) on daily bars: the day's volume over the average
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

/// One bar of VR.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VrValue {
    /// 100 x (2 x up-day volume + flat-day volume) / (2 x down-day volume + flat-day volume) over `n` days.
    pub vr: f64,
    /// The simple average of the last `m` VR values.
    pub mavr: f64,
}

/// VR, the volume variation rate (成交量变异率; 26 and 6 by default), as
/// Chinese trading software computes it: the volume of the last `n` days
/// that closed up, down or unchanged against the day before; a day counts
/// once it has a previous close. No value while the down and flat volumes
/// are both zero, nor before `m` VR values for the average.
#[derive(Debug, Clone)]
pub struct VolumeVariation {
    n: usize,
    previous_close: Option<f64>,
    /// (up, down, flat) volume of each counted day.
    days: VecDeque<(f64, f64, f64)>,
    average: super::Sma,
}

impl VolumeVariation {
    /// A VR over `n` days (at least 1), averaged over `m` (at least 1).
    pub fn new(n: usize, m: usize) -> VolumeVariation {
        let n = n.max(1);
        VolumeVariation {
            n,
            previous_close: None,
            days: VecDeque::with_capacity(n + 1),
            average: super::Sma::new(m.max(1)),
        }
    }
}

impl Indicator for VolumeVariation {
    type Output = VrValue;
    fn update(&mut self, bar: &Ohlcv) -> Option<VrValue> {
        let previous = self.previous_close.replace(bar.close)?;
        let v = bar.volume;
        let day = if bar.close > previous {
            (v, 0.0, 0.0)
        } else if bar.close < previous {
            (0.0, v, 0.0)
        } else {
            (0.0, 0.0, v)
        };
        self.days.push_back(day);
        if self.days.len() > self.n {
            self.days.pop_front();
        }
        if self.days.len() < self.n {
            return None;
        }
        // Summed from the window each day (26 values): running sums would drift, and a down
        // volume that should be zero but is 1e-12 would make the ratio explode.
        let (up, down, flat) = self.days.iter().fold((0.0, 0.0, 0.0), |s, d| (s.0 + d.0, s.1 + d.1, s.2 + d.2));
        let below = 2.0 * down + flat;
        if below <= 0.0 {
            return None;
        }
        let vr = 100.0 * (2.0 * up + flat) / below;
        let close = Ohlcv { open: vr, high: vr, low: vr, close: vr, volume: 0.0 };
        let mavr = self.average.update(&close)?;
        Some(VrValue { vr, mavr })
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
