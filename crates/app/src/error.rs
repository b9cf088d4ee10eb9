//! The use cases' one error: a refusal with its stable code (see
//! [`crate::codes`]), or a failure of the store beneath.

use domain::{Code, ErrorCode, Refusal};
use store::StoreError;
use thiserror::Error;

/// Why a use case was refused, or failed.
#[derive(Debug, Error)]
pub enum Error {
    /// Refused, with a stable code (see [`crate::codes`]).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Stored labels could not be read back.
    #[error(transparent)]
    Labels(#[from] crate::classify::ClassifyRunError),
    /// The points ledger refused a transfer.
    #[error(transparent)]
    Ledger(#[from] growth::LedgerError),
}

impl From<domain::DomainError> for Error {
    fn from(e: domain::DomainError) -> Self {
        Error::Refused(e.into())
    }
}

impl ErrorCode for Error {
    fn code(&self) -> Code {
        match self {
            Error::Refused(r) => r.code(),
            Error::Store(e) => e.code(),
            Error::Labels(e) => e.code(),
            Error::Ledger(e) => e.code(),
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Error::Refused(r) => r.field(),
            Error::Store(e) => e.field(),
            Error::Labels(e) => e.field(),
            Error::Ledger(e) => e.field(),
        }
    }

    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Error::Refused(r) => r.args(),
            Error::Store(e) => e.args(),
            Error::Labels(e) => e.args(),
            Error::Ledger(e) => e.args(),
        }
    }
}

impl Error {
    /// Whether this is a refusal with this code.
    pub fn is(&self, code: Code) -> bool {
        matches!(self, Error::Refused(r) if r.is(code))
    }
}
