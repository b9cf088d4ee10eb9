//! The fee schedule: commission with its minimum per kind of security, stamp
//! duty on stock sells, the transfer fee on stocks. Fees are in fen (0.01 CNY).

use crate::{Fixed, YUAN};
use domain::{InstrumentKind, Side};
use serde::{Deserialize, Serialize};

/// A commission rate and its minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commission {
    /// Parts per million of the amount (250 = 0.025%).
    pub rate_ppm: i64,
    /// The least charged per order, in 0.0001 CNY.
    pub minimum: Fixed,
}

/// What a trade costs beyond its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeeSchedule {
    /// Commission on stocks.
    pub stock: Commission,
    /// Commission on ETFs.
    pub etf: Commission,
    /// Commission on bonds.
    pub bond: Commission,
    /// Commission on convertible bonds.
    pub convertible: Commission,
    /// Stamp duty on stock sells, parts per million (500 = 0.05% since 28 August 2023).
    pub stamp_duty_ppm: i64,
    /// Transfer fee on stocks, both exchanges, parts per million (10 = 0.001%).
    pub transfer_fee_ppm: i64,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule {
            stock: Commission { rate_ppm: 250, minimum: 5 * YUAN },
            etf: Commission { rate_ppm: 250, minimum: 5 * YUAN },
            bond: Commission { rate_ppm: 20, minimum: YUAN },
            convertible: Commission { rate_ppm: 50, minimum: YUAN },
            stamp_duty_ppm: 500,
            transfer_fee_ppm: 10,
        }
    }
}

/// `amount x ppm / 1,000,000`, rounded to the fen (100 units of 0.0001 CNY), halves up.
fn ppm(amount: Fixed, ppm: i64) -> Fixed {
    let per_fen = 1_000_000i128 * 100;
    let exact = i128::from(amount) * i128::from(ppm);
    (((exact + per_fen / 2) / per_fen) * 100) as Fixed
}

impl FeeSchedule {
    /// The commission of a kind.
    pub fn commission_of(&self, kind: InstrumentKind) -> Commission {
        match kind {
            InstrumentKind::Stock => self.stock,
            InstrumentKind::Etf => self.etf,
            InstrumentKind::Bond => self.bond,
            InstrumentKind::ConvertibleBond => self.convertible,
        }
    }

    /// The commission of an order of `amount` (0.0001 CNY), after its
    /// minimum: what the firm earns from it.
    pub fn commission(&self, kind: InstrumentKind, amount: Fixed) -> Fixed {
        let c = self.commission_of(kind);
        ppm(amount, c.rate_ppm).max(c.minimum)
    }

    /// Every fee of an order of `amount` (0.0001 CNY).
    pub fn fee(&self, kind: InstrumentKind, side: Side, amount: Fixed) -> Fixed {
        let mut fee = self.commission(kind, amount);
        if kind == InstrumentKind::Stock {
            fee += ppm(amount, self.transfer_fee_ppm);
            if side == Side::Sell {
                fee += ppm(amount, self.stamp_duty_ppm);
            }
        }
        fee
    }

    /// What a discount of `discount_bp` (basis points of the commission,
    /// after its minimum) takes off an order of `amount`, to the fen. Stamp
    /// duty and the transfer fee are the state's and the exchange's: never discounted.
    pub fn commission_discount(&self, kind: InstrumentKind, amount: Fixed, discount_bp: u32) -> Fixed {
        let commission = self.commission(kind, amount);
        // basis points of the commission = commission x bp x 100 / 1,000,000 (ppm of it).
        ppm(commission, i64::from(discount_bp.min(10_000)) * 100)
    }

    /// Checks the schedule makes sense (rates not negative, at most 1%).
    pub fn validate(&self) -> Result<(), String> {
        for (name, c) in
            [("stock", self.stock), ("etf", self.etf), ("bond", self.bond), ("convertible", self.convertible)]
        {
            if !(0..=10_000).contains(&c.rate_ppm) || c.minimum < 0 {
                return Err(format!("fees.{name}: a rate of 0 to 10000 ppm and a minimum not below 0"));
            }
        }
        if !(0..=10_000).contains(&self.stamp_duty_ppm) || !(0..=10_000).contains(&self.transfer_fee_ppm) {
            return Err("fees: stamp duty and transfer fee of 0 to 10000 ppm".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tier_discount_takes_off_commission_only() {
        let f = FeeSchedule::default();
        // Sell 100,000 CNY of stock: commission 25.00, 10% off it is 2.50; stamp duty and transfer fee stay.
        let amount = 100_000 * YUAN;
        assert_eq!(f.commission_discount(InstrumentKind::Stock, amount, 1_000), 250 * YUAN / 100);
        // The 5.00 minimum is the commission of a small order: the discount is of that.
        assert_eq!(f.commission_discount(InstrumentKind::Stock, 1_000 * YUAN, 2_000), YUAN);
        assert_eq!(f.commission_discount(InstrumentKind::Stock, amount, 0), 0);
    }

    #[test]
    fn fees_worked_examples() {
        let f = FeeSchedule::default();
        // Buy 1,000 shares at 10.00 = 10,000 CNY: commission 2.50 -> the minimum 5.00; transfer fee 0.10.
        assert_eq!(f.fee(InstrumentKind::Stock, Side::Buy, 10_000 * YUAN), 51_000);
        // Sell 100,000 CNY of stock: commission 25.00, transfer fee 1.00, stamp duty 50.00.
        assert_eq!(f.fee(InstrumentKind::Stock, Side::Sell, 100_000 * YUAN), 760_000);
        // An ETF: commission only, no stamp duty or transfer fee.
        assert_eq!(f.fee(InstrumentKind::Etf, Side::Sell, 100_000 * YUAN), 250_000);
        // A convertible of 10,000 CNY: 0.50 -> the minimum 1.00.
        assert_eq!(f.fee(InstrumentKind::ConvertibleBond, Side::Buy, 10_000 * YUAN), 10_000);
        // Rounded to the fen: 12,345.67 x 0.025% = 3.0864 -> the minimum; stamp 6.172835 -> 6.17.
        assert_eq!(f.fee(InstrumentKind::Stock, Side::Sell, 123_456_700), 50_000 + 1_200 + 61_700);
    }
}
