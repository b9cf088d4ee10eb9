//! `brokerdesk bench indicators`: streaming updates of every indicator over
//! thousands of instruments, day by day as a live feed delivers them.

use app::market_data::{embedded_stocks, stocks_in_dir, MarketDataError};
use market::indicators::{
    Atr, Bollinger, Ema, Indicator, Kdj, Macd, Obv, Ohlcv, Rsi, Sma, VolumeRatio, VolumeVariation,
};
use rust_decimal::prelude::ToPrimitive;
use std::path::PathBuf;
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone)]
pub struct IndicatorBenchOptions {
    /// Instruments to follow (real stocks' bars reused in turn past the set's size).
    pub instruments: usize,
    /// Real bars directory, e.g. ../shared/data/ashare-daily; the committed subset without it.
    pub bars: Option<PathBuf>,
    /// Worker threads, each owning a share of the instruments.
    pub threads: usize,
}

/// The measurements.
#[derive(Debug, Clone)]
pub struct IndicatorBench {
    /// Instruments followed.
    pub instruments: usize,
    /// Real stocks their bars came from.
    pub source_stocks: usize,
    /// Bars fed, all instruments.
    pub bars: u64,
    /// Indicators updated per bar.
    pub indicators_per_bar: usize,
    /// Threads used.
    pub threads: usize,
    /// Wall time of the streaming pass.
    pub seconds: f64,
    /// Bars per second (each updating every indicator).
    pub bars_per_s: f64,
    /// The same pass on one thread, for comparison.
    pub single_thread_bars_per_s: f64,
    /// Sum of every output, so the work cannot be optimised away; equal across thread counts.
    pub checksum: f64,
}

/// Every indicator with its default parameters, for one instrument.
#[derive(Clone)]
struct AllIndicators {
    sma: Sma,
    ema: Ema,
    macd: Macd,
    rsi: Rsi,
    kdj: Kdj,
    boll: Bollinger,
    atr: Atr,
    obv: Obv,
    lb: VolumeRatio,
    vr: VolumeVariation,
}

/// Indicators in [`AllIndicators`].
const INDICATORS: usize = 10;

impl AllIndicators {
    fn new() -> Self {
        AllIndicators {
            sma: Sma::new(20),
            ema: Ema::new(20),
            macd: Macd::new(12, 26, 9),
            rsi: Rsi::new(14),
            kdj: Kdj::new(9, 3, 3),
            boll: Bollinger::new(20, 2.0),
            atr: Atr::new(14),
            obv: Obv::new(),
            lb: VolumeRatio::new(5),
            vr: VolumeVariation::new(26, 6),
        }
    }

    fn update(&mut self, bar: &Ohlcv) -> f64 {
        let mut sum = 0.0;
        sum += self.sma.update(bar).unwrap_or(0.0);
        sum += self.ema.update(bar).unwrap_or(0.0);
        sum += self.macd.update(bar).map_or(0.0, |v| v.hist);
        sum += self.rsi.update(bar).unwrap_or(0.0);
        sum += self.kdj.update(bar).map_or(0.0, |v| v.j);
        sum += self.boll.update(bar).map_or(0.0, |v| v.upper - v.lower);
        sum += self.atr.update(bar).unwrap_or(0.0);
        sum += self.obv.update(bar).unwrap_or(0.0) * 1e-9;
        sum += self.lb.update(bar).unwrap_or(0.0);
        sum += self.vr.update(bar).map_or(0.0, |v| v.vr);
        sum
    }
}

/// Feeds day after day of bars to every instrument's indicators; returns the output sum.
fn stream(series: &[&[Ohlcv]], threads: usize) -> f64 {
    let days = series.iter().map(|s| s.len()).max().unwrap_or(0);
    let per_thread = series.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = series
            .chunks(per_thread)
            .map(|share| {
                scope.spawn(move || {
                    let mut states = vec![AllIndicators::new(); share.len()];
                    let mut sum = 0.0;
                    // Day-major, as a live feed delivers a day's (or a tick's) quotes for every instrument.
                    for day in 0..days {
                        for (state, bars) in states.iter_mut().zip(share) {
                            if let Some(bar) = bars.get(day) {
                                sum += state.update(bar);
                            }
                        }
                    }
                    sum
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("bench thread panicked")).sum()
    })
}

/// Runs the benchmark.
pub fn indicators_bench(opts: &IndicatorBenchOptions) -> Result<IndicatorBench, MarketDataError> {
    let stocks = match &opts.bars {
        Some(dir) => stocks_in_dir(dir)?,
        None => embedded_stocks(),
    };
    let f = |m: domain::Money| m.to_f64().unwrap_or(f64::NAN);
    let real: Vec<Vec<Ohlcv>> = stocks
        .iter()
        .map(|s| {
            s.bars
                .iter()
                .map(|b| Ohlcv {
                    open: f(b.open),
                    high: f(b.high),
                    low: f(b.low),
                    close: f(b.close),
                    volume: f(b.volume),
                })
                .collect()
        })
        .collect();
    let instruments = opts.instruments.max(1);
    let series: Vec<&[Ohlcv]> = (0..instruments).map(|i| real[i % real.len()].as_slice()).collect();
    let bars: u64 = series.iter().map(|s| s.len() as u64).sum();
    let threads = opts.threads.max(1);

    let started = Instant::now();
    let single = stream(&series, 1);
    let single_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let checksum = stream(&series, threads);
    let seconds = started.elapsed().as_secs_f64();
    // Summation order differs between thread shares, so compare to rounding.
    debug_assert!((single - checksum).abs() <= 1e-6 * single.abs().max(1.0));
    Ok(IndicatorBench {
        instruments,
        source_stocks: real.len(),
        bars,
        indicators_per_bar: INDICATORS,
        threads,
        seconds,
        bars_per_s: bars as f64 / seconds,
        single_thread_bars_per_s: bars as f64 / single_seconds,
        checksum,
    })
}
