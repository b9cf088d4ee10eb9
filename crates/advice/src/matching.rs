//! The one function that matches an investor to a product ([`judge`]),
//! used by the gate at sale, recommendations, the group warnings and the
//! `suitability` command alike.
//!
//! By the CSRC's suitability measures (2017): a professional investor may
//! buy anything; an ordinary investor matches products up to their class
//! (C1-lowest and C1: R1; C2: R2; ... C5: R5) whose horizon is no longer
//! than theirs and whose variety they chose. Above the match an ordinary
//! investor may buy only after a specific warning and an explicit
//! confirmation, except the lowest class, who may never buy above R1.
//! Investors aged 60 and over buying above R3 get the enhanced care
//! regulators expect: an extra confirmation (and, at sale, a return visit).

use domain::{Horizon, InvestorClass, ProductRisk, Variety, Verdict};
use serde::Serialize;

/// From this age an ordinary investor buying above [`ELDERLY_ABOVE`] gets enhanced care.
pub const ELDERLY_FROM_AGE: u32 = 60;
/// The rating above which the elderly get enhanced care.
pub const ELDERLY_ABOVE: ProductRisk = ProductRisk::R3;

/// What the gate knows of an investor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investor {
    /// Their class from the questionnaire.
    pub class: InvestorClass,
    /// A qualified professional investor (by the tests, unexpired).
    pub professional: bool,
    /// How long they mean to invest (none: not tested).
    pub horizon: Option<Horizon>,
    /// What they mean to invest in (none: not tested).
    pub varieties: Option<Vec<Variety>>,
    /// Their age (none: not tested).
    pub age: Option<u32>,
}

/// What the gate knows of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductTerms {
    /// Its rating.
    pub risk: ProductRisk,
    /// Its horizon (none: not tested).
    pub horizon: Option<Horizon>,
    /// Its variety (none: not tested).
    pub variety: Option<Variety>,
}

/// Why a verdict was given: each in plain words, Chinese and English
/// (the catalogue entry `suitability-<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A professional investor may buy any product.
    Professional,
    /// Within the class's match, horizon and varieties.
    Matched {
        /// The investor's class.
        class: InvestorClass,
        /// The product's rating.
        risk: ProductRisk,
    },
    /// The product's rating is above the class's match.
    RiskAbove {
        /// The investor's class.
        class: InvestorClass,
        /// The product's rating.
        risk: ProductRisk,
    },
    /// The most conservative class may never buy above R1.
    LowestAboveR1 {
        /// The product's rating.
        risk: ProductRisk,
    },
    /// The product is meant to be held longer than the investor means to invest.
    HorizonShorter {
        /// The investor's horizon.
        investor: Horizon,
        /// The product's.
        product: Horizon,
    },
    /// The investor did not choose the product's variety.
    VarietyNotChosen {
        /// The product's variety.
        variety: Variety,
    },
    /// An investor of 60 or more buying above R3: enhanced care.
    ElderlyAboveR3 {
        /// Their age.
        age: u32,
        /// The product's rating.
        risk: ProductRisk,
    },
}

fn horizon_years(h: Horizon) -> u8 {
    match h {
        Horizon::Short => 1,
        Horizon::Medium => 2,
        Horizon::Long => 3,
    }
}

impl Reason {
    /// The stable code (its message is `suitability-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Professional => "professional",
            Reason::Matched { .. } => "matched",
            Reason::RiskAbove { .. } => "risk_above",
            Reason::LowestAboveR1 { .. } => "lowest_above_r1",
            Reason::HorizonShorter { .. } => "horizon_shorter",
            Reason::VarietyNotChosen { .. } => "variety_not_chosen",
            Reason::ElderlyAboveR3 { .. } => "elderly_above_r3",
        }
    }

    /// The values its message names.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match *self {
            Reason::Professional => vec![],
            Reason::Matched { class, risk } | Reason::RiskAbove { class, risk } => vec![
                ("class", class.to_string()),
                ("highest", class.highest_match().to_string()),
                ("risk", risk.to_string()),
            ],
            Reason::LowestAboveR1 { risk } => vec![("risk", risk.to_string())],
            Reason::HorizonShorter { investor, product } => {
                vec![("investor", investor.to_string()), ("product", product.to_string())]
            }
            Reason::VarietyNotChosen { variety } => vec![("variety", variety.to_string())],
            Reason::ElderlyAboveR3 { age, risk } => vec![("age", age.to_string()), ("risk", risk.to_string())],
        }
    }

    /// In a reader's language.
    pub fn text(&self, locale: messages::Locale) -> String {
        locale.t_with(&format!("suitability-{}", self.code()), &self.args())
    }

    /// The verdict this reason alone calls for.
    pub fn verdict(&self) -> Verdict {
        match self {
            Reason::Professional | Reason::Matched { .. } => Verdict::Allowed,
            Reason::LowestAboveR1 { .. } => Verdict::Refused,
            Reason::RiskAbove { .. }
            | Reason::HorizonShorter { .. }
            | Reason::VarietyNotChosen { .. }
            | Reason::ElderlyAboveR3 { .. } => Verdict::NeedsConfirmation,
        }
    }
}

