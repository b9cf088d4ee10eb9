//! One idea followed day by day from its publication. The entry is the
//! first close on or after the day it was published (an idea published
//! after the close is entered at the next close). Each later day the bar's
//! range is tested: a long idea whose low reaches the stop closes at the
//! stop, whose high reaches the target closes at the target (both on one
//! day: the stop, the cautious reading); past the horizon it closes at
//! that day's close. Until then it is open at the last close. A short
//! (reduce) idea reads the same bars the other way round.

use chrono::NaiveDate;
use market::Candle;
use rust_decimal::Decimal;
use serde::Serialize;

/// Which way an idea bets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Buy: gains when the price rises.
    Long,
    /// Reduce or avoid: gains when the price falls.
    Short,
}

/// What an idea says, as tracking reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdeaTerms {
    /// Which way.
    pub direction: Direction,
    /// The price that closes it with a gain.
    pub target: Decimal,
    /// The price that closes it with a loss.
    pub stop: Decimal,
    /// Trading days after the entry it is meant to run.
    pub horizon_days: u32,
}

/// How an idea stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Outcome {
    /// Still running.
    Open,
    /// The target was reached on this day.
    TargetHit {
        /// The day.
        on: NaiveDate,
    },
    /// The stop was reached on this day.
    StopHit {
        /// The day.
        on: NaiveDate,
    },
    /// The horizon ended on this day without either.
    Expired {
        /// The day.
        on: NaiveDate,
    },
}

/// An idea's record so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Track {
    /// The day it was entered and its price.
    pub entry: (NaiveDate, Decimal),
    /// The last day counted (its exit, or the newest bar) and the price there.
    pub last: (NaiveDate, Decimal),
    /// Open, or how it closed.
    pub outcome: Outcome,
    /// Return to date, percent (2 decimals), in the idea's direction.
    pub return_pct: Decimal,
    /// The largest fall from a high point to a later low of the closes,
    /// against the idea, percent (2 decimals, 0 or more).
    pub max_drawdown_pct: Decimal,
    /// The benchmark's return over the same days, percent (2 decimals), in the idea's direction.
    pub benchmark_pct: Option<Decimal>,
    /// Return less the benchmark's, percentage points.
    pub excess_pct: Option<Decimal>,
}

fn pct(from: Decimal, to: Decimal) -> Decimal {
    if from.is_zero() {
        return Decimal::ZERO;
    }
    ((to - from) / from * Decimal::ONE_HUNDRED).round_dp(2)
}

