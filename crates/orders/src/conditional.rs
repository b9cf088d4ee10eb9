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
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
}

/// Trailing stops grouped by the high they track. Every stop of an
/// instrument placed at or below a price shares that price's high once the
/// price has passed it, so a new high merges groups (each stop moves between
/// groups rarely: the smaller group moves into the larger) instead of
/// touching every stop. Each group is in the index once, at the trigger of
/// its tightest stop.
#[derive(Debug, Default, Clone)]
struct Trails {
    by_high: BTreeMap<Fixed, usize>,
    /// (the trigger of the group's smallest trail, group).
    triggers: BTreeSet<(Fixed, usize)>,
    groups: Vec<TrailGroup>,
    free: Vec<usize>,
}

#[derive(Debug, Default, Clone)]
struct TrailGroup {
    high: Fixed,
    /// (trail in basis points, order id).
    members: BTreeSet<(i64, i64)>,
}

impl TrailGroup {
    fn trigger(&self) -> Option<Fixed> {
        self.members.first().map(|(bp, _)| moved(self.high, -bp))
    }
}

impl Trails {
    fn slot_for(&mut self, high: Fixed) -> usize {
        if let Some(&g) = self.by_high.get(&high) {
            return g;
        }
        let g = self.free.pop().unwrap_or_else(|| {
            self.groups.push(TrailGroup::default());
            self.groups.len() - 1
        });
        self.groups[g] = TrailGroup { high, members: BTreeSet::new() };
        self.by_high.insert(high, g);
        g
    }

    fn unlist(&mut self, g: usize) {
        if let Some(t) = self.groups[g].trigger() {
            self.triggers.remove(&(t, g));
        }
    }

    fn list(&mut self, g: usize) {
        match self.groups[g].trigger() {
            Some(t) => {
                self.triggers.insert((t, g));
            }
            None => {
                self.by_high.remove(&self.groups[g].high);
                self.free.push(g);
            }
        }
    }

    fn add(&mut self, id: i64, bp: i64, high: Fixed, slots: &mut HashMap<i64, usize>) {
        let g = self.slot_for(high);
        self.unlist(g);
        self.groups[g].members.insert((bp, id));
        self.list(g);
        slots.insert(id, g);
    }

    fn remove(&mut self, id: i64, bp: i64, slots: &mut HashMap<i64, usize>) {
        let Some(g) = slots.remove(&id) else { return };
        self.unlist(g);
        self.groups[g].members.remove(&(bp, id));
        self.list(g);
    }

    /// A price above some groups' highs: they become one group at `last`.
    fn raise(&mut self, last: Fixed, slots: &mut HashMap<i64, usize>) {
        let mut merging: Vec<usize> = self.by_high.range(..last).map(|(_, g)| *g).collect();
        if merging.is_empty() {
            return;
        }
        merging.extend(self.by_high.get(&last).copied());
        merging.sort_by_key(|g| std::cmp::Reverse(self.groups[*g].members.len()));
        let into = merging[0];
        for &g in &merging {
            self.unlist(g);
            self.by_high.remove(&self.groups[g].high);
        }
        for &g in &merging[1..] {
            let members = std::mem::take(&mut self.groups[g].members);
            for m in &members {
                slots.insert(m.1, into);
            }
            self.groups[into].members.extend(members);
            self.free.push(g);
        }
        self.groups[into].high = last;
        self.by_high.insert(last, into);
        self.list(into);
    }

    /// Takes out the stops a price at `last` reaches: (id, the high it trailed).
    fn fire(&mut self, last: Fixed, slots: &mut HashMap<i64, usize>, out: &mut Vec<(i64, Fixed)>) {
        let reached: Vec<usize> = self.triggers.range((last, 0)..).map(|(_, g)| *g).collect();
        for g in reached {
            self.unlist(g);
            let high = self.groups[g].high;
            while let Some(&(bp, id)) = self.groups[g].members.first() {
                if moved(high, -bp) < last {
                    break;
                }
                self.groups[g].members.pop_first();
                slots.remove(&id);
                out.push((id, high));
            }
            self.list(g);
        }
    }

    fn high_of(&self, id: i64, slots: &HashMap<i64, usize>) -> Option<Fixed> {
        slots.get(&id).map(|g| self.groups[*g].high)
    }
}

