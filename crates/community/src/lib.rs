//! Advisor communities (issue 7), the pure part: what a group's rules
//! prohibit in a message and the ladder of sanctions ([`moderation`]), what
//! counts as a question ([`question`]), and the clock that counts only
//! service minutes for the question SLA ([`service_clock`]). No I/O.

pub mod moderation;
pub mod question;
pub mod service_clock;
