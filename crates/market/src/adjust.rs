//! Forward-adjusted prices (前复权): old bars scaled by their adjustment
//! factor over the latest one, so that a dividend or split does not show as a
//! price jump and the latest bar keeps its traded prices.

use crate::indicators::Ohlcv;
use domain::{DailyBar, Money};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The bars, forward-adjusted by their `adj_factor`: prices x factor / latest
/// factor (rounded to 0.0001), volume x latest factor / factor. A bar without
/// a factor takes the one before it; bars before any factor, and a series
/// with none, are left as they are.
pub fn forward_adjusted(bars: &[DailyBar]) -> Vec<DailyBar> {
    let Some(latest) = bars.iter().rev().find_map(|b| b.adj_factor) else { return bars.to_vec() };
    let mut factor: Option<Decimal> = None;
    bars.iter()
        .map(|b| {
            factor = b.adj_factor.or(factor);
            let Some(f) = factor else { return b.clone() };
            let ratio = f / latest;
            let price = |p: Money| (p * ratio).round_dp(4);
            DailyBar {
                open: price(b.open),
                high: price(b.high),
                low: price(b.low),
                close: price(b.close),
                volume: (b.volume / ratio).round_dp(4),
                prev_close: b.prev_close.map(price),
                ..b.clone()
            }
        })
        .collect()
}

/// A stored bar as indicators take it.
pub fn ohlcv(bar: &DailyBar) -> Ohlcv {
    let f = |m: Money| m.to_f64().unwrap_or(f64::NAN);
    Ohlcv { open: f(bar.open), high: f(bar.high), low: f(bar.low), close: f(bar.close), volume: f(bar.volume) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn bar(day: u32, close: &str, factor: Option<&str>) -> DailyBar {
        let c = Money::from_str(close).unwrap();
        DailyBar {
            instrument: domain::InstrumentCode::parse("600000.SH").unwrap(),
            date: chrono::NaiveDate::from_ymd_opt(2024, 6, day).unwrap(),
            open: c,
            high: c,
            low: c,
            close: c,
            volume: Money::from(1000),
            amount: None,
            prev_close: None,
            adj_factor: factor.map(|f| Decimal::from_str(f).unwrap()),
        }
    }

    #[test]
    fn a_ten_for_ten_bonus_share_issue_no_longer_shows_as_a_halving() {
        // Day 3 goes ex-rights 10-for-10: the price halves and the factor doubles.
        let bars = vec![bar(3, "20.00", Some("1")), bar(4, "20.40", Some("1")), bar(5, "10.30", Some("2"))];
        let adjusted = forward_adjusted(&bars);
        let closes: Vec<String> = adjusted.iter().map(|b| b.close.normalize().to_string()).collect();
        assert_eq!(closes, ["10", "10.2", "10.3"]);
        assert_eq!(adjusted[0].volume, Money::from(2000), "old volume in today's shares");
        assert_eq!(adjusted[2], bars[2], "the latest bar keeps its traded prices");
        // No factors: unchanged.
        let plain = vec![bar(3, "20.00", None), bar(4, "20.40", None)];
        assert_eq!(forward_adjusted(&plain), plain);
    }
}
