//! Order tools, the pure part (issue 26): a ticket and the pre-trade checks
//! that catch the mistakes customers are hurt by (the bond sold at 1 yuan
//! against par 100, the holding far over its limit, a lot the exchange
//! refuses), the fee schedule, paper matching of working orders against
//! quotes, and conditional orders (条件单) held in an index by trigger price
//! so that a quote costs in proportion to the orders it triggers.
//!
//! Prices and amounts are integer counts of 0.0001 CNY ([`Fixed`]), as in
//! the store and the watch: exact, and cheap on the hot paths.

pub mod checks;
pub mod conditional;
pub mod fees;
pub mod paper;
pub mod ticket;

pub use checks::{check, CheckSettings, Finding, Rule, Severity};
pub use conditional::{Condition, ConditionKind, ConditionalOrder, Fired, TriggerBook};
pub use fees::{Commission, FeeSchedule};
pub use paper::{settle, Fill, PaperAccount, WorkingOrder};
pub use ticket::{AccountFacts, InstrumentFacts, Moment, OrderType, Ticket};

/// Money as an integer count of 0.0001 CNY.
pub type Fixed = i64;

/// One yuan in [`Fixed`] units.
pub const YUAN: Fixed = 10_000;

/// A Fixed amount as Money (for messages and the rules that take Money).
pub fn money(value: Fixed) -> domain::Money {
    <domain::Money as domain::FixedPoint>::from_fixed(value)
}
