//! Technical indicators, one small streaming state machine each, grouped by
//! family. Every indicator takes one bar at a time in O(1) (amortised for
//! the window extremes of KDJ; VR sums its fixed window) and answers `None`
//! until it has enough bars. Names follow Chinese trading software: LB is
//! the volume ratio (量比), VR the volume variation rate (成交量变异率);
//! MACD adds the bar Chinese software draws (2 x the histogram); RSI draws
//! 6, 12 and 24 by default.
//! The batch form, [`batch`], folds the same machine over a slice, so the two
//! agree exactly by construction. Where TA-Lib has the indicator, the
//! arithmetic follows TA-Lib's own order of operations (seeds, smoothing,
//! rolling sums), so outputs agree with TA-Lib's to within rounding; the
//! tests hold them to 1e-9 relative on real bars.

mod momentum;
mod trend;
mod volatility;
mod volume;

pub use momentum::{Kdj, KdjValue, Rsi};
pub use trend::{Ema, Macd, MacdValue, Sma};
pub use volatility::{Atr, Bands, Bollinger};
pub use volume::{Obv, VolumeRatio, VolumeVariation, VrValue};

use thiserror::Error;

/// One bar as indicators see it: prices and volume as floating point, since
/// indicators are statistics (money stays Decimal everywhere else).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ohlcv {
    /// Opening price.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Closing price.
    pub close: f64,
    /// Volume.
    pub volume: f64,
}

/// A streaming indicator: feed bars in date order, one at a time.
pub trait Indicator {
    /// What one bar's output is.
    type Output: Copy;
    /// Takes the next bar; the output once enough bars have been seen.
    fn update(&mut self, bar: &Ohlcv) -> Option<Self::Output>;
}

/// The batch form: the indicator's output for each bar of the slice, `None`
/// where it has not yet seen enough bars.
pub fn batch<I: Indicator>(mut indicator: I, bars: &[Ohlcv]) -> Vec<Option<I::Output>> {
    bars.iter().map(|bar| indicator.update(bar)).collect()
}

/// Why an indicator cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IndicatorError {
    /// No indicator has this name.
    #[error("unknown indicator '{0}': one of SMA, EMA, MACD, RSI, KDJ, BOLL, ATR, OBV, LB, VR")]
    UnknownName(String),
    /// A parameter is missing, extra, not a number or out of range.
    #[error("{indicator} parameter {position} ({name}): {reason}")]
    BadParameter {
        /// Indicator name.
        indicator: &'static str,
        /// 1-based position in the parameter list.
        position: usize,
        /// Parameter name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Too many parameters.
    #[error("{indicator} takes at most {max} parameters ({names}), got {got}")]
    TooManyParameters {
        /// Indicator name.
        indicator: &'static str,
        /// How many it takes.
        max: usize,
        /// Their names.
        names: String,
        /// How many were given.
        got: usize,
    },
}

/// The indicators' refusals.
pub mod codes {
    domain::codes! {
        /// No indicator has this name.
        UNKNOWN_INDICATOR = "unknown_indicator": Invalid,
        /// A parameter is missing, extra, not a number or out of range.
        INDICATOR_PARAMETER = "indicator_parameter": Invalid,
        /// More parameters than the indicator takes.
        TOO_MANY_PARAMETERS = "too_many_parameters": Invalid,
    }
}

impl domain::ErrorCode for IndicatorError {
    fn code(&self) -> domain::Code {
        match self {
            IndicatorError::UnknownName(_) => codes::UNKNOWN_INDICATOR,
            IndicatorError::BadParameter { .. } => codes::INDICATOR_PARAMETER,
            IndicatorError::TooManyParameters { .. } => codes::TOO_MANY_PARAMETERS,
        }
    }

    fn field(&self) -> Option<&'static str> {
        Some(match self {
            IndicatorError::UnknownName(_) => "name",
            IndicatorError::BadParameter { .. } | IndicatorError::TooManyParameters { .. } => "params",
        })
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            IndicatorError::UnknownName(name) => vec![("name", name.clone())],
            IndicatorError::BadParameter { indicator, position, name, reason } => vec![
                ("indicator", indicator.to_string()),
                ("position", position.to_string()),
                ("parameter", name.to_string()),
                ("detail", reason.clone()),
            ],
            IndicatorError::TooManyParameters { indicator, max, names, got } => vec![
                ("indicator", indicator.to_string()),
                ("max", max.to_string()),
                ("names", names.clone()),
                ("count", got.to_string()),
            ],
        }
    }
}

/// A period: a whole number of bars, 1 to 100,000.
pub(crate) fn check_period(
    indicator: &'static str,
    position: usize,
    name: &'static str,
    value: usize,
    min: usize,
) -> Result<usize, IndicatorError> {
    if (min..=100_000).contains(&value) {
        Ok(value)
    } else {
        Err(IndicatorError::BadParameter {
            indicator,
            position,
            name,
            reason: format!("{value} is not between {min} and 100000"),
        })
    }
}

