//! Advisor communities (issue 7), the pure part: who may enter a group
//! ([`admission`]), what a group's rules prohibit in a message and the ladder
//! of sanctions ([`moderation`]), what counts as a question ([`question`]),
//! the clock that counts only service minutes for the question SLA
//! ([`service_clock`]), a group's seed users ([`seeds`]), mentions and
//! response-time percentiles ([`chat`]), and the screening of text that
//! survives evasion ([`screening`], issue 29). No I/O.

pub mod admission;
pub mod cadence;
pub mod chat;
pub mod codes;
pub mod corpus;
pub mod moderation;
pub mod question;
pub mod screening;
pub mod seeds;
pub mod service_clock;
