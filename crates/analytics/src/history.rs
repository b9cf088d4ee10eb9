//! One customer's months, as the events say: the month the account opened
//! and the revenue of each month they were active in. Every figure of this
//! crate can be computed from these directly; the store's running counts
//! must agree with that (the tests compare them).

use std::collections::BTreeMap;

use crate::cohort::CohortCounts;
use crate::{Funnel, Lifecycle, Month, Stage};

/// A customer's activity by month.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    /// The month the account opened (None: not known, counts nowhere).
    pub opened: Option<Month>,
    /// Months the customer was active in, with the revenue of each (0.0001 CNY, may be 0).
    pub months: BTreeMap<Month, i64>,
}

impl History {
    /// A history from the opening month and the months active; activity
    /// before the account opened is left out (it cannot be the customer's).
    pub fn new(opened: Month, months: impl IntoIterator<Item = (Month, i64)>) -> History {
        let mut h = History { opened: Some(opened), months: BTreeMap::new() };
        for (month, revenue) in months {
            if month >= opened {
                *h.months.entry(month).or_default() += revenue;
            }
        }
        h
    }

    /// Whether the customer was active in the month.
    pub fn active_in(&self, month: Month) -> bool {
        self.months.contains_key(&month)
    }

    /// The customer's stage in the month (None before the account opened).
    pub fn stage(&self, month: Month) -> Option<Stage> {
        Stage::of(self.opened?, month, self.active_in(month), self.active_in(month.pred()))
    }

    /// The customer's own funnel for the month (0 or 1 of each).
    pub fn funnel(&self, month: Month) -> Funnel {
        match self.opened {
            Some(opened) if opened <= month => {
                let revenue = self.months.get(&month).copied();
                Funnel {
                    users: 1,
                    active: u64::from(revenue.is_some()),
                    paying: u64::from(revenue.unwrap_or(0) > 0),
                    revenue: revenue.unwrap_or(0),
                }
            }
            _ => Funnel::default(),
        }
    }
}

/// The funnel of a set of customers in a month.
pub fn funnel<'a>(histories: impl IntoIterator<Item = &'a History>, month: Month) -> Funnel {
    let mut total = Funnel::default();
    for h in histories {
        total.add(&h.funnel(month));
    }
    total
}

/// The stages of a set of customers in a month.
pub fn lifecycle<'a>(histories: impl IntoIterator<Item = &'a History>, month: Month) -> Lifecycle {
    let mut l = Lifecycle::default();
    for stage in histories.into_iter().filter_map(|h| h.stage(month)) {
        l.count(stage);
    }
    l
}

/// Cohort sizes and counts (see [`crate::CohortTable::build`]) of a set of customers.
pub fn cohort_counts<'a>(histories: impl IntoIterator<Item = &'a History>) -> (BTreeMap<Month, u64>, CohortCounts) {
    let mut sizes = BTreeMap::new();
    let mut counts = CohortCounts::new();
    for h in histories {
        let Some(opened) = h.opened else { continue };
        *sizes.entry(opened).or_default() += 1;
        for (&month, &revenue) in &h.months {
            let c = counts.entry((opened, month)).or_default();
            c.0 += 1;
            c.1 += revenue;
        }
    }
    (sizes, counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tuv::{decompose, UNITS_PER_YUAN};
    use crate::CohortTable;
    use rust_decimal::Decimal;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    /// The small book of the README, computed by hand there: four customers
    /// over May and June 2025.
    fn book() -> Vec<History> {
        let y = UNITS_PER_YUAN;
        vec![
            // A: opened long ago, active and paying both months.
            History::new(m("2020-01"), [(m("2025-05"), 30 * y), (m("2025-06"), 50 * y)]),
            // B: opened long ago, only logged in during May; nothing in June.
            History::new(m("2021-07"), [(m("2025-05"), 0)]),
            // C: opened long ago, quiet in May, back in June and paid.
            History::new(m("2019-03"), [(m("2025-04"), 10 * y), (m("2025-06"), 40 * y)]),
            // D: opened in June, active (a login) but paid nothing.
            History::new(m("2025-06"), [(m("2025-06"), 0)]),
        ]
    }

    #[test]
    fn tuv_lifecycle_and_cohorts_of_a_small_book_by_hand() {
        let book = book();
        let may = funnel(&book, m("2025-05"));
        let june = funnel(&book, m("2025-06"));
        assert_eq!(may, Funnel { users: 3, active: 2, paying: 1, revenue: 30 * UNITS_PER_YUAN });
        assert_eq!(june, Funnel { users: 4, active: 3, paying: 2, revenue: 90 * UNITS_PER_YUAN });
        let t = june.tuv();
        assert_eq!(
            (t.active_rate, t.conversion, t.arpu, t.tuv),
            (Decimal::new(75, 2), Decimal::new(666_667, 6), Decimal::from(45), Decimal::from(90))
        );
        // May: U 3, a 2/3, c 1/2, r 30. June: U 4, a 3/4, c 2/3, r 45.
        // Shapley, each factor's change averaged over the 24 orders of change,
        // in fractions: users 4535/288 = 15.74652.., active rate 1885/288 =
        // 6.54513.., conversion 4535/288, ARPU 6325/288 = 21.96180..; they sum
        // to 17280/288 = 60. To the 0.0001 CNY the floors sum to one unit
        // short, which goes to the largest fraction (the active rate's .3888).
        let d = decompose(&may, &june);
        assert_eq!(d.change, Decimal::from(60));
        assert_eq!(d.users + d.active_rate + d.conversion + d.arpu, d.change);
        assert_eq!(
            [d.users, d.active_rate, d.conversion, d.arpu],
            [Decimal::new(157_465, 4), Decimal::new(65_452, 4), Decimal::new(157_465, 4), Decimal::new(219_618, 4),]
        );
        assert_eq!(lifecycle(&book, m("2025-06")), Lifecycle { new: 1, returning: 1, resurrected: 1, dormant: 1 });
        assert_eq!(lifecycle(&book, m("2025-05")), Lifecycle { new: 0, returning: 0, resurrected: 2, dormant: 1 });
        let (sizes, counts) = cohort_counts(&book);
        let table = CohortTable::build(m("2025-06"), m("2025-06"), &sizes, &counts);
        assert_eq!(table.cohorts[0].size, 1);
        assert_eq!(table.cohorts[0].cells[0].retention, Decimal::ONE);
    }

    #[test]
    fn activity_before_the_account_opened_is_left_out() {
        let h = History::new(m("2025-06"), [(m("2025-05"), 100)]);
        assert!(h.months.is_empty());
        assert_eq!(h.funnel(m("2025-05")), Funnel::default());
    }
}
