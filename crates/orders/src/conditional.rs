//! Conditional orders (条件单): a price trigger, a rebound buy after a fall,
//! take-profit and stop-loss on a position, a trailing stop, a grid. They
//! wait in an index by trigger price, per instrument, so that a quote costs
//! in proportion to the orders it triggers (or whose tracked low or high it
//! moves), not to all the orders waiting. The caller fires them only in
//! continuous trading and turns each into a ticket that goes through every
//! pre-trade check.

use crate::Fixed;
use chrono::NaiveDate;
use domain::Side;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

/// What kind of conditional order, as the customer chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// Buy or sell when the price rises or falls through a price.
    PriceTrigger,
    /// Buy when the price rebounds a share off its low.
    ReboundBuy,
    /// Sell a position when the price rises to a target.
    TakeProfit,
    /// Sell a position when the price falls to a stop.
    StopLoss,
    /// Sell when the price falls a share off its high since placed.
    TrailingStop,
    /// Buy every step down, sell every step up, within a range.
    Grid,
}

impl ConditionKind {
    /// Every kind.
    pub const ALL: [ConditionKind; 6] = [
        ConditionKind::PriceTrigger,
        ConditionKind::ReboundBuy,
        ConditionKind::TakeProfit,
        ConditionKind::StopLoss,
        ConditionKind::TrailingStop,
        ConditionKind::Grid,
    ];

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionKind::PriceTrigger => "price_trigger",
            ConditionKind::ReboundBuy => "rebound_buy",
            ConditionKind::TakeProfit => "take_profit",
            ConditionKind::StopLoss => "stop_loss",
            ConditionKind::TrailingStop => "trailing_stop",
            ConditionKind::Grid => "grid",
        }
    }
}

impl FromStr for ConditionKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ConditionKind::ALL.into_iter().find(|k| k.as_str() == s.trim()).ok_or_else(|| {
            let all: Vec<&str> = ConditionKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("'{}' is not one of {}", s.trim(), all.join(", "))
        })
    }
}

/// When a conditional order fires, with the state it tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "when")]
pub enum Condition {
    /// The price rises to `price` or above.
    RisesTo {
        /// Trigger price.
        price: Fixed,
    },
    /// The price falls to `price` or below.
    FallsTo {
        /// Trigger price.
        price: Fixed,
    },
    /// Once the price has fallen to `fall_to`, the price is `bp` basis points
    /// above its low since placed (`low` tracks it).
    ReboundFromLow {
        /// Rebound, basis points.
        bp: i64,
        /// The low so far.
        low: Fixed,
        /// The price the low must reach first (a fall of X% from the price when placed).
        fall_to: Fixed,
    },
    /// The price is `bp` basis points below its high since placed (`high` tracks it).
    TrailFromHigh {
        /// Trail, basis points.
        bp: i64,
        /// The high so far.
        high: Fixed,
    },
    /// A buy each `bp` below `base`, a sell each `bp` above, within [floor, ceiling];
    /// each fill moves `base` to the price it fired at.
    Grid {
        /// Step, basis points.
        bp: i64,
        /// The price the next steps are measured from.
        base: Fixed,
        /// No buys below.
        floor: Fixed,
        /// No sells above.
        ceiling: Fixed,
    },
}

/// `price x (10,000 + bp) / 10,000`, rounded up (a rise) or down (a fall).
fn moved(price: Fixed, bp: i64) -> Fixed {
    let p = i128::from(price) * i128::from(10_000 + bp);
    let q = if bp >= 0 { (p + 9_999) / 10_000 } else { p / 10_000 };
    q as Fixed
}

impl Condition {
    /// The price at or above which it fires, if any.
    fn up(&self) -> Option<Fixed> {
        match *self {
            Condition::RisesTo { price } => Some(price),
            Condition::ReboundFromLow { bp, low, fall_to } => (low <= fall_to).then(|| moved(low, bp)),
            Condition::Grid { bp, base, ceiling, .. } => Some(moved(base, bp)).filter(|p| *p <= ceiling),
            _ => None,
        }
    }

