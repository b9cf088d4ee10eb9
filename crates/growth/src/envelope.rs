//! Red envelopes (红包) in groups: N points put into K shares, equal or
//! random (at least one point a share), opened by the first K different
//! members; what is left after a day goes back to the sender. Every
//! movement is a ledger transfer through the escrow account.

use crate::ledger::{Account, FirmAccount, Kind, Transfer};
use chrono::Duration;
use domain::{CustomerId, StaffId};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

/// How long an envelope may be opened; then what is left returns.
pub fn life() -> Duration {
    Duration::hours(24)
}

/// The most shares an envelope may have.
pub const MAX_SHARES: i64 = 200;
/// The most points one envelope may carry.
pub const MAX_POINTS: i64 = 1_000_000;
/// Points an advisor may send in envelopes a month by default, from the
/// firm's budget (what returns unopened does not count).
pub const ADVISOR_MONTHLY_BUDGET: i64 = 200_000;

/// The firm's red-envelope budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvelopeRules {
    /// Points each advisor may send in envelopes a month, from the firm's budget (0 turns them off).
    pub advisor_monthly_budget: i64,
}

impl Default for EnvelopeRules {
    fn default() -> Self {
        EnvelopeRules { advisor_monthly_budget: ADVISOR_MONTHLY_BUDGET }
    }
}

impl EnvelopeRules {
    /// The budget within bounds (0 to 100,000,000 points a month), or why not.
    pub fn validate(&self) -> Result<(), String> {
        if (0..=100_000_000).contains(&self.advisor_monthly_budget) {
            Ok(())
        } else {
            Err(format!("advisor_monthly_budget {}: give 0 to 100000000", self.advisor_monthly_budget))
        }
    }
}

/// How the points are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Every share alike (the first few one point more when it does not divide).
    Equal,
    /// Shares of chance, each at least one point.
    Random,
}

impl Split {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Equal => "equal",
            Split::Random => "random",
        }
    }
}

/// Who sends an envelope, and so whose points fill it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// An advisor, from the firm's budget (issued points).
    Advisor(StaffId),
    /// A member, from their own points.
    Member(CustomerId),
}

impl Sender {
    /// The account the points come from (and what is left returns to).
    pub fn account(self) -> Account {
        match self {
            Sender::Advisor(_) => Account::Firm(FirmAccount::Issuance),
            Sender::Member(c) => Account::Customer(c),
        }
    }
}

/// Why an envelope cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Shares out of 1..=MAX_SHARES.
    #[error("an envelope has 1 to {MAX_SHARES} shares")]
    Shares,
    /// Fewer points than shares, or more than MAX_POINTS.
    #[error("an envelope carries at least a point a share and at most {MAX_POINTS}")]
    Points,
}

/// The shares of `points` cut `shares` ways; they sum to `points`, each at
/// least one. A random cut is drawn from `seed` (the envelope's id), so it
/// is the same however often it is computed.
pub fn cut(points: i64, shares: i64, split: Split, seed: u64) -> Result<Vec<i64>, EnvelopeError> {
    if !(1..=MAX_SHARES).contains(&shares) {
        return Err(EnvelopeError::Shares);
    }
    if points < shares || points > MAX_POINTS {
        return Err(EnvelopeError::Points);
    }
    Ok(match split {
        Split::Equal => {
            let (each, extra) = (points / shares, points % shares);
            (0..shares).map(|i| each + i64::from(i < extra)).collect()
        }
        Split::Random => {
            // Each share drawn from 1 to twice the mean of what is left (never
            // leaving less than a point for each share after it): the mean is
            // fair, and no one share can take nearly all.
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            let mut left = points;
            let mut out = Vec::with_capacity(shares as usize);
            for i in 0..shares {
                let after = shares - i - 1;
                if after == 0 {
                    out.push(left);
                    break;
                }
                let most = (2 * left / (after + 1)).min(left - after).max(1);
                let share = rng.gen_range(1..=most);
                out.push(share);
                left -= share;
            }
            out
        }
    })
}

/// The transfer that fills envelope `id` from the sender.
pub fn send_transfer(id: i64, sender: Sender, points: i64) -> Transfer {
    Transfer {
        id: format!("envelope:{id}:send"),
        debit: sender.account(),
        credit: Account::Firm(FirmAccount::EnvelopeEscrow),
        amount: points,
        reason: "envelope_send".into(),
        kind: Kind::Single,
        corrects: None,
    }
}

/// The transfer of a share to the member who opened it.
pub fn open_transfer(id: i64, member: CustomerId, points: i64) -> Transfer {
    Transfer {
        id: format!("envelope:{id}:open:{member}"),
        debit: Account::Firm(FirmAccount::EnvelopeEscrow),
        credit: Account::Customer(member),
        amount: points,
        reason: "envelope_open".into(),
        kind: Kind::Single,
        corrects: None,
    }
}

/// The transfer of what was not opened back to the sender.
pub fn return_transfer(id: i64, sender: Sender, points: i64) -> Transfer {
    Transfer {
        id: format!("envelope:{id}:return"),
        debit: Account::Firm(FirmAccount::EnvelopeEscrow),
        credit: sender.account(),
        amount: points,
        reason: "envelope_return".into(),
        kind: Kind::Single,
        corrects: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_shares_differ_by_a_point_at_most_and_bad_envelopes_are_refused() {
        assert_eq!(cut(10, 3, Split::Equal, 1).unwrap(), vec![4, 3, 3]);
        assert_eq!(cut(2, 3, Split::Equal, 1), Err(EnvelopeError::Points));
        assert_eq!(cut(10, 0, Split::Random, 1), Err(EnvelopeError::Shares));
        assert_eq!(cut(MAX_POINTS + 1, 3, Split::Random, 1), Err(EnvelopeError::Points));
    }

    proptest! {
        /// However cut, the shares sum to the points, each at least one, the same for the same seed.
        #[test]
        fn random_shares_sum_to_the_points(points in 1i64..5_000, shares in 1i64..=MAX_SHARES, seed: u64) {
            prop_assume!(points >= shares);
            let a = cut(points, shares, Split::Random, seed).unwrap();
            prop_assert_eq!(a.len() as i64, shares);
            prop_assert_eq!(a.iter().sum::<i64>(), points);
            prop_assert!(a.iter().all(|s| *s >= 1));
            prop_assert_eq!(a, cut(points, shares, Split::Random, seed).unwrap());
        }
    }
}
