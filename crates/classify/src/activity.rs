//! One customer's activity, event by event: trades (FIFO lots per account
//! and instrument, closed round trips), logins, and the windows the
//! features count over. Batch and incremental use this same state machine;
//! batch folds a stored history into it, the desk feeds it as events arrive.

use crate::{Amount, ClassifyError, Day};
use chrono::{Datelike, NaiveDate};
use domain::{AccountId, Side, TradeId};
use serde::Serialize;
use std::collections::VecDeque;

/// The short window (days) for logins and trades.
pub const SHORT_WINDOW: Day = 30;
/// The long window (days) for logins, trades and turnover.
pub const LONG_WINDOW: Day = 90;
/// A trade after this many days without one is a return.
pub const RETURN_GAP: Day = 90;

/// A filled trade as the features read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeEvent {
    /// The trade's id (for error messages).
    pub id: TradeId,
    /// The account it was made in (a customer may have several).
    pub account: AccountId,
    /// The instrument, as a number the caller assigns.
    pub instrument: u32,
    /// Buy or sell.
    pub side: Side,
    /// Shares, positive.
    pub quantity: i64,
    /// Price per share.
    pub price: Amount,
    /// Commission and taxes.
    pub fee: Amount,
    /// Trading day.
    pub day: Day,
    /// The instrument may be sold the day it is bought (ETFs, convertibles).
    pub t_plus_zero: bool,
}

/// A current position as the features read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    /// Market value now.
    pub value: Amount,
    /// What it cost (average cost times shares).
    pub cost: Amount,
}

/// What the customer told the brokerage, as the features read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// First day in the stock market.
    pub market_entry: NaiveDate,
    /// Opened their account here.
    pub opened: NaiveDate,
}

/// Shares bought on one day in one account, what they cost in all (fee
/// included), and how many have been sold. Shares `a..b` of a lot cost
/// `cost * b / bought - cost * a / bought` (rounded down each): a lot sold
/// whole costs exactly its cost, and any order of partial sales gives the
/// same parts (which a set-based computation, as in SQL, can reproduce).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lot {
    day: Day,
    bought: i64,
    sold: i64,
    cost: Amount,
}

impl Lot {
    /// What shares `from..to` of the lot cost.
    fn cost_of(&self, from: i64, to: i64) -> Amount {
        let at = |k: i64| (i128::from(self.cost) * i128::from(k) / i128::from(self.bought)) as Amount;
        at(to) - at(from)
    }
}

/// The open lots of one instrument in one account, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lots {
    account: AccountId,
    instrument: u32,
    open: VecDeque<Lot>,
}

/// One customer's activity so far: see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    lots: Vec<Lots>,
    /// Trades of the long window: day and amount (price times shares).
    recent_trades: VecDeque<(Day, Amount)>,
    /// Login days of the long window (any order).
    recent_logins: VecDeque<Day>,
    last_trade: Option<Day>,
    last_login: Option<Day>,
    /// The last trade that came after `RETURN_GAP` days without one.
    returned: Option<Day>,
    commission: Amount,
    realized: Amount,
    round_trips: u32,
    wins: u32,
    /// Shares matched to a sell, times the days they were held.
    share_days: i64,
    matched_shares: i64,
    /// Shares sold with no lot to match (bought before the history began or transferred in).
    untracked_shares: i64,
}

