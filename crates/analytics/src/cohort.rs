//! Cohorts by the month an account opened: of the customers who opened in a
//! month, the share active in each month after (retention), and the revenue
//! each has brought on average since opening (lifetime value so far).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::tuv::UNITS_PER_YUAN;
use crate::Month;

/// One cohort in one month of its life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortCell {
    /// Months since the cohort's month (0: the month they opened).
    pub age: i32,
    /// The calendar month.
    pub month: Month,
    /// Customers of the cohort active in the month.
    pub active: u64,
    /// Active / cohort size.
    pub retention: Decimal,
    /// The cohort's revenue in the month, CNY.
    pub revenue: Decimal,
    /// Revenue since opening per customer of the cohort, CNY.
    pub lifetime_value: Decimal,
}

/// The customers who opened in one month, month by month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    /// The month they opened.
    pub opened: Month,
    /// How many opened.
    pub size: u64,
    /// From the month they opened to the table's last month.
    pub cells: Vec<CohortCell>,
}

/// Cohorts opened from `first` to `last`, each followed to `last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortTable {
    /// The first cohort.
    pub first: Month,
    /// The last month followed.
    pub last: Month,
    /// One per month opened, oldest first.
    pub cohorts: Vec<Cohort>,
}

/// What is kept per cohort and month: active customers and revenue (0.0001 CNY).
pub type CohortCounts = BTreeMap<(Month, Month), (u64, i64)>;

impl CohortTable {
    /// The table from cohort sizes (customers opened per month) and what
    /// each cohort did per month (`(cohort, month) -> (active, revenue)`).
    pub fn build(first: Month, last: Month, sizes: &BTreeMap<Month, u64>, counts: &CohortCounts) -> CohortTable {
        let cohorts = first
            .through(last)
            .map(|opened| {
                let size = sizes.get(&opened).copied().unwrap_or(0);
                let per = |n: Decimal| if size == 0 { Decimal::ZERO } else { n / Decimal::from(size) };
                let mut so_far = 0i64;
                let cells = opened
                    .through(last)
                    .map(|month| {
                        let (active, revenue) = counts.get(&(opened, month)).copied().unwrap_or((0, 0));
                        so_far += revenue;
                        CohortCell {
                            age: month.since(opened),
                            month,
                            active,
                            retention: per(Decimal::from(active)).round_dp(6),
                            revenue: Decimal::new(revenue, 4),
                            lifetime_value: (per(Decimal::from(so_far)) / Decimal::from(UNITS_PER_YUAN)).round_dp(4),
                        }
                    })
                    .collect();
                Cohort { opened, size, cells }
            })
            .collect();
        CohortTable { first, last, cohorts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[test]
    fn retention_and_lifetime_value_by_hand() {
        let sizes = BTreeMap::from([(m("2025-01"), 4), (m("2025-02"), 0)]);
        let counts: CohortCounts = BTreeMap::from([
            ((m("2025-01"), m("2025-01")), (4, 40 * UNITS_PER_YUAN)),
            ((m("2025-01"), m("2025-02")), (2, 0)),
            ((m("2025-01"), m("2025-03")), (1, 20 * UNITS_PER_YUAN)),
        ]);
        let t = CohortTable::build(m("2025-01"), m("2025-03"), &sizes, &counts);
        assert_eq!(t.cohorts.len(), 3);
        let jan = &t.cohorts[0];
        assert_eq!(
            jan.cells.iter().map(|c| c.retention).collect::<Vec<_>>(),
            [Decimal::ONE, Decimal::new(5, 1), Decimal::new(25, 2)]
        );
        // 40 CNY, then nothing, then 20 among 4 customers: 10, 10, 15 each.
        assert_eq!(
            jan.cells.iter().map(|c| c.lifetime_value).collect::<Vec<_>>(),
            [Decimal::from(10), Decimal::from(10), Decimal::from(15)]
        );
        // An empty cohort shows zeros, not a division by zero.
        assert_eq!(t.cohorts[1].cells[0].retention, Decimal::ZERO);
        assert_eq!(t.cohorts[2].cells.len(), 1);
    }
}