/// Tracks an idea published on `published` over an instrument's bars (in
/// date order) and a benchmark's levels (date, level); None when no bar is on
/// or after the publication day.
pub fn track(
    terms: &IdeaTerms,
    published: NaiveDate,
    bars: &[Candle],
    benchmark: &[(NaiveDate, Decimal)],
) -> Option<Track> {
    let start = bars.iter().position(|b| b.date >= published)?;
    let entry = (bars[start].date, bars[start].close);
    let sign = match terms.direction {
        Direction::Long => Decimal::ONE,
        Direction::Short => -Decimal::ONE,
    };
    let mut outcome = Outcome::Open;
    let mut last = entry;
    let (mut peak, mut drawdown) = (entry.1 * sign, Decimal::ZERO);
    for (n, bar) in bars[start + 1..].iter().enumerate() {
        let (stop_hit, target_hit) = match terms.direction {
            Direction::Long => (bar.low <= terms.stop, bar.high >= terms.target),
            Direction::Short => (bar.high >= terms.stop, bar.low <= terms.target),
        };
        let price = if stop_hit {
            terms.stop
        } else if target_hit {
            terms.target
        } else {
            bar.close
        };
        // The drawdown counts the day's price against the best close so far, in the idea's direction.
        let signed = price * sign;
        if !peak.is_zero() {
            let fall = ((peak - signed) / peak.abs() * Decimal::ONE_HUNDRED).round_dp(2);
            drawdown = drawdown.max(fall);
        }
        peak = peak.max(signed);
        last = (bar.date, price);
        if stop_hit {
            outcome = Outcome::StopHit { on: bar.date };
            break;
        }
        if target_hit {
            outcome = Outcome::TargetHit { on: bar.date };
            break;
        }
        if n + 1 >= terms.horizon_days as usize {
            outcome = Outcome::Expired { on: bar.date };
            break;
        }
    }
    let return_pct = pct(entry.1, last.1) * sign;
    let level = |day: NaiveDate| benchmark.iter().rev().find(|(d, _)| *d <= day).map(|(_, l)| *l);
    let benchmark_pct = match (level(entry.0), level(last.0)) {
        (Some(a), Some(b)) => Some(pct(a, b) * sign),
        _ => None,
    };
    Some(Track {
        entry,
        last,
        outcome,
        return_pct,
        max_drawdown_pct: drawdown,
        benchmark_pct,
        excess_pct: benchmark_pct.map(|b| return_pct - b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, day).unwrap()
    }

    fn bar(day: u32, low: i64, high: i64, close: i64) -> Candle {
        let m = Decimal::from;
        Candle { date: d(day), open: m(close), high: m(high), low: m(low), close: m(close), volume: m(1) }
    }

    fn long(target: i64, stop: i64, horizon_days: u32) -> IdeaTerms {
        IdeaTerms { direction: Direction::Long, target: Decimal::from(target), stop: Decimal::from(stop), horizon_days }
    }

    #[test]
    fn a_long_idea_closes_at_its_target_with_the_drawdown_on_the_way() {
        let bars = [
            bar(1, 98, 101, 100),
            bar(4, 95, 101, 96),
            bar(5, 92, 100, 94),
            bar(6, 97, 112, 108),
            bar(7, 100, 125, 120),
        ];
        let bench = [(d(1), Decimal::from(1000)), (d(6), Decimal::from(1020))];
        let t = track(&long(110, 90, 20), d(1), &bars, &bench).unwrap();
        assert_eq!(t.outcome, Outcome::TargetHit { on: d(6) });
        assert_eq!((t.entry, t.last), ((d(1), Decimal::from(100)), (d(6), Decimal::from(110))));
        assert_eq!(t.return_pct, Decimal::from(10));
        assert_eq!(t.max_drawdown_pct, Decimal::from(6), "from 100 to 94");
        assert_eq!((t.benchmark_pct, t.excess_pct), (Some(Decimal::from(2)), Some(Decimal::from(8))));
    }

    #[test]
    fn the_stop_wins_a_day_that_reaches_both_and_the_horizon_closes_the_rest() {
        let bars = [bar(1, 98, 101, 100), bar(4, 85, 115, 100)];
        let t = track(&long(110, 90, 20), d(1), &bars, &[]).unwrap();
        assert_eq!((t.outcome, t.return_pct), (Outcome::StopHit { on: d(4) }, Decimal::from(-10)));
        let bars = [bar(1, 98, 101, 100), bar(4, 99, 103, 102), bar(5, 99, 104, 103), bar(6, 99, 104, 101)];
        let t = track(&long(110, 90, 2), d(2), &bars, &[]).unwrap();
        assert_eq!(t.entry, (d(4), Decimal::from(102)), "published on a day without a bar: the next close");
        assert_eq!((t.outcome, t.last.1), (Outcome::Expired { on: d(6) }, Decimal::from(101)));
        assert_eq!(t.benchmark_pct, None);
        let open = track(&long(110, 90, 20), d(1), &bars, &[]).unwrap();
        assert_eq!((open.outcome, open.return_pct), (Outcome::Open, Decimal::from(1)));
    }

    #[test]
    fn a_short_idea_gains_as_the_price_falls() {
        let bars = [bar(1, 98, 101, 100), bar(4, 97, 104, 103), bar(5, 88, 99, 90)];
        let terms = IdeaTerms {
            direction: Direction::Short,
            target: Decimal::from(90),
            stop: Decimal::from(108),
            horizon_days: 20,
        };
        let bench = [(d(1), Decimal::from(1000)), (d(5), Decimal::from(950))];
        let t = track(&terms, d(1), &bars, &bench).unwrap();
        assert_eq!((t.outcome, t.return_pct), (Outcome::TargetHit { on: d(5) }, Decimal::from(10)));
        assert_eq!(t.max_drawdown_pct, Decimal::from(3), "against it: 100 up to 103");
        assert_eq!(
            t.benchmark_pct,
            Some(Decimal::from(5)),
            "the benchmark fell 5%, which a short idea counts as a gain"
        );
    }
}
