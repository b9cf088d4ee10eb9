//! Ideas (issue 25), the pure part: an idea tracked from its publication on
//! daily bars ([`track`]: return to date, maximum drawdown, target or stop
//! hit, against a benchmark over the same days), the equal-weighted
//! benchmark used when no market index is loaded ([`benchmark`]), and
//! sources ranked by their ideas' records ([`record`]), and model
//! portfolios valued day by day ([`portfolio`]). No I/O.

pub mod benchmark;
pub mod portfolio;
pub mod record;
pub mod track;

pub use track::{track, Direction, IdeaTerms, Outcome, Track};