    /// The price at or below which it fires, if any.
    fn down(&self) -> Option<Fixed> {
        match *self {
            Condition::FallsTo { price } => Some(price),
            Condition::TrailFromHigh { bp, high } => Some(moved(high, -bp)),
            Condition::Grid { bp, base, floor, .. } => Some(moved(base, -bp)).filter(|p| *p >= floor),
            _ => None,
        }
    }

    /// True when a quote at `last` fires it (the plain test a scan makes).
    pub fn fires_at(&self, last: Fixed) -> bool {
        self.up().is_some_and(|p| last >= p) || self.down().is_some_and(|p| last <= p)
    }

    /// Checks the numbers: positive prices, steps of 1 to 5,000 basis points, a grid's base in its range.
    pub fn validate(&self) -> Result<(), String> {
        let step = |bp: i64| (1..=5_000).contains(&bp);
        match *self {
            Condition::RisesTo { price } | Condition::FallsTo { price } if price <= 0 => {
                Err("the trigger price must be positive".into())
            }
            Condition::ReboundFromLow { bp, fall_to: low, .. } | Condition::TrailFromHigh { bp, high: low }
                if !step(bp) || low <= 0 =>
            {
                Err("a step of 1 to 5000 basis points from a positive price".into())
            }
            Condition::Grid { bp, base, floor, ceiling }
                if !step(bp) || floor <= 0 || floor > base || base > ceiling =>
            {
                Err("a grid's step of 1 to 5000 basis points, and 0 < floor <= base <= ceiling".into())
            }
            _ => Ok(()),
        }
    }
}

/// A conditional order waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionalOrder {
    /// Its id.
    pub id: i64,
    /// Account.
    pub account: i64,
    /// The instrument's index in the book (the caller's numbering).
    pub instrument: u32,
    /// Kind.
    pub kind: ConditionKind,
    /// Buy or sell (a grid's side is the step's).
    pub side: Side,
    /// Shares per firing.
    pub quantity: i64,
    /// The last day it may fire.
    pub valid_until: NaiveDate,
    /// When it fires.
    pub condition: Condition,
}

/// A conditional order a quote fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fired {
    /// The order.
    pub id: i64,
    /// Account.
    pub account: i64,
    /// The instrument's index.
    pub instrument: u32,
    /// Kind.
    pub kind: ConditionKind,
    /// The ticket's side.
    pub side: Side,
    /// The ticket's quantity.
    pub quantity: i64,
    /// The quote that fired it.
    pub price: Fixed,
    /// True when it waits no more (all but a grid).
    pub done: bool,
    /// Its condition after firing (a grid's new base).
    pub condition: Condition,
}

/// What one quote did to the book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteOutcome {
    /// Orders fired.
    pub fired: Vec<Fired>,
    /// Orders found past their last day, now gone.
    pub expired: Vec<i64>,
    /// Orders whose tracked low or high moved (to store).
    pub tracked: Vec<(i64, Condition)>,
}

/// One instrument's waiting orders, by the prices that matter.
#[derive(Debug, Default, Clone)]
struct Levels {
    /// Fires when the price is at or above.
    up: BTreeSet<(Fixed, i64)>,
    /// Fires when the price is at or below.
    down: BTreeSet<(Fixed, i64)>,
    /// Rebound buys by their low: a lower price moves them.
    lows: BTreeSet<(Fixed, i64)>,
    /// Trailing stops by their high: a higher price moves them.
    highs: BTreeSet<(Fixed, i64)>,
}

/// Every waiting conditional order, indexed by trigger price per instrument.
#[derive(Debug, Default, Clone)]
pub struct TriggerBook {
    levels: Vec<Levels>,
    orders: HashMap<i64, ConditionalOrder>,
}

impl TriggerBook {
    /// An empty book.
    pub fn new() -> TriggerBook {
        TriggerBook::default()
    }

    /// Orders waiting.
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    /// True when none waits.
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// A waiting order.
    pub fn get(&self, id: i64) -> Option<&ConditionalOrder> {
        self.orders.get(&id)
    }

