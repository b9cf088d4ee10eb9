//! Products and suitability (适当性, issue 24), the pure part: the risk
//! questionnaire and its scoring ([`questionnaire`]), the one function that
//! matches an investor to a product ([`matching`]), the professional
//! investor's tests ([`professional`]), the exchanges' trading permissions
//! ([`permissions`]) and recommendations from suitable products only
//! ([`recommend`]). No I/O.

pub mod codes;
pub mod matching;
pub mod permissions;
pub mod professional;
pub mod questionnaire;
pub mod recommend;

pub use matching::{judge, Investor, Judgement, ProductTerms, Reason};
pub use questionnaire::{Answers, Assessment, Questionnaire};
