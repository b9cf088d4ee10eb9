//! The trading permissions the exchanges require of an individual before
//! they trade on a board (适当性 for the board): for the STAR Market and the
//! Beijing Stock Exchange, average daily assets of at least 500,000 CNY
//! over the previous 20 trading days and 24 months' trading experience;
//! for ChiNext, 100,000 CNY and 24 months. Checked from the book: the
//! daily assets are rebuilt from today's holdings and cash by undoing the
//! trades and cash flows since each day ([`daily_assets`]).

use chrono::NaiveDate;
use domain::RestrictedBoard;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Trading days whose assets are averaged.
pub const DAYS: usize = 20;
/// Months of trading experience every board asks.
pub const EXPERIENCE_MONTHS: u32 = 24;

/// The average daily assets a board asks, CNY.
pub fn assets_needed(board: RestrictedBoard) -> Decimal {
    match board {
        RestrictedBoard::Star | RestrictedBoard::Bse => Decimal::from(500_000),
        RestrictedBoard::ChiNext => Decimal::from(100_000),
    }
}

/// The check's outcome and its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionCheck {
    /// The board.
    pub board: RestrictedBoard,
    /// Both conditions met.
    pub granted: bool,
    /// The average of the daily assets, CNY (2 decimals).
    pub average_assets: Decimal,
    /// What the board asks.
    pub assets_needed: Decimal,
    /// Months since the first trade.
    pub experience_months: u32,
    /// Each day's assets, oldest first: the evidence.
    pub days: Vec<(NaiveDate, Decimal)>,
}

/// Checks a board's permission from the previous trading days' assets
/// (fewer than 20 days in the book: the missing days count as nothing).
pub fn check(board: RestrictedBoard, days: Vec<(NaiveDate, Decimal)>, experience_months: u32) -> PermissionCheck {
    let total: Decimal = days.iter().map(|(_, a)| *a).sum();
    let average_assets = (total / Decimal::from(DAYS)).round_dp(2);
    let needed = assets_needed(board);
    PermissionCheck {
        board,
        granted: average_assets >= needed && experience_months >= EXPERIENCE_MONTHS,
        average_assets,
        assets_needed: needed,
        experience_months,
        days,
    }
}

/// A change to holdings or cash after some day's close: a trade (quantity
/// signed, + for a buy) and the cash it moved (signed), or a cash flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// The trading day it happened on.
    pub day: NaiveDate,
    /// The instrument bought or sold, if a trade.
    pub instrument: Option<String>,
    /// Shares added (negative: removed).
    pub quantity: i64,
    /// Cash added (negative: paid out).
    pub cash: Decimal,
}

/// Each day's closing assets, oldest first: today's holdings and cash, less
/// every movement after that day, priced at that day's close (a day without
/// a close for a holding carries its last known close forward, starting
/// from `closes_before`, each instrument's close before the first day).
pub fn daily_assets(
    holdings: &HashMap<String, i64>,
    cash: Decimal,
    movements: &[Movement],
    days: &[NaiveDate],
    closes: &HashMap<(String, NaiveDate), Decimal>,
    closes_before: &HashMap<String, Decimal>,
) -> Vec<(NaiveDate, Decimal)> {
    let mut out = Vec::with_capacity(days.len());
    let mut last_close: HashMap<String, Decimal> = closes_before.clone();
    let mut ordered: Vec<NaiveDate> = days.to_vec();
    ordered.sort();
    for day in ordered {
        let mut held = holdings.clone();
        let mut cash_then = cash;
        for m in movements.iter().filter(|m| m.day > day) {
            if let Some(code) = &m.instrument {
                *held.entry(code.clone()).or_insert(0) -= m.quantity;
            }
            cash_then -= m.cash;
        }
        let mut assets = cash_then;
        for (code, qty) in &held {
            if let Some(close) = closes.get(&(code.clone(), day)) {
                last_close.insert(code.clone(), *close);
            }
            if let Some(close) = last_close.get(code.as_str()) {
                assets += *close * Decimal::from(*qty);
            }
        }
        out.push((day, assets.round_dp(2)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    #[test]
    fn the_boards_ask_their_own_assets_and_two_years() {
        let days = |v: i64| (1..=20).map(|i| (d(i), Decimal::from(v))).collect::<Vec<_>>();
        assert!(check(RestrictedBoard::ChiNext, days(100_000), 24).granted);
        assert!(!check(RestrictedBoard::ChiNext, days(99_999), 24).granted);
        assert!(!check(RestrictedBoard::ChiNext, days(1_000_000), 23).granted, "experience too short");
        assert!(!check(RestrictedBoard::Star, days(499_999), 60).granted);
        assert!(check(RestrictedBoard::Bse, days(500_000), 60).granted);
        // Ten days in the book: the other ten count as nothing.
        let half: Vec<_> = (1..=10).map(|i| (d(i), Decimal::from(150_000))).collect();
        let c = check(RestrictedBoard::ChiNext, half, 30);
        assert_eq!((c.granted, c.average_assets), (false, Decimal::from(75_000)));
    }

    #[test]
    fn daily_assets_undo_later_trades_and_flows() {
        // Today: 1,000 shares and 10,000 cash. On day 3 the customer bought
        // 1,000 shares for 20,000; on day 4 deposited 5,000.
        let holdings = HashMap::from([("600519.SH".to_owned(), 1_000)]);
        let movements = vec![
            Movement { day: d(3), instrument: Some("600519.SH".into()), quantity: 1_000, cash: Decimal::from(-20_000) },
            Movement { day: d(4), instrument: None, quantity: 0, cash: Decimal::from(5_000) },
        ];
        let closes = HashMap::from([
            (("600519.SH".to_owned(), d(2)), Decimal::from(19)),
            (("600519.SH".to_owned(), d(3)), Decimal::from(20)),
            (("600519.SH".to_owned(), d(5)), Decimal::from(22)),
        ]);
        let before = HashMap::from([("600519.SH".to_owned(), Decimal::from(18))]);
        let got =
            daily_assets(&holdings, Decimal::from(10_000), &movements, &[d(5), d(2), d(3), d(4)], &closes, &before);
        assert_eq!(
            got,
            vec![
                (d(2), Decimal::from(25_000)),          // before the buy and the deposit: cash only
                (d(3), Decimal::from(5_000 + 20_000)),  // bought: 5,000 cash + 1,000 x 20
                (d(4), Decimal::from(10_000 + 20_000)), // no close on day 4: day 3's carried
                (d(5), Decimal::from(10_000 + 22_000)),
            ]
        );
        // Holding since before the window, with no close on its first day: the close before it counts.
        let got = daily_assets(&holdings, Decimal::ZERO, &[], &[d(1)], &closes, &before);
        assert_eq!(got, vec![(d(1), Decimal::from(18_000))]);
    }
}
