//! A natural person's professional investor status (专业投资者) by the
//! CSRC's tests (suitability measures, art. 8): financial assets of at
//! least 5 million CNY, or a yearly income of at least 500,000 CNY on
//! average over the last three years; and two years' investment experience
//! (securities, funds, futures, gold, foreign exchange) or two years'
//! relevant work. The status carries its evidence and lapses after
//! [`VALID_MONTHS`], when it is tested again.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Financial assets that pass the wealth test, CNY.
pub const FINANCIAL_ASSETS_FROM: i64 = 5_000_000;
/// Average yearly income over three years that passes it instead, CNY.
pub const INCOME_FROM: i64 = 500_000;
/// Months of investment experience or relevant work that pass the experience test.
pub const EXPERIENCE_MONTHS_FROM: u32 = 24;
/// Months a status holds.
pub const VALID_MONTHS: u32 = 24;

/// The evidence the tests read: figures from the book and what the investor
/// declared, with the document that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Financial assets held here (from the book), CNY.
    pub assets_here: Decimal,
    /// Financial assets held elsewhere, as declared and documented, CNY.
    pub assets_elsewhere: Decimal,
    /// Average yearly income over the last three years, as declared, CNY.
    pub income_3y: Decimal,
    /// Months since the investor first traded (from the book's market entry).
    pub experience_months: u32,
    /// Months of relevant work (product design, investment, risk management), as declared.
    pub work_months: u32,
    /// The documents that show the declared figures (statements, certificates).
    pub documents: String,
}

/// The tests' outcome: which passed, which failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfessionalTest {
    /// Both tests passed.
    pub qualified: bool,
    /// The wealth test (assets or income).
    pub wealth: bool,
    /// The experience test (investing or work).
    pub experience: bool,
}

/// Tests the evidence.
pub fn test(evidence: &Evidence) -> ProfessionalTest {
    let assets = evidence.assets_here + evidence.assets_elsewhere;
    let wealth = assets >= Decimal::from(FINANCIAL_ASSETS_FROM) || evidence.income_3y >= Decimal::from(INCOME_FROM);
    let experience =
        evidence.experience_months >= EXPERIENCE_MONTHS_FROM || evidence.work_months >= EXPERIENCE_MONTHS_FROM;
    ProfessionalTest { qualified: wealth && experience, wealth, experience }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(here: i64, elsewhere: i64, income: i64, experience: u32, work: u32) -> Evidence {
        Evidence {
            assets_here: Decimal::from(here),
            assets_elsewhere: Decimal::from(elsewhere),
            income_3y: Decimal::from(income),
            experience_months: experience,
            work_months: work,
            documents: "bank statement 2026-11".into(),
        }
    }

    #[test]
    fn both_tests_must_pass_each_by_either_of_its_ways() {
        assert!(test(&evidence(3_000_000, 2_000_000, 0, 24, 0)).qualified, "assets here and elsewhere add up");
        assert!(test(&evidence(0, 0, 500_000, 0, 24)).qualified, "income and work");
        let poor = test(&evidence(4_999_999, 0, 499_999, 120, 0));
        assert_eq!((poor.qualified, poor.wealth, poor.experience), (false, false, true));
        let green = test(&evidence(9_000_000, 0, 0, 23, 23));
        assert_eq!((green.qualified, green.wealth, green.experience), (false, true, false));
    }
}
