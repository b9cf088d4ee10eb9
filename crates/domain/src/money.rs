use crate::error::codes;
use crate::DomainError;
use rust_decimal::Decimal;

/// An amount or price in CNY. Exact decimal arithmetic, never floating point.
pub type Money = Decimal;

/// Decimal places kept when money is stored as an integer (0.0001 CNY).
pub const FIXED_POINT_SCALE: u32 = 4;

/// Conversion between `Money` and the integer count of 0.0001 CNY that the
/// store and the hot paths use: exact, and the same on every database.
pub trait FixedPoint: Sized {
    /// The value in units of 0.0001, or an error if it has more decimals or
    /// does not fit in an i64.
    fn to_fixed(&self, field: &'static str) -> Result<i64, DomainError>;
    /// The value of an integer count of 0.0001 units.
    fn from_fixed(units: i64) -> Self;
}

impl FixedPoint for Decimal {
    fn to_fixed(&self, field: &'static str) -> Result<i64, DomainError> {
        let normalized = self.normalize();
        if normalized.scale() > FIXED_POINT_SCALE {
            return Err(DomainError::new(field, codes::NUMBER_FORM).with("value", self));
        }
        let scaled = normalized
            .checked_mul(Decimal::from(10_i64.pow(FIXED_POINT_SCALE)))
            .ok_or_else(|| DomainError::new(field, codes::TOO_LARGE).with("value", self))?;
        i64::try_from(scaled).map_err(|_| DomainError::new(field, codes::TOO_LARGE).with("value", self))
    }

    fn from_fixed(units: i64) -> Self {
        Decimal::new(units, FIXED_POINT_SCALE).normalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips_exact_prices() {
        for text in ["1594.24", "0.001", "100", "-12.5", "0.0001"] {
            let d = Decimal::from_str(text).unwrap();
            assert_eq!(Decimal::from_fixed(d.to_fixed("price").unwrap()), d);
        }
    }

    #[test]
    fn refuses_sub_unit_precision() {
        let d = Decimal::from_str("1.00001").unwrap();
        assert!(d.to_fixed("price").is_err());
        // Trailing zeros are not extra precision.
        assert_eq!(Decimal::from_str("1.500000").unwrap().to_fixed("p"), Ok(15000));
    }
}
