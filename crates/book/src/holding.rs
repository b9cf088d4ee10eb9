//! One account's holding of one instrument, and what a trade does to it.

use crate::Fixed;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{CashFlow, CashFlowKind, FixedPoint, Side, Trade};
use market::rules::Settlement;
use serde::Serialize;

/// Why the book refuses an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// A sell of more than may be sold that day (T+1: not what was bought that day).
    #[error("sells {selling} but only {sellable} of the {held} held may be sold on {day} (T+1: shares bought that day are sold from the next trading day)")]
    Oversell {
        /// Held.
        held: i64,
        /// Sellable that day.
        sellable: i64,
        /// Asked to sell.
        selling: i64,
        /// The trading day.
        day: NaiveDate,
    },
    /// A figure the store cannot hold.
    #[error("{0} is out of range")]
    OutOfRange(&'static str),
}

/// What one account holds of one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Holding {
    /// Shares (or bond units) held.
    pub quantity: i64,
    /// Of those, how many may be sold on `sellable_day`.
    pub sellable: i64,
    /// The trading day `sellable` is for; `None` when it came with a book
    /// import (the book's opening figure, good until the next trade).
    pub sellable_day: Option<NaiveDate>,
    /// Average purchase price (0.0001 CNY).
    pub cost: Fixed,
}

/// The trading day (Asia/Shanghai date) of an event's time.
pub fn trading_day(time: DateTime<Utc>) -> NaiveDate {
    domain::to_shanghai(time).date_naive()
}

impl Holding {
    /// Nothing held.
    pub const NONE: Holding = Holding { quantity: 0, sellable: 0, sellable_day: None, cost: 0 };

    /// How many may be sold on `day`: everything held once the day that
    /// bought it is over; the figure kept for that day otherwise.
    pub fn sellable_on(&self, day: NaiveDate) -> i64 {
        match self.sellable_day {
            Some(d) if d < day => self.quantity,
            _ => self.sellable,
        }
    }

    /// The holding after a trade on `day`; a sell of more than is sellable
    /// that day is refused.
    pub fn after(&self, trade: &Trade, settlement: Settlement, day: NaiveDate) -> Result<Holding, BookError> {
        let sellable = self.sellable_on(day);
        let price = trade.price.to_fixed("price").map_err(|_| BookError::OutOfRange("price"))?;
        match trade.side {
            Side::Sell => {
                if trade.quantity > sellable {
                    return Err(BookError::Oversell { held: self.quantity, sellable, selling: trade.quantity, day });
                }
                let quantity = self.quantity - trade.quantity;
                let cost = if quantity == 0 { 0 } else { self.cost };
                Ok(Holding { quantity, sellable: sellable - trade.quantity, sellable_day: Some(day), cost })
            }
            Side::Buy => {
                let quantity = self.quantity.checked_add(trade.quantity).ok_or(BookError::OutOfRange("quantity"))?;
                let cost = average_cost(self.quantity, self.cost, trade.quantity, price)?;
                let bought_sellable = match settlement {
                    Settlement::TPlus0 => trade.quantity,
                    Settlement::TPlus1 => 0,
                };
                Ok(Holding { quantity, sellable: sellable + bought_sellable, sellable_day: Some(day), cost })
            }
        }
    }
}

/// The moving weighted average after buying `bought` at `price`, rounded to
/// the nearest 0.0001 CNY (halves up).
fn average_cost(held: i64, cost: Fixed, bought: i64, price: Fixed) -> Result<Fixed, BookError> {
    let after = i128::from(held) + i128::from(bought);
    let total = i128::from(held) * i128::from(cost) + i128::from(bought) * i128::from(price);
    Fixed::try_from((total * 2 + after) / (after * 2)).map_err(|_| BookError::OutOfRange("cost_price"))
}

/// What a trade does to the account's cash: a buy pays the amount and the
/// fee, a sell receives the amount less the fee.
pub fn trade_cash_change(trade: &Trade) -> Result<Fixed, BookError> {
    let amount = trade.amount().to_fixed("amount").map_err(|_| BookError::OutOfRange("amount"))?;
    let fee = trade.fee.to_fixed("fee").map_err(|_| BookError::OutOfRange("fee"))?;
    Ok(match trade.side {
        Side::Buy => -(amount + fee),
        Side::Sell => amount - fee,
    })
}

