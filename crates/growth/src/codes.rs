//! Why the ledger refused a transfer or a decision: stable codes, messages
//! `error-<code>` in the catalogues.

use crate::ledger::{Account, LedgerError};

domain::codes! {
    /// A transfer of zero or fewer points.
    POINTS_NOT_POSITIVE = "points_not_positive": Invalid,
    /// The same account on both sides of a transfer.
    POINTS_SAME_ACCOUNT = "points_same_account": Invalid,
    /// A transfer or decision id empty or too long.
    POINTS_BAD_ID = "points_bad_id": Invalid,
    /// The id was used by a transfer with another body.
    POINTS_ID_REUSED = "points_id_reused": Conflict,
    /// More points than the customer has available.
    POINTS_INSUFFICIENT = "points_insufficient": Refused,
    /// Posting or voiding a transfer that is not pending.
    POINTS_NOT_PENDING = "points_not_pending": Conflict,
    /// A correction of a transfer that does not exist.
    POINTS_NO_SUCH_TRANSFER = "points_no_such_transfer": NotFound,
    /// A red envelope's shares out of range.
    ENVELOPE_SHARES = "envelope_shares": Invalid,
    /// A red envelope's points out of range (at least a point a share).
    ENVELOPE_POINTS = "envelope_points": Invalid,
    /// A referral names no customer as its inviter.
    REFERRAL_UNKNOWN_INVITER = "referral_unknown_inviter": Refused,
    /// A customer referred themselves.
    REFERRAL_SELF = "referral_self": Refused,
    /// The friend was known to the firm before (by national ID or phone).
    REFERRAL_ALREADY_KNOWN = "referral_already_known": Refused,
    /// The friend was already referred.
    REFERRAL_ALREADY_REFERRED = "referral_already_referred": Refused,
}

impl domain::ErrorCode for crate::envelope::EnvelopeError {
    fn code(&self) -> domain::Code {
        match self {
            crate::envelope::EnvelopeError::Shares => ENVELOPE_SHARES,
            crate::envelope::EnvelopeError::Points => ENVELOPE_POINTS,
        }
    }

    fn field(&self) -> Option<&'static str> {
        Some(match self {
            crate::envelope::EnvelopeError::Shares => "shares",
            crate::envelope::EnvelopeError::Points => "points",
        })
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        vec![
            ("max_shares", crate::envelope::MAX_SHARES.to_string()),
            ("max_points", crate::envelope::MAX_POINTS.to_string()),
        ]
    }
}

fn account_name(a: Account) -> String {
    match a {
        Account::Customer(c) => c.to_string(),
        Account::Firm(f) => format!("{f:?}").to_lowercase(),
    }
}

impl domain::ErrorCode for LedgerError {
    fn code(&self) -> domain::Code {
        match self {
            LedgerError::NotPositive => POINTS_NOT_POSITIVE,
            LedgerError::SameAccount => POINTS_SAME_ACCOUNT,
            LedgerError::BadId => POINTS_BAD_ID,
            LedgerError::IdReused(_) => POINTS_ID_REUSED,
            LedgerError::Insufficient { .. } => POINTS_INSUFFICIENT,
            LedgerError::NotPending(_) => POINTS_NOT_PENDING,
            LedgerError::NoSuchTransfer(_) => POINTS_NO_SUCH_TRANSFER,
        }
    }

    fn field(&self) -> Option<&'static str> {
        Some(match self {
            LedgerError::NotPositive | LedgerError::Insufficient { .. } => "amount",
            LedgerError::SameAccount => "credit",
            LedgerError::BadId | LedgerError::IdReused(_) | LedgerError::NotPending(_) => "id",
            LedgerError::NoSuchTransfer(_) => "corrects",
        })
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            LedgerError::IdReused(id) | LedgerError::NotPending(id) | LedgerError::NoSuchTransfer(id) => {
                vec![("id", id.clone())]
            }
            LedgerError::Insufficient { account, available, amount } => vec![
                ("account", account_name(*account)),
                ("available", available.to_string()),
                ("amount", amount.to_string()),
            ],
            LedgerError::NotPositive | LedgerError::SameAccount | LedgerError::BadId => Vec::new(),
        }
    }
}
