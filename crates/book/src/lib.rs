//! The book (issue 22): what an account holds and the cash it has, moved by
//! trades, cash flows and corporate actions. Pure rules, no I/O: the store
//! reads the holdings a batch touches, these functions say what each becomes
//! (or why an event is refused), and the store writes it back in the same
//! unit of work. Money is in the store's integer units (0.0001 CNY).
//!
//! Average cost is the moving weighted average of the purchase prices
//! (持仓均价): a buy averages in at its price (fees not included), a sell
//! leaves it, and a holding sold out starts afresh. The position watch keeps
//! the same figure, rounded to 0.001 CNY.

pub mod corporate;
pub mod holding;

pub use corporate::{entitle, reference_price, Entitlement};
pub use holding::{cash_flow_change, trade_cash_change, trading_day, BookError, Holding};

/// Money as the store keeps it: ten-thousandths of a yuan.
pub type Fixed = i64;