/// What a cash flow does to the account's cash: deposits and dividends in,
/// withdrawals and fees out.
pub fn cash_flow_change(flow: &CashFlow) -> Result<Fixed, BookError> {
    let amount = flow.amount.to_fixed("amount").map_err(|_| BookError::OutOfRange("amount"))?;
    Ok(match flow.kind {
        CashFlowKind::Deposit | CashFlowKind::Dividend => amount,
        CashFlowKind::Withdrawal | CashFlowKind::Fee => -amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use domain::{AccountId, InstrumentCode, Money, TradeId};

    fn trade(side: Side, quantity: i64, price: &str, hour: u32, day: u32) -> Trade {
        Trade {
            id: TradeId(1),
            account_id: AccountId(1),
            instrument: InstrumentCode::parse("600000.SH").unwrap(),
            side,
            quantity,
            price: price.parse().unwrap(),
            fee: Money::from(5),
            // 10:00 Shanghai is 02:00 UTC.
            time: Utc.with_ymd_and_hms(2025, 7, day, hour, 0, 0).unwrap(),
        }
    }

    #[test]
    fn a_stock_bought_today_is_sold_from_the_next_trading_day() {
        let monday = NaiveDate::from_ymd_opt(2025, 7, 7).unwrap();
        let tuesday = NaiveDate::from_ymd_opt(2025, 7, 8).unwrap();
        let bought = Holding::NONE.after(&trade(Side::Buy, 300, "10", 2, 7), Settlement::TPlus1, monday).unwrap();
        assert_eq!((bought.quantity, bought.sellable_on(monday)), (300, 0));
        let refused = bought.after(&trade(Side::Sell, 100, "10.5", 3, 7), Settlement::TPlus1, monday).unwrap_err();
        assert!(matches!(refused, BookError::Oversell { sellable: 0, held: 300, selling: 100, .. }), "{refused}");
        assert!(refused.to_string().contains("T+1"));
        assert_eq!(bought.sellable_on(tuesday), 300);
        let sold = bought.after(&trade(Side::Sell, 100, "10.5", 2, 8), Settlement::TPlus1, tuesday).unwrap();
        assert_eq!((sold.quantity, sold.sellable_on(tuesday), sold.cost), (200, 200, 10_0000));
    }

    #[test]
    fn a_convertible_bought_today_may_be_sold_today() {
        let day = NaiveDate::from_ymd_opt(2025, 7, 7).unwrap();
        let bought = Holding::NONE.after(&trade(Side::Buy, 10, "120", 2, 7), Settlement::TPlus0, day).unwrap();
        assert_eq!(bought.sellable_on(day), 10);
        let sold = bought.after(&trade(Side::Sell, 10, "121", 3, 7), Settlement::TPlus0, day).unwrap();
        assert_eq!(sold, Holding { quantity: 0, sellable: 0, sellable_day: Some(day), cost: 0 });
    }

    #[test]
    fn buys_average_in_and_sells_leave_the_cost() {
        let day = NaiveDate::from_ymd_opt(2025, 7, 7).unwrap();
        let held = Holding { quantity: 100, sellable: 100, sellable_day: None, cost: 10_0000 };
        let more = held.after(&trade(Side::Buy, 200, "11.2", 2, 7), Settlement::TPlus1, day).unwrap();
        // (100 x 10 + 200 x 11.2) / 300 = 10.8
        assert_eq!((more.quantity, more.sellable_on(day), more.cost), (300, 100, 10_8000));
        let odd = more.after(&trade(Side::Buy, 100, "10.01", 2, 7), Settlement::TPlus1, day).unwrap();
        // (300 x 10.8 + 100 x 10.01) / 400 = 10.6025
        assert_eq!(odd.cost, 10_6025);
    }

    #[test]
    fn cash_follows_trades_and_flows() {
        assert_eq!(trade_cash_change(&trade(Side::Buy, 100, "10", 2, 7)).unwrap(), -1005_0000);
        assert_eq!(trade_cash_change(&trade(Side::Sell, 100, "10", 2, 7)).unwrap(), 995_0000);
        let flow = |kind| CashFlow {
            id: domain::EventId(1),
            account_id: AccountId(1),
            kind,
            amount: Money::from(50),
            time: Utc.with_ymd_and_hms(2025, 7, 7, 2, 0, 0).unwrap(),
        };
        assert_eq!(cash_flow_change(&flow(CashFlowKind::Deposit)).unwrap(), 50_0000);
        assert_eq!(cash_flow_change(&flow(CashFlowKind::Fee)).unwrap(), -50_0000);
    }
}
