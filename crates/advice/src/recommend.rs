//! Recommendations per customer, from suitable products only (those the
//! gate allows without a warning), ranked by what classification knows:
//! newcomers to the beginner product, experienced high-net-worth customers
//! with a good record to the professional one, and otherwise the products
//! nearest the customer's own class first.

use crate::matching::{judge, Investor, ProductTerms};
use domain::{Ladder, ProductId, Verdict};
use serde::Serialize;

/// Recommendations shown per customer at most.
pub const SHOWN: usize = 3;

/// What classification says of a customer, as the ranking reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Known<'a> {
    /// Experience label: newcomer, experienced, veteran ("" before classification).
    pub experience: &'a str,
    /// Track record label: successful, unsuccessful, too_little_history.
    pub track_record: &'a str,
    /// Service tier label: core, maintaining, precipitating, dormant ...
    pub service_tier: &'a str,
}

/// A product as the ranking reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    /// Its id.
    pub id: ProductId,
    /// Its terms for the gate.
    pub terms: ProductTerms,
    /// Its rung of the ladder, if one.
    pub ladder: Option<Ladder>,
}

/// Why a product is recommended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Because {
    /// A newcomer: the short, cheap beginner product first.
    Newcomer,
    /// Experienced, high-net-worth, a good record: the professional product.
    ProvenInvestor,
    /// Suits the customer's class, horizon and varieties.
    Fits,
}

impl Because {
    /// The catalogue key of its words.
    pub fn message_key(self) -> &'static str {
        match self {
            Because::Newcomer => "recommend-newcomer",
            Because::ProvenInvestor => "recommend-proven",
            Because::Fits => "recommend-fits",
        }
    }
}

/// One recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// The product.
    pub product: ProductId,
    /// Why.
    pub because: Because,
}

/// The suitable products for an investor, best first, at most [`SHOWN`].
pub fn recommend(investor: &Investor, known: Known<'_>, offers: &[Offer]) -> Vec<Recommendation> {
    let newcomer = known.experience == "newcomer";
    let proven = matches!(known.experience, "experienced" | "veteran")
        && known.track_record == "successful"
        && known.service_tier == "core";
    let mut ranked: Vec<(u8, u8, Recommendation)> = offers
        .iter()
        .filter(|o| judge(investor, &o.terms).verdict == Verdict::Allowed)
        .filter_map(|o| {
            let (rank, because) = match o.ladder {
                Some(Ladder::Beginner) if newcomer => (0, Because::Newcomer),
                Some(Ladder::Professional) if proven => (0, Because::ProvenInvestor),
                // A rung of the ladder meant for someone else is not pressed on this customer.
                Some(Ladder::Beginner) if proven => return None,
                Some(Ladder::Professional) => return None,
                _ => (1, Because::Fits),
            };
            // Nearest the customer's own class first.
            let distance = investor.class.highest_match().rank().abs_diff(o.terms.risk.rank());
            Some((rank, distance, Recommendation { product: o.id, because }))
        })
        .collect();
    ranked.sort_by_key(|(rank, distance, r)| (*rank, *distance, r.product));
    ranked.into_iter().take(SHOWN).map(|(_, _, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Horizon, InvestorClass, ProductRisk, Variety};

    fn offer(id: i64, risk: ProductRisk, horizon: Horizon, ladder: Option<Ladder>) -> Offer {
        Offer {
            id: ProductId(id),
            terms: ProductTerms { risk, horizon: Some(horizon), variety: Some(Variety::Funds) },
            ladder,
        }
    }

    fn offers() -> Vec<Offer> {
        vec![
            offer(1, ProductRisk::R2, Horizon::Short, Some(Ladder::Beginner)),
            offer(2, ProductRisk::R4, Horizon::Long, Some(Ladder::Professional)),
            offer(3, ProductRisk::R3, Horizon::Medium, None),
            offer(4, ProductRisk::R1, Horizon::Short, None),
            offer(5, ProductRisk::R5, Horizon::Long, None),
        ]
    }

    fn investor(class: InvestorClass) -> Investor {
        Investor {
            class,
            professional: false,
            horizon: Some(Horizon::Long),
            varieties: Some(vec![Variety::Funds]),
            age: Some(40),
        }
    }

    #[test]
    fn newcomers_get_the_beginner_product_first_and_nothing_unsuitable() {
        let known = Known { experience: "newcomer", track_record: "too_little_history", service_tier: "maintaining" };
        let got = recommend(&investor(InvestorClass::C3), known, &offers());
        assert_eq!(got[0], Recommendation { product: ProductId(1), because: Because::Newcomer });
        let ids: Vec<i64> = got.iter().map(|r| r.product.0).collect();
        assert_eq!(ids, [1, 3, 4], "R4 and R5 are above C3; the professional rung is not theirs");
    }

    #[test]
    fn proven_investors_get_the_professional_product_when_it_suits_them() {
        let known = Known { experience: "veteran", track_record: "successful", service_tier: "core" };
        let got = recommend(&investor(InvestorClass::C4), known, &offers());
        assert_eq!(got[0], Recommendation { product: ProductId(2), because: Because::ProvenInvestor });
        assert!(got.iter().all(|r| r.product != ProductId(1)), "not the beginner product");
        // Above their class it is not recommended, however good their record.
        let got = recommend(&investor(InvestorClass::C2), known, &offers());
        assert!(got.iter().all(|r| r.product != ProductId(2)), "{got:?}");
    }

    #[test]
    fn the_lowest_class_is_offered_r1_only() {
        let got = recommend(&investor(InvestorClass::Lowest), Known::default(), &offers());
        assert_eq!(got, vec![Recommendation { product: ProductId(4), because: Because::Fits }]);
    }
}