/// What the features say of a customer on a day. Whole numbers throughout
/// (basis points for ratios), so batch and incremental agree exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Features {
    /// Whole years since market entry.
    pub years_in_market: u32,
    /// Days since the account was opened here.
    pub days_since_opened: u32,
    /// Logins in the last 30 days (the day itself and the 29 before).
    pub logins_30d: u32,
    /// Logins in the last 90 days.
    pub logins_90d: u32,
    /// Trades in the last 30 days.
    pub trades_30d: u32,
    /// Trades in the last 90 days.
    pub trades_90d: u32,
    /// Days since the last trade (none: never traded).
    pub days_since_last_trade: Option<u32>,
    /// Days since the last login (none: never logged in).
    pub days_since_last_login: Option<u32>,
    /// Days since the customer came back after 90 days without a trade.
    pub days_since_return: Option<u32>,
    /// Amount traded in the last 90 days over assets, in basis points.
    pub turnover_90d_bp: i64,
    /// Profit of closed round trips (sells matched to earlier buys, fees included).
    pub realized_pnl: Amount,
    /// Closed round trips: sells that matched at least one earlier lot.
    pub round_trips: u32,
    /// Share of round trips that made money, in basis points (none without any).
    pub win_rate_bp: Option<u32>,
    /// Average days a sold share was held, weighted by shares (none without any).
    pub avg_holding_days: Option<u32>,
    /// Shares sold with no earlier buy in the history to match.
    pub untracked_shares_sold: i64,
    /// Positions held now.
    pub positions: u32,
    /// The largest position's share of the holdings' value, in basis points.
    pub largest_weight_bp: u32,
    /// Herfindahl index of the holdings' weights, in basis points (10,000: one position).
    pub hhi_bp: u32,
    /// Holdings' value minus their cost.
    pub unrealized_pnl: Amount,
    /// Holdings' value plus cash.
    pub assets: Amount,
    /// Cash over assets, in basis points.
    pub cash_share_bp: u32,
    /// Commission and taxes paid over the history.
    pub commission: Amount,
    /// The firm's revenue from the customer in the last three calendar
    /// months (commission by the fee schedule, subscriptions), as the
    /// analytics counts keep it: set by the caller, 0 when not known. What
    /// the customer is worth now beside their assets (seed 002's two
    /// customers with equal assets, one trading monthly and one daily).
    pub revenue_3m: Amount,
}

impl Activity {
    /// A customer with no activity yet.
    pub fn new() -> Activity {
        Activity::default()
    }

    /// A trade. Refused whole (nothing changes) when a field is out of
    /// range, it comes before the last trade, or it sells shares bought the
    /// same day of a T+1 instrument.
    pub fn on_trade(&mut self, t: &TradeEvent) -> Result<(), ClassifyError> {
        let invalid = |field, why: &str| ClassifyError::InvalidTrade { trade: t.id, field, why: why.to_string() };
        if t.quantity <= 0 {
            return Err(invalid("quantity", "must be positive"));
        }
        if t.price <= 0 {
            return Err(invalid("price", "must be positive"));
        }
        if t.fee < 0 {
            return Err(invalid("fee", "is negative"));
        }
        if let Some(latest) = self.last_trade.filter(|&l| t.day < l) {
            return Err(ClassifyError::OutOfOrder { trade: t.id, day: t.day, latest });
        }
        match t.side {
            Side::Buy => {
                let lot = Lot { day: t.day, bought: t.quantity, sold: 0, cost: t.price * t.quantity + t.fee };
                match self.lots.iter_mut().find(|l| l.account == t.account && l.instrument == t.instrument) {
                    Some(lots) => lots.open.push_back(lot),
                    None => self.lots.push(Lots {
                        account: t.account,
                        instrument: t.instrument,
                        open: VecDeque::from([lot]),
                    }),
                }
            }
            Side::Sell => self.sell(t)?,
        }
        if self.last_trade.is_some_and(|last| t.day - last >= RETURN_GAP) {
            self.returned = Some(t.day);
        }
        self.last_trade = Some(t.day);
        self.commission += t.fee;
        self.recent_trades.push_back((t.day, t.price * t.quantity));
        while self.recent_trades.front().is_some_and(|&(d, _)| t.day - d >= LONG_WINDOW) {
            self.recent_trades.pop_front();
        }
        Ok(())
    }