/// Any indicator, chosen by name and parameters at run time (CLI, API, chart).
#[derive(Debug, Clone)]
pub enum AnyIndicator {
    /// Simple moving average of closes.
    Sma(Sma),
    /// Exponential moving average of closes.
    Ema(Ema),
    /// MACD line, signal, histogram and the Chinese bar (2 x histogram).
    Macd(Macd),
    /// Wilder's relative strength index over one to three periods (6, 12, 24 by default).
    Rsi(Vec<Rsi>),
    /// KDJ stochastic, the Chinese convention.
    Kdj(Kdj),
    /// Bollinger bands.
    Boll(Bollinger),
    /// Wilder's average true range.
    Atr(Atr),
    /// On-balance volume.
    Obv(Obv),
    /// Volume ratio (量比, LB).
    Lb(VolumeRatio),
    /// Volume variation rate (成交量变异率, VR) and its average.
    Vr(VolumeVariation),
}

/// Name, parameter names and defaults of every indicator, in display order.
/// RSI is the one exception to "missing trailing parameters take their
/// defaults": it draws a line per period given, and all three (6, 12, 24, as
/// Chinese users expect) when none is. BOLL's third parameter picks the
/// sample standard deviation (1) over TA-Lib's population one (0).
pub const CATALOGUE: [(&str, &[(&str, f64)]); 10] = [
    ("SMA", &[("period", 20.0)]),
    ("EMA", &[("period", 20.0)]),
    ("MACD", &[("fast", 12.0), ("slow", 26.0), ("signal", 9.0)]),
    ("RSI", &[("period", 6.0), ("period2", 12.0), ("period3", 24.0)]),
    ("KDJ", &[("n", 9.0), ("m1", 3.0), ("m2", 3.0)]),
    ("BOLL", &[("period", 20.0), ("k", 2.0), ("sample", 0.0)]),
    ("ATR", &[("period", 14.0)]),
    ("OBV", &[]),
    ("LB", &[("days", 5.0)]),
    ("VR", &[("n", 26.0), ("m", 6.0)]),
];

impl AnyIndicator {
    /// Makes the named indicator (case-insensitive) with the given
    /// parameters; missing trailing parameters take their defaults.
    pub fn parse(name: &str, params: &[f64]) -> Result<AnyIndicator, IndicatorError> {
        let upper = name.trim().to_ascii_uppercase();
        let (name, spec) = CATALOGUE
            .iter()
            .find(|(n, _)| *n == upper)
            .copied()
            .ok_or_else(|| IndicatorError::UnknownName(name.to_owned()))?;
        if params.len() > spec.len() {
            return Err(IndicatorError::TooManyParameters {
                indicator: name,
                max: spec.len(),
                names: spec.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
                got: params.len(),
            });
        }
        let value = |i: usize| params.get(i).copied().unwrap_or(spec[i].1);
        let period = |i: usize, min: usize| {
            let v = value(i);
            if v.fract() != 0.0 || v < 0.0 || !v.is_finite() {
                return Err(IndicatorError::BadParameter {
                    indicator: name,
                    position: i + 1,
                    name: spec[i].0,
                    reason: format!("{v} is not a whole number of bars"),
                });
            }
            check_period(name, i + 1, spec[i].0, v as usize, min)
        };
        Ok(match name {
            "SMA" => AnyIndicator::Sma(Sma::new(period(0, 1)?)),
            "EMA" => AnyIndicator::Ema(Ema::new(period(0, 1)?)),
            "MACD" => AnyIndicator::Macd(Macd::new(period(0, 2)?, period(1, 2)?, period(2, 1)?)),
            "RSI" => {
                let periods = if params.is_empty() { spec.len() } else { params.len() };
                AnyIndicator::Rsi((0..periods).map(|i| Ok(Rsi::new(period(i, 2)?))).collect::<Result<_, _>>()?)
            }
            "KDJ" => AnyIndicator::Kdj(Kdj::new(period(0, 1)?, period(1, 1)?, period(2, 1)?)),
            "BOLL" => {
                let k = value(1);
                if !(k.is_finite() && k > 0.0 && k <= 10.0) {
                    return Err(IndicatorError::BadParameter {
                        indicator: name,
                        position: 2,
                        name: "k",
                        reason: format!("{k} is not a width between 0 and 10 standard deviations"),
                    });
                }
                let sample = value(2);
                match sample {
                    0.0 => AnyIndicator::Boll(Bollinger::new(period(0, 2)?, k)),
                    1.0 => AnyIndicator::Boll(Bollinger::sample(period(0, 2)?, k)),
                    s => {
                        return Err(IndicatorError::BadParameter {
                            indicator: name,
                            position: 3,
                            name: "sample",
                            reason: format!("{s} is not 0 (population, as TA-Lib) or 1 (sample)"),
                        })
                    }
                }
            }
            "ATR" => AnyIndicator::Atr(Atr::new(period(0, 1)?)),
            "OBV" => AnyIndicator::Obv(Obv::new()),
            "LB" => AnyIndicator::Lb(VolumeRatio::new(period(0, 1)?)),
            _ => AnyIndicator::Vr(VolumeVariation::new(period(0, 1)?, period(1, 1)?)),
        })
    }

