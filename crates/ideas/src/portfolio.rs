//! A model (paper) portfolio's value day by day. It starts at 1.0 and is
//! rebalanced to target weights at the first close on or after each
//! rebalance takes effect: the value then is spread over the instruments
//! at their closes (fractional shares: a model, not an account), the rest
//! held as cash. Each later day it is worth its shares at their closes
//! (an instrument without a bar that day at its last close) plus the cash.
//! Compared with the benchmark over the same days.

use chrono::NaiveDate;
use market::Candle;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// One rebalance: from the first close on or after `on`, these weights
/// (instrument, share of the value in basis points; the rest is cash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebalance {
    /// When it takes effect.
    pub on: NaiveDate,
    /// Target weights, basis points of the value; at most 10,000 in all.
    pub weights: Vec<(String, u32)>,
}

/// A portfolio's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Performance {
    /// Value by day, from 1 at the first rebalance (6 decimals).
    pub values: Vec<(NaiveDate, Decimal)>,
    /// Return to date, percent (2 decimals).
    pub return_pct: Decimal,
    /// Largest fall of the value from a high point, percent (2 decimals).
    pub max_drawdown_pct: Decimal,
    /// The benchmark's return over the same days, percent.
    pub benchmark_pct: Option<Decimal>,
    /// Return less the benchmark's, percentage points.
    pub excess_pct: Option<Decimal>,
}

/// The portfolio's value over the bars (by instrument, each in date order)
/// and its record against the benchmark; none before its first rebalance
/// has a bar to start on.
pub fn perform(
    rebalances: &[Rebalance],
    bars: &BTreeMap<String, Vec<Candle>>,
    benchmark: &[(NaiveDate, Decimal)],
) -> Option<Performance> {
    let mut rebalances: Vec<&Rebalance> = rebalances.iter().collect();
    rebalances.sort_by_key(|r| r.on);
    let first = rebalances.first()?.on;
    let days: std::collections::BTreeSet<NaiveDate> =
        bars.values().flat_map(|b| b.iter().map(|c| c.date)).filter(|d| *d >= first).collect();
    // Each instrument's closes by day, read once.
    let closes: BTreeMap<&str, BTreeMap<NaiveDate, Decimal>> =
        bars.iter().map(|(code, b)| (code.as_str(), b.iter().map(|c| (c.date, c.close)).collect())).collect();
    let mut last_close: BTreeMap<&str, Decimal> = BTreeMap::new();
    let close_on = |code: &str, day: NaiveDate| closes.get(code).and_then(|c| c.get(&day)).copied();
    let mut shares: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut cash = Decimal::ONE;
    let mut next = 0;
    let mut values: Vec<(NaiveDate, Decimal)> = Vec::new();
    for &day in &days {
        for (code, by_day) in &closes {
            if let Some(c) = by_day.get(&day) {
                last_close.insert(code, *c);
            }
        }
        let worth = |shares: &BTreeMap<String, Decimal>, cash: Decimal| {
            cash + shares
                .iter()
                .map(|(c, q)| *q * last_close.get(c.as_str()).copied().unwrap_or_default())
                .sum::<Decimal>()
        };
        // Every rebalance now in effect, in order: the last one sets the holdings.
        while next < rebalances.len() && rebalances[next].on <= day {
            let value = worth(&shares, cash);
            shares.clear();
            cash = value;
            for (code, weight) in &rebalances[next].weights {
                let Some(price) = close_on(code, day).or_else(|| last_close.get(code.as_str()).copied()) else {
                    continue; // no price yet: kept in cash
                };
                if price.is_zero() {
                    continue;
                }
                let amount = value * Decimal::from(*weight) / Decimal::from(10_000);
                *shares.entry(code.clone()).or_default() += amount / price;
                cash -= amount;
            }
            next += 1;
        }
        values.push((day, worth(&shares, cash).round_dp(6)));
    }
    let (start, end) = (*values.first()?, *values.last()?);
    let pct = |a: Decimal, b: Decimal| {
        if a.is_zero() {
            Decimal::ZERO
        } else {
            ((b - a) / a * Decimal::ONE_HUNDRED).round_dp(2)
        }
    };
    let mut peak = Decimal::ZERO;
    let mut drawdown = Decimal::ZERO;
    for (_, v) in &values {
        peak = peak.max(*v);
        if !peak.is_zero() {
            drawdown = drawdown.max(((peak - *v) / peak * Decimal::ONE_HUNDRED).round_dp(2));
        }
    }
    let level = |day: NaiveDate| benchmark.iter().rev().find(|(d, _)| *d <= day).map(|(_, l)| *l);
    let benchmark_pct = match (level(start.0), level(end.0)) {
        (Some(a), Some(b)) => Some(pct(a, b)),
        _ => None,
    };
    let return_pct = pct(Decimal::ONE, end.1);
    Some(Performance {
        values,
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

    fn series(closes: &[(u32, i64)]) -> Vec<Candle> {
        closes
            .iter()
            .map(|(day, c)| {
                let c = Decimal::from(*c);
                Candle { date: d(*day), open: c, high: c, low: c, close: c, volume: Decimal::ONE }
            })
            .collect()
    }

    #[test]
    fn a_half_and_half_portfolio_rebalanced_once_follows_its_holdings_and_cash() {
        let bars: BTreeMap<String, Vec<Candle>> = [
            ("A".to_owned(), series(&[(1, 10), (4, 11), (5, 12), (6, 12)])),
            ("B".to_owned(), series(&[(1, 20), (4, 18), (5, 18), (6, 24)])),
        ]
        .into_iter()
        .collect();
        let rebalances = [
            Rebalance { on: d(1), weights: vec![("A".into(), 5_000), ("B".into(), 5_000)] },
            // On the 5th: all in B, at the value then (0.5*12/10 + 0.5*18/20 = 1.05).
            Rebalance { on: d(5), weights: vec![("B".into(), 10_000)] },
        ];
        let bench = [(d(1), Decimal::from(1000)), (d(6), Decimal::from(1010))];
        let p = perform(&rebalances, &bars, &bench).unwrap();
        let v: Vec<Decimal> = p.values.iter().map(|x| x.1).collect();
        // Day 4: 0.05*11 + 0.025*18 = 1.0; day 5: 1.05; day 6: 1.05 * 24/18 = 1.4.
        assert_eq!(v, [Decimal::ONE, Decimal::ONE, Decimal::new(105, 2), Decimal::new(14, 1)]);
        assert_eq!(
            (p.return_pct, p.benchmark_pct, p.excess_pct),
            (Decimal::from(40), Some(Decimal::ONE), Some(Decimal::from(39)))
        );
        assert_eq!(p.max_drawdown_pct, Decimal::ZERO);
        // Cash that is not invested keeps its value.
        let half_cash = [Rebalance { on: d(1), weights: vec![("B".into(), 5_000)] }];
        let p = perform(&half_cash, &bars, &[]).unwrap();
        assert_eq!(p.values[1].1, Decimal::new(95, 2), "0.5 cash + 0.025*18");
        assert_eq!(p.max_drawdown_pct, Decimal::from(5));
        assert_eq!(perform(&[], &bars, &[]), None);
    }
}
