//! The words of suitability (适当性): an investor's risk class from the
//! questionnaire, a product's risk rating, the varieties of investment,
//! and what the gate at sale answers. The rules that match them live in
//! the `advice` context.

use crate::instrument::text_enum;
use crate::{DomainError, RiskLevel};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

text_enum!(
    /// An ordinary investor's risk class, from the questionnaire's score.
    InvestorClass, "investor_class" {
        /// The most conservative (风险承受能力最低类别): may buy nothing above R1, ever.
        Lowest = "C1-lowest",
        /// Conservative.
        C1 = "C1",
        /// Cautious.
        C2 = "C2",
        /// Steady.
        C3 = "C3",
        /// Active.
        C4 = "C4",
        /// Aggressive.
        C5 = "C5",
    }
);

impl InvestorClass {
    /// 0 for the lowest, then 1..5 for C1..C5.
    pub fn rank(self) -> u8 {
        match self {
            InvestorClass::Lowest => 0,
            InvestorClass::C1 => 1,
            InvestorClass::C2 => 2,
            InvestorClass::C3 => 3,
            InvestorClass::C4 => 4,
            InvestorClass::C5 => 5,
        }
    }

    /// The highest product risk that matches: R1 for the lowest and C1, else the same number.
    pub fn highest_match(self) -> ProductRisk {
        ProductRisk::ALL[usize::from(self.rank().max(1)) - 1]
    }

    /// The book's risk level this class is kept as (the lowest is C1 there).
    pub fn risk_level(self) -> RiskLevel {
        RiskLevel::from_number(i64::from(self.rank().max(1))).expect("1..5")
    }

    /// The class a book's risk level stands for (the book does not know the lowest).
    pub fn from_risk_level(level: RiskLevel) -> InvestorClass {
        InvestorClass::ALL[usize::from(level.number())]
    }
}

text_enum!(
    /// A product's risk rating, R1 (lowest) to R5.
    ProductRisk, "product_risk" {
        /// Low.
        R1 = "R1",
        /// Medium-low.
        R2 = "R2",
        /// Medium.
        R3 = "R3",
        /// Medium-high.
        R4 = "R4",
        /// High.
        R5 = "R5",
    }
);

impl ProductRisk {
    /// 1..5.
    pub fn rank(self) -> u8 {
        match self {
            ProductRisk::R1 => 1,
            ProductRisk::R2 => 2,
            ProductRisk::R3 => 3,
            ProductRisk::R4 => 4,
            ProductRisk::R5 => 5,
        }
    }
}

text_enum!(
    /// What an investor means to invest in, and what a product is.
    Variety, "variety" {
        /// Stocks.
        Stocks = "stocks",
        /// Funds.
        Funds = "funds",
        /// Bonds and fixed income.
        Bonds = "bonds",
        /// Derivatives and derivative-like products (structured, leveraged).
        Derivatives = "derivatives",
    }
);

text_enum!(
    /// What sort of product it is.
    ProductKind, "kind" {
        /// An advisory subscription (投顾服务): the advisor's picks and service for a term.
        Advisory = "advisory",
        /// A fund.
        Fund = "fund",
        /// A wealth-management product.
        Wealth = "wealth",
    }
);

text_enum!(
    /// Whether a product can be bought.
    ProductState, "state" {
        /// On sale.
        OnSale = "on_sale",
        /// Closed to new purchases.
        Closed = "closed",
    }
);

text_enum!(
    /// A rung of the advisory ladder: the short, cheap product for beginners
    /// and the long, professional one for high-net-worth customers.
    Ladder, "ladder" {
        /// For newcomers.
        Beginner = "beginner",
        /// For experienced, high-net-worth customers with a good record.
        Professional = "professional",
    }
);

text_enum!(
    /// What the gate answers for an investor and a product.
    Verdict, "verdict" {
        /// It matches: the sale may go ahead.
        Allowed = "allowed",
        /// Above the match: only after a specific warning and the investor's explicit confirmation.
        NeedsConfirmation = "needs_confirmation",
        /// Never: the sale is refused.
        Refused = "refused",
    }
);

text_enum!(
    /// The boards whose trading needs a permission the exchanges set.
    RestrictedBoard, "board" {
        /// Shanghai STAR Market (科创板).
        Star = "star",
        /// Shenzhen ChiNext (创业板).
        ChiNext = "chinext",
        /// Beijing Stock Exchange (北交所).
        Bse = "bse",
    }
);

impl RestrictedBoard {
    /// The permission a board of the market needs, if any.
    pub fn of(board: crate::Board) -> Option<RestrictedBoard> {
        match board {
            crate::Board::Star => Some(RestrictedBoard::Star),
            crate::Board::ChiNext => Some(RestrictedBoard::ChiNext),
            crate::Board::Bse => Some(RestrictedBoard::Bse),
            crate::Board::SseMain | crate::Board::SzseMain => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_their_own_rating_and_the_lowest_only_r1() {
        assert_eq!(InvestorClass::Lowest.highest_match(), ProductRisk::R1);
        assert_eq!(InvestorClass::C1.highest_match(), ProductRisk::R1);
        assert_eq!(InvestorClass::C4.highest_match(), ProductRisk::R4);
        assert_eq!("C1-lowest".parse::<InvestorClass>().unwrap(), InvestorClass::Lowest);
        assert!("C6".parse::<InvestorClass>().is_err());
        assert_eq!(InvestorClass::Lowest.risk_level().number(), 1);
        assert_eq!(InvestorClass::from_risk_level(RiskLevel::from_number(3).unwrap()), InvestorClass::C3);
    }
}