    /// The names of the output columns, in the order [`AnyIndicator::update`] gives them.
    pub fn columns(&self) -> &'static [&'static str] {
        match self {
            AnyIndicator::Sma(_) => &["sma"],
            AnyIndicator::Ema(_) => &["ema"],
            AnyIndicator::Macd(_) => &["macd", "signal", "hist", "bar"],
            AnyIndicator::Rsi(periods) => &["rsi1", "rsi2", "rsi3"][..periods.len()],
            AnyIndicator::Kdj(_) => &["k", "d", "j"],
            AnyIndicator::Boll(_) => &["upper", "middle", "lower"],
            AnyIndicator::Atr(_) => &["atr"],
            AnyIndicator::Obv(_) => &["obv"],
            AnyIndicator::Lb(_) => &["lb"],
            AnyIndicator::Vr(_) => &["vr", "mavr"],
        }
    }

    /// Takes the next bar; its output columns once there are enough bars.
    pub fn update(&mut self, bar: &Ohlcv) -> Option<Vec<f64>> {
        match self {
            AnyIndicator::Sma(i) => i.update(bar).map(|v| vec![v]),
            AnyIndicator::Ema(i) => i.update(bar).map(|v| vec![v]),
            AnyIndicator::Macd(i) => i.update(bar).map(|v| vec![v.macd, v.signal, v.hist, v.bar]),
            AnyIndicator::Rsi(periods) => {
                // Every period takes every bar; the row answers once the longest has a value.
                let values: Vec<Option<f64>> = periods.iter_mut().map(|r| r.update(bar)).collect();
                values.into_iter().collect()
            }
            AnyIndicator::Kdj(i) => i.update(bar).map(|v| vec![v.k, v.d, v.j]),
            AnyIndicator::Boll(i) => i.update(bar).map(|v| vec![v.upper, v.middle, v.lower]),
            AnyIndicator::Atr(i) => i.update(bar).map(|v| vec![v]),
            AnyIndicator::Obv(i) => i.update(bar).map(|v| vec![v]),
            AnyIndicator::Lb(i) => i.update(bar).map(|v| vec![v]),
            AnyIndicator::Vr(i) => i.update(bar).map(|v| vec![v.vr, v.mavr]),
        }
    }
}

#[cfg(test)]
pub(crate) fn closes(values: &[f64]) -> Vec<Ohlcv> {
    values.iter().map(|&c| Ohlcv { open: c, high: c, low: c, close: c, volume: 1.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_are_made_by_name_with_defaults_and_checked_parameters() {
        let macd = AnyIndicator::parse("macd", &[]).unwrap();
        assert_eq!(macd.columns(), ["macd", "signal", "hist", "bar"]);
        // RSI: one line per period given; 6, 12 and 24 when none is.
        assert_eq!(AnyIndicator::parse("RSI", &[]).unwrap().columns(), ["rsi1", "rsi2", "rsi3"]);
        assert_eq!(AnyIndicator::parse("RSI", &[14.0]).unwrap().columns(), ["rsi1"]);
        assert!(AnyIndicator::parse("RSI", &[6.0, 12.0, 24.0, 48.0]).is_err());
        assert!(AnyIndicator::parse("BOLL", &[20.0, 2.0, 2.0]).is_err(), "sample is 0 or 1");
        assert_eq!(AnyIndicator::parse("VR", &[]).unwrap().columns(), ["vr", "mavr"]);
        assert_eq!(AnyIndicator::parse("lb", &[]).unwrap().columns(), ["lb"]);
        assert!(matches!(AnyIndicator::parse("BOLL", &[10.0]).unwrap(), AnyIndicator::Boll(_)));
        assert_eq!(AnyIndicator::parse("XYZ", &[]).unwrap_err(), IndicatorError::UnknownName("XYZ".into()));
        let err = AnyIndicator::parse("SMA", &[2.5]).unwrap_err();
        assert!(err.to_string().contains("SMA parameter 1 (period)"), "{err}");
        let err = AnyIndicator::parse("ATR", &[14.0, 3.0]).unwrap_err();
        assert!(err.to_string().contains("at most 1"), "{err}");
        assert!(AnyIndicator::parse("RSI", &[1.0]).is_err(), "RSI needs two bars at least");
        assert!(AnyIndicator::parse("BOLL", &[20.0, -1.0]).is_err());
    }
}
