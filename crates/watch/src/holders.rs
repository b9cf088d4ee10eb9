//! The large-holder rule (持股5%以上股东): a customer's shares of one listed
//! company, counted over all their accounts (a cash and a margin account can
//! cross together), against its issued voting shares. Reaching 5% calls for a
//! report within three trading days and a trading freeze until it is
//! published; then each further 5% step up or down again, and each 1% step
//! a notice the next day (the Securities Law of 2020, art. 63). Shares only:
//! ETFs, bonds and convertibles do not count.

use crate::rules::Bp;

/// The whole-percent level at and above which a holder discloses.
pub const DISCLOSE_AT_PERCENT: i64 = 5;

/// What a change of level calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// A report within three trading days, and no trading in the stock until it is published.
    Report,
    /// A notice by the next trading day.
    Notice,
}

/// A holder's level: the share of voting shares in basis points and in whole percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// Share of the voting shares (basis points, rounded down).
    pub bp: Bp,
    /// Whole percent (rounded down).
    pub percent: i64,
}

/// The level of `shares` out of `voting_shares` (None when unknown).
pub fn level(shares: i64, voting_shares: i64) -> Option<Level> {
    if voting_shares <= 0 || shares < 0 {
        return None;
    }
    let bp = (i128::from(shares) * 10_000 / i128::from(voting_shares)) as Bp;
    Some(Level { bp, percent: bp / 100 })
}

/// The reminder step of a disclosure: ten times the whole percent, plus
/// one for a report (so a report and a notice at one level are told apart).
pub fn step(percent: i64, what: Disclosure) -> u16 {
    (percent.clamp(0, 100) * 10) as u16 + u16::from(what == Disclosure::Report)
}

/// The whole percent and what is called for, from a reminder step.
pub fn of_step(step: u16) -> (i64, Disclosure) {
    (i64::from(step / 10), if step % 10 == 1 { Disclosure::Report } else { Disclosure::Notice })
}

/// What going from whole percent `before` (None: never disclosed) to `now`
/// calls for: a report on reaching 5%, on crossing each further multiple of 5
/// up or down, and on falling below 5%; a notice for each other whole-percent
/// step at or above 5%; nothing below 5% or without a step.
pub fn follows(before: Option<i64>, now: i64) -> Option<Disclosure> {
    let before = before.unwrap_or(0);
    if before == now || (before < DISCLOSE_AT_PERCENT && now < DISCLOSE_AT_PERCENT) {
        return None;
    }
    if before / 5 != now / 5 {
        Some(Disclosure::Report)
    } else {
        Some(Disclosure::Notice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_what_they_call_for() {
        assert_eq!(level(5_000_000, 100_000_000), Some(Level { bp: 500, percent: 5 }));
        assert_eq!(level(4_999_999, 100_000_000).unwrap().percent, 4);
        assert_eq!(level(1, 0), None);
        assert_eq!(follows(None, 4), None, "below 5%: nothing");
        assert_eq!(follows(None, 5), Some(Disclosure::Report), "reaching 5%");
        assert_eq!(follows(Some(5), 6), Some(Disclosure::Notice), "each 1% after");
        assert_eq!(follows(Some(6), 6), None);
        assert_eq!(follows(Some(9), 10), Some(Disclosure::Report), "each further 5%");
        assert_eq!(follows(Some(10), 9), Some(Disclosure::Report), "down through 10%");
        assert_eq!(follows(Some(5), 4), Some(Disclosure::Report), "falling below 5%");
        assert_eq!(follows(Some(4), 3), None);
        assert_eq!(of_step(step(10, Disclosure::Report)), (10, Disclosure::Report));
        assert_eq!(of_step(step(6, Disclosure::Notice)), (6, Disclosure::Notice));
    }
}