    /// A sell: matched first in, first out against lots it may sell.
    fn sell(&mut self, t: &TradeEvent) -> Result<(), ClassifyError> {
        let Some(k) = self.lots.iter().position(|l| l.account == t.account && l.instrument == t.instrument) else {
            self.untracked_shares += t.quantity;
            return Ok(());
        };
        let open = &mut self.lots[k].open;
        // Lots come in day order, so those it may sell are a prefix.
        let may_sell = |lot: &Lot| t.t_plus_zero || lot.day < t.day;
        let sellable: i64 = open.iter().take_while(|l| may_sell(l)).map(|l| l.bought - l.sold).sum();
        let today: i64 = open.iter().skip_while(|l| may_sell(l)).map(|l| l.bought - l.sold).sum();
        if t.quantity > sellable && today > 0 {
            return Err(ClassifyError::SameDaySale { trade: t.id, shares: (t.quantity - sellable).min(today) });
        }
        let (mut left, mut cost) = (t.quantity, 0 as Amount);
        while left > 0 {
            let Some(lot) = open.front_mut() else { break };
            let take = left.min(lot.bought - lot.sold);
            cost += lot.cost_of(lot.sold, lot.sold + take);
            self.share_days += take * i64::from(t.day - lot.day);
            self.matched_shares += take;
            lot.sold += take;
            left -= take;
            if lot.sold == lot.bought {
                open.pop_front();
            }
        }
        if open.is_empty() {
            self.lots.swap_remove(k);
        }
        let matched = t.quantity - left;
        self.untracked_shares += left;
        if matched > 0 {
            let fee = (i128::from(t.fee) * i128::from(matched) / i128::from(t.quantity)) as Amount;
            let profit = t.price * matched - fee - cost;
            self.realized += profit;
            self.round_trips += 1;
            self.wins += u32::from(profit > 0);
        }
        Ok(())
    }

    /// A login on `day` (logins may come in any order).
    pub fn on_login(&mut self, day: Day) {
        self.last_login = Some(self.last_login.map_or(day, |l| l.max(day)));
        self.recent_logins.push_back(day);
        let latest = self.last_login.unwrap_or(day);
        while self.recent_logins.front().is_some_and(|&d| latest - d >= LONG_WINDOW) {
            self.recent_logins.pop_front();
        }
    }

    /// The features on `as_of` (a day no earlier than the last event),
    /// with the customer's current holdings and cash.
    pub fn features(&self, as_of: NaiveDate, profile: &Profile, holdings: &[Holding], cash: Amount) -> Features {
        let today = day_of(as_of);
        let within = |d: Day, window: Day| (0..window).contains(&(today - d));
        let count =
            |days: &mut dyn Iterator<Item = Day>, window: Day| days.filter(|&d| within(d, window)).count() as u32;
        let since = |d: Option<Day>| d.map(|d| (today - d).max(0) as u32);
        let traded_90d: Amount = self.recent_trades.iter().filter(|&&(d, _)| within(d, LONG_WINDOW)).map(|t| t.1).sum();
        let held: Amount = holdings.iter().map(|h| h.value).sum();
        let assets = held + cash;
        let ratio = |part: i128, whole: i128| if whole > 0 { (part * 10_000 / whole) as i64 } else { 0 };
        let largest = holdings.iter().map(|h| h.value).max().unwrap_or(0);
        let squares: i128 = holdings.iter().map(|h| i128::from(h.value) * i128::from(h.value)).sum();
        Features {
            years_in_market: whole_years(profile.market_entry, as_of),
            days_since_opened: (as_of - profile.opened).num_days().max(0) as u32,
            logins_30d: count(&mut self.recent_logins.iter().copied(), SHORT_WINDOW),
            logins_90d: count(&mut self.recent_logins.iter().copied(), LONG_WINDOW),
            trades_30d: count(&mut self.recent_trades.iter().map(|t| t.0), SHORT_WINDOW),
            trades_90d: count(&mut self.recent_trades.iter().map(|t| t.0), LONG_WINDOW),
            days_since_last_trade: since(self.last_trade),
            days_since_last_login: since(self.last_login),
            days_since_return: since(self.returned),
            turnover_90d_bp: ratio(i128::from(traded_90d), i128::from(assets)),
            realized_pnl: self.realized,
            round_trips: self.round_trips,
            win_rate_bp: (self.round_trips > 0).then(|| self.wins * 10_000 / self.round_trips),
            avg_holding_days: (self.matched_shares > 0).then(|| (self.share_days / self.matched_shares) as u32),
            untracked_shares_sold: self.untracked_shares,
            positions: holdings.len() as u32,
            largest_weight_bp: ratio(i128::from(largest), i128::from(held)) as u32,
            hhi_bp: if held > 0 { (squares * 10_000 / (i128::from(held) * i128::from(held))) as u32 } else { 0 },
            unrealized_pnl: holdings.iter().map(|h| h.value - h.cost).sum(),
            assets,
            cash_share_bp: ratio(i128::from(cash.max(0)), i128::from(assets)).clamp(0, 10_000) as u32,
            commission: self.commission,
            revenue_3m: 0,
        }
    }
}