    fn index(&mut self, o: &ConditionalOrder) {
        let ix = o.instrument as usize;
        if self.levels.len() <= ix {
            self.levels.resize_with(ix + 1, Levels::default);
        }
        let l = &mut self.levels[ix];
        if let Some(p) = o.condition.up() {
            l.up.insert((p, o.id));
        }
        if let Some(p) = o.condition.down() {
            l.down.insert((p, o.id));
        }
        match o.condition {
            Condition::ReboundFromLow { low, .. } => {
                l.lows.insert((low, o.id));
            }
            Condition::TrailFromHigh { high, .. } => {
                l.highs.insert((high, o.id));
            }
            _ => {}
        }
    }

    fn unindex(&mut self, o: &ConditionalOrder) {
        let l = &mut self.levels[o.instrument as usize];
        if let Some(p) = o.condition.up() {
            l.up.remove(&(p, o.id));
        }
        if let Some(p) = o.condition.down() {
            l.down.remove(&(p, o.id));
        }
        match o.condition {
            Condition::ReboundFromLow { low, .. } => {
                l.lows.remove(&(low, o.id));
            }
            Condition::TrailFromHigh { high, .. } => {
                l.highs.remove(&(high, o.id));
            }
            _ => {}
        }
    }

    /// Adds (or replaces) an order.
    pub fn insert(&mut self, order: ConditionalOrder) {
        self.remove(order.id);
        self.index(&order);
        self.orders.insert(order.id, order);
    }

    /// Takes an order out (cancelled, or done elsewhere).
    pub fn remove(&mut self, id: i64) -> Option<ConditionalOrder> {
        let o = self.orders.remove(&id)?;
        self.unindex(&o);
        Some(o)
    }

    /// A quote of instrument `ix` at `last` on `day`, in continuous trading:
    /// moves the lows and highs it passes, fires the orders it reaches
    /// (those past their day expire instead).
    pub fn on_quote(&mut self, ix: u32, last: Fixed, day: NaiveDate) -> QuoteOutcome {
        let mut out = QuoteOutcome::default();
        let Some(l) = self.levels.get(ix as usize) else { return out };
        let lower: Vec<i64> = l.lows.range((last + 1, i64::MIN)..).map(|e| e.1).collect();
        let higher: Vec<i64> = l.highs.range(..(last, i64::MIN)).map(|e| e.1).collect();
        for id in lower.into_iter().chain(higher) {
            if let Some(mut o) = self.orders.remove(&id) {
                self.unindex(&o);
                match &mut o.condition {
                    Condition::ReboundFromLow { low, .. } => *low = last,
                    Condition::TrailFromHigh { high, .. } => *high = last,
                    _ => {}
                }
                out.tracked.push((id, o.condition));
                self.index(&o);
                self.orders.insert(id, o);
            }
        }
        let l = &self.levels[ix as usize];
        let ups = l.up.range(..=(last, i64::MAX)).map(|e| (e.1, Side::Sell));
        let downs = l.down.range((last, i64::MIN)..).map(|e| (e.1, Side::Buy));
        let reached: Vec<(i64, Side)> = ups.chain(downs).collect();
        for (id, grid_side) in reached {
            let Some(mut o) = self.orders.remove(&id) else { continue };
            self.unindex(&o);
            if o.valid_until < day {
                out.expired.push(id);
                continue;
            }
            let (side, done) = match &mut o.condition {
                Condition::Grid { base, .. } => {
                    *base = last;
                    (grid_side, false)
                }
                _ => (o.side, true),
            };
            out.fired.push(Fired {
                id,
                account: o.account,
                instrument: ix,
                kind: o.kind,
                side,
                quantity: o.quantity,
                price: last,
                done,
                condition: o.condition,
            });
            if !done {
                self.index(&o);
                self.orders.insert(id, o);
            }
        }
        out
    }

    /// The same quote judged by a plain scan of every waiting order (the
    /// benchmark's peer): how many it would fire.
    pub fn scan(&self, ix: u32, last: Fixed) -> usize {
        self.orders.values().filter(|o| o.instrument == ix && o.condition.fires_at(last)).count()
    }

    /// Takes out every order past its last day; their ids.
    pub fn expire(&mut self, day: NaiveDate) -> Vec<i64> {
        let gone: Vec<i64> = self.orders.values().filter(|o| o.valid_until < day).map(|o| o.id).collect();
        for id in &gone {
            self.remove(*id);
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::YUAN;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, d).unwrap()
    }

