//! A plain model of the book, kept step by step beside the engine, and the
//! random books and steps the property tests run.

#![allow(dead_code)] // each test file uses a part

use proptest::prelude::*;
use std::collections::BTreeMap;
use watch::{AccountFigures, BookInput, InstrumentInput, PositionInput, HISTORY_DAYS};

/// Accounts in a random book.
pub const ACCOUNTS: u32 = 6;
/// Instruments in a random book.
pub const INSTRUMENTS: u32 = 4;

#[derive(Debug, Clone)]
pub enum Step {
    Quote(u32, i32),
    /// A quote a few basis points from the instrument's current price (a walk, not a jump).
    Nudge(u32, i32),
    MarketSweep(Vec<i32>),
    Trade(u32, u32, i32, i32),
    Compact,
    CloseDay(bool),
}

pub fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..INSTRUMENTS, 1_000..20_000i32).prop_map(|(i, p)| Step::Quote(i, p)),
        8 => (0..INSTRUMENTS, -150..150i32).prop_map(|(i, bp)| Step::Nudge(i, bp)),
        1 => proptest::collection::vec(1_000..20_000i32, INSTRUMENTS as usize).prop_map(Step::MarketSweep),
        4 => (0..ACCOUNTS, 0..INSTRUMENTS, -300..300i32, 1_000..20_000i32)
            .prop_filter("a trade has a quantity", |t| t.2 != 0)
            .prop_map(|(a, i, q, p)| Step::Trade(a, i, q, p)),
        1 => Just(Step::Compact),
        1 => any::<bool>().prop_map(Step::CloseDay),
    ]
}

/// The price a nudge of `bp` basis points moves `price` to.
pub fn nudged(price: i32, bp: i32) -> i32 {
    (i64::from(price) * i64::from(10_000 + bp) / 10_000).max(1) as i32
}

/// One holding of the model: shares, average cost, trapped days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    pub quantity: i32,
    pub cost: i32,
    pub trapped_days: u16,
}

/// The trapped threshold the model and the engine are built with.
pub const TRAPPED_BP: i64 = 3000;

/// The book as plainly as it can be kept.
#[derive(Debug, Clone)]
pub struct Model {
    pub price: Vec<i32>,
    pub closes: Vec<Vec<i32>>, // per instrument, the last HISTORY_DAYS closes
    pub held: BTreeMap<(u32, u32), Holding>,
    pub open_value: Vec<i64>,
    pub trade_net: Vec<i64>,
}

impl Model {
    /// The model of a random book, padded like the engine's window.
    pub fn new(closes: &[Vec<i32>], positions: &[(u32, u32, i32, i32)]) -> Model {
        let padded: Vec<Vec<i32>> = closes
            .iter()
            .map(|c| {
                let kept = &c[c.len().saturating_sub(HISTORY_DAYS)..];
                std::iter::repeat_n(kept[0], HISTORY_DAYS - kept.len()).chain(kept.iter().copied()).collect()
            })
            .collect();
        let mut model = Model {
            price: closes.iter().map(|c| *c.last().unwrap()).collect(),
            closes: padded,
            held: positions
                .iter()
                .map(|&(a, i, q, c)| ((a, i), Holding { quantity: q, cost: c, trapped_days: 0 }))
                .collect(),
            open_value: vec![0; ACCOUNTS as usize],
            trade_net: vec![0; ACCOUNTS as usize],
        };
        for a in 0..ACCOUNTS {
            model.open_value[a as usize] = model.value_at(a, |i| model.price[i as usize]);
        }
        model
    }

    /// A trade; false (and nothing changed) when it sells more than is held.
    pub fn trade(&mut self, a: u32, i: u32, q: i32, p: i32) -> bool {
        let before = self.held.get(&(a, i)).copied().unwrap_or(Holding { quantity: 0, cost: 0, trapped_days: 0 });
        let after = before.quantity + q;
        if after < 0 {
            return false;
        }
        // Buys average the cost in (to the nearest 0.001, halves up); sells keep it.
        let cost = if after == 0 {
            0
        } else if q > 0 {
            let total = i64::from(before.quantity) * i64::from(before.cost) + i64::from(q) * i64::from(p);
            ((2 * total + i64::from(after)) / (2 * i64::from(after))) as i32
        } else {
            before.cost
        };
        self.held.insert((a, i), Holding { quantity: after, cost, trapped_days: before.trapped_days });
        self.trade_net[a as usize] += i64::from(q) * i64::from(p);
        true
    }

    /// The day's close: prices become closes, trapped days counted, day P&L restarts.
    pub fn close_day(&mut self) {
        for i in 0..INSTRUMENTS as usize {
            self.closes[i].remove(0);
            self.closes[i].push(self.price[i]);
        }
        for (&(_, i), h) in self.held.iter_mut() {
            let close = i64::from(self.price[i as usize]);
            let below = h.quantity > 0 && close * 10_000 <= i64::from(h.cost) * (10_000 - TRAPPED_BP);
            h.trapped_days = if below { h.trapped_days + 1 } else { 0 };
        }
        for a in 0..ACCOUNTS {
            self.open_value[a as usize] = self.value_at(a, |i| self.price[i as usize]);
            self.trade_net[a as usize] = 0;
        }
    }

    pub fn value_at(&self, account: u32, price: impl Fn(u32) -> i32) -> i64 {
        self.held
            .iter()
            .filter(|((a, _), _)| *a == account)
            .map(|(&(_, i), h)| i64::from(h.quantity) * i64::from(price(i)))
            .sum()
    }

    pub fn figures(&self, account: u32) -> AccountFigures {
        let value = self.value_at(account, |i| self.price[i as usize]);
        let peak_prior =
            (0..HISTORY_DAYS).map(|d| self.value_at(account, |i| self.closes[i as usize][d])).max().unwrap();
        let largest = self
            .held
            .iter()
            .filter(|((a, _), _)| *a == account)
            .map(|(&(_, i), h)| i64::from(h.quantity) * i64::from(self.price[i as usize]))
            .max()
            .unwrap_or(0)
            .max(0);
        AccountFigures {
            value,
            day_pnl: value - self.open_value[account as usize] - self.trade_net[account as usize],
            peak: peak_prior.max(value),
            largest,
        }
    }
}

/// Each instrument's closes, and (account, instrument, shares, cost) holdings.
pub type RandomBook = (Vec<Vec<i32>>, Vec<(u32, u32, i32, i32)>);

pub fn book(max_closes: usize) -> impl Strategy<Value = RandomBook> {
    (
        proptest::collection::vec(proptest::collection::vec(1_000..20_000i32, 1..=max_closes), INSTRUMENTS as usize),
        proptest::collection::btree_map((0..ACCOUNTS, 0..INSTRUMENTS), (0..2_000i32, 500..30_000i32), 0..12),
    )
        .prop_map(|(closes, held)| (closes, held.into_iter().map(|((a, i), (q, c))| (a, i, q, c)).collect()))
}

/// The engine's input for a random book, every position trapped for `trapped_days`.
pub fn book_input(closes: &[Vec<i32>], positions: &[(u32, u32, i32, i32)], trapped_days: u16) -> BookInput {
    BookInput {
        accounts: ACCOUNTS,
        instruments: closes.iter().map(|c| InstrumentInput { closes: c.clone() }).collect(),
        positions: positions
            .iter()
            .map(|&(account, instrument, quantity, cost)| PositionInput {
                account,
                instrument,
                quantity,
                cost,
                trapped_days,
            })
            .collect(),
        trapped_below_cost_bp: TRAPPED_BP,
    }
}