/// A reason as shown: its code and its words in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonText {
    /// Stable code.
    pub code: &'static str,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

impl From<&Reason> for ReasonText {
    fn from(r: &Reason) -> Self {
        ReasonText { code: r.code(), zh: r.text(messages::Locale::Zh), en: r.text(messages::Locale::En) }
    }
}

/// The gate's answer: the verdict and every reason behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Allowed, needs confirmation, or refused.
    pub verdict: Verdict,
    /// Why: the match when allowed, else every mismatch found.
    pub reasons: Vec<Reason>,
}

impl Judgement {
    /// The reasons in both languages.
    pub fn texts(&self) -> Vec<ReasonText> {
        self.reasons.iter().map(ReasonText::from).collect()
    }

    /// The reasons in one language, joined.
    pub fn said(&self, locale: messages::Locale) -> String {
        let sep = if locale == messages::Locale::Zh { "；" } else { "; " };
        self.reasons.iter().map(|r| r.text(locale)).collect::<Vec<_>>().join(sep)
    }
}

/// Matches an investor to a product.
pub fn judge(investor: &Investor, product: &ProductTerms) -> Judgement {
    if investor.professional {
        return Judgement { verdict: Verdict::Allowed, reasons: vec![Reason::Professional] };
    }
    let class = investor.class;
    let mut reasons = Vec::new();
    if product.risk.rank() > class.highest_match().rank() {
        reasons.push(if class == InvestorClass::Lowest {
            Reason::LowestAboveR1 { risk: product.risk }
        } else {
            Reason::RiskAbove { class, risk: product.risk }
        });
    }
    if let (Some(investor), Some(product)) = (investor.horizon, product.horizon) {
        if horizon_years(product) > horizon_years(investor) {
            reasons.push(Reason::HorizonShorter { investor, product });
        }
    }
    if let (Some(chosen), Some(variety)) = (&investor.varieties, product.variety) {
        if !chosen.contains(&variety) {
            reasons.push(Reason::VarietyNotChosen { variety });
        }
    }
    if let Some(age) = investor.age.filter(|a| *a >= ELDERLY_FROM_AGE) {
        if product.risk.rank() > ELDERLY_ABOVE.rank() {
            reasons.push(Reason::ElderlyAboveR3 { age, risk: product.risk });
        }
    }
    let verdict = if reasons.iter().any(|r| r.verdict() == Verdict::Refused) {
        Verdict::Refused
    } else if reasons.is_empty() {
        reasons.push(Reason::Matched { class, risk: product.risk });
        Verdict::Allowed
    } else {
        Verdict::NeedsConfirmation
    };
    Judgement { verdict, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variety set an investor can choose (the 15 non-empty subsets, and none stated).
    fn variety_sets() -> Vec<Option<Vec<Variety>>> {
        let mut sets = vec![None];
        for mask in 1..16u8 {
            sets.push(Some(
                Variety::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, v)| *v).collect(),
            ));
        }
        sets
    }

    /// The law's table, written out as a reader of the measures would: the
    /// highest rating each class matches, and who may go above it.
    fn expected(
        class: &str,
        professional: bool,
        risk: u8,
        horizon_ok: bool,
        variety_ok: bool,
        elderly: bool,
    ) -> Verdict {
        if professional {
            return Verdict::Allowed;
        }
        let highest = match class {
            "C1-lowest" | "C1" => 1,
            "C2" => 2,
            "C3" => 3,
            "C4" => 4,
            _ => 5,
        };
        if risk > highest && class == "C1-lowest" {
            Verdict::Refused
        } else if risk > highest || !horizon_ok || !variety_ok || (elderly && risk > 3) {
            Verdict::NeedsConfirmation
        } else {
            Verdict::Allowed
        }
    }

    #[test]
    fn the_whole_matrix_of_class_rating_horizon_variety_and_age() {
        let horizons = [None, Some(Horizon::Short), Some(Horizon::Medium), Some(Horizon::Long)];
        let mut cases = 0;
        for class in InvestorClass::ALL {
            for professional in [false, true] {
                for risk in ProductRisk::ALL {
                    for investor_horizon in horizons {
                        for product_horizon in horizons {
                            for varieties in variety_sets() {
                                for variety in [
                                    None,
                                    Some(Variety::Stocks),
                                    Some(Variety::Funds),
                                    Some(Variety::Bonds),
                                    Some(Variety::Derivatives),
                                ] {
                                    for age in [None, Some(35), Some(59), Some(60), Some(72)] {
                                        let investor = Investor {
                                            class: *class,
                                            professional,
                                            horizon: investor_horizon,
                                            varieties: varieties.clone(),
                                            age,
                                        };
                                        let product = ProductTerms { risk: *risk, horizon: product_horizon, variety };
                                        let got = judge(&investor, &product);
                                        let order = |h: Horizon| {
                                            ["short", "medium", "long"].iter().position(|w| *w == h.as_str())
                                        };
                                        let horizon_ok = match (investor_horizon, product_horizon) {
                                            (Some(i), Some(p)) => order(p) <= order(i),
                                            _ => true,
                                        };
                                        let variety_ok = match (&varieties, variety) {
                                            (Some(set), Some(v)) => set.contains(&v),
                                            _ => true,
                                        };
                                        let elderly = age.is_some_and(|a| a >= 60);
                                        let want = expected(
                                            class.as_str(),
                                            professional,
                                            risk.rank(),
                                            horizon_ok,
                                            variety_ok,
                                            elderly,
                                        );
                                        assert_eq!(got.verdict, want, "{investor:?} {product:?}: {:?}", got.reasons);
                                        assert!(!got.reasons.is_empty(), "a verdict always says why");
                                        cases += 1;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 6 * 2 * 5 * 4 * 4 * 16 * 5 * 5);
    }

    #[test]
    fn each_mismatch_is_said_plainly_in_both_languages() {
        let investor = Investor {
            class: InvestorClass::C3,
            professional: false,
            horizon: Some(Horizon::Short),
            varieties: Some(vec![Variety::Stocks]),
            age: Some(66),
        };
        let product =
            ProductTerms { risk: ProductRisk::R4, horizon: Some(Horizon::Long), variety: Some(Variety::Funds) };
        let j = judge(&investor, &product);
        assert_eq!(j.verdict, Verdict::NeedsConfirmation);
        let codes: Vec<_> = j.reasons.iter().map(Reason::code).collect();
        assert_eq!(codes, ["risk_above", "horizon_shorter", "variety_not_chosen", "elderly_above_r3"]);
        let en = j.said(messages::Locale::En);
        assert!(en.contains("C3") && en.contains("R4") && en.contains("R3"), "{en}");
        let zh = j.said(messages::Locale::Zh);
        assert!(zh.contains("C3") && zh.contains("R4"), "{zh}");
        for r in &j.reasons {
            assert_ne!(r.text(messages::Locale::Zh), r.text(messages::Locale::En), "{}", r.code());
            assert!(!r.text(messages::Locale::En).starts_with("suitability-"), "{} has a message", r.code());
        }
        let lowest = Investor { class: InvestorClass::Lowest, ..investor };
        let j = judge(&lowest, &ProductTerms { risk: ProductRisk::R2, horizon: None, variety: None });
        assert_eq!(j.verdict, Verdict::Refused);
        assert!(j.said(messages::Locale::En).contains("never"), "{}", j.said(messages::Locale::En));
    }
}