/// A date as a [`Day`].
pub fn day_of(date: NaiveDate) -> Day {
    date.num_days_from_ce()
}

/// Whole years from `from` to `to` (as an age is counted).
pub fn whole_years(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// A trade in account 1; prices and fees in CNY ten-thousandths.
    fn trade(id: i64, day: &str, instrument: u32, side: Side, quantity: i64, price: Amount, fee: Amount) -> TradeEvent {
        TradeEvent {
            id: TradeId(id),
            account: AccountId(1),
            instrument,
            side,
            quantity,
            price,
            fee,
            day: day_of(date(day)),
            t_plus_zero: false,
        }
    }

    fn profile() -> Profile {
        Profile { market_entry: date("2019-11-21"), opened: date("2026-11-01") }
    }

    #[test]
    fn a_history_worked_by_hand() {
        let mut a = Activity::new();
        let ok = |a: &mut Activity, t: TradeEvent| a.on_trade(&t).unwrap();
        // Two lots of instrument 7: 1,000 at 10.00 (+5.00 fee) and 500 at 12.00 (+5.00).
        ok(&mut a, trade(1, "2026-06-01", 7, Side::Buy, 1_000, 100_000, 50_000));
        ok(&mut a, trade(2, "2026-06-10", 7, Side::Buy, 500, 120_000, 50_000));
        // Sell 1,200 at 11.00 (fee 8.00): the first lot whole (10,005.00, 30 days) and 200 of
        // the second (6,005.00 x 200/500 = 2,402.00, 21 days). 13,192.00 - 12,407.00 = +785.00.
        ok(&mut a, trade(3, "2026-07-01", 7, Side::Sell, 1_200, 110_000, 80_000));
        // The last 300 sold at 11.50 in two partial fills, 2.00 fee each:
        // 100: 1,148.00 - 1,201.00 = -53.00; 200: 2,298.00 - 2,402.00 = -104.00.
        ok(&mut a, trade(4, "2026-07-02", 7, Side::Sell, 100, 115_000, 20_000));
        ok(&mut a, trade(5, "2026-07-02", 7, Side::Sell, 200, 115_000, 20_000));
        // T+1: bought today, not sellable today; refused, and nothing changes.
        ok(&mut a, trade(6, "2026-11-18", 7, Side::Buy, 100, 100_000, 50_000));
        let before = a.clone();
        let err = a.on_trade(&trade(7, "2026-11-18", 7, Side::Sell, 100, 101_000, 50_000)).unwrap_err();
        assert_eq!(err, ClassifyError::SameDaySale { trade: TradeId(7), shares: 100 });
        assert_eq!(a, before);
        // The next day it may: 1,045.00 - 1,005.00 = +40.00, held one day.
        ok(&mut a, trade(8, "2026-11-19", 7, Side::Sell, 100, 105_000, 50_000));
        // 300 of instrument 9 sold with no buy in the history: no round trip.
        ok(&mut a, trade(9, "2026-11-19", 9, Side::Sell, 300, 20_000, 30_000));
        // A trade dated before the last is refused.
        let late = a.on_trade(&trade(10, "2026-11-17", 9, Side::Buy, 100, 20_000, 0)).unwrap_err();
        assert!(matches!(late, ClassifyError::OutOfOrder { trade: TradeId(10), .. }), "{late}");
        // Logins: 0, 19, 29, 30, 89 and 90 days before 2026-11-20.
        for d in ["2026-11-20", "2026-11-01", "2026-10-22", "2026-10-21", "2026-08-23", "2026-08-22"] {
            a.on_login(day_of(date(d)));
        }
        // Holdings now: 6,000.00 (cost 5,000.00) and 2,000.00 (cost 2,500.00); cash 2,000.00.
        let holdings =
            [Holding { value: 60_000_000, cost: 50_000_000 }, Holding { value: 20_000_000, cost: 25_000_000 }];
        let f = a.features(date("2026-11-20"), &profile(), &holdings, 20_000_000);
        assert_eq!(
            f,
            Features {
                years_in_market: 6, // one day short of seven
                days_since_opened: 19,
                logins_30d: 3,
                logins_90d: 5,
                trades_30d: 3,
                trades_90d: 3,
                days_since_last_trade: Some(1),
                days_since_last_login: Some(0),
                days_since_return: Some(2), // 2026-11-18, 139 days after 2026-07-02
                // (1,000.00 + 1,050.00 + 600.00) / 10,000.00
                turnover_90d_bp: 2_650,
                realized_pnl: 7_850_000 - 530_000 - 1_040_000 + 400_000,
                round_trips: 4,
                win_rate_bp: Some(5_000),
                // (1,000 x 30 + 200 x 21 + 100 x 22 + 200 x 22 + 100 x 1) / 1,600 = 25.56
                avg_holding_days: Some(25),
                untracked_shares_sold: 300,
                positions: 2,
                largest_weight_bp: 7_500,
                hhi_bp: 6_250, // 0.75^2 + 0.25^2
                unrealized_pnl: 5_000_000,
                assets: 100_000_000,
                cash_share_bp: 2_000,
                commission: 50_000 + 50_000 + 80_000 + 20_000 + 20_000 + 50_000 + 50_000 + 30_000,
                revenue_3m: 0,
            }
        );
    }

    #[test]
    fn a_lot_sold_in_parts_costs_exactly_its_cost() {
        let lot = Lot { day: 0, bought: 3, sold: 0, cost: 10 };
        assert_eq!([lot.cost_of(0, 1), lot.cost_of(1, 2), lot.cost_of(2, 3)], [3, 3, 4]);
        assert_eq!(lot.cost_of(0, 2) + lot.cost_of(2, 3), 10);
    }

    #[test]
    fn t_plus_zero_instruments_sell_the_same_day() {
        let mut a = Activity::new();
        let mut t = trade(1, "2026-11-20", 3, Side::Buy, 1_000, 10_000, 0);
        t.t_plus_zero = true;
        a.on_trade(&t).unwrap();
        a.on_trade(&TradeEvent { id: TradeId(2), side: Side::Sell, price: 10_100, ..t }).unwrap();
        let f = a.features(date("2026-11-20"), &profile(), &[], 0);
        assert_eq!((f.round_trips, f.realized_pnl, f.avg_holding_days), (1, 100_000, Some(0)));
    }

    #[test]
    fn a_customer_with_no_trades() {
        let f = Activity::new().features(date("2026-11-20"), &profile(), &[], 5_000_000);
        assert_eq!((f.trades_30d, f.trades_90d, f.days_since_last_trade, f.days_since_last_login), (0, 0, None, None));
        assert_eq!((f.round_trips, f.win_rate_bp, f.avg_holding_days, f.realized_pnl), (0, None, None, 0));
        assert_eq!((f.positions, f.largest_weight_bp, f.hhi_bp, f.turnover_90d_bp), (0, 0, 0, 0));
        assert_eq!((f.assets, f.cash_share_bp, f.commission), (5_000_000, 10_000, 0));
    }

    #[test]
    fn bad_trades_are_refused_with_their_field() {
        let mut a = Activity::new();
        for (t, field) in [
            (trade(1, "2026-11-20", 1, Side::Buy, 0, 10_000, 0), "quantity"),
            (trade(2, "2026-11-20", 1, Side::Buy, 100, 0, 0), "price"),
            (trade(3, "2026-11-20", 1, Side::Buy, 100, 10_000, -1), "fee"),
        ] {
            let err = a.on_trade(&t).unwrap_err();
            assert!(matches!(err, ClassifyError::InvalidTrade { field: f, .. } if f == field), "{err}");
        }
        assert_eq!(a, Activity::new());
    }

    #[test]
    fn whole_years_count_like_an_age() {
        assert_eq!(whole_years(date("2000-02-29"), date("2026-02-28")), 25);
        assert_eq!(whole_years(date("2000-02-29"), date("2026-03-01")), 26);
        assert_eq!(whole_years(date("2026-12-01"), date("2026-11-20")), 0);
    }
}
