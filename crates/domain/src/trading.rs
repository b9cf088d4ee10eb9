use crate::error::codes;
use crate::instrument::text_enum;
use crate::{AccountId, DomainError, EventId, InstrumentCode, Money, TradeId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Holdings of one instrument in one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Position {
    /// Account.
    pub account_id: AccountId,
    /// Instrument.
    pub instrument: InstrumentCode,
    /// Shares (or bond units) held.
    pub quantity: i64,
    /// Of those, how many may be sold today (T+1: not those bought today).
    pub sellable_quantity: i64,
    /// Average cost per share.
    pub cost_price: Money,
}

impl Position {
    /// Checks quantities: not negative, sellable within held.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.quantity < 0 {
            return Err(DomainError::new("quantity", codes::NEGATIVE));
        }
        if self.sellable_quantity < 0 || self.sellable_quantity > self.quantity {
            return Err(DomainError::new("sellable_quantity", codes::SELLABLE_RANGE));
        }
        if self.cost_price.is_sign_negative() {
            return Err(DomainError::new("cost_price", codes::NEGATIVE));
        }
        Ok(())
    }
}

text_enum!(
    /// Buy or sell.
    Side, "side" {
        /// Buy.
        Buy = "buy",
        /// Sell.
        Sell = "sell",
    }
);

/// A filled trade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trade {
    /// The brokerage's own trade id.
    pub id: TradeId,
    /// Account.
    pub account_id: AccountId,
    /// Instrument.
    pub instrument: InstrumentCode,
    /// Buy or sell.
    pub side: Side,
    /// Shares (or bond units), positive.
    pub quantity: i64,
    /// Fill price.
    pub price: Money,
    /// Commission and taxes.
    pub fee: Money,
    /// Fill time.
    pub time: DateTime<Utc>,
}

impl Trade {
    /// Checks quantity, price and fee.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.quantity <= 0 {
            return Err(DomainError::new("quantity", codes::MUST_BE_POSITIVE));
        }
        if self.price <= Money::ZERO {
            return Err(DomainError::new("price", codes::MUST_BE_POSITIVE));
        }
        if self.fee.is_sign_negative() {
            return Err(DomainError::new("fee", codes::NEGATIVE));
        }
        Ok(())
    }

    /// Price times quantity.
    pub fn amount(&self) -> Money {
        self.price * Money::from(self.quantity)
    }
}

text_enum!(
    /// Why cash moved in or out of an account.
    CashFlowKind, "kind" {
        /// Bank transfer in.
        Deposit = "deposit",
        /// Bank transfer out.
        Withdrawal = "withdrawal",
        /// Dividend or coupon paid.
        Dividend = "dividend",
        /// Account fee.
        Fee = "fee",
    }
);

/// Cash moving in or out of an account, other than trades.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CashFlow {
    /// Id from the source system.
    pub id: EventId,
    /// Account.
    pub account_id: AccountId,
    /// Kind.
    pub kind: CashFlowKind,
    /// Amount, positive; the kind gives the direction.
    pub amount: Money,
    /// When.
    pub time: DateTime<Utc>,
}

impl CashFlow {
    /// Checks the amount.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.amount <= Money::ZERO {
            return Err(DomainError::new("amount", codes::MUST_BE_POSITIVE));
        }
        Ok(())
    }
}

/// An ex-rights or ex-dividend event (除权除息) of one instrument: from its
/// ex-date the holders have more shares and the cash paid, and the price
/// starts from the exchange's reference price, not the raw last close.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorporateAction {
    /// Id from the source system.
    pub id: EventId,
    /// Instrument.
    pub instrument: InstrumentCode,
    /// The first trading day without the entitlement.
    pub ex_date: chrono::NaiveDate,
    /// Cash dividend per share, before tax (10派5 is 0.5).
    pub cash_per_share: Money,
    /// New shares per share held, bonus and conversion together (10送10 is 1; 10转3 is 0.3).
    pub new_shares_per_share: Money,
}

impl CorporateAction {
    /// Checks the figures: none negative, and at least one moves something.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.cash_per_share.is_sign_negative() {
            return Err(DomainError::new("cash_per_share", codes::NEGATIVE));
        }
        if self.new_shares_per_share.is_sign_negative() {
            return Err(DomainError::new("new_shares_per_share", codes::NEGATIVE));
        }
        if self.cash_per_share.is_zero() && self.new_shares_per_share.is_zero() {
            return Err(DomainError::new("new_shares_per_share", codes::MUST_BE_POSITIVE));
        }
        Ok(())
    }
}
