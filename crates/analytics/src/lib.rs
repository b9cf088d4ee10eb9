//! Analytics, the pure part (issue 28): a brokerage's users measured the way
//! seed 002 measures them, TUV = users x monthly active rate x conversion
//! rate x ARPU, with the month-over-month change of TUV split exactly into
//! what each factor contributed (Shapley); each month's customers by stage
//! of their lifecycle (new, returning, resurrected, dormant); cohorts by the
//! month an account opened, with retention and revenue per customer.
//!
//! Everything here is arithmetic over plain inputs: counts and revenue per
//! month, or a customer's months of activity. The store keeps the counts
//! current; this crate says what they mean.

pub mod cohort;
pub mod group;
pub mod history;
pub mod lifecycle;
pub mod map;
pub mod month;
pub mod tuv;

pub use cohort::{Cohort, CohortCell, CohortTable};
pub use history::History;
pub use lifecycle::{Lifecycle, Stage};
pub use map::{MapFeature, Region, RegionError};
pub use month::{Month, MonthError};
pub use tuv::{Decomposition, Funnel, FunnelError, Tuv};
