//! Sources judged by their ideas (per advisor and per research source): the
//! hit rate (targets reached among the ideas that closed), the average
//! return, the average drawdown and the average return against the
//! benchmark, by horizon; ranked so the firm sees which are worth using.

use crate::track::{Outcome, Track};
use rust_decimal::Decimal;
use serde::Serialize;

/// How long an idea is meant to run, as records are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HorizonBand {
    /// Up to 20 trading days (about a month): short-cycle ideas.
    Short,
    /// 21 to 60 trading days (about a quarter).
    Medium,
    /// Longer: long-term picks.
    Long,
}

impl HorizonBand {
    /// Every band, shortest first.
    pub const ALL: [HorizonBand; 3] = [HorizonBand::Short, HorizonBand::Medium, HorizonBand::Long];

    /// The band of a horizon in trading days.
    pub fn of(horizon_days: u32) -> HorizonBand {
        match horizon_days {
            0..=20 => HorizonBand::Short,
            21..=60 => HorizonBand::Medium,
            _ => HorizonBand::Long,
        }
    }

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            HorizonBand::Short => "short",
            HorizonBand::Medium => "medium",
            HorizonBand::Long => "long",
        }
    }
}

/// One source's record over a set of ideas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The source (an advisor, a research desk, an institution).
    pub source: String,
    /// Ideas tracked.
    pub ideas: u32,
    /// Ideas closed (target, stop or horizon).
    pub closed: u32,
    /// Targets reached among the closed, percent (2 decimals; none closed: none).
    pub hit_rate_pct: Option<Decimal>,
    /// Average return to date, percent.
    pub average_return_pct: Decimal,
    /// Average maximum drawdown, percent.
    pub average_drawdown_pct: Decimal,
    /// Average return against the benchmark, percentage points (ideas with a benchmark).
    pub average_excess_pct: Option<Decimal>,
}

fn mean(values: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    let (sum, n) = values.fold((Decimal::ZERO, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| (sum / Decimal::from(n)).round_dp(2))
}

/// A source's record from its ideas' tracks.
pub fn record(source: &str, tracks: &[Track]) -> Record {
    let closed = tracks.iter().filter(|t| t.outcome != Outcome::Open).count() as u32;
    let hits = tracks.iter().filter(|t| matches!(t.outcome, Outcome::TargetHit { .. })).count() as u32;
    Record {
        source: source.to_owned(),
        ideas: tracks.len() as u32,
        closed,
        hit_rate_pct: (closed > 0)
            .then(|| (Decimal::from(hits) * Decimal::ONE_HUNDRED / Decimal::from(closed)).round_dp(2)),
        average_return_pct: mean(tracks.iter().map(|t| t.return_pct)).unwrap_or_default(),
        average_drawdown_pct: mean(tracks.iter().map(|t| t.max_drawdown_pct)).unwrap_or_default(),
        average_excess_pct: mean(tracks.iter().filter_map(|t| t.excess_pct)),
    }
}

/// Sources best first: by average return against the benchmark (a source
/// without one last), then hit rate, then fewer drawdown points, then name.
pub fn rank(mut records: Vec<Record>) -> Vec<Record> {
    records.sort_by(|a, b| {
        let excess = |r: &Record| r.average_excess_pct.map(|e| (1, e)).unwrap_or((0, Decimal::ZERO));
        excess(b)
            .cmp(&excess(a))
            .then(b.hit_rate_pct.cmp(&a.hit_rate_pct))
            .then(a.average_drawdown_pct.cmp(&b.average_drawdown_pct))
            .then(a.source.cmp(&b.source))
    });
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(outcome: Outcome, ret: i64, dd: i64, excess: Option<i64>) -> Track {
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        Track {
            entry: (day, Decimal::from(10)),
            last: (day, Decimal::from(10)),
            outcome,
            return_pct: Decimal::from(ret),
            max_drawdown_pct: Decimal::from(dd),
            benchmark_pct: excess.map(|e| Decimal::from(ret - e)),
            excess_pct: excess.map(Decimal::from),
        }
    }

    #[test]
    fn a_fixture_of_three_sources_is_ranked_by_excess_then_hit_rate() {
        let on = NaiveDate::from_ymd_opt(2024, 4, 1).unwrap();
        let hit = Outcome::TargetHit { on };
        let stop = Outcome::StopHit { on };
        let desk = record(
            "research desk",
            &[t(hit, 12, 3, Some(8)), t(stop, -6, 6, Some(-4)), t(Outcome::Open, 2, 1, Some(2))],
        );
        assert_eq!((desk.ideas, desk.closed, desk.hit_rate_pct), (3, 2, Some(Decimal::from(50))));
        assert_eq!((desk.average_return_pct, desk.average_drawdown_pct), (Decimal::new(267, 2), Decimal::new(333, 2)));
        assert_eq!(desk.average_excess_pct, Some(Decimal::new(200, 2)));
        let advisor = record("王顾问", &[t(hit, 9, 2, Some(2)), t(hit, 7, 1, Some(2))]);
        let outside = record("outside institution", &[t(stop, -8, 9, None)]);
        let ranked: Vec<String> = rank(vec![outside, desk, advisor]).into_iter().map(|r| r.source).collect();
        // Both earn 2 points over the benchmark; the advisor's hit rate (100%) is higher. No benchmark: last.
        assert_eq!(ranked, ["王顾问", "research desk", "outside institution"]);
        assert_eq!(record("nobody", &[]).hit_rate_pct, None);
    }

    #[test]
    fn horizons_fall_into_bands_at_a_month_and_a_quarter() {
        let bands: Vec<HorizonBand> = [1, 20, 21, 60, 61, 250].into_iter().map(HorizonBand::of).collect();
        use HorizonBand::*;
        assert_eq!(bands, [Short, Short, Medium, Medium, Long, Long]);
    }
}
