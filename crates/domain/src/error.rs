use thiserror::Error;

/// Why a value could not become a domain type.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// A field had a value outside its rules; the message says which rule.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field's name as users know it (a CSV column, an API field).
        field: &'static str,
        /// What is wrong, in plain words.
        reason: String,
    },
}

impl DomainError {
    /// Shorthand for an invalid field.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DomainError::Invalid { field, reason: reason.into() }
    }

    /// What is wrong, without the field's name.
    pub fn reason(&self) -> &str {
        match self {
            DomainError::Invalid { reason, .. } => reason,
        }
    }

    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            DomainError::Invalid { field, .. } => field,
        }
    }
}
