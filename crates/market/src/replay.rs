//! Turning a real daily bar into a plausible stream of intraday snapshots,
//! so that a demo (or a test) can replay a real day as if it were live.
//!
//! The path visits the day's extremes in the order the bar suggests (a down
//! day: open, high, low, close; an up day: open, low, high, close), moving in
//! straight legs between them, over the continuous sessions 09:30-11:30 and
//! 13:00-15:00. Prices are rounded to the tick; volume accumulates evenly.
//! Every snapshot lies within the bar's low and high, and the last one is the
//! close at 15:00 with the day's full volume.

use crate::rules::round_to_tick;
use chrono::NaiveTime;
use domain::Money;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// One intraday moment of a replayed day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntradayPoint {
    /// Local (Shanghai) time.
    pub time: NaiveTime,
    /// Last price.
    pub last: Money,
    /// High so far.
    pub high: Money,
    /// Low so far.
    pub low: Money,
    /// Volume so far.
    pub volume: Money,
}

/// Minutes of continuous trading in a day (09:30-11:30, 13:00-15:00).
const TRADING_MINUTES: u32 = 240;

/// The local time `minute` minutes into the continuous sessions (lunch skipped).
fn session_time(minute: u32) -> NaiveTime {
    let m = minute.min(TRADING_MINUTES);
    let since_midnight = if m <= 120 { 9 * 60 + 30 + m } else { 13 * 60 + (m - 120) };
    NaiveTime::from_hms_opt(since_midnight / 60, since_midnight % 60, 0).expect("within the day")
}

/// Snapshots of a day with this open, high, low, close and volume: `points`
/// of them, rounded up to one more than a multiple of 3, so that the path
/// passes exactly through both extremes.
pub fn intraday_path(
    open: Money,
    high: Money,
    low: Money,
    close: Money,
    volume: Money,
    tick: Money,
    points: u32,
) -> Vec<IntradayPoint> {
    let points = (points.max(2) - 1).div_ceil(3) * 3 + 1;
    // The extremes in the order the day most likely visited them.
    let waypoints = if close < open { [open, high, low, close] } else { [open, low, high, close] };
    let legs = 3u32;
    let mut out = Vec::with_capacity(points as usize);
    let (mut day_high, mut day_low) = (open, open);
    for k in 0..points {
        // Position along the whole path, in 0..=1, split evenly over the three legs.
        let along = Decimal::from(k) / Decimal::from(points - 1) * Decimal::from(legs);
        let leg = along.floor().to_u32().unwrap_or(0).min(legs - 1);
        let within = along - Decimal::from(leg);
        let (from, to) = (waypoints[leg as usize], waypoints[leg as usize + 1]);
        let last = round_to_tick(from + (to - from) * within, tick).clamp(low, high);
        day_high = day_high.max(last);
        day_low = day_low.min(last);
        let minute = TRADING_MINUTES * k / (points - 1);
        let done = Decimal::from(k) / Decimal::from(points - 1);
        out.push(IntradayPoint {
            time: session_time(minute),
            last,
            high: day_high,
            low: day_low,
            volume: (volume * done).round_dp(4),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(s: &str) -> Money {
        Money::from_str(s).unwrap()
    }

    #[test]
    fn a_down_day_goes_up_first_then_down_to_the_close() {
        let path = intraday_path(m("10.00"), m("10.50"), m("9.20"), m("9.40"), m("12000"), m("0.01"), 13);
        assert_eq!(path.len(), 13);
        assert_eq!(path[0].last, m("10.00"));
        assert_eq!(path[0].time, NaiveTime::from_hms_opt(9, 30, 0).unwrap());
        let last = path.last().unwrap();
        assert_eq!((last.last, last.high, last.low, last.volume), (m("9.40"), m("10.50"), m("9.20"), m("12000")));
        assert_eq!(last.time, NaiveTime::from_hms_opt(15, 0, 0).unwrap());
        // It reaches the high before the low.
        let at_high = path.iter().position(|p| p.last == m("10.50")).unwrap();
        let at_low = path.iter().position(|p| p.last == m("9.20")).unwrap();
        assert!(at_high < at_low);
        for p in &path {
            assert!(p.last >= m("9.20") && p.last <= m("10.50") && p.low <= p.last && p.last <= p.high);
            assert_eq!(p.last, p.last.round_dp(2), "on the tick");
        }
        // Volume never falls; the lunch break is skipped.
        assert!(path.windows(2).all(|w| w[0].volume <= w[1].volume && w[0].time < w[1].time));
        assert!(path.iter().all(|p| !(p.time > NaiveTime::from_hms_opt(11, 30, 0).unwrap()
            && p.time < NaiveTime::from_hms_opt(13, 0, 0).unwrap())));
    }
}