/// Rebound buys grouped by the low they track, as [`Trails`] by highs; a
/// buy waits unarmed until the low reaches the price it must fall to.
#[derive(Debug, Default, Clone)]
struct Rebounds {
    by_low: BTreeMap<Fixed, usize>,
    /// (the trigger of the group's smallest armed rebound, group).
    triggers: BTreeSet<(Fixed, usize)>,
    groups: Vec<ReboundGroup>,
    free: Vec<usize>,
}

#[derive(Debug, Default, Clone)]
struct ReboundGroup {
    low: Fixed,
    /// Armed: (rebound in basis points, order id).
    armed: BTreeSet<(i64, i64)>,
    /// Not yet: (the price the low must fall to, rebound, order id).
    waiting: BTreeSet<(Fixed, i64, i64)>,
}

impl ReboundGroup {
    fn trigger(&self) -> Option<Fixed> {
        self.armed.first().map(|(bp, _)| moved(self.low, *bp))
    }

    fn is_empty(&self) -> bool {
        self.armed.is_empty() && self.waiting.is_empty()
    }

    /// Arms those whose fall the low has reached.
    fn arm(&mut self) {
        let ready: Vec<(Fixed, i64, i64)> = self.waiting.range((self.low, i64::MIN, i64::MIN)..).copied().collect();
        for w in ready {
            self.waiting.remove(&w);
            self.armed.insert((w.1, w.2));
        }
    }
}

impl Rebounds {
    fn slot_for(&mut self, low: Fixed) -> usize {
        if let Some(&g) = self.by_low.get(&low) {
            return g;
        }
        let g = self.free.pop().unwrap_or_else(|| {
            self.groups.push(ReboundGroup::default());
            self.groups.len() - 1
        });
        self.groups[g] = ReboundGroup { low, ..Default::default() };
        self.by_low.insert(low, g);
        g
    }

    fn unlist(&mut self, g: usize) {
        if let Some(t) = self.groups[g].trigger() {
            self.triggers.remove(&(t, g));
        }
    }

    fn list(&mut self, g: usize) {
        if self.groups[g].is_empty() {
            self.by_low.remove(&self.groups[g].low);
            self.free.push(g);
        } else if let Some(t) = self.groups[g].trigger() {
            self.triggers.insert((t, g));
        }
    }

    fn add(&mut self, id: i64, (bp, low, fall_to): (i64, Fixed, Fixed), slots: &mut HashMap<i64, usize>) {
        let g = self.slot_for(low);
        self.unlist(g);
        self.groups[g].waiting.insert((fall_to, bp, id));
        self.groups[g].arm();
        self.list(g);
        slots.insert(id, g);
    }

    fn remove(&mut self, id: i64, (bp, fall_to): (i64, Fixed), slots: &mut HashMap<i64, usize>) {
        let Some(g) = slots.remove(&id) else { return };
        self.unlist(g);
        self.groups[g].armed.remove(&(bp, id));
        self.groups[g].waiting.remove(&(fall_to, bp, id));
        self.list(g);
    }

    /// A price below some groups' lows: they become one group at `last`, and arm.
    fn lower(&mut self, last: Fixed, slots: &mut HashMap<i64, usize>) {
        let mut merging: Vec<usize> = self.by_low.range(last + 1..).map(|(_, g)| *g).collect();
        if merging.is_empty() {
            return;
        }
        merging.extend(self.by_low.get(&last).copied());
        let size = |g: &ReboundGroup| g.armed.len() + g.waiting.len();
        merging.sort_by_key(|g| std::cmp::Reverse(size(&self.groups[*g])));
        let into = merging[0];
        for &g in &merging {
            self.unlist(g);
            self.by_low.remove(&self.groups[g].low);
        }
        for &g in &merging[1..] {
            let armed = std::mem::take(&mut self.groups[g].armed);
            let waiting = std::mem::take(&mut self.groups[g].waiting);
            for id in armed.iter().map(|a| a.1).chain(waiting.iter().map(|w| w.2)) {
                slots.insert(id, into);
            }
            self.groups[into].armed.extend(armed);
            self.groups[into].waiting.extend(waiting);
            self.free.push(g);
        }
        self.groups[into].low = last;
        self.groups[into].arm();
        self.by_low.insert(last, into);
        self.list(into);
    }