    fn order(id: i64, kind: ConditionKind, side: Side, condition: Condition) -> ConditionalOrder {
        ConditionalOrder { id, account: 1, instrument: 0, kind, side, quantity: 100, valid_until: day(31), condition }
    }

    fn fired(book: &mut TriggerBook, last: Fixed) -> Vec<(i64, Side)> {
        book.on_quote(0, last, day(3)).fired.iter().map(|f| (f.id, f.side)).collect()
    }

    #[test]
    fn each_kind_fires_where_it_should() {
        let mut book = TriggerBook::new();
        book.insert(order(1, ConditionKind::PriceTrigger, Side::Buy, Condition::FallsTo { price: 9 * YUAN }));
        book.insert(order(2, ConditionKind::TakeProfit, Side::Sell, Condition::RisesTo { price: 12 * YUAN }));
        // Rebound 5% off the low once it has fallen 10% from 10.00.
        let rebound = Condition::ReboundFromLow { bp: 500, low: 10 * YUAN, fall_to: 9 * YUAN };
        book.insert(order(3, ConditionKind::ReboundBuy, Side::Buy, rebound));
        // Trailing 10% off the high, placed at 10.00.
        book.insert(order(
            4,
            ConditionKind::TrailingStop,
            Side::Sell,
            Condition::TrailFromHigh { bp: 1_000, high: 10 * YUAN },
        ));
        assert_eq!(fired(&mut book, 10 * YUAN), vec![]);
        // Up to 11.50: the trailing stop's high is 11.50, its stop 10.35.
        assert_eq!(fired(&mut book, 115_000), vec![]);
        // Down to 10.35: the trailing stop sells; the rebound has not fallen 10% yet.
        assert_eq!(fired(&mut book, 103_500), vec![(4, Side::Sell)]);
        // Down to 8.80: the price trigger buys; the rebound's low is now 8.80, its trigger 9.24.
        assert_eq!(fired(&mut book, 88_000), vec![(1, Side::Buy)]);
        assert_eq!(fired(&mut book, 92_300), vec![]);
        assert_eq!(fired(&mut book, 92_400), vec![(3, Side::Buy)]);
        assert_eq!(fired(&mut book, 12 * YUAN), vec![(2, Side::Sell)]);
        assert!(book.is_empty(), "each fired once and is gone");
    }

    #[test]
    fn a_grid_buys_down_sells_up_and_stays_in_its_range() {
        let mut book = TriggerBook::new();
        let grid = Condition::Grid { bp: 500, base: 10 * YUAN, floor: 9 * YUAN, ceiling: 11 * YUAN };
        book.insert(order(1, ConditionKind::Grid, Side::Buy, grid));
        assert_eq!(fired(&mut book, 95_000), vec![(1, Side::Buy)]); // 5% below 10.00
        assert_eq!(fired(&mut book, 99_000), vec![]); // 9.975 up is the next sell
        assert_eq!(fired(&mut book, 99_750), vec![(1, Side::Sell)]);
        // From 9.975 a buy at 9.47625 -> 9.4762 (rounded down) and sell at 10.473750 -> 10.4738.
        assert_eq!(fired(&mut book, 94_762), vec![(1, Side::Buy)]);
        // From 9.4762: the next buy at 9.00239 -> 9.0023 >= 9: fires; from there 8.55 < floor: no more buys.
        assert_eq!(fired(&mut book, 90_024), vec![]);
        assert_eq!(fired(&mut book, 90_023), vec![(1, Side::Buy)]);
        assert_eq!(fired(&mut book, 80_000), vec![]);
        assert_eq!(book.len(), 1, "a grid waits on");
    }

    #[test]
    fn expired_orders_do_not_fire_and_the_scan_agrees() {
        let mut book = TriggerBook::new();
        let mut late = order(1, ConditionKind::StopLoss, Side::Sell, Condition::FallsTo { price: 9 * YUAN });
        late.valid_until = day(2);
        book.insert(late);
        book.insert(order(2, ConditionKind::StopLoss, Side::Sell, Condition::FallsTo { price: 9 * YUAN }));
        assert_eq!(book.scan(0, 85_000), 2);
        let out = book.on_quote(0, 85_000, day(3));
        assert_eq!((out.fired.len(), out.expired), (1, vec![1]));
    }
}
