//! What an ex-rights or ex-dividend day does: the exchange's reference
//! price, and each holding's new quantity, cost and cash.

use crate::{BookError, Fixed, Holding};
use chrono::NaiveDate;
use domain::{CorporateAction, FixedPoint, Money};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::RoundingStrategy;

/// The exchange's ex-rights reference price (除权除息参考价): (previous
/// close - cash per share) / (1 + new shares per share), rounded to the tick
/// (halves away from zero), never below one tick.
pub fn reference_price(previous_close: Money, action: &CorporateAction, tick: Money) -> Money {
    let raw = (previous_close - action.cash_per_share) / (Money::ONE + action.new_shares_per_share);
    let ticks = (raw / tick).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    (ticks * tick).max(tick)
}

/// What an action did to one holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entitlement {
    /// The holding after the ex-date.
    pub after: Holding,
    /// Cash paid to the account (0.0001 CNY).
    pub cash: Fixed,
}

/// A holding on the action's ex-date: quantity and sellable quantity grow
/// by the new shares (whole shares; a fraction is not credited), the cost
/// comes down by the cash and spreads over the new shares, and the cash
/// dividend is paid on the shares held.
pub fn entitle(held: &Holding, action: &CorporateAction) -> Result<Entitlement, BookError> {
    let day: NaiveDate = action.ex_date;
    let factor = Money::ONE + action.new_shares_per_share;
    let whole = |q: i64| (Money::from(q) * factor).floor().to_i64().ok_or(BookError::OutOfRange("quantity"));
    let cost = <Money as FixedPoint>::from_fixed(held.cost);
    let cost_after = ((cost - action.cash_per_share) / factor).max(Money::ZERO);
    let cost_after = cost_after.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    let cash = (Money::from(held.quantity) * action.cash_per_share)
        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    Ok(Entitlement {
        after: Holding {
            quantity: whole(held.quantity)?,
            sellable: whole(held.sellable_on(day))?,
            sellable_day: held.sellable_day.map(|_| day),
            cost: cost_after.to_fixed("cost_price").map_err(|_| BookError::OutOfRange("cost_price"))?,
        },
        cash: cash.to_fixed("cash").map_err(|_| BookError::OutOfRange("cash"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{EventId, InstrumentCode};

    fn action(cash: &str, shares: &str) -> CorporateAction {
        CorporateAction {
            id: EventId(1),
            instrument: InstrumentCode::parse("600000.SH").unwrap(),
            ex_date: NaiveDate::from_ymd_opt(2025, 7, 4).unwrap(),
            cash_per_share: cash.parse().unwrap(),
            new_shares_per_share: shares.parse().unwrap(),
        }
    }

    #[test]
    fn the_reference_price_of_a_bonus_and_dividend_day() {
        let tick = Money::new(1, 2);
        // 10送10派5 after a close of 20.00: (20 - 0.5) / 2 = 9.75.
        assert_eq!(reference_price(Money::from(20), &action("0.5", "1"), tick), Money::new(975, 2));
        // 10转3 after 13.00: 13 / 1.3 = 10.00.
        assert_eq!(reference_price(Money::from(13), &action("0", "0.3"), tick), Money::from(10));
        // A dividend alone: 8.88 - 0.125 = 8.755 -> 8.76 (halves away from zero).
        assert_eq!(reference_price(Money::new(888, 2), &action("0.125", "0"), tick), Money::new(876, 2));
    }

    #[test]
    fn a_holding_on_the_ex_date() {
        let held = Holding { quantity: 1_500, sellable: 1_000, sellable_day: None, cost: 20_0000 };
        let e = entitle(&held, &action("0.5", "1")).unwrap();
        assert_eq!((e.after.quantity, e.after.sellable, e.after.cost, e.cash), (3_000, 2_000, 9_7500, 750_0000));
        // 10转3 on 1,001 shares: 1,301.3 -> 1,301 whole shares.
        let odd = Holding { quantity: 1_001, sellable: 1_001, sellable_day: None, cost: 13_0000 };
        assert_eq!(entitle(&odd, &action("0", "0.3")).unwrap().after.quantity, 1_301);
    }
}