    /// Takes out the armed buys a price at `last` reaches: (id, the low it rebounded from).
    fn fire(&mut self, last: Fixed, slots: &mut HashMap<i64, usize>, out: &mut Vec<(i64, Fixed)>) {
        let reached: Vec<usize> = self.triggers.range(..=(last, usize::MAX)).map(|(_, g)| *g).collect();
        for g in reached {
            self.unlist(g);
            let low = self.groups[g].low;
            while let Some(&(bp, id)) = self.groups[g].armed.first() {
                if moved(low, bp) > last {
                    break;
                }
                self.groups[g].armed.pop_first();
                slots.remove(&id);
                out.push((id, low));
            }
            self.list(g);
        }
    }

    fn low_of(&self, id: i64, slots: &HashMap<i64, usize>) -> Option<Fixed> {
        slots.get(&id).map(|g| self.groups[*g].low)
    }
}

/// One instrument's waiting orders, by the prices that matter.
#[derive(Debug, Default, Clone)]
struct Levels {
    /// Fires when the price is at or above (price triggers, take-profits, grid sells).
    up: BTreeSet<(Fixed, i64)>,
    /// Fires when the price is at or below (price triggers, stop-losses, grid buys).
    down: BTreeSet<(Fixed, i64)>,
    /// Trailing stops, by the high they track.
    trails: Trails,
    /// Rebound buys, by the low they track.
    rebounds: Rebounds,
}

/// Every waiting conditional order, indexed by trigger price per instrument.
#[derive(Debug, Default, Clone)]
pub struct TriggerBook {
    levels: Vec<Levels>,
    orders: HashMap<i64, ConditionalOrder>,
    /// The group a trailing stop or rebound buy is in.
    slots: HashMap<i64, usize>,
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

    /// A waiting order, with the low or high it tracks as of now.
    pub fn get(&self, id: i64) -> Option<ConditionalOrder> {
        let mut o = self.orders.get(&id)?.clone();
        o.condition = self.condition_now(&o);
        Some(o)
    }

    fn condition_now(&self, o: &ConditionalOrder) -> Condition {
        let l = &self.levels[o.instrument as usize];
        match o.condition {
            Condition::TrailFromHigh { bp, high } => {
                Condition::TrailFromHigh { bp, high: l.trails.high_of(o.id, &self.slots).unwrap_or(high) }
            }
            Condition::ReboundFromLow { bp, low, fall_to } => {
                Condition::ReboundFromLow { bp, low: l.rebounds.low_of(o.id, &self.slots).unwrap_or(low), fall_to }
            }
            c => c,
        }
    }

    fn index(&mut self, o: &ConditionalOrder) {
        let ix = o.instrument as usize;
        if self.levels.len() <= ix {
            self.levels.resize_with(ix + 1, Levels::default);
        }
        let l = &mut self.levels[ix];
        match o.condition {
            Condition::TrailFromHigh { bp, high } => l.trails.add(o.id, bp, high, &mut self.slots),
            Condition::ReboundFromLow { bp, low, fall_to } => l.rebounds.add(o.id, (bp, low, fall_to), &mut self.slots),
            c => {
                if let Some(p) = c.up() {
                    l.up.insert((p, o.id));
                }
                if let Some(p) = c.down() {
                    l.down.insert((p, o.id));
                }
            }
        }
    }

