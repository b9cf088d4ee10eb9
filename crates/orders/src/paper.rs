//! Paper execution: working limit orders matched against quotes. A buy
//! fills when the price comes down to its limit, a sell when it comes up to
//! it, at the quote's price, by no more than the volume the market traded
//! since the previous snapshot (shared by the orders in time priority).
//! Fills settle against the account's cash and holdings by the book's own
//! rules, so a fill never overdraws cash or sells more than is sellable.

use crate::fees::FeeSchedule;
use crate::ticket::OrderType;
use crate::Fixed;
use book::Holding;
use chrono::NaiveDate;
use domain::{InstrumentKind, Side};
use market::rules::Settlement;
use serde::Serialize;
use std::collections::HashMap;

/// An order working at the (paper) exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkingOrder {
    /// Order id.
    pub id: i64,
    /// Account.
    pub account: i64,
    /// Buy or sell.
    pub side: Side,
    /// Limit or market.
    pub order_type: OrderType,
    /// The limit (or a market order's protection) price.
    pub price: Fixed,
    /// Ordered.
    pub quantity: i64,
    /// Filled so far.
    pub filled: i64,
}

/// A fill of a working order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fill {
    /// Order id.
    pub order: i64,
    /// Account.
    pub account: i64,
    /// Buy or sell.
    pub side: Side,
    /// Filled.
    pub quantity: i64,
    /// At.
    pub price: Fixed,
    /// Fees.
    pub fee: Fixed,
}

impl WorkingOrder {
    /// Still to fill.
    pub fn open(&self) -> i64 {
        self.quantity - self.filled
    }

    /// True when a quote at `last` reaches the order.
    pub fn reached_by(&self, last: Fixed) -> bool {
        match self.side {
            Side::Buy => last <= self.price,
            Side::Sell => last >= self.price,
        }
    }
}

/// Matches one instrument's working orders (in time priority) against a
/// quote: each reached order fills at `last` for as much of `volume` as is
/// left. Fees by the schedule; the orders' `filled` move.
pub fn match_quote(
    orders: &mut [WorkingOrder],
    last: Fixed,
    mut volume: i64,
    kind: InstrumentKind,
    fees: &FeeSchedule,
) -> Vec<Fill> {
    let mut fills = Vec::new();
    for o in orders.iter_mut() {
        if volume <= 0 {
            break;
        }
        if o.open() <= 0 || !o.reached_by(last) {
            continue;
        }
        let quantity = o.open().min(volume);
        volume -= quantity;
        o.filled += quantity;
        let amount = last.saturating_mul(quantity);
        fills.push(Fill {
            order: o.id,
            account: o.account,
            side: o.side,
            quantity,
            price: last,
            fee: fees.fee(kind, o.side, amount),
        });
    }
    fills
}

/// One account as paper fills move it: cash and a holding per instrument.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaperAccount {
    /// Cash (0.0001 CNY).
    pub cash: Fixed,
    /// Holdings by instrument.
    pub holdings: HashMap<String, Holding>,
}

/// Why a fill was refused when it settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Refused {
    /// Cash below the amount and fees.
    CashShort,
    /// More than may be sold today.
    NotSellable,
}