    fn unindex(&mut self, o: &ConditionalOrder) {
        let l = &mut self.levels[o.instrument as usize];
        match o.condition {
            Condition::TrailFromHigh { bp, .. } => l.trails.remove(o.id, bp, &mut self.slots),
            Condition::ReboundFromLow { bp, fall_to, .. } => l.rebounds.remove(o.id, (bp, fall_to), &mut self.slots),
            c => {
                if let Some(p) = c.up() {
                    l.up.remove(&(p, o.id));
                }
                if let Some(p) = c.down() {
                    l.down.remove(&(p, o.id));
                }
            }
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
        let o = self.get(id)?;
        self.unindex(&o);
        self.orders.remove(&id);
        Some(o)
    }

    /// A quote of instrument `ix` at `last` on `day`, in continuous trading:
    /// moves the lows and highs it passes (by merging their groups), fires
    /// the orders it reaches (those past their day expire instead). Its cost
    /// follows the orders fired and the groups merged, not the orders waiting.
    pub fn on_quote(&mut self, ix: u32, last: Fixed, day: NaiveDate) -> QuoteOutcome {
        let mut out = QuoteOutcome::default();
        let Some(l) = self.levels.get_mut(ix as usize) else { return out };
        l.trails.raise(last, &mut self.slots);
        l.rebounds.lower(last, &mut self.slots);
        let mut tracked = Vec::new();
        l.trails.fire(last, &mut self.slots, &mut tracked);
        l.rebounds.fire(last, &mut self.slots, &mut tracked);
        let ups = l.up.range(..=(last, i64::MAX)).map(|e| (e.1, Side::Sell));
        let downs = l.down.range((last, i64::MIN)..).map(|e| (e.1, Side::Buy));
        let reached: Vec<(i64, Side)> = ups.chain(downs).collect();
        for (id, extreme) in tracked {
            // Already out of the groups: its condition as it fired.
            let Some(mut o) = self.orders.remove(&id) else { continue };
            match &mut o.condition {
                Condition::TrailFromHigh { high, .. } => *high = extreme,
                Condition::ReboundFromLow { low, .. } => *low = extreme,
                _ => {}
            }
            if o.valid_until < day {
                out.expired.push(id);
                continue;
            }
            out.fired.push(fired(&o, ix, o.side, last, true));
        }
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
            out.fired.push(fired(&o, ix, side, last, done));
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
        self.orders.values().filter(|o| o.instrument == ix && self.condition_now(o).fires_at(last)).count()
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

fn fired(o: &ConditionalOrder, ix: u32, side: Side, last: Fixed, done: bool) -> Fired {
    Fired {
        id: o.id,
        account: o.account,
        instrument: ix,
        kind: o.kind,
        side,
        quantity: o.quantity,
        price: last,
        done,
        condition: o.condition,
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

    /// What a plain simulation fires, each order keeping its own low or high.
    fn simulate(orders: &mut Vec<ConditionalOrder>, last: Fixed) -> BTreeSet<i64> {
        let mut fired = BTreeSet::new();
        orders.retain_mut(|o| {
            match &mut o.condition {
                Condition::TrailFromHigh { high, .. } => *high = (*high).max(last),
                Condition::ReboundFromLow { low, .. } => *low = (*low).min(last),
                _ => {}
            }
            if !o.condition.fires_at(last) {
                return true;
            }
            fired.insert(o.id);
            if let Condition::Grid { base, .. } = &mut o.condition {
                *base = last;
                return true;
            }
            false
        });
        fired
    }

    proptest::proptest! {
        /// The index fires exactly what a plain simulation of every order fires, quote after quote.
        #[test]
        fn the_index_fires_what_a_plain_simulation_fires(
            specs in proptest::collection::vec((0u8..6, 5_000i64..15_000, 1i64..3_000, 1i64..3_000), 1..60),
            path in proptest::collection::vec(5_000i64..15_000, 1..80),
        ) {
            let start = 10_000;
            let mut orders: Vec<ConditionalOrder> = specs
                .iter()
                .enumerate()
                .map(|(k, &(kind, price, bp, fall))| {
                    let condition = match kind {
                        0 => Condition::RisesTo { price },
                        1 => Condition::FallsTo { price },
                        2 => Condition::TrailFromHigh { bp, high: start },
                        3 => Condition::ReboundFromLow { bp, low: start, fall_to: start - fall },
                        4 => Condition::Grid { bp, base: start, floor: 6_000, ceiling: 14_000 },
                        _ => Condition::TrailFromHigh { bp, high: price },
                    };
                    order(k as i64, ConditionKind::PriceTrigger, Side::Buy, condition)
                })
                .collect();
            let mut book = TriggerBook::new();
            for o in &orders {
                book.insert(o.clone());
            }
            for last in path {
                let by_index: BTreeSet<i64> = book.on_quote(0, last, day(3)).fired.iter().map(|f| f.id).collect();
                proptest::prop_assert_eq!(by_index, simulate(&mut orders, last), "at {}", last);
                proptest::prop_assert_eq!(book.len(), orders.len());
            }
        }
    }
}