/// Settles fills of one instrument on `day` against accounts: a buy takes
/// its amount and fees from cash (refused if cash is short), a sell gives
/// the amount less fees (refused beyond the sellable quantity, by the book's
/// T+1 rule). Answers each fill with its outcome.
pub fn settle(
    accounts: &mut HashMap<i64, PaperAccount>,
    instrument: &domain::InstrumentCode,
    settlement: Settlement,
    day: NaiveDate,
    fills: &[Fill],
) -> Vec<Result<Fill, Refused>> {
    let key = instrument.to_string();
    fills
        .iter()
        .map(|f| {
            let a = accounts.entry(f.account).or_default();
            let held = a.holdings.get(&key).copied().unwrap_or(Holding::NONE);
            let amount = f.price.saturating_mul(f.quantity);
            let trade = domain::Trade {
                id: domain::TradeId(0),
                account_id: domain::AccountId(f.account),
                instrument: instrument.clone(),
                side: f.side,
                quantity: f.quantity,
                price: crate::money(f.price),
                fee: crate::money(f.fee),
                time: day.and_hms_opt(2, 0, 0).expect("a time").and_utc(),
            };
            match f.side {
                Side::Buy if a.cash < amount.saturating_add(f.fee) => return Err(Refused::CashShort),
                _ => {}
            }
            let after = held.after(&trade, settlement, day).map_err(|_| Refused::NotSellable)?;
            a.holdings.insert(key.clone(), after);
            a.cash += match f.side {
                Side::Buy => -(amount + f.fee),
                Side::Sell => amount - f.fee,
            };
            Ok(*f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::YUAN;
    use proptest::prelude::*;

    fn order(id: i64, account: i64, side: Side, price: Fixed, quantity: i64) -> WorkingOrder {
        WorkingOrder { id, account, side, order_type: OrderType::Limit, price, quantity, filled: 0 }
    }

    #[test]
    fn limit_orders_fill_when_reached_and_partly_by_volume() {
        let fees = FeeSchedule::default();
        let mut book = vec![order(1, 7, Side::Buy, 10 * YUAN, 500), order(2, 8, Side::Buy, 10 * YUAN, 300)];
        // Not reached at 10.01.
        assert!(match_quote(&mut book, 100_100, 10_000, InstrumentKind::Stock, &fees).is_empty());
        // At 9.99 with 600 traded: the first fills 500, the second 100 of its 300.
        let fills = match_quote(&mut book, 99_900, 600, InstrumentKind::Stock, &fees);
        assert_eq!(
            fills.iter().map(|f| (f.order, f.quantity, f.price)).collect::<Vec<_>>(),
            vec![(1, 500, 99_900), (2, 100, 99_900)]
        );
        assert_eq!((book[0].open(), book[1].open()), (0, 200));
        // A sell fills when the price comes up to it.
        let mut sells = vec![order(3, 7, Side::Sell, 11 * YUAN, 100)];
        assert_eq!(match_quote(&mut sells, 110_000, 100, InstrumentKind::Stock, &fees).len(), 1);
    }

    proptest! {
        /// Whatever orders and quotes come, cash + market value - fees equals
        /// the trades' effect, and no position goes negative.
        #[test]
        fn paper_execution_keeps_the_books(
            orders in prop::collection::vec((0i64..3, any::<bool>(), 80i64..120, 1i64..8), 1..30),
            quotes in prop::collection::vec((80i64..120, 0i64..1500), 1..40),
            cash0 in 0i64..200_000,
        ) {
            let fees = FeeSchedule::default();
            let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
            let mut accounts: HashMap<i64, PaperAccount> = (0..3)
                .map(|a| {
                    let mut p = PaperAccount { cash: cash0 * YUAN, ..Default::default() };
                    // Yesterday's 300 shares, sellable today.
                    p.holdings.insert("600000.SH".into(), Holding { quantity: 300, sellable: 300, sellable_day: Some(day), cost: 10 * YUAN });
                    (a, p)
                })
                .collect();
            let start = accounts.clone();
            let code = domain::InstrumentCode::parse("600000.SH").unwrap();
            let mut book: Vec<WorkingOrder> = orders
                .iter()
                .enumerate()
                .map(|(k, (account, buy, price, lots))| {
                    order(k as i64, *account, if *buy { Side::Buy } else { Side::Sell }, price * YUAN / 10, lots * 100)
                })
                .collect();
            let mut settled = Vec::new();
            for (price, volume) in quotes {
                let fills = match_quote(&mut book, price * YUAN / 10, volume, InstrumentKind::Stock, &fees);
                settled.extend(settle(&mut accounts, &code, Settlement::TPlus1, day, &fills).into_iter().flatten());
                for a in accounts.values() {
                    let h = a.holdings["600000.SH"];
                    prop_assert!(h.quantity >= 0 && h.sellable >= 0 && h.sellable <= h.quantity);
                    prop_assert!(a.cash >= 0);
                }
            }
            // Each account: cash now = cash before - buys' amounts and fees + sells' amounts less fees,
            // and quantity now = before + bought - sold, so cash + value at any price is the trades' effect.
            for (id, a) in &accounts {
                let mine = settled.iter().filter(|f| f.account == *id);
                let (mut cash, mut quantity) = (start[id].cash, start[id].holdings["600000.SH"].quantity);
                for f in mine {
                    let amount = f.price * f.quantity;
                    match f.side {
                        Side::Buy => { cash -= amount + f.fee; quantity += f.quantity; }
                        Side::Sell => { cash += amount - f.fee; quantity -= f.quantity; }
                    }
                }
                prop_assert_eq!(a.cash, cash);
                prop_assert_eq!(a.holdings["600000.SH"].quantity, quantity);
            }
        }
    }
}
